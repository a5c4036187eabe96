"""The Teams bot: messages in, answers out, and where it was installed remembered.

Thin, as STYLE asks: the words (bot mention stripped) go to `queries.answer.ask`, which parses,
finds the asker, applies the access rules and audits; the answer is drawn by render/teams.py.
What is Teams' own business lives here:

- a card's "Mark done" / "Add update" submit becomes the same words a user could type
  ("actions done REF evidence"), so it is parsed, checked and audited the same way;
- in a channel or group chat, an answer that lists people or cases is sent to the asker in a
  1:1 chat (created if need be) and the channel only hears "I've sent you the answer privately";
- install and uninstall events keep the stored conversation references up to date, for digests;
- anything that goes wrong becomes the plain "try again shortly" message: no stack trace in chat.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timezone

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.fastapi import CloudAdapter
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings, local_today
from handlers.teams import conversations
from handlers.teams.conversations import (
    PERSONAL,
    ConversationFacts,
    base_conversation_id,
    conversation_type,
    facts_from,
    reference_json,
    tenant_of,
)
from handlers.teams.identity import (
    RosterEmails,
    RosterUnavailable,
    email_on,
    roster_conversation,
)
from handlers.teams.sdk import connection_manager, teams_auth
from handlers.transport import PooledConnectorFactory
from queries import access
from queries.access import Identity
from queries.answer import ask
from queries.results import Answer, ReportRequested, Unavailable, unwrapped
from render.teams import (
    ACTION_DONE,
    ACTION_MORE,
    ACTION_UPDATE,
    CARD_CONTENT_TYPE,
    TeamsMessage,
    card,
    render_teams,
)

log = logging.getLogger("handlers.teams")

PRIVATE_NOTE = "I've sent you the answer privately."
PRIVATE_FAILED = (
    "That answer lists people or cases, so I only send it privately, and I couldn't open a chat "
    "with you. Open a chat with me (Apps → caseload bot) and ask there."
)
WELCOME_PERSONAL = (
    "Hello, I'm the caseload bot. Ask me about caseloads, protected NQSW years, improvement-plan "
    "actions and supervision: type help to see everything I can answer."
)
WELCOME_CHANNEL = (
    "Thanks for adding the caseload bot. @mention me with a command (try help). Answers that "
    "list people or cases are sent to the person who asked, privately, never to the channel."
)

REPORT_NO_LINK = (
    "I can't link you to the report from Teams yet: the bot's public address (PUBLIC_BASE_URL) is not "
    "set. Ask the bot's administrator, or ask in Slack."
)


def report_link_message(request: ReportRequested, url: str, minutes: int) -> TeamsMessage:
    """A card with the report's link: a button, and the time it stops working."""
    text = (f"Your performance report for {request.scope} ({request.months} months to "
            f"{request.as_of:%-d %B %Y}) is ready as a PDF. The link works for {minutes} "
            "minutes; ask again for a new one.")
    body = [{"type": "TextBlock", "text": text, "wrap": True}]
    actions = [{"type": "Action.OpenUrl", "title": "Open the report (PDF)", "url": url}]
    return TeamsMessage(card=card(body, f"{text} {url}", actions),
                        text=f"Performance report — {request.scope}\n{text}\n{url}")


def monthly_report_link_message(scope: str, months: int, as_of: date, url: str,
                                until: datetime) -> TeamsMessage:
    """The monthly job's card (jobs.monthly_report): the month's report, a button, and when the
    link stops working (`until`, in the council's time zone)."""
    text = (f"Your monthly performance report for {scope} ({months} months to "
            f"{as_of:%-d %B %Y}) is ready as a PDF. The link works until "
            f"{until:%H:%M on %A %-d %B %Y}; after that, ask me for a new one: staffing report.")
    body = [{"type": "TextBlock", "text": text, "wrap": True}]
    actions = [{"type": "Action.OpenUrl", "title": "Open the report (PDF)", "url": url}]
    return TeamsMessage(card=card(body, f"{text} {url}", actions),
                        text=f"Monthly performance report — {scope}\n{text}\n{url}")


#: What a card's submit buttons mean, as the words of the grammar.
SUBMIT_VERBS = {ACTION_DONE: "done", ACTION_UPDATE: "update"}

Today = date | Callable[[], date] | None


def card_activity(message: TeamsMessage) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=message.summary or None,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=message.card)],
    )


def command_text(activity: Activity) -> str:
    """The words to answer: a card submit's verb, reference and note, a button's command, or
    the message text.

    NUL characters are dropped: no Teams client sends them, and PostgreSQL cannot store them in
    the audit log's text (the question would fail as "try again" instead of being answered)."""
    value = activity.value
    if isinstance(value, dict) and value.get("verb") == ACTION_MORE:
        text = str(value.get("command") or "")
    elif isinstance(value, dict) and value.get("verb") in SUBMIT_VERBS:
        ref = str(value.get("ref") or "").strip()
        note = value.get(str(value.get("input") or ""))
        note = note.strip() if isinstance(note, str) else ""
        text = " ".join(part for part in ("actions", SUBMIT_VERBS[value["verb"]], ref, note)
                        if part)
    elif isinstance(value, dict) and isinstance(value.get("command"), str):
        # A reminder's or alert's button (render.notes): the command it names, answered as if
        # typed, so the same access rules decide what it shows.
        text = value["command"]
    else:
        text = activity.text or ""
    return text.replace("\x00", "")


def page_start(activity: Activity) -> int:
    """The row a "More" button's page starts at (0 for anything else)."""
    value = activity.value
    if isinstance(value, dict) and value.get("verb") == ACTION_MORE:
        offset = value.get("offset")
        return offset if isinstance(offset, int) and offset >= 0 else 0
    return 0


def stamp_question(content: object, question: str) -> None:
    """Put the question on each "More" button of a card, so pressing it asks it again."""
    if isinstance(content, dict):
        data = content.get("data")
        if content.get("type") == "Action.Submit" and isinstance(data, dict) \
                and data.get("verb") == ACTION_MORE:
            data["command"] = question
        for value in content.values():
            stamp_question(value, question)
    elif isinstance(content, list):
        for item in content:
            stamp_question(item, question)


def mention_markup(text: str, mentions: list[tuple[str, str, str]]) -> str:
    """Each person mentioned, as the grammar reads a mention from its entity: the user's id and
    full name on the ``<at>`` tag. Teams lets a user shorten a mention's text to a first name
    ("<at>Imran</at>"), so the text alone cannot say who was meant; the entity can.

    `mentions` are (the mention's text in the message, user id, full name)."""
    for shown, user_id, name in mentions:
        inner = _AT_TAG.fullmatch(shown)
        if not inner or not user_id:
            continue
        marked = (f'<at data-id="{html.escape(user_id, quote=True)}" '
                  f'data-name="{html.escape(name, quote=True)}">{inner.group(1)}</at>')
        text = text.replace(shown, marked, 1)
    return text


_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)


class TeamsBot:
    """The AgentApplication, its adapter and its handlers, bound to one store and settings."""

    def __init__(self, settings: Settings, engine: Engine, *, today: Today = None) -> None:
        self.settings = settings
        self.engine = engine
        self._today = today
        self.auth = teams_auth(settings)
        manager = connection_manager(self.auth)
        # replies to the connector over kept-alive connections (handlers/transport.py)
        self.adapter = CloudAdapter(connection_manager=manager,
                                    channel_service_client_factory=PooledConnectorFactory(manager))
        self.adapter.on_turn_error = self.on_error  # the SDK's default puts the error in chat
        self.roster = RosterEmails()
        self._stored_conversations: set[str] = set()
        self.application: AgentApplication[TurnState] = AgentApplication[TurnState](
            ApplicationOptions(storage=MemoryStorage(), start_typing_timer=False,
                               remove_recipient_mention=True),
            connection_manager=manager,
        )
        self.application.activity(ActivityTypes.message)(self.on_message)
        self.application.activity(ActivityTypes.conversation_update)(self.on_conversation_update)
        self.application.activity(ActivityTypes.installation_update)(self.on_installation_update)
        self.application.error(self.on_error)

    def forget_caches(self) -> None:
        """Drop what this process remembers (roster e-mails, stored conversations)."""
        self.roster = RosterEmails()
        self._stored_conversations.clear()

    def today(self) -> date:
        if callable(self._today):
            return self._today()
        return self._today or local_today(self.settings)

    # --- messages ---------------------------------------------------------------------------

    async def on_message(self, context: TurnContext, _state: TurnState) -> None:
        try:
            await self.remember_conversation(context.activity)
            text = await self.with_mentions(context, command_text(context.activity))
            identity = await self.identity(context)
            outcome = await asyncio.to_thread(ask, self.engine, identity, text,
                                              today=self.today(), settings=self.settings)
            await self.deliver(context, outcome.answer, question=text,
                               offset=page_start(context.activity))
            requested = unwrapped(outcome.answer)
            if isinstance(requested, ReportRequested) and outcome.asker is not None:
                await self.send_report_link(context, requested, outcome.asker.staff_id)
        except Exception as error:  # noqa: BLE001  (the user gets a plain message, never a trace)
            log.error("Teams message could not be answered: %s", type(error).__name__,
                      exc_info=not isinstance(error, RosterUnavailable))
            await self.say_unavailable(context)

    async def identity(self, context: TurnContext) -> Identity:
        """Entra object id; the e-mail/UPN too when the object id alone matches no one."""
        user = context.activity.from_property
        object_id = (user.aad_object_id if user else None) or None
        email = email_on(user)
        if not email and not (object_id and await asyncio.to_thread(self.known, object_id)):
            email = await self.roster.email_for(context)
        return Identity("teams", teams_user_id=object_id or (user.id if user else None),
                        email=email)

    async def with_mentions(self, context: TurnContext, text: str) -> str:
        """The people @mentioned in the message, named by their mention entities.

        A mention entity carries the Teams user id ("29:…") and the full name; a staff record
        holds the Entra object id, which the roster gives for a Teams id. Without the roster
        the Teams id and the full name are used (the query layer falls back to the name)."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        mentions: list[tuple[str, str, str]] = []
        for mention in activity.get_mentions() if activity.entities else []:
            person = mention.mentioned
            if person is None or not mention.text or person.id == bot_id:
                continue
            object_id = person.aad_object_id or await self.object_id_of(context, person.id)
            mentions.append((mention.text, object_id or person.id, person.name or ""))
        return mention_markup(text, mentions) if mentions else text

    async def object_id_of(self, context: TurnContext, user_id: str) -> str | None:
        """The Entra object id of a Teams user, from the roster; None when it cannot say."""
        connector = context.services.get(ConnectorClientBase)
        if connector is None or not user_id:
            return None
        try:
            member = await connector.conversations.get_conversation_member(
                roster_conversation(context.activity), user_id)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("Teams roster lookup for a mention failed: %s", type(error).__name__)
            return None
        return getattr(member, "aad_object_id", None) or None

    def known(self, object_id: str) -> bool:
        with Session(self.engine) as session:
            return access.find_staff(session, Identity("teams", teams_user_id=object_id),
                                     self.today()) is not None

    async def deliver(self, context: TurnContext, answer: Answer, question: str = "",
                      offset: int = 0) -> None:
        """One page of the answer (`max_rows_in_chat` rows from `offset`), its "More" button
        carrying the question so the next page is the same question asked again."""
        message = render_teams(answer, limit=self.settings.max_rows_in_chat, offset=offset)
        stamp_question(message.card, question)
        if conversation_type(context.activity) != PERSONAL and answer.lists_people:
            sent = await self.send_privately(context, message)
            await context.send_activity(PRIVATE_NOTE if sent else PRIVATE_FAILED)
            return
        await context.send_activity(card_activity(message))

    async def send_report_link(self, context: TurnContext, request: ReportRequested,
                               staff_id: str) -> None:
        """`/staffing report` in Teams: a short-lived link to the PDF (reports.links), sent to
        the asker's 1:1 chat (privately, when asked in a channel)."""
        from jobs.report_delivery import report_filename, report_pdf
        from reports.links import create_report_link

        def build() -> str:
            scope, pdf = report_pdf(self.engine, self.settings, service_id=request.service_id,
                                    as_of=request.as_of, today=request.as_of,
                                    months=request.months)
            return create_report_link(self.engine, self.settings, pdf=pdf,
                                      filename=report_filename(scope, request.as_of),
                                      staff_id=staff_id, now=datetime.now(timezone.utc))

        try:
            url = await asyncio.to_thread(build)
        except LookupError:  # PUBLIC_BASE_URL unset: no address the link could point at
            log.warning("a Teams report link needs PUBLIC_BASE_URL; none is set")
            await context.send_activity(REPORT_NO_LINK)
            return
        message = report_link_message(request, url, self.settings.report_link_minutes)
        if conversation_type(context.activity) != PERSONAL:
            await self.send_privately(context, message)
            return
        await context.send_activity(card_activity(message))

    async def say_unavailable(self, context: TurnContext) -> None:
        try:
            await context.send_activity(Unavailable().message)
        except Exception as error:  # noqa: BLE001
            log.error("Teams reply could not be sent either: %s", type(error).__name__)

    # --- private answers from a channel -------------------------------------------------------

    async def send_privately(self, context: TurnContext, message: TeamsMessage) -> bool:
        """Post to the asker's 1:1 chat with the bot (stored, or created now)."""
        connector = context.services.get(ConnectorClientBase)
        if connector is None:
            return False
        try:
            conversation_id = await self.personal_conversation(context, connector)
            activity = card_activity(message)
            activity.conversation = ConversationAccount(id=conversation_id)
            activity.from_property = context.activity.recipient
            activity.recipient = context.activity.from_property
            await connector.conversations.send_to_conversation(conversation_id, activity)
            return True
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("Could not send a private Teams answer: %s %s", type(error).__name__,
                        getattr(error, "status", ""))
            return False

    async def personal_conversation(self, context: TurnContext,
                                    connector: ConnectorClientBase) -> str:
        activity = context.activity
        user = activity.from_property
        stored = await asyncio.to_thread(conversations.personal_for, self.engine,
                                         user.aad_object_id, user.id)
        if stored is not None and stored.service_url == activity.service_url:
            return stored.conversation_id
        tenant = tenant_of(activity)
        created = await connector.conversations.create_conversation(ConversationParameters(
            is_group=False,
            agent=activity.recipient,
            members=[ChannelAccount(id=user.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        ))
        reference = ConversationReference(
            user=ChannelAccount(id=user.id, name=user.name, aad_object_id=user.aad_object_id),
            agent=activity.recipient,
            conversation=ConversationAccount(id=created.id, conversation_type=PERSONAL,
                                             tenant_id=tenant),
            channel_id=activity.channel_id,
            service_url=activity.service_url,
        )
        await self.store(ConversationFacts(
            conversation_id=created.id, conversation_type=PERSONAL,
            user_id=user.aad_object_id or user.id, channel_name=None,
            service_url=activity.service_url or "", tenant_id=tenant,
            reference_json=reference_json(reference)))
        return created.id

    # --- where the bot is ---------------------------------------------------------------------

    async def store(self, facts: ConversationFacts) -> None:
        await asyncio.to_thread(conversations.upsert, self.engine, facts)
        self._stored_conversations.add(facts.conversation_id)

    async def remember_conversation(self, activity: Activity) -> None:
        """Store a conversation the first time this process hears from it (an install event may
        have been missed), so a digest can reach it later. Never stops the answer."""
        if base_conversation_id(activity.conversation.id) in self._stored_conversations:
            return
        try:
            await self.store(facts_from(activity))
        except Exception as error:  # noqa: BLE001
            log.warning("Could not store the Teams conversation reference: %s",
                        type(error).__name__)

    def bot_is(self, activity: Activity, members: list[ChannelAccount] | None) -> bool:
        bot_id = activity.recipient.id if activity.recipient else None
        return any(member.id == bot_id for member in members or [])

    async def on_conversation_update(self, context: TurnContext, _state: TurnState) -> None:
        activity = context.activity
        if self.bot_is(activity, activity.members_added):
            await self.installed(context)
        elif self.bot_is(activity, activity.members_removed):
            await self.uninstalled(activity)

    async def on_installation_update(self, context: TurnContext, _state: TurnState) -> None:
        action = (context.activity.action or "").lower()
        if action.startswith("add"):
            await self.installed(context, welcome=False)  # conversationUpdate says hello
        elif action.startswith("remove"):
            await self.uninstalled(context.activity)

    async def installed(self, context: TurnContext, welcome: bool = True) -> None:
        activity = context.activity
        try:
            await self.store(facts_from(activity))
        except Exception as error:  # noqa: BLE001
            log.error("Could not store the Teams conversation reference: %s",
                      type(error).__name__)
            return
        log.info("Teams conversation stored: %s (%s)", conversation_type(activity),
                 base_conversation_id(activity.conversation.id))
        if welcome:
            greeting = (WELCOME_PERSONAL if conversation_type(activity) == PERSONAL
                        else WELCOME_CHANNEL)
            try:
                await context.send_activity(greeting)
            except Exception as error:  # noqa: BLE001
                log.warning("Teams welcome could not be sent: %s", type(error).__name__)

    async def uninstalled(self, activity: Activity) -> None:
        conversation_id = base_conversation_id(activity.conversation.id)
        try:
            await asyncio.to_thread(conversations.forget, self.engine, conversation_id)
            self._stored_conversations.discard(conversation_id)
            log.info("Teams conversation forgotten: %s", conversation_id)
        except Exception as error:  # noqa: BLE001
            log.error("Could not forget the Teams conversation: %s", type(error).__name__)

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s", type(error).__name__)
        await self.say_unavailable(context)


__all__ = ["PRIVATE_FAILED", "PRIVATE_NOTE", "TeamsBot", "card_activity", "command_text",
           "monthly_report_link_message"]
