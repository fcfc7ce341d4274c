import Executor

/// An Instant app as the Platform API returns it, validated: the id, the title, the admin
/// token (secret) and the creation time are required; everything else is optional.
/// Prints without the admin token.
public struct InstantApp: Sendable, Equatable, CustomStringConvertible {
    /// The app id (a UUID), not secret.
    public var id: String
    /// The app's title.
    public var title: String
    /// The app's admin token: secret.
    public var adminToken: String
    /// The creation time as the server wrote it.
    public var createdAt: String
    /// When a temporary (ephemeral) app is deleted, in Unix epoch milliseconds; `nil` for a permanent one.
    public var expiresAt: Int64?

    /// Creates an app value.
    public init(id: String, title: String, adminToken: String, createdAt: String, expiresAt: Int64? = nil) {
        self.id = id
        self.title = title
        self.adminToken = adminToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// The admin token as a secret, for redactors.
    public var secret: Secret { Secret(source: .runtime("instant.admin_token"), value: adminToken) }

    /// The app in an answer `{app: {…}, expires_ms?}`, or `resource.invalid_response`
    /// naming the missing field (never a value).
    public static func from(answer: JSONValue) throws(ResourceError) -> InstantApp {
        guard let app = answer["app"], case .object = app else {
            throw ResourceError(ErrorCode.Resource.invalidResponse, "the Instant API's answer has no `app` object", isAmbiguous: true)
        }
        var values: [String: String] = [:]
        for field in ["id", "title", "admin-token", "created_at"] {
            guard let value = app[field]?.stringValue, !value.trimmingASCIIWhitespace().isEmpty else {
                throw ResourceError(
                    ErrorCode.Resource.invalidResponse, "the Instant API's app has no `\(field)` (or it is not a non-empty string)", isAmbiguous: true)
            }
            values[field] = value
        }
        return InstantApp(
            id: values["id"] ?? "", title: values["title"] ?? "", adminToken: values["admin-token"] ?? "", createdAt: values["created_at"] ?? "",
            expiresAt: answer["expires_ms"]?.intValue.map(Int64.init))
    }

    /// The id, title and expiry; never the admin token.
    public var description: String {
        "Instant app \(id) (\(title))" + (expiresAt.map { ", temporary until \($0) ms" } ?? "")
    }
}

/// Titles of Instant apps: trimmed, and generated when absent.
public enum InstantTitle {
    /// `title` trimmed, or `<resource>-<workspace>-<boot token>` when it is absent or blank;
    /// unique per boot, so a permanent app can be found again by it after a lost answer.
    public static func make(_ title: String?, resource: String, workspace: String, bootToken: String) -> String {
        let trimmed = (title ?? "").trimmingASCIIWhitespace()
        return trimmed.isEmpty ? "\(resource)-\(workspace)-\(bootToken.lowercased())" : trimmed
    }
}
