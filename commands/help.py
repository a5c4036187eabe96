"""The help text for every command of SPEC section 3.

Parse errors take their usage lines from here too, so what `help` shows and what an error
tells a user to type cannot drift apart.
"""

from __future__ import annotations

ALL_VERBS = "all"

HELP_TEXT: dict[str, list[tuple[str, str]]] = {
    "caseload": [
        (
            "/caseload",
            "your scope: a manager gets the team table, team totals and unallocated count; "
            "a practitioner gets their own cases",
        ),
        ("/caseload @person", "one person's caseload (a @mention, their name, staff id or "
                              "e-mail)"),
        ("/caseload team NAME", "a team's caseload table, totals and unallocated count"),
        ("/caseload unallocated", "cases not allocated to a social worker"),
        ("/caseload overdue", "visits and reviews past due"),
        (
            "/caseload capacity [cp|cin|lac]",
            "who can take a new case, most headroom first (never an NQSW as lead on a CP case)",
        ),
        ("/caseload status", "admins: when each kind of data was last imported, by whom, rows "
                             "changed, refused imports, chat users not matched to staff"),
        ("/caseload help", "lists the commands"),
    ],
    "protected": [
        (
            "/protected",
            "your NQSW protected year: month N of 12, end date, caseload against the protected "
            "cap, CP cases held, academy progress and supervision due",
        ),
        ("/protected @person", "the same for one NQSW (managers)"),
        ("/protected team [NAME]", "every NQSW in scope, breaches first (managers)"),
    ],
    "actions": [
        (
            "/actions",
            "outstanding improvement-plan and audit actions in scope, overdue first",
        ),
        ("/actions mine", "the actions you own"),
        ("/actions overdue", "actions past their due date"),
        ("/actions plan NAME", "the actions of one plan"),
        (
            "/actions done REF evidence text",
            "mark an action done, recording who, when and the evidence (owner or manager)",
        ),
        ("/actions update REF note", "add a progress note to an action"),
    ],
    "supervision": [
        (
            "/supervision",
            "supervision in scope: last, next due, days overdue, NQSW frequency",
        ),
        (
            "/supervision log @person YYYY-MM-DD",
            "record a supervision (their manager only; DD/MM/YYYY also works)",
        ),
    ],
    "staffing": [
        (
            "/staffing",
            "the weekly staffing figures for your service or teams, each with its 12-week trend "
            "(heads of service, managers, admins)",
        ),
        ("/staffing agency", "agency workers against the DfE agency rules, and the rule broken"),
        ("/staffing registration", "Social Work England registration and CPD for renewal"),
        (
            "/staffing report",
            "the performance report for the scrutiny committee, as a PDF in a direct message "
            "(heads of service, admins)",
        ),
    ],
    "remind": [
        ("/remind", "your daily reminders: on or off, and when the next one comes"),
        ("/remind off", "stop your daily reminders"),
        ("/remind on", "start them again"),
        ("/remind at HH:MM", "have them at this time on working days (e.g. /remind at 07:45)"),
    ],
    "help": [
        ("help", "lists every command (as a message to the bot)"),
        ("help COMMAND", "the forms of one command, e.g. help actions"),
    ],
}


def _verb_key(verb: str | None) -> str:
    """Accept "/caseload", "Caseload" or None, as front ends hand them over."""
    if not isinstance(verb, str):
        return ALL_VERBS
    return verb.strip().lstrip("/").casefold() or ALL_VERBS


def help_lines(verb: str | None) -> list[tuple[str, str]]:
    """(usage, what it does) lines for one verb; every verb for None, "all" or an unknown verb,
    so a help answer is never empty."""
    key = _verb_key(verb)
    if key in HELP_TEXT:
        return list(HELP_TEXT[key])
    return [line for lines in HELP_TEXT.values() for line in lines]


def usage(verb: str) -> str:
    """The correct forms, one a line, for an error message to quote."""
    return "\n".join(form for form, _ in help_lines(verb))
