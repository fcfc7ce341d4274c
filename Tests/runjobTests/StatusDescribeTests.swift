import Executor
import Testing

@testable import runjob

/// The one-line agent result of `runjob status`.
@Suite struct StatusDescribeTests {
    @Test func everyField() {
        let result = SessionResult(isError: false, costUSD: 0.01234, turns: 3, durationMilliseconds: 4_210, agentSession: "abc")
        #expect(StatusCommand.describe(result) == "agent ok, 3 turns, $0.0123, 4.2 s, session abc")
    }

    @Test func errorWithoutDetails() {
        #expect(StatusCommand.describe(SessionResult(isError: true)) == "agent error")
        #expect(StatusCommand.describe(SessionResult(isError: true, turns: 1)) == "agent error, 1 turn")
    }
}
