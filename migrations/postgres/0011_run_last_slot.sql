-- Each run keeps the slot of its last stored round, written with every batch (migrations/0011_run_last_slot.sql):
-- a report reads a run's raw rounds only up to it, so the stretch between a run's last span and its stop costs no
-- BRIN lookup. NULL for runs recorded before this migration and for runs with no round.
ALTER TABLE recorder_run ADD COLUMN last_slot_ms bigint;
