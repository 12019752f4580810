extension [UInt8] {
    /// Appends a literal's UTF-8 bytes without going through `String` (the JSON writers' field
    /// names and punctuation).
    @inlinable
    public mutating func append(static text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
