"""SPEC section 11 in chat: `/staffing report` sends a head of service (or an admin) the
performance report as a PDF in their DM; anyone else is refused politely, and both are audited."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy.engine import Engine

from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.harness import ServedSlack, answer_text, audit_entries

HEAD = "UHOS1"  # Helen Head, head of Safeguarding
PRACTITIONER = "USW1"
REPORT_TIMEOUT_SECONDS = 60  # bounded wait for the PDF to be built and uploaded, not a timing


def test_staffing_report_sends_the_head_of_service_the_pdf_in_a_dm(
    slack: ServedSlack, fake_slack: FakeSlackApi, engine: Engine,
) -> None:
    answer = slack.ask(HEAD, "/staffing", "report")
    assert "performance report for Safeguarding" in answer_text(answer)
    assert "direct message" in answer_text(answer)
    assert answer.body["response_type"] == "ephemeral"

    done = fake_slack.wait_for("files.completeUploadExternal", timeout=REPORT_TIMEOUT_SECONDS)
    opened = fake_slack.calls_to("conversations.open")
    assert [call.body.get("users") for call in opened] == [HEAD]
    dm = done[0].body["channel_id"]
    assert dm.startswith("D")
    assert "Safeguarding" in str(done[0].body)
    upload = fake_slack.calls_to("upload")[0]
    pdf = upload.raw[upload.raw.index(b"%PDF"):] if b"%PDF" in upload.raw else upload.raw
    reader = PdfReader(io.BytesIO(pdf))
    assert "Performance report — Safeguarding" in reader.pages[0].extract_text()

    entry = audit_entries(engine)[-1]
    assert (entry.actor, entry.command, entry.outcome, entry.scope) == (
        "HOS1", "/staffing report", "answered", "staffing:report:Safeguarding")


def test_staffing_report_is_refused_politely_for_a_practitioner_and_audited(
    slack: ServedSlack, fake_slack: FakeSlackApi, engine: Engine,
) -> None:
    shown = answer_text(slack.ask(PRACTITIONER, "/staffing", "report"))
    assert "for heads of service and admins" in shown
    entry = audit_entries(engine)[-1]
    assert (entry.actor, entry.outcome) == ("SW1", "refused")
    assert fake_slack.calls_to("files.getUploadURLExternal") == []
    assert fake_slack.calls_to("conversations.open") == []
