-- Stretches of a run when the recorder could not write (disk full, file locked, I/O error). Probing went on;
-- the rounds were held in memory and written with the first batch that succeeded, in the same transaction as
-- this row. `rounds_dropped` counts the rounds that did not fit in the recorder's bounded buffer: their slots
-- have no round, so the report counts that time as unknown.
CREATE TABLE storage_fault (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES recorder_run (id),
    from_ms        INTEGER NOT NULL,                  -- the first write that failed
    to_ms          INTEGER NOT NULL CHECK (to_ms >= from_ms), -- the write that succeeded again
    failed_writes  INTEGER NOT NULL CHECK (failed_writes >= 0),   -- 0: writes stalled until the buffer filled
    rounds_dropped INTEGER NOT NULL CHECK (rounds_dropped >= 0),
    error          TEXT    NOT NULL,                  -- the last failure, one line
    UNIQUE (run_id, from_ms)                          -- a fault still dropping rounds after recovery is updated
) STRICT;
CREATE INDEX storage_fault_by_time ON storage_fault (from_ms, to_ms);
