-- Compare-and-set on connections: a change is saved only while the stored
-- revision is the one the change was made from (issue 13, item 2).
ALTER TABLE connections ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

-- Which connection a credential was issued for, so that disconnecting
-- revokes every credential ever issued for it, not only the bound one.
ALTER TABLE api_credentials ADD COLUMN connection_id TEXT;
UPDATE api_credentials
   SET connection_id = (SELECT c.id FROM connections c WHERE c.credential = api_credentials.client_id)
 WHERE connection_id IS NULL;
-- Credentials issued by concurrent wizard completions before this version
-- were bound to no connection; their audit event names it.
UPDATE api_credentials
   SET connection_id = (
       SELECT json_extract(a.details, '$.more.connection') FROM audit_events a
        WHERE a.subject_type = 'credential' AND a.subject_id = api_credentials.client_id
          AND a.action = 'credential.create'
          AND json_extract(a.details, '$.more.connection') IS NOT NULL
        ORDER BY a.id LIMIT 1)
 WHERE connection_id IS NULL;
CREATE INDEX api_credentials_connection ON api_credentials (connection_id) WHERE connection_id IS NOT NULL;
