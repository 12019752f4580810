import Foundation

/// Which IP addresses a destination may connect to when private networks are not allowed:
/// everything except loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast and unspecified.
public enum AddressPolicy {
    /// Whether `address` (IPv4 dotted or IPv6 text, as libcurl reports it) is publicly routable.
    public static func isPublic(_ address: String) -> Bool {
        if address.contains(":") { return isPublicIPv6(address) }
        let parts = address.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { return false }
        let (a, b) = (parts[0], parts[1])
        switch a {
        case 0, 10, 127: return false
        case 100 where (64...127).contains(b): return false  // CGNAT
        case 169 where b == 254: return false  // link-local, cloud metadata
        case 172 where (16...31).contains(b): return false
        case 192 where b == 168: return false
        case 192 where b == 0 && parts[2] == 0: return false
        case 198 where b == 18 || b == 19: return false  // benchmarking
        case 224...255: return false  // multicast, reserved, broadcast
        default: return true
        }
    }

    private static func isPublicIPv6(_ address: String) -> Bool {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, address, &storage) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &storage) { Array($0) }
        if bytes.allSatisfy({ $0 == 0 }) { return false }  // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return false }  // ::1
        if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if bytes[0] == 0xFF { return false }  // multicast
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {  // ::ffff:a.b.c.d
            return isPublic("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])")
        }
        return true
    }
}
