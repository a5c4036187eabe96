"""The nightly ingest: load IMPORT_DIR at IMPORT_CRON, file it away, and tell every admin.

Without it a council's data goes stale the day after set-up, because loading needs a person at a
terminal. The council's systems drop their extract files into IMPORT_DIR; at IMPORT_CRON (every
day 06:00 Europe/London by default) the scheduler process:

1. hashes the folder's files (names and contents). A folder whose hash is the last load's is not
   loaded again (import_run keeps each load's `folder_hash`);
2. loads it exactly as `python bot.py import DIR` does (importers/folder.py: one transaction, all
   or nothing), recorded as actor `job:ingest`;
3. moves the files to `done/YYYY-MM-DD/` or `failed/YYYY-MM-DD/` under IMPORT_DIR (the load's
   local date), so the folder is empty for the next extract;
4. sends every admin in post a direct message, in Slack and/or Teams (wherever they have a chat
   user id and the platform is configured): rows created, updated and closed per kind, or every
   problem with its file and row.

Exactly once: each DM is claimed in the Delivery table (jobs.delivery) under the key
("ingest", the admin's service, the load's date and hash, the destination) before it is sent. If
the process stops after the load but before the files are moved or the DMs sent, the next run
finds the same hash already loaded: it moves the files and sends what is unsent (from the
import_run record, since the full problem list went with the stopped process), never twice.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from importers.folder import FolderReport, import_folder
from jobs.alerts import AlertRun, alerts_after_load
from jobs.delivery import (
    DeliveryKey, DeliveryOutcome, claim, mark_failed, mark_sent, safe_error, utc_now,
)
from jobs.schedule import parse_digest_cron
from models import ImportRun, Staff
from queries.caseload import in_post_on

log = logging.getLogger(__name__)

ACTOR = "job:ingest"
JOB_ID = "import-folder"
JOB_REF = "jobs.ingest:run_scheduled_ingest"
DIGEST = "ingest"  # the Delivery record's kind for ingest DMs
#: Chat messages are cut at this many characters (Slack's limit is 40,000), with the rest counted.
MAX_MESSAGE_CHARS = 35_000


@dataclass(frozen=True)
class Load:
    """One folder load as recorded: when, whether refused, and the rows per kind."""

    at: datetime
    folder_hash: str
    refused: bool
    runs: tuple[ImportRun, ...]


@dataclass
class IngestOutcome:
    status: str  # "empty", "loaded", "refused", "already loaded"
    moved_to: Path | None = None
    report: FolderReport | None = None
    notices: list[DeliveryOutcome] = field(default_factory=list)


def ingest_trigger(settings: Settings) -> Any:
    return parse_digest_cron(settings.import_cron, ZoneInfo(settings.bot_timezone),
                             setting="IMPORT_CRON")


def waiting_files(folder: Path) -> list[Path]:
    """The files dropped into the folder (not `done/`, `failed/` or hidden files)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir()
                  if path.is_file() and not path.name.startswith("."))


def content_hash(files: list[Path]) -> str:
    """What the folder holds, as one SHA-256 over each file's name and bytes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def recorded_load(engine: Engine, folder_hash: str) -> Load | None:
    """The latest load of a folder with this content, if there was one."""
    with Session(engine, expire_on_commit=False) as session:
        latest = session.exec(select(ImportRun).where(ImportRun.folder_hash == folder_hash)
                              .order_by(ImportRun.at.desc())).first()  # type: ignore[attr-defined]
        if latest is None:
            return None
        runs = session.exec(select(ImportRun).where(ImportRun.folder_hash == folder_hash,
                                                    ImportRun.at == latest.at)
                            .order_by(ImportRun.id)).all()
    return Load(latest.at, folder_hash, any(run.refused for run in runs), tuple(runs))


def move_files(files: list[Path], folder: Path, outcome: str, day: date) -> Path:
    """Move the loaded files to `done/DAY/` or `failed/DAY/`; never over an earlier file."""
    target = folder / outcome / day.isoformat()
    target.mkdir(parents=True, exist_ok=True)
    for path in files:
        destination = target / path.name
        number = 1
        while destination.exists():
            number += 1
            destination = target / f"{path.stem}-{number}{path.suffix}"
        shutil.move(str(path), str(destination))
    return target


def _when(at: datetime, settings: Settings) -> str:
    return at.astimezone(ZoneInfo(settings.bot_timezone)).strftime("%H:%M on %a %d %b %Y")


def message_for(report: FolderReport, load: Load, moved_to: Path, settings: Settings) -> str:
    """The admins' DM for a load this process made: counts per kind, or every problem."""
    where = f"Files moved to {moved_to}."
    if report.ok:
        lines = [f"Nightly import at {_when(load.at, settings)}: loaded. {where}",
                 *(f"• {line}" for line in report.counts())]
    else:
        problems = report.every_problem()
        lines = [f"Nightly import at {_when(load.at, settings)}: refused, nothing was saved "
                 f"({len(problems)} problem{'' if len(problems) == 1 else 's'}). {where} Fix "
                 "the files and put them back in the import folder.",
                 *(f"• {problem}" for problem in problems)]
    return _clipped(lines)


def message_from_record(load: Load, moved_to: Path, settings: Settings) -> str:
    """The DM rebuilt from import_run, for a load whose process stopped before sending it."""
    head = (f"Nightly import at {_when(load.at, settings)}: "
            + ("refused, nothing was saved." if load.refused else "loaded.")
            + f" Files moved to {moved_to}.")
    if load.refused:
        lines = [head, *(f"• {run.source or run.kind}: {run.problems} problem(s)"
                         for run in load.runs if run.problems),
                 f"Run `python bot.py import {moved_to} --dry-run` to see each one."]
    else:
        lines = [head, *(f"• {run.kind} ({run.source}): {run.created} created, {run.updated} "
                         f"updated, {run.closed} closed" for run in load.runs)]
    return _clipped(lines)


def _clipped(lines: list[str]) -> str:
    text, kept = "", 0
    for line in lines:
        if len(text) + len(line) + 1 > MAX_MESSAGE_CHARS:
            return text + f"\n… and {len(lines) - kept} more lines"
        text, kept = (text + "\n" + line if text else line), kept + 1
    return text


def configured_platforms(settings: Settings) -> tuple[str, ...]:
    """The chat platforms the bot can speak first on: Slack with a bot token, Teams with
    credentials (the anonymous local Teams mode has no admins to tell)."""
    return (("slack",) if settings.slack_bot_token else ()) + \
        (("teams",) if settings.teams_enabled else ())


def admin_destinations(engine: Engine, platforms: tuple[str, ...], today: date
                       ) -> list[tuple[int, str]]:
    """(service id, destination) for every admin in post, on each of the platforms."""
    from jobs.slack_poster import DM as SLACK_DM

    teams_dm = "teams-dm:"
    with Session(engine) as session:
        admins = session.exec(select(Staff).where(Staff.role == "admin", in_post_on(today))
                              .order_by(Staff.staff_id)).all()
    found: list[tuple[int, str]] = []
    for admin in admins:
        if admin.service_id is None:
            log.warning("admin %s is in no service: no import DM", admin.staff_id)
            continue
        if "slack" in platforms and admin.slack_user_id:
            found.append((admin.service_id, f"{SLACK_DM}{admin.slack_user_id}"))
        if "teams" in platforms and admin.teams_user_id:
            found.append((admin.service_id, f"{teams_dm}{admin.teams_user_id}"))
        if not (admin.slack_user_id or admin.teams_user_id):
            log.info("admin %s has no chat user id: no import DM", admin.staff_id)
    return found


def send_dm(settings: Settings, engine: Engine, destination: str, text: str) -> str:
    """Send one direct message; a reference to it."""
    if destination.startswith("teams-dm:"):
        from handlers.teams.proactive import post_to_teams

        return post_to_teams(settings, engine, destination, text)
    from jobs.slack_poster import DM as SLACK_DM, slack_client

    client = slack_client(settings)
    channel = client.conversations_open(users=destination.removeprefix(SLACK_DM))["channel"]["id"]
    response = client.chat_postMessage(channel=channel, text=text, unfurl_links=False,
                                       unfurl_media=False)
    return f"{response['channel']}:{response['ts']}"


def notify_admins(engine: Engine, settings: Settings, load: Load, text: str, today: date,
                  platforms: tuple[str, ...] | None = None) -> list[DeliveryOutcome]:
    """DM every admin the load's result, each at most once (claimed in the Delivery table),
    on `platforms` (default: those configured)."""
    period = f"{load.at:%y%m%d}-{load.folder_hash[:12]}"
    outcomes = []
    platforms = configured_platforms(settings) if platforms is None else platforms
    for service_id, destination in admin_destinations(engine, platforms, today):
        held = claim(engine, DeliveryKey(DIGEST, service_id, period, destination),
                     now=utc_now(), late=False)
        if held is None:
            outcomes.append(DeliveryOutcome(destination, "already sent"))
            continue
        try:
            reference = send_dm(settings, engine, destination, text)
        except Exception as failure:  # noqa: BLE001 - recorded; the load itself stands
            error = safe_error(failure)
            mark_failed(engine, held, error=error, message_ref=None)
            log.warning("import result DM to %s failed: %s", destination, error)
            outcomes.append(DeliveryOutcome(destination, "failed", error=error))
            continue
        mark_sent(engine, held, now=utc_now(), message_ref=reference)
        outcomes.append(DeliveryOutcome(destination, "sent", attempt=held.attempt))
    return outcomes


def ingest(engine: Engine, settings: Settings, *, now: datetime | None = None) -> IngestOutcome:
    """One run of the nightly job (module docstring)."""
    now = now or datetime.now(timezone.utc)
    zone = ZoneInfo(settings.bot_timezone)
    today = now.astimezone(zone).date()
    folder = Path(settings.import_dir)
    files = waiting_files(folder)
    if not files:
        return IngestOutcome("empty")
    folder_hash = content_hash(files)
    load = recorded_load(engine, folder_hash)
    if load is not None:  # loaded before: finish filing it and telling the admins
        day = load.at.astimezone(zone).date()
        moved_to = move_files(files, folder, "failed" if load.refused else "done", day)
        log.info("import folder unchanged since its load at %s: files moved to %s", load.at,
                 moved_to)
        notices = notify_admins(engine, settings, load,
                                message_from_record(load, moved_to, settings), today)
        if not load.refused:  # a run that died before its alerts: episodes make this once
            log_alerts(alerts_after_load(engine, settings, today))
        return IngestOutcome("already loaded", moved_to, None, notices)

    report = import_folder(engine, folder, today=today, actor=ACTOR, folder_hash=folder_hash)
    load = recorded_load(engine, folder_hash) or Load(now, folder_hash, not report.ok, ())
    moved_to = move_files(files, folder, "done" if report.ok else "failed",
                          load.at.astimezone(zone).date())
    log.info("nightly import of %s: %s; files moved to %s", folder,
             "loaded" if report.ok else f"refused ({len(report.every_problem())} problems)",
             moved_to)
    notices = notify_admins(engine, settings, load, message_for(report, load, moved_to, settings),
                            today)
    if report.ok:
        log_alerts(alerts_after_load(engine, settings, today))
    return IngestOutcome("loaded" if report.ok else "refused", moved_to, report, notices)


def log_alerts(run: AlertRun | None) -> None:
    if run is not None:
        log.info("after the nightly import: %s", run.summary())


def run_scheduled_ingest() -> None:
    """The nightly job (referenced by name from the job store)."""
    from jobs.scheduler import runtime

    settings, engine = runtime()
    outcome = ingest(engine, settings)
    if any(notice.failed for notice in outcome.notices):
        log.warning("some import result DMs failed; they are recorded in the delivery table")


def misfire_grace(settings: Settings) -> timedelta:
    """A run missed while the bot was down still runs when it is back, within the digest grace."""
    return timedelta(hours=settings.digest_misfire_grace_hours)


__all__ = ["ACTOR", "JOB_ID", "JOB_REF", "IngestOutcome", "content_hash", "ingest",
           "ingest_trigger", "run_scheduled_ingest"]
