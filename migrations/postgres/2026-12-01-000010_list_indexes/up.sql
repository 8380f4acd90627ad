-- Lists are one index-ordered range scan per page for every kind of caller (DESIGN.md §6):
-- terms templates are listed by their own index (the organization's own terms already have
-- terms_versions_org_idx).
CREATE INDEX terms_versions_template_idx ON terms_versions (is_template, id);

-- The reminder job reads only grants whose reminder is still unsent and whose window is open.
CREATE INDEX access_grants_start_due_idx ON access_grants (ends_at)
    WHERE start_notice_sent_at IS NULL AND ended_at IS NULL;
CREATE INDEX access_grants_end_due_idx ON access_grants (ends_at)
    WHERE end_notice_sent_at IS NULL AND ended_at IS NULL;
CREATE INDEX partner_grants_start_due_idx ON partner_grants (ends_at)
    WHERE start_notice_sent_at IS NULL AND revoked_at IS NULL;
CREATE INDEX partner_grants_end_due_idx ON partner_grants (ends_at)
    WHERE end_notice_sent_at IS NULL AND revoked_at IS NULL;

-- The outbox worker claims due messages in next_attempt_at order from only the unsent ones. It
-- replaces outbox_due_idx, which held every message ever sent and, on PostgreSQL, could not give
-- that order (the claim sorted its matches).
CREATE INDEX outbox_unsent_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
DROP INDEX outbox_due_idx;
