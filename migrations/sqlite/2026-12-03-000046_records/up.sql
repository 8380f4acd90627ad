-- A correction is a new access-log entry that names the entry it corrects (entries stay
-- append-only). No foreign key on SQLite, so the column can be dropped again (SQLite refuses to
-- drop a column a foreign key uses); the handler checks, in the write transaction, that the
-- corrected entry exists on the same grant.
ALTER TABLE access_log_entries ADD COLUMN corrects_entry_id TEXT;
-- "Corrected by" on a page of entries: one IN query on this index.
CREATE INDEX access_log_entries_corrects_idx ON access_log_entries (corrects_entry_id);
-- A person's own entries, in order (the export of one's own access-log entries).
CREATE INDEX access_log_entries_user_idx ON access_log_entries (user_id, id);
-- The printable record of a terms version: every acceptance of it.
CREATE INDEX terms_acceptances_version_idx ON terms_acceptances (terms_version_id, id);
