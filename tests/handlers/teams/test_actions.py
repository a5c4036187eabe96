"""The "Mark done" / "Add update" card actions: a submit goes through the same words, checks and
audit as typing "actions done REF evidence"."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from models import Action, ActionUpdate, AuditEntry


def submit_data(card: dict[str, Any], title: str, ref: str) -> dict[str, Any]:
    """The data of the card's submit button `title` (Mark done / Add update) for action `ref`
    (buttons carry PLAN/REF in one word)."""

    def walk(element: Any):  # type: ignore[no-untyped-def]
        if isinstance(element, dict):
            if element.get("type") == "Action.Submit" and element["title"] == title \
                    and element["data"]["ref"].rpartition("/")[2] == ref:
                yield element["data"]
            for value in element.values():
                yield from walk(value)
        elif isinstance(element, list):
            for item in element:
                yield from walk(item)

    return next(walk(card))


def action(engine, ref: str) -> Action:
    with Session(engine) as session:
        return session.exec(select(Action).where(Action.ref == ref)).one()


def test_mark_done_on_the_card_records_the_evidence_and_audits_it(chat, council, engine) -> None:
    conversation = chat.send("TM1", "actions")
    card = chat.connector.activities(conversation)[0].card
    data = submit_data(card, "Mark done", "1.1")
    assert data["verb"] == "action_done"

    chat.connector.reset()
    chat.send("TM1", value={**data, data["input"]: "Audit of 20 case files: every visit in time"})

    reply = chat.reply(conversation)
    assert "Action **1.1** (Ofsted ILACS 2025) marked done by Tess Manager" in reply
    done = action(engine, "1.1")
    assert (done.status, done.evidence) == ("done", "Audit of 20 case files: every visit in time")
    assert done.completed_by_id == council["tm1"].id
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).order_by(
            AuditEntry.id.desc())).first()  # type: ignore[union-attr]
        [update] = session.exec(select(ActionUpdate)).all()
    assert (entry.front_end, entry.actor, entry.outcome) == ("teams", "TM1", "changed")
    assert entry.command == (
        "actions done Ofsted_ILACS_2025/1.1 Audit of 20 case files: every visit in time")
    assert (update.kind, update.note) == ("done", "Audit of 20 case files: every visit in time")


def test_add_update_on_the_card_adds_a_progress_note(chat, council, engine) -> None:
    conversation = chat.send("SW1", "actions")
    data = submit_data(chat.connector.activities(conversation)[0].card, "Add update", "3.1")
    chat.connector.reset()
    chat.send("SW1", value={**data, data["input"]: "First reflective log written"})
    assert "Update added to action **3.1**" in chat.reply(conversation)
    assert action(engine, "3.1").status == "in_progress"


def test_a_submit_from_someone_who_may_not_change_the_action_is_refused(chat, council, engine
                                                                        ) -> None:
    forged = {"verb": "action_done", "ref": "1.1", "input": "evidence_0", "evidence_0": "done"}
    chat.send("SW1", value=forged)
    assert "not found or not yours to see" in chat.reply("a:personal-29:sam")
    assert action(engine, "1.1").status == "open"


def test_a_submit_without_evidence_says_what_to_add(chat, council, engine) -> None:
    chat.send("TM1", value={"verb": "action_done", "ref": "1.1", "input": "evidence_0",
                            "evidence_0": "   "})
    assert "Add the evidence after the reference" in chat.reply("a:personal-29:tess")
    assert action(engine, "1.1").status == "open"
