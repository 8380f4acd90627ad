-- An operator deactivates an organization (issue 11): its users can no longer sign in or use
-- API tokens (every session and token ended at the moment of deactivation), its records stay.
-- NULL while the organization is active; reactivating sets it back to NULL and revives nothing.
ALTER TABLE organizations ADD COLUMN deactivated_at TIMESTAMP;
