-- Loose rounds (docs/storage.md, "Loose rounds"): the rounds no stored hour span covers (the transitions that
-- start, confirm and end an outage, flapping, skipped slots, spans too short to store), copied by the recorder,
-- in the transaction that ends them, into one row per stretch: one target and run, consecutive rounds between
-- two stored spans, within one UTC clock hour, at most 256 rounds. A report reads a month's outages from this
-- table in one range scan instead of two B-tree searches per outage in `round` and `attempt`. The round and
-- attempt rows stay (prune never deletes them: no span covers them), so history recorded before this migration,
-- or a stretch a crash left unwritten, is read from them with the same numbers.
-- `data` holds the rounds as varints, in slot order: per round the slot after the previous one (the first
-- after first_ms), verdict, start lag (ms), duration (us) and its number of stored attempts (0 for the
-- inline-healthy round, as in `round`); per attempt role, n, start after the slot (zigzag), duration (us),
-- ok, raw code (zigzag + 1; 0 when none) and error id (+ 1; 0 when none).
CREATE TABLE loose_rounds (
    first_ms  INTEGER NOT NULL,
    target_id INTEGER NOT NULL REFERENCES target (id),
    run_id    INTEGER NOT NULL REFERENCES recorder_run (id),
    last_ms   INTEGER NOT NULL CHECK (last_ms >= first_ms),
    rounds    INTEGER NOT NULL CHECK (rounds >= 1),
    data      BLOB    NOT NULL,
    PRIMARY KEY (first_ms, target_id, run_id)
) STRICT, WITHOUT ROWID;
