"""SQL that makes the audit table append-only (shared by migration 0002 and the tests)."""

SQLITE = [
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
    "CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS core_auditevent_no_update;", "DROP TRIGGER IF EXISTS core_auditevent_no_delete;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit rows are append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();",
    "CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse();",
]

# --- migration 0005 (sealer): writers insert rows without a hash; the sealer fills prev_hash/hash
# once. The update trigger lets exactly that through (an unsealed row, nothing else changed);
# sealed batches (core_auditseal) are append-only. The lists above stay as migration 0002 ran them.
_SEALABLE = ("id", "seq", "created_at", "actor_id", "actor_name", "action", "object_type", "object_id", "org_path", "ip", "data")
SEALED_SQLITE = [
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent WHEN NOT (OLD.hash = '' AND NEW.hash <> '' AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _SEALABLE)
    + ") BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
    "CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
    "CREATE TRIGGER core_auditseal_no_update BEFORE UPDATE ON core_auditseal BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;",
    "CREATE TRIGGER core_auditseal_no_delete BEFORE DELETE ON core_auditseal BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;",
]
SEALED_SQLITE_DROP = SQLITE_DROP + ["DROP TRIGGER IF EXISTS core_auditseal_no_update;", "DROP TRIGGER IF EXISTS core_auditseal_no_delete;"]
SEALED_POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditevent_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.hash = '' AND NEW.hash <> ''
         AND (to_jsonb(NEW) - 'hash' - 'prev_hash') = (to_jsonb(OLD) - 'hash' - 'prev_hash') THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit rows are append-only';
    END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;",
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent FOR EACH ROW EXECUTE FUNCTION core_auditevent_guard();",
    "CREATE TRIGGER core_auditseal_no_update BEFORE UPDATE OR DELETE ON core_auditseal FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();",
    "CREATE TRIGGER core_auditseal_no_truncate BEFORE TRUNCATE ON core_auditseal FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse();",
    "CREATE SEQUENCE IF NOT EXISTS core_auditevent_seq AS bigint",
    "SELECT setval('core_auditevent_seq', COALESCE((SELECT MAX(seq) FROM core_auditevent), 0) + 1, false)",
]
SEALED_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditseal_no_update ON core_auditseal;",
    "DROP TRIGGER IF EXISTS core_auditseal_no_truncate ON core_auditseal;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;",
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();",
    "DROP FUNCTION IF EXISTS core_auditevent_guard();",
    "DROP SEQUENCE IF EXISTS core_auditevent_seq",
]
# what the current schema has (tests/conftest.py lifts and restores these around a flush)
CURRENT_SQLITE, CURRENT_SQLITE_DROP = SEALED_SQLITE, SEALED_SQLITE_DROP
