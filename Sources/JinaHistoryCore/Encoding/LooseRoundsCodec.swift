public import Foundation

/// The bytes of a `loose_rounds` row (migrations/0006_loose_rounds.sql): rounds and their stored attempts as
/// varints. Decoding gives exactly what reading the same rounds from `round` and `attempt` gives, inline-healthy
/// rounds included, so a report cannot tell where its rounds came from.
public enum LooseRoundsCodec {
    /// Encodes `rounds` (slot order, from `firstMs` on), with the error id of each failure.
    public static func encode(_ rounds: [RoundRecord], firstMs: Int64, errorId: (FailureDetail) throws -> Int64) rethrows
        -> Data
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rounds.count * 8)
        var previousMs = firstMs
        for round in rounds {
            Varint.append(UInt64(round.scheduledMs - previousMs), to: &bytes)
            previousMs = round.scheduledMs
            Varint.append(UInt64(round.verdict.rawValue), to: &bytes)
            Varint.append(UInt64(round.startLagMs), to: &bytes)
            Varint.append(UInt64(round.durationUs), to: &bytes)
            // The inline-healthy round keeps no attempt rows, so it keeps none here either.
            let attempts = round.isInlineHealthy ? [] : round.attempts
            Varint.append(UInt64(attempts.count), to: &bytes)
            for attempt in attempts {
                Varint.append(UInt64(attempt.role.rawValue), to: &bytes)
                Varint.append(UInt64(attempt.number), to: &bytes)
                Varint.append(signed: attempt.startedMs - round.scheduledMs, to: &bytes)
                Varint.append(UInt64(attempt.durationUs), to: &bytes)
                Varint.append(attempt.succeeded ? 1 : 0, to: &bytes)
                Varint.append(attempt.rawCode.map { Varint.zigzag(Int64($0)) &+ 1 } ?? 0, to: &bytes)
                Varint.append(try attempt.failure.map { UInt64(try errorId($0)) + 1 } ?? 0, to: &bytes)
            }
        }
        return Data(bytes)
    }

    /// Decodes `count` rounds from `data`, turning each failed attempt's error id (`nil` when it has none) into
    /// its detail with `failure`.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when the bytes are not `count` rounds.
    public static func decode(_ data: Data, count: Int, firstMs: Int64, failure: (Int64?) throws -> FailureDetail) throws
        -> [RoundRecord]
    {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [RoundRecord] in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw damaged }
            let end = raw.count
            var position = 0
            func next() throws -> UInt64 {
                let value = Varint.read(base, end, &position)
                guard value <= UInt64(Int64.max) else { throw damaged }
                return value
            }
            var rounds: [RoundRecord] = []
            rounds.reserveCapacity(count)
            var slotMs = firstMs
            for _ in 0..<count {
                // A stretch stays within one clock hour; anything more is damage, not a slot.
                let step = try next()
                guard step < UInt64(LooseRounds.periodMs) else { throw damaged }
                slotMs += Int64(step)
                var round = RoundRecord(
                    scheduledMs: slotMs, verdict: RoundVerdict(rawValue: Int(try next())) ?? .down,
                    startLagMs: Int64(try next()), durationUs: Int64(try next()))
                let attempts = try next()
                guard attempts <= 1_000 else { throw damaged }
                for _ in 0..<attempts {
                    let role = AttemptRecord.Role(rawValue: Int(try next())) ?? .readiness
                    let number = Int(try next())
                    let (startedMs, overflow) = slotMs.addingReportingOverflow(Varint.signed(try next()))
                    guard !overflow else { throw damaged }
                    let durationUs = Int64(try next())
                    let ok = try next() == 1
                    let code = try next()
                    let errorId = try next()
                    round.attempts.append(AttemptRecord(
                        role: role, number: number, startedMs: startedMs, durationUs: durationUs,
                        rawCode: code == 0 ? nil : Int(Varint.signed(code &- 1)),
                        failure: ok ? nil : try failure(errorId == 0 ? nil : Int64(errorId - 1))))
                }
                round.restoreInlineAttempt()
                rounds.append(round)
            }
            guard position == end else { throw damaged }
            return rounds
        }
    }

    private static var damaged: JinaHistoryError {
        .storage(StorageProblem(location: "loose_rounds", reason: .damaged(
            "a loose_rounds row is damaged (its bytes are not the rounds it counts); the same rounds are in the "
                + "round table: delete the row (DELETE FROM loose_rounds WHERE first_ms = …) and report again")))
    }
}
