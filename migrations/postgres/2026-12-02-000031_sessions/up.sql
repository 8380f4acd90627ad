-- Sessions page and token scope (DESIGN §7). An API token's scope: `read` tokens may only make
-- GET/HEAD requests; tokens made before scopes existed keep what they could do (`read_write`).
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write';
-- What a person needs to recognise a session: the browser's User-Agent (shown as a short
-- label) and the client address at sign-in.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
-- The sessions page and the new-browser check read a user's sessions newest first.
CREATE INDEX sessions_user_created_idx ON sessions (user_id, created_at, id);
