-- The Sec. 3(b) engagement: models, designation review, terms, government access grants,
-- partner co-selection and early-access grants. Statuses of grants and nominations are derived
-- from these timestamps and positions at read time (src/domain), never stored.

CREATE TABLE models (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    description TEXT NOT NULL,
    modality TEXT NOT NULL,
    planned_partner_release_at TIMESTAMP,
    released_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX models_org_idx ON models (organization_id, id);

CREATE TABLE designation_requests (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES models (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    capability_evidence TEXT NOT NULL,
    requested_response_by TIMESTAMP,
    submitted_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    assigned_to_user_id TEXT REFERENCES users (id),
    assigned_at TIMESTAMP,
    determined_at TIMESTAMP,
    outcome TEXT,
    rationale TEXT,
    benchmark_ref TEXT,
    determined_by_user_id TEXT REFERENCES users (id),
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX designation_requests_org_idx ON designation_requests (organization_id, id);
CREATE INDEX designation_requests_status_idx ON designation_requests (status, id);
CREATE INDEX designation_requests_model_idx ON designation_requests (model_id, id);

CREATE TABLE consultations (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES designation_requests (id),
    agency_code TEXT NOT NULL,
    position TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by_user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_request_idx ON consultations (request_id, id);

CREATE TABLE designation_messages (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES designation_requests (id),
    author_user_id TEXT NOT NULL REFERENCES users (id),
    author_org_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX designation_messages_request_idx ON designation_messages (request_id, id);

CREATE TABLE terms_versions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    is_template BOOLEAN NOT NULL,
    label TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    cybersecurity TEXT NOT NULL,
    insider_risk TEXT NOT NULL,
    intellectual_property TEXT NOT NULL,
    use_terms TEXT NOT NULL,
    nondisclosure TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX terms_versions_org_idx ON terms_versions (organization_id, id);

CREATE TABLE access_grants (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES models (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    access_mode TEXT NOT NULL,
    access_instructions TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    terms_version_id TEXT NOT NULL REFERENCES terms_versions (id),
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- When the last required party accepted the terms (a fact, so status filters can use it).
    terms_completed_at TIMESTAMP,
    start_notice_sent_at TIMESTAMP,
    end_notice_sent_at TIMESTAMP
);
CREATE INDEX access_grants_org_idx ON access_grants (organization_id, id);
CREATE INDEX access_grants_model_idx ON access_grants (model_id, id);

CREATE TABLE access_grant_grantees (
    grant_id TEXT NOT NULL REFERENCES access_grants (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (grant_id, organization_id)
);
CREATE INDEX access_grant_grantees_org_idx ON access_grant_grantees (organization_id, grant_id);

CREATE TABLE nominations (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES models (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    partner_org_id TEXT REFERENCES organizations (id),
    new_partner_name TEXT,
    new_partner_type TEXT,
    new_partner_sector TEXT,
    new_partner_contact_email TEXT,
    nominated_by TEXT NOT NULL,
    nominated_by_user_id TEXT NOT NULL REFERENCES users (id),
    developer_position TEXT NOT NULL,
    government_position TEXT NOT NULL,
    rationale TEXT NOT NULL,
    rescinded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX nominations_org_idx ON nominations (organization_id, id);
CREATE INDEX nominations_model_idx ON nominations (model_id, id);

CREATE TABLE partner_grants (
    id TEXT PRIMARY KEY NOT NULL,
    nomination_id TEXT NOT NULL REFERENCES nominations (id),
    model_id TEXT NOT NULL REFERENCES models (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    partner_org_id TEXT NOT NULL REFERENCES organizations (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    terms_version_id TEXT NOT NULL REFERENCES terms_versions (id),
    access_instructions TEXT NOT NULL,
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    terms_completed_at TIMESTAMP,
    start_notice_sent_at TIMESTAMP,
    end_notice_sent_at TIMESTAMP
);
CREATE INDEX partner_grants_org_idx ON partner_grants (organization_id, id);
CREATE INDEX partner_grants_partner_idx ON partner_grants (partner_org_id, id);
CREATE INDEX partner_grants_nomination_idx ON partner_grants (nomination_id);

-- Every acceptance of a terms version, by an organization (its admin) or by an individual
-- (a rostered user's personal acknowledgment), for a government grant ('access') or a partner
-- grant ('partner'). Who, when, the version and its hash: the record DESIGN.md 2.3 asks for.
CREATE TABLE terms_acceptances (
    id TEXT PRIMARY KEY NOT NULL,
    grant_type TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    terms_version_id TEXT NOT NULL REFERENCES terms_versions (id),
    terms_sha256 TEXT NOT NULL,
    accepted_at TIMESTAMP NOT NULL
);
CREATE INDEX terms_acceptances_grant_idx ON terms_acceptances (grant_type, grant_id, scope);

-- Named individuals of a grantee who may use the access. Removal keeps the row (removed_at).
CREATE TABLE roster_entries (
    id TEXT PRIMARY KEY NOT NULL,
    grant_type TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    added_by_user_id TEXT NOT NULL REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    removed_at TIMESTAMP
);
CREATE INDEX roster_entries_grant_idx ON roster_entries (grant_type, grant_id, user_id);
CREATE UNIQUE INDEX roster_entries_active_idx ON roster_entries (grant_type, grant_id, user_id)
    WHERE removed_at IS NULL;

CREATE TABLE access_log_entries (
    id TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES access_grants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX access_log_entries_grant_idx ON access_log_entries (grant_id, id);
