DROP INDEX terms_acceptances_version_idx;
DROP INDEX access_log_entries_user_idx;
DROP INDEX access_log_entries_corrects_idx;
ALTER TABLE access_log_entries DROP COLUMN corrects_entry_id;
