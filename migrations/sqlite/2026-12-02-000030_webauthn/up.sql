-- Passkeys (WebAuthn, DESIGN.md §7). A user may have several; each is a second factor.
-- passkey is webauthn-rs's serialized Passkey (public key, counter, backup flags): only public
-- material. credential_id (base64url) is unique across users, so one authenticator credential
-- belongs to one account.
CREATE TABLE webauthn_credentials (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    passkey TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (user_id, created_at);

-- The server side of a ceremony in progress (its challenge): one per user, purpose and binding
-- (the session for registration and step-up, a hash of the pending cookie for sign-in), used
-- once (deleted when finished, right or wrong) and void after expires_at.
CREATE TABLE webauthn_ceremonies (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    binding TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX webauthn_ceremonies_user_idx ON webauthn_ceremonies (user_id, purpose, binding);
