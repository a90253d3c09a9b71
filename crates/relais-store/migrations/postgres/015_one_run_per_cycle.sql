-- A scheduled run names the run it follows (the start time of the latest run
-- its scheduler saw, '' for none): two schedulers (replicas) that saw the same
-- state claim the same cycle, and the index lets one of them start it.
ALTER TABLE sync_runs ADD COLUMN scheduled_after TEXT COLLATE "C";
CREATE UNIQUE INDEX sync_runs_one_per_cycle ON sync_runs (connection_id, scheduled_after)
    WHERE scheduled_after IS NOT NULL;
