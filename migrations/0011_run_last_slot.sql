-- Each run keeps the slot of its last stored round, written with every batch. A report reads a run's raw rounds
-- only up to it: after a run's last span, the time to its stop or last heartbeat holds no round once that slot is
-- passed, and PostgreSQL's lookup of such a stretch scans its BRIN index whole (a month's 30-day report made thirty,
-- one per recorder run; docs/benchmarks.md, "The central store"). NULL for runs recorded before this migration
-- and for runs with no round: their rounds are read up to their stop or heartbeat, as before.
ALTER TABLE recorder_run ADD COLUMN last_slot_ms INTEGER;
