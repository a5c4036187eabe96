"""When the bot is added to a chat or a team, the conversation reference is stored (for digests);
when it is taken out, it is forgotten."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from handlers.teams.bot import WELCOME_CHANNEL, WELCOME_PERSONAL
from models import ConversationRef
from tests.handlers.teams.conftest import BOT, USERS

TEAM = {"id": "19:team-general@thread.tacv2", "name": "Safeguarding Leadership"}


def stored(engine) -> list[ConversationRef]:
    with Session(engine) as session:
        return list(session.exec(select(ConversationRef).order_by(ConversationRef.id)).all())


def added_to_personal_chat(chat, who: str = "HS1") -> dict:
    user = USERS[who]
    conversation, _ = chat.place(user, "personal")
    return chat.activity("conversationUpdate", user, conversation, membersAdded=[BOT])


def added_to_team(chat, who: str = "HS1") -> dict:
    conversation = {"id": TEAM["id"], "conversationType": "channel", "isGroup": True,
                    "tenantId": "tenant-1"}
    return chat.activity("conversationUpdate", USERS[who], conversation,
                         {"eventType": "teamMemberAdded", "team": TEAM,
                          "channel": {"id": TEAM["id"]}},
                         membersAdded=[BOT])


def test_installing_in_a_personal_chat_stores_the_reference_and_says_hello(chat, engine) -> None:
    assert chat.post(added_to_personal_chat(chat)).status_code == 202
    [row] = stored(engine)
    assert (row.conversation_id, row.conversation_type, row.user_id, row.tenant_id) == (
        "a:personal-29:helen", "personal", "aad-hs1", "tenant-1")
    assert row.service_url == chat.connector.url
    reference = json.loads(row.reference_json)
    assert reference["conversation"]["id"] == "a:personal-29:helen"
    assert reference["bot"]["id"] == BOT["id"] and reference["user"]["aadObjectId"] == "aad-hs1"
    assert "activityId" not in reference
    assert chat.replies("a:personal-29:helen") == [WELCOME_PERSONAL]


def test_adding_the_bot_to_a_team_stores_its_channel_by_name(chat, engine) -> None:
    chat.post(added_to_team(chat))
    [row] = stored(engine)
    assert (row.conversation_id, row.conversation_type, row.channel_name, row.user_id) == (
        TEAM["id"], "channel", "Safeguarding Leadership", None)
    assert chat.replies(TEAM["id"]) == [WELCOME_CHANNEL]


def test_an_installation_update_in_a_group_chat_stores_it(chat, engine) -> None:
    user = USERS["TM1"]
    conversation, _ = chat.place(user, "group")
    chat.post(chat.activity("installationUpdate", user, conversation, action="add"))
    [row] = stored(engine)
    assert (row.conversation_type, row.channel_name) == ("groupChat", "Duty managers")


def test_installing_again_updates_the_one_stored_reference(chat, engine) -> None:
    chat.post(added_to_personal_chat(chat))
    moved = added_to_personal_chat(chat)
    moved["serviceUrl"] = chat.connector.url + "emea/"
    chat.post(moved)
    [row] = stored(engine)
    assert row.service_url.endswith("/emea/")


def test_someone_else_joining_a_team_stores_nothing(chat, engine) -> None:
    activity = added_to_team(chat)
    activity["membersAdded"] = [USERS["SW1"].account()]
    chat.post(activity)
    assert stored(engine) == []


def test_removing_the_bot_forgets_the_conversation(chat, engine) -> None:
    chat.post(added_to_team(chat))
    chat.post(added_to_personal_chat(chat))
    removed = added_to_team(chat)
    removed["membersRemoved"] = removed.pop("membersAdded")
    chat.post(removed)
    user = USERS["HS1"]
    conversation, _ = chat.place(user, "personal")
    chat.post(chat.activity("installationUpdate", user, conversation, action="remove"))
    assert stored(engine) == []


def test_a_channel_message_remembers_the_channel_not_the_thread(chat, council, engine) -> None:
    chat.send("TM1", "help", where="channel")
    [row] = stored(engine)
    assert row.conversation_id == "19:safeguarding-leads@thread.tacv2"
    assert row.channel_name == "Leads"
