"""one_of: a long list of ids is one array parameter on PostgreSQL, a short one a cached IN list,
and either finds the same rows (SQLite and, with TEST_DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

from sqlmodel import Session, select

from models import Service
from queries.id_sets import SHORT_LIST, OneOf, one_of


def test_a_long_or_short_list_of_ids_finds_the_same_rows(engine) -> None:
    with Session(engine) as session:
        services = [Service(name=f"Service {number}") for number in range(5)]
        session.add_all(services)
        session.commit()
        wanted = [services[1].id, services[3].id]
        padding = range(10**6, 10**6 + 2 * SHORT_LIST)  # ids nobody has: a long list
        short = session.exec(select(Service.name).where(one_of(Service.id, wanted))).all()
        long = session.exec(select(Service.name).where(
            one_of(Service.id, [*wanted, *padding]) | one_of(Service.id, [-1, *padding]))).all()
    assert sorted(short) == sorted(long) == ["Service 1", "Service 3"]
    assert isinstance(one_of(Service.id, [*wanted, *padding]), OneOf)
    assert not isinstance(one_of(Service.id, wanted), OneOf)
