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
