-- PostgreSQL only: every committed change a server's in-process caches
-- may hold is announced on the channel `syncport_cache` (docs/storage.md,
-- "Caches across servers"). NOTIFY is transactional: a listener hears it
-- when, and only if, the writing transaction commits. Installed by
-- `host/src/store/listen.rs` under an advisory lock, in one transaction
-- (so a trigger dropped here is back before any write sees it gone); the
-- `_v1` in the trigger names is bumped when this file changes.
-- PostgreSQL 11 or later (`EXECUTE FUNCTION`).

CREATE OR REPLACE FUNCTION syncport_notify_connection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('syncport_cache', 'gone:' || OLD.id);
    ELSIF OLD IS DISTINCT FROM NEW THEN
        PERFORM pg_notify('syncport_cache', 'conn:' || NEW.id || ':' || NEW.revision);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION syncport_notify_metadata() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('syncport_cache', 'meta:' || OLD.connection_id);
    ELSE
        PERFORM pg_notify('syncport_cache', 'meta:' || NEW.connection_id);
    END IF;
    RETURN NULL;
END $$;

-- Statement level: the argument is the whole payload (`auth`, `components`).
CREATE OR REPLACE FUNCTION syncport_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('syncport_cache', TG_ARGV[0]);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS syncport_cache_v1 ON connections;
CREATE TRIGGER syncport_cache_v1 AFTER UPDATE OR DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION syncport_notify_connection();
DROP TRIGGER IF EXISTS syncport_cache_v1 ON metadata_cache;
CREATE TRIGGER syncport_cache_v1 AFTER INSERT OR UPDATE OR DELETE ON metadata_cache
    FOR EACH ROW EXECUTE FUNCTION syncport_notify_metadata();

-- The tables whose changes other parts of a server cache, with the payload.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('users', 'auth'), ('user_workspaces', 'auth'), ('tokens', 'auth'), ('workspaces', 'auth'),
        ('connector_components', 'components'), ('connector_removed', 'components')
    ) AS v (name, payload) LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS syncport_cache_v1 ON %I', t.name);
        EXECUTE format('CREATE TRIGGER syncport_cache_v1 AFTER INSERT OR UPDATE OR DELETE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION syncport_notify_table(%L)', t.name, t.payload);
    END LOOP;
END $$;
