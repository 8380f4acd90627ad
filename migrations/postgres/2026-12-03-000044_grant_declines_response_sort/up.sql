-- A grantee's own choice not to take up an offered grant (issue 11): one row per grantee
-- organization, like that organization's terms acceptance, so a Government grant offered to
-- several agencies is declined by each on its own. Final for that grantee; it never holds the
-- developer, whose controls (end, revoke, shorten, release) read nothing from here.
CREATE TABLE grant_declines (
    id TEXT PRIMARY KEY NOT NULL,
    grant_type TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    -- Plain text from the grantee, shown to both sides; NULL when none was given.
    reason TEXT,
    declined_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX grant_declines_grant_org_idx ON grant_declines (grant_type, grant_id, organization_id);

-- The review queue sorted by the requested response date (`?sort=response_by`): soonest first,
-- ties by id, one index-ordered range scan a page for agencies (every submitted request) and
-- for a developer (its own).
CREATE INDEX designation_requests_response_by_idx ON designation_requests (requested_response_by, id);
CREATE INDEX designation_requests_org_response_by_idx ON designation_requests (organization_id, requested_response_by, id);
