-- Email notifications a person turned off (issue 11): one row per person and optional reason
-- (`Reason::setting` says which reasons are optional; account and security emails never are).
-- The outbox skips a recipient whose user has a row for the email's reason.
CREATE TABLE notification_optouts (
    user_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, reason)
);
