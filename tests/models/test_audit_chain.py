"""SPEC section 8: the audit log is tamper-evident. Each entry is chained to the one before by a
SHA-256, and `bot.py audit verify` names the first entry edited, deleted or inserted — on SQLite
and PostgreSQL alike, tampering as someone who can switch the append-only triggers off."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from models import AuditEntry
from models.audit import GENESIS_HASH
from models.audit_chain import hash_of
from models.migrate import downgrade, upgrade
from tests.database import bypassing_triggers
from tests.models.audit_cli import audit_some, run_bot


def entries(engine) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all())


def test_each_entry_is_chained_to_the_one_before(engine) -> None:
    audit_some(engine, 3)
    chain = entries(engine)
    assert [entry.seq for entry in chain] == [1, 2, 3]
    assert chain[0].prev_hash == GENESIS_HASH
    assert [entry.prev_hash for entry in chain[1:]] == [entry.hash for entry in chain[:-1]]
    assert all(entry.hash == hash_of(entry) for entry in chain)


def test_entries_added_in_one_flush_are_chained_in_order(engine) -> None:
    with Session(engine) as session:
        for number in range(3):
            session.add(AuditEntry(at=datetime.now(timezone.utc), front_end="import",
                                   actor="ADM1", command=f"import {number}", outcome="changed"))
        session.commit()
    assert [entry.command for entry in entries(engine)] == ["import 0", "import 1", "import 2"]


def test_verify_says_a_sound_log_is_sound_with_its_count(engine, database_url, monkeypatch
                                                         ) -> None:
    audit_some(engine, 4)
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "Audit log sound: 4 entries" in result.output


def test_verify_names_an_edited_entry(engine, database_url, monkeypatch) -> None:
    audit_some(engine, 4)
    bypassing_triggers(engine, "UPDATE audit_log SET scope = 'everyone' WHERE seq = 2")
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 1
    assert "entry #2 (id" in result.output and "edited" in result.output


def test_verify_finds_an_edit_whose_hash_was_recomputed(engine, database_url, monkeypatch
                                                        ) -> None:
    audit_some(engine, 4)
    forged = entries(engine)[1]
    forged.actor = "someone-else"
    bypassing_triggers(engine, f"UPDATE audit_log SET actor = 'someone-else', "
                               f"hash = '{hash_of(forged)}' WHERE seq = 2")
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 1
    assert "entry #3 (id" in result.output
    assert "entry #2 was edited and re-hashed" in result.output


def test_verify_names_the_entry_after_a_deleted_one(engine, database_url, monkeypatch) -> None:
    audit_some(engine, 4)
    bypassing_triggers(engine, "DELETE FROM audit_log WHERE seq = 2")
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 1
    assert "entry #3 (id" in result.output and "missing before it" in result.output
    assert "entry #2 deleted" in result.output


def test_verify_finds_entries_deleted_from_the_end(engine, database_url, monkeypatch) -> None:
    audit_some(engine, 4)
    bypassing_triggers(engine, "DELETE FROM audit_log WHERE seq = 4")
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 1
    assert "missing at the end" in result.output and "entry #4 deleted" in result.output


def test_verify_names_a_forged_entry_inserted_around_the_chain(engine, database_url,
                                                                monkeypatch) -> None:
    audit_some(engine, 3)
    last = entries(engine)[-1]
    bypassing_triggers(
        engine,
        "INSERT INTO audit_log (at, front_end, actor, command, scope, outcome, detail, seq, "
        f"prev_hash, hash) VALUES ('2026-11-30 09:30:00', 'cli', 'TM1', '/caseload', '', "
        f"'answered', '', 4, '{last.hash}', '{'f' * 64}')",
    )
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 1
    assert "entry #4 (id" in result.output and "inserted" in result.output


def test_a_writer_cannot_choose_its_own_place_in_the_chain(engine) -> None:
    """The bot's role may INSERT: an entry it makes up still lands in the chain correctly
    (PostgreSQL fills the chain in; SQLite refuses an entry that does not follow the head)."""
    audit_some(engine, 2)
    forged = ("INSERT INTO audit_log (at, front_end, actor, command, scope, outcome, detail, "
              "seq, prev_hash, hash) VALUES ('2026-11-30 10:00:00+00', 'cli', 'TM1', '/x', '', "
              f"'answered', '', 7, '{GENESIS_HASH}', '{'e' * 64}')")
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(forged))
        chain = entries(engine)
        assert [entry.seq for entry in chain] == [1, 2, 3]
        assert chain[2].prev_hash == chain[1].hash and chain[2].hash == hash_of(chain[2])
    else:
        with pytest.raises(DBAPIError, match="does not follow the chain head"):
            with engine.begin() as connection:
                connection.execute(text(forged))
        assert len(entries(engine)) == 2


@pytest.mark.parametrize("verb", ["REPLACE INTO", "INSERT OR REPLACE INTO"])
def test_sqlite_refuses_replace_into_the_audit_log(engine, verb) -> None:
    """REPLACE deletes the old row without the DELETE trigger (SQLite fires it only with
    recursive triggers on): the BEFORE INSERT trigger refuses any existing id or seq."""
    if engine.dialect.name != "sqlite":
        pytest.skip("REPLACE is SQLite's")
    audit_some(engine, 2)
    before = entries(engine)
    with pytest.raises(DBAPIError, match="REPLACE refused"):
        with engine.begin() as connection:
            connection.execute(text(
                f"{verb} audit_log (id, at, front_end, actor, command, scope, outcome, detail, "
                "seq, prev_hash, hash) SELECT id, at, front_end, 'someone-else', command, scope, "
                "outcome, detail, seq, prev_hash, hash FROM audit_log WHERE seq = 2"))
    assert [(e.id, e.actor, e.hash) for e in entries(engine)] == [
        (e.id, e.actor, e.hash) for e in before]


def test_concurrent_writers_keep_one_linear_chain(engine, database_url, monkeypatch) -> None:
    """Several processes' worth of writers at once (replicas, the scheduler): every entry gets
    its own place, none is lost, and the chain verifies."""
    writers, each = 4, 5
    failures: list[BaseException] = []

    def write() -> None:
        try:
            audit_some(engine, each)
        except BaseException as failure:  # pragma: no cover - reported below
            failures.append(failure)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [entry.seq for entry in entries(engine)] == list(range(1, writers * each + 1))
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 0 and f"{writers * each} entries" in result.output


def test_the_migration_chains_entries_written_before_it(engine, database_url, monkeypatch
                                                         ) -> None:
    """Upgrading a store that already has an audit log chains its entries in the order written,
    and new entries continue the chain."""
    try:
        downgrade(engine, "0002")
        with engine.begin() as connection:
            for number in range(3):
                connection.execute(text(
                    "INSERT INTO audit_log (at, front_end, actor, command, scope, outcome, "
                    "detail) VALUES (:at, 'slack', 'TM1', :command, '', 'answered', '')"),
                    {"at": datetime(2026, 11, 1, 9, number, tzinfo=timezone.utc),
                     "command": f"/caseload {number}"})
    finally:
        upgrade(engine)
    audit_some(engine, 1)
    chain = entries(engine)
    assert [entry.command for entry in chain[:3]] == [f"/caseload {n}" for n in range(3)]
    assert [entry.seq for entry in chain] == [1, 2, 3, 4]
    result = run_bot(monkeypatch, database_url, "audit", "verify")
    assert result.exit_code == 0 and "4 entries" in result.output, result.output


def test_verify_finds_a_rewritten_chain_against_a_hash_noted_outside(engine, database_url,
                                                                     monkeypatch) -> None:
    """A whole chain re-hashed after an edit is sound in itself; the hash an operator noted
    outside the database shows it."""
    audit_some(engine, 3)
    noted = entries(engine)[1]
    sound = run_bot(monkeypatch, database_url, "audit", "verify", "--expect",
                    f"2:{noted.hash}")
    assert sound.exit_code == 0, sound.output
    statements, prev_hash = [], GENESIS_HASH
    for entry in entries(engine):
        entry.actor = "someone-else"
        entry.prev_hash = prev_hash
        prev_hash = hash_of(entry)
        statements.append(f"UPDATE audit_log SET actor = 'someone-else', prev_hash = "
                          f"'{entry.prev_hash}', hash = '{prev_hash}' WHERE seq = {entry.seq}")
    statements.append(f"UPDATE audit_chain_head SET last_hash = '{prev_hash}'")
    bypassing_triggers(engine, *statements)
    assert run_bot(monkeypatch, database_url, "audit", "verify").exit_code == 0
    result = run_bot(monkeypatch, database_url, "audit", "verify", "--expect", f"2:{noted.hash}")
    assert result.exit_code == 1 and "entry #2 (id" in result.output
    assert "not the one recorded" in result.output
