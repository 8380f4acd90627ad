-- The sequence number of the last audit event that changed a record any list shows (issue 9):
-- every event but those of signing in and out, API tokens, second factors and email settings
-- (`AuditAction::changes_records`). `api::page_cache` keys the lists by it (the audit list by
-- `last_seq`), so a storm of sign-ins does not make every kept page be built again.
ALTER TABLE audit_head ADD COLUMN records_seq BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET records_seq = last_seq;
