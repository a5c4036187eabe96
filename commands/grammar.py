"""The one grammar of SPEC section 3: chat text in, a typed Command or a helpful ParseError out.

Slack, Teams and the console all call parse(), so the words a user may type are decided once.
parse() never raises: whatever arrives, the user gets either an answer or a message saying what
was wrong and the correct form.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from commands.help import ALL_VERBS, usage
from commands.plain import looks_like_a_question, nearest, read_question

MAX_INPUT_CHARS = 2_000
QUOTE_MAX_CHARS = 60
VERB_PEEK_CHARS = 200  # enough for a bot mention and the verb

VERBS = ("caseload", "protected", "actions", "supervision", "staffing", "remind", "help")
STAFFING_SCOPES = ("agency", "registration", "report")
CAPACITY_CASE_TYPES = ("cp", "cin", "lac")
#: The options each verb takes, for "did you mean …?" when one is mistyped.
OPTIONS = {
    "caseload": ("team", "unallocated", "overdue", "capacity", "help"),
    "protected": ("team", "help"),
    "actions": ("mine", "overdue", "plan", "done", "update", "help"),
    "supervision": ("log", "help"),
    "help": VERBS,
}
#: A person named in plain words ("Imran Murphy", "Murphy, Imran") is at most this many words.
MAX_NAME_WORDS = 4
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class PersonRef:
    """A person as the user named them; the query layer matches it to a staff record."""

    kind: str  # "slack_user" | "teams_user" | "email" | "staff_id" | "name"
    value: str  # the id / e-mail (lower-cased) / staff id (as typed) / display name / name
    #: A Teams mention's full name from its mention entity, when `value` is the user's id: the
    #: text in the message may have been shortened ("<at>Imran</at>"), the entity is not.
    label: str = ""


@dataclass(frozen=True)
class Command:
    """One understood command: the same object whichever chat platform it came from."""

    verb: str  # "caseload" | "protected" | "actions" | "supervision" | "remind" | "help"
    scope: str  # "mine", "person", "team", "capacity", "done", "log"…; for help: the verb or "all"
    person: PersonRef | None = None
    team: str | None = None  # as typed, whitespace collapsed
    case_type: str | None = None  # "CP" | "CIN" | "LAC" for capacity; None for any
    plan: str | None = None
    ref: str | None = None
    text: str | None = None  # evidence or update note, exactly as typed
    on_date: date | None = None  # the supervision being logged
    at_time: str | None = None  # /remind at HH:MM, as "HH:MM"
    raw: str = ""  # the text parse() was given, for the audit log
    #: The command a plain question was read as ("/caseload capacity cp"); every answer to a
    #: question starts with it, so the asker sees what was answered. Empty for typed commands.
    read_as: str = ""
    #: When a plain name might instead be a mistyped option ("/caseload overdeu"): the command
    #: it would then be. Used only if nobody has that name.
    did_you_mean: str = ""


@dataclass(frozen=True)
class ParseError:
    """Why a command was not understood, and the forms that would be, to show the user."""

    message: str
    usage: str
    verb: str | None  # None when even the verb was not recognised


# --- Cleaning: what the chat platforms add that the user did not type -------------------------

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_CHARS = re.compile("[\u200b\u2060\ufeff]")
_NBSP_ENTITY = re.compile(r"&(?:nbsp|#160|#xa0);", re.IGNORECASE)
# Teams may turn a typed address into a link; the user typed only the text inside.
_ANCHOR = re.compile(r"<a\b[^<>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_LEADING_MENTION = re.compile(
    r"\s*(?:<at\b[^<>]*>.*?</at\s*>|<@[^<>]*>)", re.IGNORECASE | re.DOTALL
)


def _clean(text: str) -> str:
    """Make control characters plain spaces so nothing downstream can be surprised by them."""
    text = _CONTROL_CHARS.sub(" ", text)
    text = _INVISIBLE_CHARS.sub("", text)
    text = _NBSP_ENTITY.sub(" ", text)
    return _ANCHOR.sub(r"\1", text)


def _strip_bot_mention(text: str) -> str:
    """In a channel a message to the bot starts by mentioning it: an address, not a word."""
    mention = _LEADING_MENTION.match(text)
    return text[mention.end() :] if mention else text


def _plain(text: str) -> str:
    """Slack and Teams escape &, < and > as entities; users typed the characters."""
    return _CONTROL_CHARS.sub(" ", html.unescape(text))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    """Quote the user's words back briefly, so a huge paste cannot flood the reply."""
    shown = _collapse(text)
    if len(shown) > QUOTE_MAX_CHARS:
        shown = shown[: QUOTE_MAX_CHARS - 1] + "…"
    return f'"{shown}"'


# --- Tokens ----------------------------------------------------------------------------------

# A Teams mention holds a display name with spaces, and a Slack mention a label with spaces:
# each is one word of the command.
_TOKEN = re.compile(
    r"<at\b[^<>]*>.*?</at\s*>|<[^<>\s][^<>]*>|\S+", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class _Token:
    text: str  # as it appears in the message, markup included
    end: int  # where it ends, so free text after it can be kept exactly as typed

    @property
    def word(self) -> str:
        return _plain(self.text)

    @property
    def keyword(self) -> str:
        return self.word.casefold()


def _tokens(text: str) -> tuple[_Token, ...]:
    return tuple(_Token(match.group(), match.end()) for match in _TOKEN.finditer(text))


def _words(tokens: Sequence[_Token]) -> str:
    return _collapse(" ".join(token.word for token in tokens))


def _verb_name(word: str) -> str | None:
    name = word.strip().lstrip("/").casefold()
    return name if name in VERBS else None


# --- People ----------------------------------------------------------------------------------

_SLACK_MENTION = re.compile(r"<@([A-Za-z0-9]+)(?:\|[^<>]*)?>")
_SLACK_MAILTO = re.compile(r"<mailto:([^|<>\s]+)(?:\|[^<>]*)?>", re.IGNORECASE)
_TEAMS_MENTION = re.compile(r"<at\b([^<>]*)>(.*?)</at\s*>", re.IGNORECASE | re.DOTALL)
#: What the Teams handler writes onto a mention from the activity's mention entity.
_MENTION_ATTRIBUTE = re.compile(r'\b(data-id|data-name)="([^"<>]*)"', re.IGNORECASE)
_NAME_WORD = re.compile(r"@?[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]+)*,?", re.UNICODE)
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+")
_AT_NAME = re.compile(r"@([^@\s<>]+)")
_STAFF_ID = re.compile(r"[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _person_from(token: _Token) -> PersonRef | None:
    """The forms SPEC allows for naming a person; None when the token is none of them."""
    if match := _SLACK_MENTION.fullmatch(token.text):
        return PersonRef("slack_user", match.group(1))
    if match := _SLACK_MAILTO.fullmatch(token.text):
        address = _plain(match.group(1))
        return PersonRef("email", address.lower()) if _EMAIL.fullmatch(address) else None
    if match := _TEAMS_MENTION.fullmatch(token.text):
        name = _collapse(_plain(match.group(2)))
        attributes = {key.lower(): _collapse(_plain(value))
                      for key, value in _MENTION_ATTRIBUTE.findall(match.group(1))}
        if attributes.get("data-id"):
            return PersonRef("teams_user", attributes["data-id"],
                             label=attributes.get("data-name") or name)
        return PersonRef("teams_user", name) if name else None
    return _plain_person_from(token.word.strip())


def _plain_name(tokens: Sequence[_Token]) -> PersonRef | None:
    """A person named as people say it: "Imran Murphy", "@Imran Murphy", "Murphy, Imran",
    "Murphy". The query layer decides who that is (and lists the choices if several)."""
    if not tokens or len(tokens) > MAX_NAME_WORDS:
        return None
    words = [token.word.strip() for token in tokens]
    if sum(len(word) for word in words) > MAX_NAME_CHARS:
        return None
    if not all(_NAME_WORD.fullmatch(word) for word in words):
        return None
    name = _collapse(" ".join(words).lstrip("@").rstrip(","))
    return PersonRef("name", name) if name else None


def _plain_person_from(word: str) -> PersonRef | None:
    if match := _AT_NAME.fullmatch(word):
        return PersonRef("name", match.group(1))
    if _EMAIL.fullmatch(word):
        return PersonRef("email", word.lower())
    # A date has the shape of a staff id; nobody's id is a date, and a date here is a mistake.
    if _STAFF_ID.fullmatch(word) and not _ISO_DATE.fullmatch(word):
        return PersonRef("staff_id", word)
    return None


# --- Dates -----------------------------------------------------------------------------------


def _date_parts(word: str) -> tuple[int, int, int] | None:
    """(year, month, day) when the word has the shape of a date, before asking if it exists."""
    if match := _ISO_DATE.fullmatch(word):
        year, month, day = match.groups()
    elif match := _UK_DATE.fullmatch(word):
        day, month, year = match.groups()
    else:
        return None
    return int(year), int(month), int(day)


def _real_date(parts: tuple[int, int, int]) -> date | None:
    try:
        return date(*parts)
    except ValueError:
        return None


# --- One request: the verb, its words, and how to answer -------------------------------------


@dataclass(frozen=True)
class _Request:
    verb: str
    args: tuple[_Token, ...]
    message: str  # the cleaned text the tokens point into
    raw: str

    def command(self, scope: str, **fields: Any) -> Command:
        return Command(verb=self.verb, scope=scope, raw=self.raw, **fields)

    def error(self, message: str) -> ParseError:
        return ParseError(message=message, usage=usage(self.verb), verb=self.verb)

    def text_after(self, token: _Token) -> str:
        """Free text (evidence, a note) exactly as typed, line breaks and all."""
        return _plain(self.message[token.end :]).strip()

    def nothing_more(self, understood: str, extra: Sequence[_Token]) -> ParseError | None:
        if not extra:
            return None
        return self.error(
            f"I understood {_quote(f'/{self.verb} {understood}')} but not what came after it: "
            f"{_quote(_words(extra))}."
        )

    def help(self, extra: Sequence[_Token]) -> Command | ParseError:
        return self.nothing_more("help", extra) or Command(
            verb="help", scope=self.verb, raw=self.raw
        )


def _not_a_person_message(token: _Token) -> str:
    return (
        f"{_quote(token.text)} isn't a person I can look up: name them as @name, "
        "a staff id (like SW0042) or an e-mail address."
    )


def _suggestion(req: _Request, first: _Token, rest: Sequence[_Token]) -> str:
    """The command a mistyped option would make ("/caseload overdue"), or ""."""
    option = nearest(first.keyword, OPTIONS.get(req.verb, ()))
    return _collapse(f"/{req.verb} {option} {_words(rest)}") if option else ""


def _did_you_mean(req: _Request, first: _Token, suggestion: str) -> ParseError:
    """"did you mean …?" with only that form to try: not every form of the command."""
    return ParseError(
        message=f"{_quote(first.text)} isn't a /{req.verb} option. Did you mean {suggestion}?",
        usage=suggestion, verb=req.verb,
    )


def _question(req: _Request) -> Command | None:
    """`/caseload how many cases has Zoe got?`: the words after the verb read as a question."""
    words = _words(req.args)
    if not looks_like_a_question(words):
        return None
    reading = read_question(words, verb=req.verb)
    if reading is None:
        return None
    understood = parse(reading)
    return replace(understood, raw=req.raw, read_as=reading) if isinstance(understood,
                                                                            Command) else None


def _person_scope(req: _Request, first: _Token, rest: Sequence[_Token]) -> Command | ParseError:
    person = _person_from(first)
    if person is not None and person.kind != "name" or person is not None and not rest:
        return req.nothing_more(first.text, rest) or req.command(
            "person", person=person, did_you_mean=_suggestion(req, first, rest))
    if question := _question(req):
        return question
    named = _plain_name(req.args)
    if named is not None:
        return req.command("person", person=named, did_you_mean=_suggestion(req, first, rest))
    if suggestion := _suggestion(req, first, rest):
        return _did_you_mean(req, first, suggestion)
    if person is not None:
        return req.nothing_more(first.text, rest) or req.command("person", person=person)
    return req.error(
        f"{_quote(first.text)} isn't a /{req.verb} option or a person. Name a person as "
        "@name, their name, a staff id (like SW0042) or an e-mail address."
    )


# --- /caseload -------------------------------------------------------------------------------


def _parse_caseload(req: _Request) -> Command | ParseError:
    if not req.args:
        return req.command("mine")
    first, rest = req.args[0], req.args[1:]
    keyword = first.keyword
    if keyword == "help":
        return req.help(rest)
    if keyword == "team":
        team = _words(rest)
        if not team:
            return req.error("Say which team, e.g. /caseload team Children in Need North.")
        return req.command("team", team=team)
    if keyword in ("unallocated", "overdue", "status"):
        return req.nothing_more(keyword, rest) or req.command(keyword)
    if keyword == "capacity":
        return _caseload_capacity(req, rest)
    return _person_scope(req, first, rest)


def _caseload_capacity(req: _Request, rest: Sequence[_Token]) -> Command | ParseError:
    if not rest:
        return req.command("capacity")
    case_type = rest[0].keyword
    if case_type not in CAPACITY_CASE_TYPES:
        return req.error(
            f"{_quote(rest[0].text)} isn't a case type I can check capacity for: use cp, cin "
            "or lac, or leave it out for any case."
        )
    return req.nothing_more(f"capacity {case_type}", rest[1:]) or req.command(
        "capacity", case_type=case_type.upper()
    )


# --- /protected ------------------------------------------------------------------------------


def _parse_protected(req: _Request) -> Command | ParseError:
    if not req.args:
        return req.command("mine")
    first, rest = req.args[0], req.args[1:]
    keyword = first.keyword
    if keyword == "help":
        return req.help(rest)
    if keyword == "team":
        return req.command("team", team=_words(rest) or None)
    return _person_scope(req, first, rest)


# --- /actions --------------------------------------------------------------------------------


def _parse_actions(req: _Request) -> Command | ParseError:
    if not req.args:
        return req.command("all")
    first, rest = req.args[0], req.args[1:]
    keyword = first.keyword
    if keyword == "help":
        return req.help(rest)
    if keyword in ("mine", "overdue"):
        return req.nothing_more(keyword, rest) or req.command(keyword)
    if keyword == "plan":
        plan = _words(rest)
        if not plan:
            return req.error("Say which plan, e.g. /actions plan Ofsted improvement plan.")
        return req.command("plan", plan=plan)
    if keyword == "done":
        return _actions_with_note(req, rest, scope="done", note_name="the evidence")
    if keyword == "update":
        return _actions_with_note(req, rest, scope="update", note_name="the note")
    if suggestion := _suggestion(req, first, rest):
        return _did_you_mean(req, first, suggestion)
    return _question(req) or req.error(f"{_quote(first.text)} isn't an /actions option.")


def _actions_with_note(
    req: _Request, rest: Sequence[_Token], scope: str, note_name: str
) -> Command | ParseError:
    """done and update both need an action reference and some words after it."""
    example = f"/actions {scope} REF {note_name.removeprefix('the ')}"
    if not rest:
        return req.error(f"Say which action and add {note_name}: {example}.")
    ref_token = rest[0]
    ref = ref_token.word.strip()
    if not ref or "<" in ref or ">" in ref or ref.startswith("@"):
        return req.error(
            f"{_quote(ref_token.text)} isn't an action reference: use the reference /actions "
            "shows, like A12."
        )
    note = req.text_after(ref_token)
    if not note:
        return req.error(
            f"Add {note_name} after the reference {_quote(ref)}: "
            f"{_what_to_add(scope, ref)}"
        )
    return req.command(scope, ref=ref, text=note)


def _what_to_add(scope: str, ref: str) -> str:
    if scope == "done":
        return (
            f"say what shows it is done, e.g. /actions done {ref} audit of 20 case files "
            "found every visit in time."
        )
    return f"say what has happened, e.g. /actions update {ref} training booked for May."


# --- /supervision ----------------------------------------------------------------------------


def _parse_supervision(req: _Request) -> Command | ParseError:
    if not req.args:
        return req.command("all")
    first, rest = req.args[0], req.args[1:]
    keyword = first.keyword
    if keyword == "help":
        return req.help(rest)
    if keyword == "log":
        return _supervision_log(req, rest)
    if suggestion := _suggestion(req, first, rest):
        return _did_you_mean(req, first, suggestion)
    return _question(req) or req.error(f"{_quote(first.text)} isn't a /supervision option.")


def _supervision_log(req: _Request, rest: Sequence[_Token]) -> Command | ParseError:
    if not rest:
        return req.error(
            "Say whose supervision it was and when, e.g. /supervision log @jane 2026-03-02."
        )
    who = rest[0]
    person = _person_from(who)
    named_words = 1
    if person is None or person.kind == "name":
        # "log Imran Murphy 2026-03-02": the name is the words before the date.
        name_tokens = list(itertools.takewhile(
            lambda token: _date_parts(token.word.strip()) is None, rest))
        named = _plain_name(name_tokens)
        if named is not None:
            person, named_words = named, len(name_tokens)
            who = name_tokens[-1]
    if person is None:
        if _date_parts(who.word.strip()) is not None:
            return req.error(
                f"Say whose supervision it was before the date {_quote(who.text)}, "
                f"e.g. /supervision log @jane {who.word.strip()}."
            )
        return req.error(_not_a_person_message(who))
    if len(rest) < named_words + 1:
        return req.error(
            f"Add the date of the supervision after {_quote(who.text)}, as YYYY-MM-DD "
            "(or DD/MM/YYYY)."
        )
    when = rest[named_words]
    parts = _date_parts(when.word.strip())
    if parts is None:
        return req.error(
            f"{_quote(when.text)} isn't a date: write it as YYYY-MM-DD (or DD/MM/YYYY)."
        )
    on_date = _real_date(parts)
    if on_date is None:
        return req.error(
            f"{_quote(when.text)} isn't a real date: check the day and the month."
        )
    understood = f"log {_words(rest[:named_words])} {when.text}"
    return req.nothing_more(understood, rest[named_words + 1:]) or req.command(
        "log", person=person, on_date=on_date
    )


# --- /staffing -------------------------------------------------------------------------------


def _parse_staffing(req: _Request) -> Command | ParseError:
    """/staffing, /staffing agency, /staffing registration, /staffing report (and help)."""
    if not req.args:
        return req.command("figures")
    first, rest = req.args[0], req.args[1:]
    keyword = first.keyword
    if keyword == "help":
        return req.help(rest)
    if keyword in STAFFING_SCOPES:
        return req.nothing_more(keyword, rest) or req.command(keyword)
    return req.error(f"{_quote(first.text)} isn't a /staffing option: use agency, "
                     "registration or report, or nothing for the staffing figures.")


# --- /remind ---------------------------------------------------------------------------------

_CLOCK_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")


def _parse_remind(req: _Request) -> Command | ParseError:
    if not req.args:
        return req.command("show")
    first, rest = req.args[0], req.args[1:]
    keyword = first.keyword
    if keyword == "help":
        return req.help(rest)
    if keyword in ("on", "off"):
        return req.nothing_more(keyword, rest) or req.command(keyword)
    if keyword == "at":
        if not rest:
            return req.error("Say what time, e.g. /remind at 07:45 (24-hour clock).")
        match = _CLOCK_TIME.fullmatch(rest[0].word.strip())
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            return req.error(f"{_quote(rest[0].text)} isn't a time: write it as HH:MM on the "
                             "24-hour clock, e.g. /remind at 07:45.")
        at_time = f"{int(match.group(1)):02d}:{match.group(2)}"
        return req.nothing_more(f"at {rest[0].text}", rest[1:]) or req.command(
            "at", at_time=at_time)
    return req.error(f"{_quote(first.text)} isn't a /remind option.")


# --- help (as a word to the bot, or /help) ---------------------------------------------------


def _parse_help(req: _Request) -> Command | ParseError:
    if not req.args:
        return req.command(ALL_VERBS)
    topic = req.args[0]
    if topic.keyword == ALL_VERBS:
        scope: str | None = ALL_VERBS
    else:
        named = _verb_name(topic.word)
        scope = ALL_VERBS if named == "help" else named
    if scope is None:
        return req.error(
            f"There is no command called {_quote(topic.text)}. Ask for help with caseload, "
            "protected, actions, supervision, staffing or remind."
        )
    return req.nothing_more(topic.word, req.args[1:]) or req.command(scope)


_PARSERS: dict[str, Callable[[_Request], Command | ParseError]] = {
    "caseload": _parse_caseload,
    "protected": _parse_protected,
    "actions": _parse_actions,
    "supervision": _parse_supervision,
    "staffing": _parse_staffing,
    "remind": _parse_remind,
    "help": _parse_help,
}


# --- The door --------------------------------------------------------------------------------


def _general_error(message: str, verb: str | None = None) -> ParseError:
    return ParseError(message=message, usage=usage(verb or ALL_VERBS), verb=verb)


def _unknown_verb_message(word: str) -> str:
    return (
        f"I don't know the command {_quote(word)}. The commands are /caseload, /protected, "
        "/actions, /supervision, /staffing and /remind (or help)."
    )


def _verb_at_start(text: str) -> str | None:
    """The verb of an over-long message, so its error can show that verb's forms."""
    opening = _tokens(_strip_bot_mention(_clean(text[:VERB_PEEK_CHARS])))
    return _verb_name(opening[0].word) if opening else None


def _not_a_command(message: str, tokens: Sequence[_Token], raw: str) -> Command | ParseError:
    """The first word is no command: a mistyped one ("caseloda" → did you mean /caseload?),
    else a plain question read as the command it means, else the help — never a guess."""
    first = tokens[0]
    if verb := nearest(first.word, VERBS):
        suggestion = _collapse(f"/{verb} {_words(tokens[1:])}")
        return ParseError(
            message=f"I don't know the command {_quote(first.text)}. Did you mean {suggestion}?",
            usage=suggestion, verb=verb,
        )
    reading = read_question(_plain(message))
    if reading is not None:
        understood = parse(reading)
        if isinstance(understood, Command):
            return replace(understood, raw=raw, read_as=reading)
    if looks_like_a_question(_plain(message)):
        return _general_error(
            f"I couldn't read {_quote(_plain(message))} as a question I can answer, so here is "
            "what I can answer."
        )
    return _general_error(_unknown_verb_message(first.text))


def parse(text: str, verb: str | None = None) -> Command | ParseError:
    """Read one command. `verb` is the slash command when the platform gives it separately
    (Slack); otherwise the verb is the first word of `text` (Teams, the console)."""
    if not isinstance(text, str):
        return _general_error("I can only read commands written as text.")
    named_verb: str | None = None
    if verb is not None:
        named_verb = _verb_name(verb) if isinstance(verb, str) else None
        if named_verb is None:
            return _general_error(_unknown_verb_message(str(verb)))
    if len(text) > MAX_INPUT_CHARS:
        return _general_error(
            f"That command is {len(text):,} characters long; I read at most "
            f"{MAX_INPUT_CHARS:,}. Please shorten it.",
            named_verb or _verb_at_start(text),
        )
    message = _clean(text)
    if named_verb is None:
        message = _strip_bot_mention(message)
    tokens = _tokens(message)
    if named_verb is None:
        if not tokens:
            return _general_error("There is no command in that message.")
        named_verb = _verb_name(tokens[0].word)
        if named_verb is None:
            return _not_a_command(message, tokens, text)
        tokens = tokens[1:]
    request = _Request(verb=named_verb, args=tokens, message=message, raw=text)
    return _PARSERS[named_verb](request)
