import ArgumentParser
import Foundation
import HeraldCore

/// An error printed as one clear line on standard error, with an exit code that says what kind
/// of failure it was (sysexits.h values, which operators' scripts already know).
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let code: Int32

    init(_ message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }

    init(_ error: any Error) {
        if let error = error as? CLIFailure {
            self = error
            return
        }
        guard let error = error as? HeraldError else {
            self.init("\(error)", code: 1)
            return
        }
        switch error.kind {
        case .invalidInput, .malformedJSON, .payloadTooLarge: self.init(error.description, code: 65)
        case .notFound, .unauthorized, .forbidden: self.init(error.description, code: 1)
        case .conflict: self.init(error.description, code: 1)
        case .rateLimited: self.init(error.description, code: 75)
        case .unavailable: self.init(error.description, code: 69)
        case .configuration: self.init(error.description, code: 78)
        case .internal: self.init(error.description, code: 1)
        }
    }

    var description: String { message }

    /// Runs `body`, turning any failure into a message on stderr and the matching exit code.
    static func guarding(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            let failure = CLIFailure(error)
            FileHandle.standardError.write(Data("herald: \(failure.message)\n".utf8))
            throw ExitCode(failure.code)
        }
    }
}
