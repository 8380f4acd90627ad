-- Second factors (DESIGN.md §7). One TOTP factor per user: pending until its first code is
-- confirmed; last_step is the last 30-second step whose code was accepted (each code works once).
CREATE TABLE totp_factors (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT
);

-- Ten one-time recovery codes per user, stored as a keyed hash (HMAC-SHA256), never as text.
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id, code_hash);

-- When a factor was last used on this session (sign-in with a code, or a step-up).
ALTER TABLE sessions ADD COLUMN mfa_at TIMESTAMP;
-- A token made on a session that had just passed a step-up carries it (see auth::step_up).
ALTER TABLE api_tokens ADD COLUMN mfa BOOLEAN NOT NULL DEFAULT FALSE;
-- An org admin's own "require a second factor for my organization".
ALTER TABLE organizations ADD COLUMN mfa_required BOOLEAN NOT NULL DEFAULT FALSE;
