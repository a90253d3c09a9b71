-- One run at a time per connection, enforced by the database (issue 13,
-- item 8). Runs that ran beside another before this version are closed
-- first, keeping the newest running run of each connection.
UPDATE sync_runs
   SET status = 'failed',
       document = json_set(document,
           '$.status', 'failed',
           '$.finished_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
           '$.error', json_object('message', 'closed on upgrade: another run of the connection was running at the same time', 'response', NULL))
 WHERE status = 'running'
   AND id NOT IN (SELECT max(id) FROM sync_runs WHERE status = 'running' GROUP BY connection_id);
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (connection_id) WHERE status = 'running';
