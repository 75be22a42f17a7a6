import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

@Suite("state machine")
struct StateMachineTests {
    private func round(_ verdict: RoundVerdict, at ms: Int64) -> RoundRecord {
        RoundRecord(
            scheduledMs: ms, verdict: verdict,
            attempts: [AttemptRecord(
                number: 1, startedMs: ms, durationUs: 0,
                failure: verdict == .down ? FailureDetail(.refused, message: "refused at \(ms)") : nil)])
    }

    @Test("the first verdict of a run is a transition from unknown, whatever the thresholds")
    func firstVerdict() {
        var machine = StateMachine(failureThreshold: 3, successThreshold: 3)
        let transition = machine.observe(round(.down, at: 0))
        #expect(transition?.from == .unknown)
        #expect(transition?.to == .down)
        #expect(machine.state == .down)
    }

    @Test("up to down needs failureThreshold consecutive down rounds; the streak's start and first error are kept")
    func failureHysteresis() {
        var machine = StateMachine(failureThreshold: 3, successThreshold: 2)
        _ = machine.observe(round(.up, at: 0))
        #expect(machine.observe(round(.down, at: 1)) == nil)
        #expect(machine.observe(round(.down, at: 2)) == nil)
        #expect(machine.observe(round(.up, at: 3)) == nil, "a recovery resets the failure streak")
        #expect(machine.observe(round(.down, at: 4)) == nil)
        #expect(machine.observe(round(.down, at: 5)) == nil)
        let down = machine.observe(round(.down, at: 6))
        #expect(down?.streakStartedMs == 4)
        #expect(down?.roundScheduledMs == 6)
        #expect(down?.failure?.message == "refused at 4")
        #expect(machine.observe(round(.up, at: 7)) == nil)
        let up = machine.observe(round(.up, at: 8))
        #expect(up?.from == .down)
        #expect(up?.streakStartedMs == 7)
        #expect(up?.failure == nil)
    }

    @Test("skipped slots are no evidence")
    func skippedChangesNothing() {
        var machine = StateMachine()
        _ = machine.observe(round(.up, at: 0))
        #expect(machine.observe(RoundRecord.skipped(at: 1)) == nil)
        #expect(machine.state == .up)
    }
}
