"""SPEC section 2: answers that list people or cases are only for the asker. Asked in a channel or
group chat, they go to the asker's 1:1 chat with the bot; the channel hears only a short note."""

from __future__ import annotations

import pytest

from handlers.teams.bot import PRIVATE_FAILED, PRIVATE_NOTE

PRIVATE_CHAT = "a:1on1-29:tess"  # what the fake connector calls the 1:1 chat it creates


@pytest.mark.parametrize("where", ["channel", "group"])
def test_a_listing_asked_in_a_channel_goes_to_the_asker_privately(chat, council, where) -> None:
    conversation = chat.send("TM1", "caseload", where=where)

    assert chat.replies(conversation) == [PRIVATE_NOTE]
    [created] = chat.connector.of_kind("create")
    assert created.body["members"] == [{"id": "29:tess"}]
    assert created.body["bot"]["id"] == "28:caseload-bot"
    assert created.body["tenantId"] == "tenant-1"
    [private] = chat.replies(PRIVATE_CHAT)
    assert "Caseload — Assessment North" in private and "Priya Parttime" in private


def test_the_listing_itself_never_reaches_the_channel(chat, council) -> None:
    for text in ("caseload unallocated", "protected team", "actions", "supervision"):
        chat.send("TM1", text, where="channel")
    channel = [sent for sent in chat.connector.activities()
               if sent.conversation_id != PRIVATE_CHAT]
    assert [sent.text for sent in channel] == [PRIVATE_NOTE] * 4
    assert all(sent.card is None for sent in channel)
    assert len(chat.replies(PRIVATE_CHAT)) == 4


def test_the_private_chat_is_created_once_then_reused(chat, council) -> None:
    chat.send("TM1", "caseload", where="channel")
    chat.send("TM1", "supervision", where="channel")
    assert len(chat.connector.of_kind("create")) == 1
    assert len(chat.replies(PRIVATE_CHAT)) == 2


def test_a_private_chat_stored_at_install_is_used_without_creating_one(chat, council) -> None:
    chat.send("TM1", "help")  # the 1:1 chat is remembered the first time the bot hears from it
    chat.connector.reset()
    chat.send("TM1", "caseload", where="channel")
    assert chat.connector.of_kind("create") == []
    assert "Priya Parttime" in chat.reply("a:personal-29:tess")


def test_an_answer_that_lists_no_one_is_given_in_the_channel(chat, council) -> None:
    conversation = chat.send("TM1", "caseload team Child Protection East", where="channel")
    assert "not found or not yours to see" in chat.reply(conversation)
    assert chat.connector.of_kind("create") == []


def test_when_no_private_chat_can_be_opened_the_channel_is_told_and_shown_nothing(chat, council
                                                                                   ) -> None:
    chat.connector.failing.add("create")
    conversation = chat.send("TM1", "caseload", where="channel")
    assert chat.replies(conversation) == [PRIVATE_FAILED]
    assert not any("Priya" in sent.text for sent in chat.connector.activities())
