-- OpenID Connect single sign-on (DESIGN.md §7).
-- An identity at a configured provider (its issuer's `sub`) linked to one portal account. The
-- first SSO sign-in links it by the verified email; later ones find the account by subject
-- alone, so a changed email at the provider still reaches the same account.
CREATE TABLE oidc_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oidc_identities_user_idx ON oidc_identities (user_id);

-- One sign-in attempt between the start route and the callback: the `state` sent to the
-- provider, the nonce the ID token must carry and the PKCE verifier (never sent until the code
-- exchange). binding is the SHA-256 of the attempt cookie's value, so only the browser that
-- started may finish. Deleted when the callback takes it (used once, right or wrong); void
-- after expires_at (10 minutes).
CREATE TABLE oidc_attempts (
    state TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL,
    binding TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX oidc_attempts_expires_idx ON oidc_attempts (expires_at);
