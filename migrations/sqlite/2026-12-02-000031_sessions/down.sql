DROP INDEX sessions_user_created_idx;
ALTER TABLE sessions DROP COLUMN ip;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE api_tokens DROP COLUMN scope;
