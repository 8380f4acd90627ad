-- The message thread of a grant (issue 11): between the developer and the grantee side of a
-- Government access grant or a partner grant, keyed by (grant_type, grant_id) like the roster.
-- Append-only: no column is ever updated. `side` is `developer` or `grantee`, fixed when the
-- message is written (the author's side on this grant then).
CREATE TABLE grant_messages (
    id TEXT PRIMARY KEY NOT NULL,
    grant_type TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    author_user_id TEXT NOT NULL REFERENCES users (id),
    author_org_id TEXT NOT NULL REFERENCES organizations (id),
    side TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- A page of one grant's thread, oldest first: one index-ordered range scan.
CREATE INDEX grant_messages_grant_idx ON grant_messages (grant_type, grant_id, id);
