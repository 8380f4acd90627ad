ALTER TABLE designation_requests
    ALTER COLUMN requested_response_by TYPE TIMESTAMP
    USING requested_response_by::timestamp;
