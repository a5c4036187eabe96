"""`/staffing agency` through signed HTTP, as Slack sends it: the agency workers and, beside them,
the DfE quarterly agency return's next due day (SPEC section 4); answered and audited."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tests.handlers.slack.harness import ServedSlack, answer_text, audit_entries

HEAD = "UHOS1"  # Helen Head, head of Safeguarding


def test_staffing_agency_shows_the_quarterly_return_due_day(slack: ServedSlack,
                                                            engine: Engine) -> None:
    answer = slack.ask(HEAD, "/staffing", "agency")
    shown = answer_text(answer)
    assert "Agency workers — Your service" in shown
    assert "DfE quarterly agency return due" in shown
    entry = audit_entries(engine)[-1]
    assert (entry.actor, entry.command, entry.outcome) == ("HOS1", "/staffing agency",
                                                          "answered")
