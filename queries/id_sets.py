"""``one_of(column, ids)``: a column holds one of many ids, however many.

``column.in_(ids)`` renders one bound parameter per id. For a team that is a handful; for every
NQSW or team in the country (the all-services digest: thousands) building and parsing that
statement cost more than running it (pyinstrument: SQLAlchemy's expanding parameters and
psycopg's query splitting, ~0.2 s at national size). So a long list is, on PostgreSQL,
``column = ANY(:ids)`` with the ids as one array parameter; elsewhere (SQLite) the plain IN list.
A short list (a team's workers: the commands) stays a plain ``in_``, whose compiled statement
SQLAlchemy caches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement


class OneOf(ColumnElement[bool]):
    """``column`` is one of ``ids`` (integers), compiled for the store at hand."""

    type = Boolean()
    inherit_cache = False  # the ids are part of the element: never reuse a compiled form
    _is_implicitly_boolean = True  # a condition as it is, not compared with 1 (SQLite)

    def __init__(self, column: Any, ids: Iterable[int]) -> None:
        self.column = column
        self.ids = sorted(set(ids))


@compiles(OneOf)
def _as_in_list(element: OneOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.ids or [-1]), **kw)


@compiles(OneOf, "postgresql")
def _as_any_array(element: OneOf, compiler: Any, **kw: Any) -> str:
    ids = bindparam(None, element.ids, type_=ARRAY(Integer))
    return compiler.process(element.column == any_(ids), **kw)


#: Up to this many ids, a plain (cached) IN list.
SHORT_LIST = 100


def one_of(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    unique = sorted(set(ids))
    return column.in_(unique or [-1]) if len(unique) <= SHORT_LIST else OneOf(column, unique)


__all__ = ["OneOf", "SHORT_LIST", "one_of"]
