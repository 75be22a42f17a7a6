-- The whole readiness-history model (docs/semantics.md). Times are UTC epoch milliseconds, durations
-- microseconds, all integers. Migrations only move forward: never edit a released file, add the next one.

-- A probed service. `name` is the stable identity: changing a target's url or interval keeps its history.
CREATE TABLE target (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('flow', 'deployment', 'executor', 'gateway')),
    url        TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;

-- One recorder process. `heartbeat_ms` moves with every committed batch; `stopped_ms` is written only on a
-- clean stop, so a run without it crashed (or is still running) and its time after the heartbeat is unknown.
CREATE TABLE recorder_run (
    id           INTEGER PRIMARY KEY,
    started_ms   INTEGER NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    stopped_ms   INTEGER,
    host         TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    version      TEXT    NOT NULL
) STRICT;
CREATE INDEX recorder_run_by_time ON recorder_run (started_ms, heartbeat_ms);

-- How a run probed a target: the numbers the report needs to cap staleness and replay hysteresis.
CREATE TABLE run_target (
    run_id            INTEGER NOT NULL REFERENCES recorder_run (id),
    target_id         INTEGER NOT NULL REFERENCES target (id),
    url               TEXT    NOT NULL,
    interval_ms       INTEGER NOT NULL CHECK (interval_ms > 0),
    timeout_ms        INTEGER NOT NULL CHECK (timeout_ms > 0),
    attempts          INTEGER NOT NULL CHECK (attempts >= 1),
    retry_delay_ms    INTEGER NOT NULL CHECK (retry_delay_ms >= 0),
    min_successes     INTEGER NOT NULL CHECK (min_successes >= 1),
    failure_threshold INTEGER NOT NULL CHECK (failure_threshold >= 1),
    success_threshold INTEGER NOT NULL CHECK (success_threshold >= 1),
    PRIMARY KEY (run_id, target_id)
) STRICT, WITHOUT ROWID;

-- One scheduled slot of one target. The healthy case is one row and nothing else: a round whose single
-- attempt succeeded keeps that attempt inline (started at scheduled_ms + start_lag_ms, lasting duration_us).
-- Every other round (a failure, a retry, a skipped slot) has all its attempts in `attempt`.
-- Keyed by time first so that inserts append and pages stay full (the storage budget is 32 bytes a round).
CREATE TABLE round (
    scheduled_ms INTEGER NOT NULL,
    target_id    INTEGER NOT NULL REFERENCES target (id),
    run_id       INTEGER NOT NULL REFERENCES recorder_run (id),
    verdict      INTEGER NOT NULL CHECK (verdict IN (0, 1, 2)), -- 0 down, 1 up, 2 skipped (never started)
    attempts     INTEGER NOT NULL CHECK (attempts >= 0),
    start_lag_ms INTEGER NOT NULL CHECK (start_lag_ms >= 0),    -- first attempt's start after the slot
    duration_us  INTEGER NOT NULL CHECK (duration_us >= 0),     -- first attempt's start to the verdict
    PRIMARY KEY (scheduled_ms, target_id, run_id)
) STRICT, WITHOUT ROWID;

-- Distinct error texts, stored once. `exception` is Jina's exception name for `not_ready`; `deployment` and
-- `addresses` are parsed from Jina's "Communication error with deployment X at address(es) {...}".
CREATE TABLE error (
    id          INTEGER PRIMARY KEY,
    class       TEXT NOT NULL,
    exception   TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL,
    deployment  TEXT NOT NULL DEFAULT '',
    addresses   TEXT NOT NULL DEFAULT '',
    UNIQUE (class, exception, message)
) STRICT;

-- Every attempt of every round that is not the inline healthy case. role 0 is a readiness attempt (n = 1, 2,
-- ...); role 1 is the gateway liveness check a failed flow/deployment round makes to tell which layer failed.
CREATE TABLE attempt (
    scheduled_ms INTEGER NOT NULL,
    target_id    INTEGER NOT NULL,
    run_id       INTEGER NOT NULL,
    role         INTEGER NOT NULL CHECK (role IN (0, 1)),
    n            INTEGER NOT NULL CHECK (n >= 1),
    started_ms   INTEGER NOT NULL,
    duration_us  INTEGER NOT NULL CHECK (duration_us >= 0),
    ok           INTEGER NOT NULL CHECK (ok IN (0, 1)),
    raw_code     INTEGER,                                    -- gRPC status, HTTP status, WS close or Jina code
    error_id     INTEGER REFERENCES error (id),
    PRIMARY KEY (scheduled_ms, target_id, run_id, role, n),
    FOREIGN KEY (scheduled_ms, target_id, run_id) REFERENCES round (scheduled_ms, target_id, run_id)
) STRICT, WITHOUT ROWID;

-- Every state change of a target as the recorder saw it, with the round that caused it.
CREATE TABLE transition (
    id                 INTEGER PRIMARY KEY,
    target_id          INTEGER NOT NULL REFERENCES target (id),
    run_id             INTEGER NOT NULL REFERENCES recorder_run (id),
    at_ms              INTEGER NOT NULL,                   -- when the verdict that changed the state was known
    from_state         TEXT    NOT NULL CHECK (from_state IN ('unknown', 'up', 'down')),
    to_state           TEXT    NOT NULL CHECK (to_state IN ('up', 'down')),
    round_scheduled_ms INTEGER NOT NULL,
    streak_started_ms  INTEGER NOT NULL,                   -- scheduled time of the streak's first round
    error_id           INTEGER REFERENCES error (id)
) STRICT;
CREATE INDEX transition_by_target ON transition (target_id, at_ms);

-- Facts added after the fact: maintenance windows (moved out of up/down) and notes. target_id NULL = all.
CREATE TABLE annotation (
    id         INTEGER PRIMARY KEY,
    target_id  INTEGER REFERENCES target (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('maintenance', 'note')),
    from_ms    INTEGER NOT NULL,
    to_ms      INTEGER NOT NULL CHECK (to_ms >= from_ms),
    note       TEXT    NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX annotation_by_time ON annotation (from_ms, to_ms);

-- All attempts as one relation: the inline healthy ones and the stored ones.
CREATE VIEW attempt_all AS
    SELECT scheduled_ms, target_id, run_id, 0 AS role, 1 AS n, scheduled_ms + start_lag_ms AS started_ms,
           duration_us, 1 AS ok, NULL AS raw_code, NULL AS error_id
      FROM round WHERE verdict = 1 AND attempts = 1
    UNION ALL
    SELECT scheduled_ms, target_id, run_id, role, n, started_ms, duration_us, ok, raw_code, error_id FROM attempt;
