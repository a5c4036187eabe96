"""Header rows: matching columns by name, and refusing any column that could identify a child.

Headers match case-insensitively, in any order, with surrounding spaces ignored and inner spaces
or hyphens read as underscores ("Allocated Worker ID" is `allocated_worker_id`). Unknown columns
are ignored (and named in the report's notes), except a column that looks as if it names or
otherwise identifies a child: that refuses the whole file, by its header alone, so none of its
cells is ever read, stored, logged or echoed back (SPEC section 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from importers.report import Problem

_SEPARATORS = re.compile(r"[\s\-]+")
_WORDS = re.compile(r"[a-z0-9]+")

#: Run together (letters and digits only), a header containing one of these identifies a person.
_IDENTIFYING_RUNS: dict[str, str] = {
    "forename": "a name", "surname": "a name", "firstname": "a name", "lastname": "a name",
    "fullname": "a name", "givenname": "a name", "familyname": "a name",
    "middlename": "a name", "childname": "a name", "childsname": "a name",
    "personname": "a name", "clientname": "a name", "casename": "a name",
    "preferredname": "a name", "birthname": "a name", "maidenname": "a name",
    "dateofbirth": "a date of birth", "birthdate": "a date of birth",
    "birthday": "a date of birth",
    "postcode": "an address", "zipcode": "an address",
    "nhsnumber": "an NHS number", "nhsno": "an NHS number",
    "uniquepupilnumber": "a pupil number", "uniquelearnernumber": "a learner number",
}
#: A header that is exactly one of these (run together) is probably a column of children's names.
_PERSON_HEADERS = {
    "child", "children", "youngperson", "childyoungperson", "cyp", "client", "person", "pupil",
    "serviceuser",
}
#: Single words that identify a person wherever they appear in a header.
_IDENTIFYING_WORDS: dict[str, str] = {
    "dob": "a date of birth", "upn": "a pupil number", "uln": "a learner number",
    "ulm": "a learner number", "nhs": "an NHS number", "postcode": "an address",
    "zip": "an address",
}
#: "address" is identifying unless it is plainly a staff or system address.
_HARMLESS_ADDRESSES = ("emailaddress", "mailaddress", "ipaddress", "webaddress")
#: "name" is harmless after one of these: it is a worker's, team's or plan's name, not a child's.
_STAFF_NAME_QUALIFIERS = {
    "worker", "staff", "owner", "manager", "supervisor", "team", "service", "plan", "user",
    "employee", "practitioner", "agency", "file", "sheet", "lead",
}


def normalise_header(header: str) -> str:
    return _SEPARATORS.sub("_", header.strip().lower()).strip("_")


def identifies_a_person(header: str, *, name_is_the_worker: bool) -> str | None:
    """What a header would identify ("a name", "a date of birth"...), or None if harmless.

    `name_is_the_worker` allows a column called exactly `name` (staff files: the worker's name).
    """
    lowered = header.strip().lower()
    words = _WORDS.findall(lowered)
    run = "".join(words)
    if not run:
        return None
    for fragment, what in _IDENTIFYING_RUNS.items():
        if fragment in run:
            return what
    if run in _PERSON_HEADERS:
        return "a name"
    if run == "dob":  # "D.O.B."
        return "a date of birth"
    for word in words:
        if word in _IDENTIFYING_WORDS:
            return _IDENTIFYING_WORDS[word]
    address_run = run
    for harmless in _HARMLESS_ADDRESSES:
        address_run = address_run.replace(harmless, "")
    if "address" in address_run:
        return "an address"
    for position, word in enumerate(words):
        if word in ("name", "names"):
            if words == ["name"] and name_is_the_worker:
                continue
            if position > 0 and words[position - 1] in _STAFF_NAME_QUALIFIERS:
                continue
            return "a name"
    return None


@dataclass(frozen=True)
class HeaderCheck:
    index: dict[str, int]  # known column → position in the row
    problems: tuple[Problem, ...]
    ignored: tuple[str, ...]  # unknown, harmless columns, as written


def check_headers(
    kind: str,
    headers: list[str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    *,
    name_is_the_worker: bool = False,
) -> HeaderCheck:
    """Match a header row to a kind's columns; every file-level problem at once."""
    known = set(required) | set(optional)
    index: dict[str, int] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    for position, header in enumerate(headers):
        written = header.strip()
        if not written:
            continue
        column = normalise_header(written)
        if column in known:
            if column in index:
                problems.append(Problem(
                    None, written, None,
                    f"the column {column} appears twice: keep one and import again",
                ))
            else:
                index[column] = position
            continue
        what = identifies_a_person(written, name_is_the_worker=name_is_the_worker)
        if what is not None:
            reason = (
                f"this column looks as if it holds {what} that could identify a child; the bot "
                "keeps case references only, so the whole file was refused: remove the column "
                "and import again"
            )
            if name_is_the_worker and what == "a name":
                reason += " (a staff file gives each worker's name in the one column 'name')"
            problems.append(Problem(None, written, None, reason))
        else:
            ignored.append(written)
    every = ", ".join(required)
    for column in required:
        if column not in index:
            problems.append(Problem(
                None, column, None,
                f"missing required column {column}: a {kind} file needs the columns {every}",
            ))
    return HeaderCheck(index=index, problems=tuple(problems), ignored=tuple(ignored))
