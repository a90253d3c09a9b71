-- A run's entries in the order they were written (rowid order within the
-- run), for the unfiltered Tracking list: without it a 100,000-entry run
-- was sorted on every page (27 ms), and a deep page cost 80 ms. About 18 s
-- per 10 million entries when an existing database is upgraded.
CREATE INDEX sync_entries_run_order ON sync_entries (run_id);
