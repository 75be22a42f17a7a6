-- What became of every notification `record --notify/--on-transition` made (docs/notifications.md): one row per
-- notice and destination, written with the recorder's next batch once the delivery ended. `transition_at_ms` is
-- the verdict time of the transition it told of (for a reminder, the outage's `down` transition), which with
-- `target_id` finds it in `transition`. `destination` never holds credentials, a path or a query.
CREATE TABLE notification (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES recorder_run (id),
    target_id        INTEGER NOT NULL REFERENCES target (id),
    event            TEXT    NOT NULL CHECK (event IN ('down', 'up', 'reminder')),
    transition_at_ms INTEGER NOT NULL,
    queued_ms        INTEGER NOT NULL,                  -- handed to the destination's queue (its transition stored)
    finished_ms      INTEGER NOT NULL CHECK (finished_ms >= queued_ms),
    destination      TEXT    NOT NULL,
    attempts         INTEGER NOT NULL CHECK (attempts >= 0),
    outcome          TEXT    NOT NULL CHECK (outcome IN ('sent', 'failed', 'not_sent')),
    status           INTEGER,                           -- the last HTTP status, or a command's exit status
    error            TEXT    NOT NULL DEFAULT ''        -- the last failure, one line
) STRICT;
CREATE INDEX notification_by_time ON notification (queued_ms);
CREATE INDEX notification_by_target ON notification (target_id);
CREATE INDEX notification_by_run ON notification (run_id);
