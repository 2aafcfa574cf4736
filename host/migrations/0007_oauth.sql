-- OAuth 2.0 through the host (docs/oauth.md).

-- Authorizations under way: one row per `state` handed out, taken (deleted)
-- by the callback that presents it, so each is used at most once.
CREATE TABLE oauth_states (
    -- SHA-256 (hex) of the state: the state itself is never stored.
    state_hash TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    -- The user who asked for it.
    user_id TEXT NOT NULL,
    -- The PKCE code verifier, sealed with the secret key.
    verifier TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX oauth_states_by_connection ON oauth_states (connection_id);
CREATE INDEX oauth_states_by_expiry ON oauth_states (expires_at);

-- Who is renewing a connection's tokens, until when: one renewal at a time
-- per connection, across every server on the database.
CREATE TABLE oauth_renewals (
    connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    until TEXT NOT NULL
);
