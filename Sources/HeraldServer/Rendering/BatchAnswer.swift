import HeraldCore

/// The body of a `/v1/messages/batch` answer, written straight to bytes in the canonical form
/// (compact, keys sorted) that ``JSONValue/canonicalBytes`` gives the same value:
/// `{"accepted":N,"rejected":M,"results":[…]}` with one entry per message, in request order.
///
/// A batch of 1,000 built as a `JSONValue` tree first cost two dictionaries, a key sort and
/// their deallocation per message — about a tenth of the daemon's CPU in a batch profile. Accepted
/// entries, nearly all of them, are written field by field (``AcceptedJSON``); the rare error
/// entries still go through `JSONValue`. `BatchAnswerTests` holds this to
/// `RecordJSON.acceptedFields` byte for byte. Entries are appended in request order by the caller.
struct BatchAnswer {
    private(set) var bytes: [UInt8] = []
    private var entries = 0

    init(accepted: Int, rejected: Int, capacity: Int) {
        bytes.reserveCapacity(64 + capacity * 160)
        append("{\"accepted\":")
        append(String(accepted))
        append(",\"rejected\":")
        append(String(rejected))
        append(",\"results\":[")
    }

    /// An accepted message (stored, or replayed for its idempotency key): the fields of
    /// ``RecordJSON/acceptedFields(_:_:)`` plus `index` and `status` 202.
    mutating func accepted(_ m: Message, _ deliveries: [Delivery], index: Int) {
        separate()
        AcceptedJSON.open(m, deliveries, into: &bytes)
        append(",\"index\":")
        append(String(index))
        append(",\"status\":202}")
    }

    /// A message refused before it was stored: its problem's status, detail and fields.
    mutating func rejected(index: Int, _ error: HeraldError) {
        entry(.object([
            "index": .int(Int64(index)), "status": .int(Int64(error.httpStatus)),
            "error": .object([
                "detail": .string(error.detail),
                "invalid_params": ProblemResponse.invalidParams(error),
            ]),
        ]))
    }

    /// A message whose idempotency key an earlier, different request already used.
    mutating func conflict(index: Int, existingMessageID: String) {
        entry(.object([
            "index": .int(Int64(index)), "status": .int(409),
            "error": .object(["detail": .string("idempotency key already used for \(existingMessageID) with a different request")]),
        ]))
    }

    private mutating func entry(_ value: JSONValue) {
        separate()
        bytes.append(contentsOf: value.canonicalBytes)
    }

    /// The finished body.
    consuming func finish() -> [UInt8] {
        append("]}")
        return bytes
    }

    private mutating func separate() {
        if entries > 0 { bytes.append(UInt8(ascii: ",")) }
        entries += 1
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(static: text)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}
