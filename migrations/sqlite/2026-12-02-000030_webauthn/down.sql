DROP INDEX webauthn_ceremonies_user_idx;
DROP TABLE webauthn_ceremonies;
DROP INDEX webauthn_credentials_user_idx;
DROP TABLE webauthn_credentials;
