DROP INDEX grant_messages_grant_idx;
DROP TABLE grant_messages;
