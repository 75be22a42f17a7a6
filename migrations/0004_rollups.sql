-- Rollups (docs/storage.md, "Rollups"): a span is a stretch of one target's rounds in one recorder run, within
-- one clock hour, on consecutive slots, in which every round only continued the state the target was already in
-- (steady up, or steady down in the middle of an outage): no transition, no skipped slot, no missing round. Such
-- rounds change a report only by time and counts, so a report reads the span instead of its rounds. The recorder
-- writes spans in the same transaction as their rounds; a span always agrees with the rounds it covers.
-- Latencies are log-bucketed histograms (LatencyHistogram: varint pairs of bucket-index step and count, each
-- value known within 0.5%) with exact count, sum, sum of squares, min and max.
CREATE TABLE rollup (
    first_ms          INTEGER NOT NULL,                        -- slot of its first round
    target_id         INTEGER NOT NULL REFERENCES target (id),
    run_id            INTEGER NOT NULL REFERENCES recorder_run (id),
    last_ms           INTEGER NOT NULL CHECK (last_ms >= first_ms), -- slot of its last round
    last_duration_us  INTEGER NOT NULL CHECK (last_duration_us >= 0), -- the last round's duration (its staleness cap)
    verdict           INTEGER NOT NULL CHECK (verdict IN (0, 1)), -- every round's verdict: 0 down, 1 up
    rounds            INTEGER NOT NULL CHECK (rounds >= 1),
    flaky             INTEGER NOT NULL CHECK (flaky >= 0),      -- up rounds that needed a retry
    attempts          INTEGER NOT NULL CHECK (attempts >= 0),   -- readiness attempts
    ok_attempts       INTEGER NOT NULL CHECK (ok_attempts >= 0),
    ok_sum_us         INTEGER NOT NULL,
    ok_sum_sq_us      REAL    NOT NULL,
    ok_min_us         INTEGER NOT NULL,
    ok_max_us         INTEGER NOT NULL,
    ok_histogram      BLOB    NOT NULL,
    fail_sum_us       INTEGER NOT NULL,
    fail_sum_sq_us    REAL    NOT NULL,
    fail_min_us       INTEGER NOT NULL,
    fail_max_us       INTEGER NOT NULL,
    fail_histogram    BLOB    NOT NULL,
    PRIMARY KEY (first_ms, target_id, run_id)
) STRICT, WITHOUT ROWID;

-- Every `jina-history prune`: raw rounds (and their attempts) covered by a span that ended before `before_ms`
-- were deleted; spans, transitions, runs, annotations and every round no span covers (outage starts and ends,
-- skipped slots) stay. Reports use spans alone where their rounds are gone. `finished_ms` is written when every
-- span before the horizon was done: the next prune starts from the last finished horizon, so an interrupted
-- prune is completed by the next one.
CREATE TABLE prune (
    id          INTEGER PRIMARY KEY,
    before_ms   INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    rounds      INTEGER NOT NULL CHECK (rounds >= 0),
    attempts    INTEGER NOT NULL CHECK (attempts >= 0),
    finished_ms INTEGER
) STRICT;
