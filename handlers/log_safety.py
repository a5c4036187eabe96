"""Never logged (SPEC section 8): tokens, request bodies, response_url, a chat message's text.

Our own code logs only kinds of fault (`type(error).__name__`), never a request. The chat
libraries are another matter: Bolt logs the whole body of a request with a bad signature (the
user id, the command text, the response_url) at INFO; slack_sdk's retry handlers log the
response_url (a capability URL: whoever has it may answer as the bot) at INFO; at DEBUG slack_sdk,
httpx and the Agents SDK print bodies, headers and bearer tokens. Holding those loggers at INFO is
not enough, because anyone may set a library's level.

So every log record is scrubbed as it is made, through the log record factory: the one place
every record passes, whatever its logger, its level or the handlers attached (a logging.Filter
on a logger misses its children; on a handler, handlers added later). For the loggers that see
requests:

- anything below INFO is withheld: the message is replaced by a note saying so;
- above it, URLs keep only their origin, and everything after a `body:`/`params:`/`payload:`
  label, and pydantic's `input_value=…`, is withheld.

For every record, ours included (its exception text too), Slack tokens, bearer credentials and
Slack webhook/response URLs are withheld. (SQL parameters, which may hold a command's text, are
already hidden by the store's engine: `hide_parameters`.)
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

#: Loggers that see requests, answers or credentials, and the lowest level each may log at.
REQUEST_SEEING_LOGGERS: dict[str, int] = {
    "slack_bolt": logging.INFO,
    "slack_sdk": logging.INFO,
    "slack": logging.INFO,
    "caseload-bot": logging.INFO,  # Bolt's per-listener loggers are named after the app
    "httpx": logging.INFO,
    "httpcore": logging.INFO,
    "urllib3": logging.INFO,
    "aiohttp": logging.INFO,
    "msal": logging.INFO,
    "microsoft_agents": logging.INFO,
}
#: Loggers whose formatter reads the record's arguments: uvicorn's access log unpacks five of
#: them (client, method, path, HTTP version, status). Their arguments are scrubbed one by one and
#: kept, and a path loses its query string; formatting them into the message instead made every
#: access line a "--- Logging error ---" traceback.
ARGUMENTS_READ_BY_FORMATTER = ("uvicorn.access",)
WITHHELD = "[withheld]"
WITHHELD_RECORD = ("[withheld: %s logs below %s may hold tokens, request bodies, response URLs "
                   "or chat text]")

SLACK_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
SLACK_HOOK_URL = re.compile(r"https?://hooks\.slack(?:-gov)?\.com/[^\s'\")>]*")
ANY_URL = re.compile(r"\b((?:https?|wss?)://[^/\s'\")>]+)/[^\s'\")>]*")
BODY_TAIL = re.compile(r"(?is)\b(body|params|payload|data|message|headers)(\s*[:=]\s*).*")
PYDANTIC_INPUT = re.compile(r"input_value=.*?(?=, input_type=|$)", re.MULTILINE)


def logger_floor(name: str) -> int | None:
    """The floor of the request-seeing logger `name` belongs to, or None for any other logger."""
    for prefix, floor in REQUEST_SEEING_LOGGERS.items():
        if name == prefix or name.startswith(prefix + ".") or name.startswith(prefix + ":"):
            return floor
    return None


def scrub(text: str, *, library: bool) -> str:
    """`text` without tokens and capability URLs; for a library's record, also
    without URL paths and without anything after a body-like label."""
    text = SLACK_TOKEN.sub(WITHHELD, text)
    text = BEARER.sub(lambda match: f"{match.group(1)} {WITHHELD}", text)
    text = SLACK_HOOK_URL.sub(f"https://hooks.slack.com/{WITHHELD}", text)
    if library:
        text = ANY_URL.sub(lambda match: f"{match.group(1)}/{WITHHELD}", text)
        text = PYDANTIC_INPUT.sub(f"input_value={WITHHELD}", text)
        text = BODY_TAIL.sub(lambda match: f"{match.group(1)}{match.group(2)}{WITHHELD}", text)
    return text


def without_query(text: str) -> str:
    """A request path without its query string (which could carry anything)."""
    path, mark, _query = text.partition("?")
    return f"{path}?{WITHHELD}" if mark else text


def scrub_record(record: logging.LogRecord) -> None:
    """Make `record` safe in place: its message (and exception text) already formatted, scrubbed."""
    floor = logger_floor(record.name)
    if floor is not None and record.levelno < floor:
        record.msg = WITHHELD_RECORD % (record.name, logging.getLevelName(floor))
        record.args = ()
        record.exc_info = record.exc_text = record.stack_info = None
        return
    if record.name in ARGUMENTS_READ_BY_FORMATTER and isinstance(record.args, tuple):
        record.msg = scrub(str(record.msg), library=False)
        record.args = tuple(scrub(without_query(arg), library=False) if isinstance(arg, str)
                            else arg for arg in record.args)
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it later; show nothing of it
        message = WITHHELD
    record.msg = scrub(message, library=floor is not None)
    record.args = ()
    if record.exc_info and record.exc_info[0] is not None:
        formatted = logging.Formatter().formatException(record.exc_info)
        record.exc_text = scrub(formatted, library=floor is not None)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info, library=floor is not None)


_installed = threading.Lock()
_factory_installed = False


def install_log_scrubbing() -> None:
    """Put the scrubbing in front of the process's log record factory (once)."""
    global _factory_installed
    with _installed:
        if _factory_installed:
            return
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            scrub_record(record)
            return record

        logging.setLogRecordFactory(scrubbed_record)
        _factory_installed = True


def keep_secrets_out_of_logs() -> None:
    """Scrub every record, and hold the request-seeing loggers at their floor where their
    effective level is lower (so their debug output is not even produced, let alone withheld)."""
    install_log_scrubbing()
    for name, floor in REQUEST_SEEING_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor:
            logger.setLevel(floor)


__all__ = ["install_log_scrubbing", "keep_secrets_out_of_logs", "scrub", "scrub_record"]
