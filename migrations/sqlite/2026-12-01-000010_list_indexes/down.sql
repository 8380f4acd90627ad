DROP INDEX outbox_unsent_idx;
DROP INDEX partner_grants_end_due_idx;
DROP INDEX partner_grants_start_due_idx;
DROP INDEX access_grants_end_due_idx;
DROP INDEX access_grants_start_due_idx;
DROP INDEX terms_versions_template_idx;
