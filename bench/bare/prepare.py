"""Migrate the bare app's database and create N users with server-side sessions.

    python -m bench.bare.prepare N KEYFILE     (run from the repository root; PG* variables name the database)

Writes the N session keys, one a line, to KEYFILE (the storm client sends them as cookies).
"""
import os
import secrets
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare.settings")


def main() -> None:
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    n, keyfile = int(sys.argv[1]), sys.argv[2]
    call_command("migrate", verbosity=0)
    User = get_user_model()
    with transaction.atomic():
        unusable = "!"  # an unusable password hash: these users never sign in with a password
        users = User.objects.bulk_create([User(username=f"storm{i:05d}", password=unusable) for i in range(n)])
        store = SessionStore()
        expire = timezone.now() + dt.timedelta(days=14)
        sessions = [Session(session_key=secrets.token_hex(16), expire_date=expire, session_data=store.encode(
            {SESSION_KEY: str(u.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
             HASH_SESSION_KEY: u.get_session_auth_hash()})) for u in users]
        Session.objects.bulk_create(sessions, batch_size=1000)
    from django.db import connection

    with connection.cursor() as cur:  # statistics, as after autovacuum (bench/signin_storm.py analyze())
        cur.execute("ANALYZE")
    with open(keyfile, "w") as f:
        f.write("\n".join(s.session_key for s in sessions))


if __name__ == "__main__":
    main()
