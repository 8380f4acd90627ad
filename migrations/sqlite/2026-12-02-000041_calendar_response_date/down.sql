ALTER TABLE designation_requests ADD COLUMN requested_response_at TIMESTAMP;
UPDATE designation_requests
SET requested_response_at = requested_response_by || ' 00:00:00'
WHERE requested_response_by IS NOT NULL;
ALTER TABLE designation_requests DROP COLUMN requested_response_by;
ALTER TABLE designation_requests RENAME COLUMN requested_response_at TO requested_response_by;
