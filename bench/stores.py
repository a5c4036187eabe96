"""The benchmark's stores: a SQLite file under bench/data/, or a PostgreSQL database
`caseload_bench_<size>` on 127.0.0.1:5432 (user postgres), each created empty and migrated."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from models.migrate import upgrade
from models.store import make_engine

BENCH_DATA = Path(__file__).resolve().parent / "data"
#: The server the PostgreSQL databases are made on (override with BENCH_POSTGRES_URL).
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL",
                                 "postgresql+psycopg://postgres@127.0.0.1:5432")
STORES = ("sqlite", "postgresql")
#: Database (and SQLite file) names start with this; set BENCH_DATABASE_PREFIX to keep parallel
#: runs on one server apart (e.g. caseload_bench_i11).
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "caseload_bench")


def database_url(store: str, size: str) -> str:
    if store == "sqlite":
        return f"sqlite:///{BENCH_DATA / f'{PREFIX}_{size}.db'}"
    if store == "postgresql":
        return f"{POSTGRES_SERVER}/{PREFIX}_{size}"
    raise ValueError(f"unknown store {store!r}: use one of {', '.join(STORES)}")


def _admin() -> Engine:
    return create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def create_store(store: str, size: str) -> str:
    """An empty, migrated store for this size; returns its URL."""
    url = database_url(store, size)
    if store == "sqlite":
        BENCH_DATA.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
    else:
        drop_store(store, size)
        admin = _admin()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{PREFIX}_{size}"'))
        admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    if store == "postgresql":  # fresh planner statistics, as autovacuum would have by now
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return url


def analyze(url: str) -> None:
    """After a bulk load: planner statistics (PostgreSQL ANALYZE, SQLite ANALYZE)."""
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def drop_store(store: str, size: str) -> None:
    if store == "sqlite":
        path = Path(database_url(store, size).removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = _admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PREFIX}_{size}" WITH (FORCE)'))
    admin.dispose()


def server_version(store: str, url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        query = "SELECT version()" if store == "postgresql" else "SELECT sqlite_version()"
        version = str(connection.execute(text(query)).scalar())
    engine.dispose()
    return version if store == "postgresql" else f"SQLite {version}"
