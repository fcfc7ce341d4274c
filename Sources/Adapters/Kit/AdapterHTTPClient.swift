import AsyncHTTPClient

/// The HTTP client every adapter that talks to an API shares (Morph, the Claude token
/// endpoint, Instant): a refused or failed connection is reported at once (each adapter
/// decides about retries itself), redirects are never followed (they would carry a key or
/// a token to another host), and connecting gives up after 10 s.
package enum AdapterHTTPClient {
    /// The client, made on first use on the process's singleton event loop group.
    package static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
