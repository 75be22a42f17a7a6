-- Day rollups (docs/storage.md, "Rollups"): a day span joins a run's hour spans (table rollup) that follow one
-- another on consecutive slots with one verdict within one UTC day, so a month's report reads a few spans per
-- target and day instead of one or more per hour. The recorder joins an hour span in only once that span is
-- closed, in the transaction that stores it: every hour span lies wholly inside one day span or outside all of
-- them, and a day span never covers a round its hour spans do not. Only joins of two or more hour spans are
-- stored (one alone would repeat its row). Prune keeps working from hour spans; day spans are kept forever.
-- History recorded before this migration has no day spans and is reported from its hour spans, with the same
-- numbers.
CREATE TABLE rollup_day (
    first_ms          INTEGER NOT NULL,
    target_id         INTEGER NOT NULL REFERENCES target (id),
    run_id            INTEGER NOT NULL REFERENCES recorder_run (id),
    last_ms           INTEGER NOT NULL CHECK (last_ms >= first_ms),
    last_duration_us  INTEGER NOT NULL CHECK (last_duration_us >= 0),
    verdict           INTEGER NOT NULL CHECK (verdict IN (0, 1)),
    rounds            INTEGER NOT NULL CHECK (rounds >= 1),
    flaky             INTEGER NOT NULL CHECK (flaky >= 0),
    attempts          INTEGER NOT NULL CHECK (attempts >= 0),
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

-- A report's first pass reads only the spans' keys and last slots, for a month about ten thousand rows of the
-- hour table: from these indexes (a few pages) instead of the rows with their histograms (hundreds of pages).
CREATE INDEX rollup_span_ends ON rollup (first_ms, target_id, run_id, last_ms);
CREATE INDEX rollup_day_span_ends ON rollup_day (first_ms, target_id, run_id, last_ms);
