ALTER TABLE audit_head DROP COLUMN records_seq;
