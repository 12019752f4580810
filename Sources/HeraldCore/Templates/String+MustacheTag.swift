extension String {
    /// Whether the text holds `{{` (could be a Mustache tag). A byte scan: `contains("{{")` walks
    /// Characters and showed up in delivery profiles.
    var mayContainMustacheTag: Bool {
        var previousWasBrace = false
        for byte in utf8 {
            if byte == 0x7B {
                if previousWasBrace { return true }
                previousWasBrace = true
            } else {
                previousWasBrace = false
            }
        }
        return false
    }
}
