import Foundation

extension TimeZone {
    /// The zone of an IANA name as clients and settings give it (`Asia/Shanghai`); UTC when there is
    /// none or it is not a zone this system knows (clients are checked when stored, so that is rare).
    public static func named(_ identifier: String?) -> TimeZone {
        identifier.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC") ?? .current
    }
}
