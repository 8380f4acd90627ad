-- `requested_response_by` is a calendar date (the day the developer would like an answer by),
-- not an instant: a date stored as a time shifted with the reader's zone (Dec 15 in New York
-- read as Dec 16 in Tokyo). Earlier clients sent the end of the chosen day in their own zone as
-- UTC, so a stored time of day other than midnight is read 12 hours back (the chosen day for
-- every zone from UTC-12 to UTC+12); a midnight value is already a date.
ALTER TABLE designation_requests ADD COLUMN requested_response_on DATE;
UPDATE designation_requests
SET requested_response_on = CASE
    WHEN time(requested_response_by) = '00:00:00' THEN date(requested_response_by)
    ELSE date(requested_response_by, '-12 hours')
END
WHERE requested_response_by IS NOT NULL;
ALTER TABLE designation_requests DROP COLUMN requested_response_by;
ALTER TABLE designation_requests RENAME COLUMN requested_response_on TO requested_response_by;
