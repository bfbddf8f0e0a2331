"""Which database the bench uses, and creating it. No Django here: both are needed before
Django is set up (settings.py reads the URL, run.py creates the database first)."""

import os

import environ
import psycopg
from psycopg import sql

from bench import config


def database_url() -> str:
    """BENCH_DATABASE_URL, else a SQLite file of the bench's own.

    Never DATABASE_URL: a developer's shell may point that at a database the bench must
    not fill with 20,000 customers.
    """
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{config.VAR_DIR / 'db.sqlite3'}"


def ensure_database(url: str) -> bool:
    """Create the database (PostgreSQL) or its folder (SQLite); True if it was created."""
    settings = environ.Env.db_url_config(url)
    if "sqlite" in settings["ENGINE"]:
        config.VAR_DIR.mkdir(parents=True, exist_ok=True)
        return False
    if "postgresql" in settings["ENGINE"]:
        return ensure_postgres_database(settings)
    raise SystemExit(f"BENCH_DATABASE_URL: only postgres:// and sqlite:// are supported ({url})")


def ensure_postgres_database(settings: dict) -> bool:
    """Connects to the server's ``postgres`` database, since the target may not exist yet."""
    params = {
        "host": settings.get("HOST") or "127.0.0.1",
        "port": settings.get("PORT") or 5432,
        "user": settings.get("USER") or "postgres",
        "password": settings.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 10,
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if found:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
    return True
