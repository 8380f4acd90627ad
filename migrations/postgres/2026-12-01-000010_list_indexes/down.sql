CREATE INDEX outbox_due_idx ON outbox (sent_at, failed_at, next_attempt_at);
DROP INDEX outbox_unsent_idx;
DROP INDEX partner_grants_end_due_idx;
DROP INDEX partner_grants_start_due_idx;
DROP INDEX access_grants_end_due_idx;
DROP INDEX access_grants_start_due_idx;
DROP INDEX terms_versions_template_idx;
