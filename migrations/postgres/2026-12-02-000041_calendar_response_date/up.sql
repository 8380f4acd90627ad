-- `requested_response_by` is a calendar date (the day the developer would like an answer by),
-- not an instant: a date stored as a time shifted with the reader's zone (Dec 15 in New York
-- read as Dec 16 in Tokyo). Earlier clients sent the end of the chosen day in their own zone as
-- UTC, so a stored time of day other than midnight is read 12 hours back (the chosen day for
-- every zone from UTC-12 to UTC+12); a midnight value is already a date.
ALTER TABLE designation_requests
    ALTER COLUMN requested_response_by TYPE DATE
    USING (CASE
        WHEN requested_response_by::time = TIME '00:00' THEN requested_response_by::date
        ELSE (requested_response_by - INTERVAL '12 hours')::date
    END);
