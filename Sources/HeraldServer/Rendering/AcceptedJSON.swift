import HeraldCore

/// The answer for an accepted message — `POST /v1/messages`' 202 body and each accepted entry of
/// a batch answer — written straight to bytes in the canonical form (compact, keys sorted) that
/// ``RecordJSON/accepted(_:_:)`` gives as a `JSONValue`. `AcceptedJSONTests` and
/// `BatchAnswerTests` hold the two to each other byte for byte.
///
/// Built as a tree, the 202 body cost a dictionary per delivery and one for the message, a key
/// sort each and their deallocation: about 3.5 % of the daemon's CPU per enqueue in a profile.
enum AcceptedJSON {
    /// The whole 202 body: `{"deliveries":[…],"id":…,"idempotency_key":…}`.
    static func body(_ m: Message, _ deliveries: [Delivery]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + deliveries.count * 112)
        open(m, deliveries, into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The fields up to `idempotency_key`, the object left open: keys that sort after it
    /// (a batch entry's `index` and `status`) can follow before the caller closes it.
    static func open(_ m: Message, _ deliveries: [Delivery], into bytes: inout [UInt8]) {
        bytes.append(static: "{\"deliveries\":[")
        for (i, d) in deliveries.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(static: "{\"channel\":")
            JSONValue.writeString(d.channel, to: &bytes)
            bytes.append(static: ",\"destination\":")
            JSONValue.writeString(DestinationRules.redacted(d.destination), to: &bytes)
            bytes.append(static: ",\"id\":")
            JSONValue.writeString(d.id, to: &bytes)
            bytes.append(static: ",\"status\":")
            JSONValue.writeString(d.state.rawValue, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(static: "],\"id\":")
        JSONValue.writeString(m.id, to: &bytes)
        bytes.append(static: ",\"idempotency_key\":")
        if let key = m.idempotencyKey { JSONValue.writeString(key, to: &bytes) } else { bytes.append(static: "null") }
    }
}
