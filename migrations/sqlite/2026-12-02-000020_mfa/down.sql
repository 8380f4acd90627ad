ALTER TABLE organizations DROP COLUMN mfa_required;
ALTER TABLE api_tokens DROP COLUMN mfa;
ALTER TABLE sessions DROP COLUMN mfa_at;
DROP INDEX recovery_codes_user_idx;
DROP TABLE recovery_codes;
DROP TABLE totp_factors;
