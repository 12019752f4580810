import HTTPTypes
import HeraldCore
import Hummingbird
import Logging

/// Turns every error a route throws into one RFC 9457 `application/problem+json` response.
/// This is the only place that maps errors to HTTP.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = HeraldRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HeraldError {
            if error.kind == .internal || error.kind == .configuration {
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return ProblemResponse.make(error, instance: request.uri.path)
        } catch let error as HTTPError {
            let kind: HeraldError.Kind = switch error.status.code {
            case 404, 405: .notFound
            case 413: .payloadTooLarge
            default: .invalidInput
            }
            let detail = error.body ?? defaultDetail(error.status, path: request.uri.path)
            return ProblemResponse.make(
                HeraldError(kind: kind, detail: detail), status: error.status.code, instance: request.uri.path)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return ProblemResponse.make(.internal("internal error; see the server log"), instance: request.uri.path)
        }
    }

    private func defaultDetail(_ status: HTTPResponse.Status, path: String) -> String {
        switch status.code {
        case 404: "no route for \(path)"
        case 413: "the request body is too large"
        default: status.reasonPhrase
        }
    }
}
