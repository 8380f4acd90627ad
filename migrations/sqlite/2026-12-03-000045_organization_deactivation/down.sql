ALTER TABLE organizations DROP COLUMN deactivated_at;
