-- Each recorder run probes from a vantage (docs/semantics.md §9): a name for where it stands, its host name unless
-- `record --vantage` gives another. Runs recorded before this migration stood where their host was.
ALTER TABLE recorder_run ADD COLUMN vantage TEXT NOT NULL DEFAULT '';
UPDATE recorder_run SET vantage = host;
CREATE INDEX recorder_run_by_vantage ON recorder_run (vantage, started_ms);
