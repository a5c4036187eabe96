"""caseload bot: the one entry point (serve, ask, import, digest, db, audit, demo)."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import typer

from config import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
db_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Database migrations.")
app.add_typer(db_app, name="db")
audit_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="The tamper-evident audit log.")
app.add_typer(audit_app, name="audit")
export_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Export figures.")
app.add_typer(export_app, name="export")
report_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="Reports for the scrutiny committee.")
app.add_typer(report_app, name="report")


def parse_day(value: str | None) -> date:
    """--date takes ISO or UK dates, like the importers; default today."""
    if not value:
        return date.today()
    from importers.cells import parse_date

    parsed = parse_date(value)
    if isinstance(parsed, str):
        raise typer.BadParameter(f"'{value}' {parsed}")
    return parsed


def migrated_engine():  # type: ignore[no-untyped-def]
    """The configured store, migrated to head (as the owner, MIGRATION_DATABASE_URL): a fresh
    install works without a separate step."""
    from models.migrate import upgrade_store
    from models.store import get_engine

    upgrade_store(get_settings())
    return get_engine()


def write_requested_report(request) -> Path:  # type: ignore[no-untyped-def]
    """`staffing report` asked at the console or with `ask`: the PDF into the current folder."""
    from jobs.report_delivery import report_filename, report_pdf

    scope, pdf = report_pdf(migrated_engine(), get_settings(), service_id=request.service_id,
                            as_of=request.as_of, today=request.as_of, months=request.months)
    path = Path(report_filename(scope, request.as_of))
    path.write_bytes(pdf)
    return path


@app.command()
def ask(
    text: str = typer.Argument(..., help='The command, e.g. "/caseload team Assessment North"'),
    as_: str = typer.Option(..., "--as", help="Staff id or e-mail of the person asking"),
    on: str = typer.Option(None, "--date", help="Answer as of this date (default today)"),
) -> None:
    """Answer one command as plain text, exactly as the chat front ends would."""
    from queries.access import Identity
    from queries.answer import ask as ask_query
    from render.text import render_text

    outcome = ask_query(migrated_engine(), Identity("cli", staff_id=as_), text,
                        today=parse_day(on), settings=get_settings())
    typer.echo(render_text(outcome.answer))
    from queries.results import unwrapped

    if type(unwrapped(outcome.answer)).__name__ == "ReportRequested":  # a file here
        typer.echo(f"Written to {write_requested_report(unwrapped(outcome.answer))}")
    if type(unwrapped(outcome.answer)).__name__ in {"Refusal", "Invalid", "Unavailable"}:
        raise typer.Exit(1)


@app.command("import")
def import_(
    kind: str = typer.Argument(
        ..., help="teams, staff, cases, supervisions, actions, annex-a or census; or a FOLDER"),
    file: Path = typer.Argument(None, exists=True, dir_okay=False,
                                help="CSV or XLSX (annex-a: the .xlsx; census: the XML or CSV)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report only"),
    report_file: Path = typer.Option(
        None, "--report", dir_okay=False,
        help="Write every problem to this CSV file (row, column, value, why); the screen shows "
             "the first IMPORT_PROBLEMS_SHOWN"),
) -> None:
    """Load a CSV/XLSX extract, an Annex A workbook or a census return: all or nothing.
    `import FOLDER` loads every file of an extract folder in one transaction.

    The file is streamed, so its size does not matter; the screen shows the first problems and
    the total, since a junk file can have millions (`--report FILE` has every one)."""
    from contextlib import ExitStack

    from importers import KINDS, import_file
    from importers.report import ProblemLog
    from importers.runs import cli_actor, closed_rows, record_run
    from models.store import session_scope

    if file is None:
        if not Path(kind).is_dir():
            typer.echo(f"'{kind}' is not a folder. Use `import FOLDER` or `import KIND FILE`.",
                       err=True)
            raise typer.Exit(2)
        from importers.folder import import_folder

        folder_report = import_folder(migrated_engine(), Path(kind), dry_run=dry_run,
                                      today=date.today(), actor=cli_actor())
        typer.echo(folder_report.summary())
        if not folder_report.ok:
            raise typer.Exit(1)
        if not dry_run:
            alert_after_import(migrated_engine())
        return
    returns = ("annex-a", "census")  # the standard returns: their own readers
    if kind not in KINDS and kind not in returns:
        typer.echo(f"Unknown import kind '{kind}'. Use one of: {', '.join(KINDS + returns)}.",
                   err=True)
        raise typer.Exit(2)
    settings = get_settings()
    engine = migrated_engine()
    with ExitStack() as stack:
        handle = (stack.enter_context(report_file.open("w", newline="", encoding="utf-8"))
                  if report_file is not None else None)
        problems = ProblemLog.from_settings(settings, report=handle)
        with session_scope(engine) as session:
            closed_before = closed_rows(session.connection(), kind)
            if kind == "annex-a":
                from importers.annex_a import import_annex_a
                report = import_annex_a(session, file, dry_run=dry_run, today=date.today(),
                                        problems=problems)
            elif kind == "census":
                from importers.census import import_census
                report = import_census(session, file, dry_run=dry_run, today=date.today(),
                                       problems=problems)
            else:
                report = import_file(session, kind, file, dry_run=dry_run, today=date.today(),
                                     problems=problems, settings=settings)
            record_run(session, report, actor=cli_actor(),
                       closed=closed_rows(session.connection(), kind) - closed_before)
    for line in report.lines(str(report_file) if report_file is not None else None):
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)
    if not dry_run:
        alert_after_import(engine)


def alert_after_import(engine) -> None:  # type: ignore[no-untyped-def]
    """Breach alerts for what the import changed (jobs.alerts). The import has committed: an
    alert that cannot be sent is reported, never turned into a failed import."""
    from config import local_today
    from jobs.alerts import alerts_after_load

    settings = get_settings()
    run = alerts_after_load(engine, settings, local_today(settings))
    if run is None:
        typer.echo("The import is done, but breach alerts could not be checked (see the log); "
                   "they will be on the next import.", err=True)
        return
    typer.echo(run.summary())


@export_app.command("census-summary")
def export_census_summary(
    on: str = typer.Option(None, "--date", help="The figures' date (default today)"),
) -> None:
    """Staffing figures by the workforce census definitions, beside England's."""
    from exporters.census_summary import census_summary, render_census_summary
    from models.store import session_scope

    with session_scope(migrated_engine()) as session:
        summary = census_summary(session, as_of=parse_day(on), settings=get_settings())
    typer.echo(render_census_summary(summary))


@report_app.command("performance")
def report_performance(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="FILE.pdf or FILE.html"),
    months: int = typer.Option(None, "--months", min=1, max=60,
                               help="Month ends to show (default REPORT_MONTHS, 12)"),
    service: str = typer.Option(None, "--service", help="One service (default: all services)"),
    on: str = typer.Option(None, "--date", help="The report's date (default today)"),
) -> None:
    """The performance report (SPEC section 11): a summary page, then a page per figure."""
    from config import local_today
    from reports.cli import ReportRefused, write_performance_report

    settings = get_settings()
    today = local_today(settings)
    try:
        report = write_performance_report(
            migrated_engine(), settings, out=out, as_of=parse_day(on) if on else today,
            today=today, months=months, service_name=service)
    except (ReportRefused, ValueError) as refused:
        typer.echo(f"No report: {refused}.", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Performance report for {report.scope}, {report.months} month ends to "
               f"{report.as_of.isoformat()}: {out}")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Run Alembic migrations to head (or the given revision), as MIGRATION_DATABASE_URL."""
    from models.migrate import upgrade_store

    upgrade_store(get_settings(), revision)
    typer.echo(f"Database at {revision}.")


@db_app.command("grant")
def db_grant(
    role: str = typer.Argument(..., help="The PostgreSQL role the bot connects as"),
    apply: bool = typer.Option(False, "--apply",
                               help="Run the grants (as MIGRATION_DATABASE_URL) instead of "
                                    "printing them"),
    schema: str = typer.Option("public", "--schema", help="The schema holding the tables"),
) -> None:
    """Print (or --apply) the grants for a least-privilege bot role: it may read and append the
    audit log, never change it, and owns nothing, so it cannot switch the triggers off."""
    from models.grants import apply_grants, database_name, grant_statements

    settings = get_settings()
    if not settings.migration_url.startswith("postgresql"):
        typer.echo("db grant is for PostgreSQL: SQLite has no roles (protect the file instead).",
                   err=True)
        raise typer.Exit(2)
    try:
        if apply:
            from models.store import engine_for

            upgrade_engine = engine_for(settings.migration_url)
            statements = apply_grants(upgrade_engine, role, schema)
        else:
            statements = grant_statements(role, database_name(settings.migration_url), schema)
    except (LookupError, ValueError) as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(2) from None
    for statement in statements:
        typer.echo(statement + ";")
    if apply:
        typer.echo(f"Granted to {role}.")


@audit_app.command("verify")
def audit_verify(
    expect: str = typer.Option(None, "--expect", metavar="SEQ:HASH",
                               help="An entry's number and hash noted earlier outside the "
                                    "database: it must still be there, unchanged"),
) -> None:
    """Walk the audit log's hash chain: exit 0 with the count when sound, 1 naming the first
    edited, deleted or inserted entry otherwise."""
    from models.audit_verify import verify_chain

    recorded = None
    if expect:
        seq, _, digest = expect.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise typer.BadParameter("use SEQ:HASH, e.g. 1234:<the 64-character hash>",
                                     param_hint="--expect")
        recorded = (int(seq), digest.lower())
    verdict = verify_chain(migrated_engine(), recorded)
    typer.echo(verdict.summary(), err=not verdict.sound)
    if not verdict.sound:
        raise typer.Exit(1)


@app.command()
def demo(
    as_: str = typer.Option(None, "--as", help="Start as this demo user (staff id or e-mail)"),
    on: str = typer.Option(None, "--date", help="Pretend today is this date"),
) -> None:
    """The local demo: seed a synthetic council into the store if empty, then open a console."""
    from demo.console import run_console
    from demo.redate import redate_if_older
    from demo.seed import seed_if_empty

    engine = migrated_engine()
    today = parse_day(on)
    done = seed_if_empty(engine, today) or redate_if_older(engine, today)
    if done:
        typer.echo(done)
    run_console(engine, today, get_settings(), start_as=as_)


@app.command()
def run() -> None:
    """`make run`: serve the chat front ends when credentials are configured, else the demo."""
    settings = get_settings()
    if settings.slack_enabled or settings.teams_enabled:
        serve(no_scheduler=False, port=None)
    else:
        typer.echo("No Slack or Teams credentials configured: starting the local demo.")
        demo(as_=None, on=None)


@app.command()
def serve(
    no_scheduler: bool = typer.Option(False, "--no-scheduler",
                                      help="Do not run the digest scheduler (extra web replicas)"),
    port: int = typer.Option(None, "--port", help="HTTP port (default PORT, 3000)"),
) -> None:
    """Serve Slack (Socket Mode or HTTP /slack/events) and Teams (/api/messages)."""
    from config import ChatSettingsError
    from handlers.server import serve as serve_app
    from handlers.slack.app import SlackTokenRefused
    from handlers.slack.workspace import WorkspaceMismatch

    logging.getLogger().setLevel(logging.INFO)  # a server's log says what it is doing
    try:
        serve_app(get_settings(), run_scheduler=not no_scheduler, port=port)
    except (ChatSettingsError, SlackTokenRefused, WorkspaceMismatch) as misconfigured:
        typer.echo(f"Not started: {misconfigured}", err=True)  # names the setting, never a value
        raise typer.Exit(2) from None


@app.command()
def digest(
    kind: str = typer.Argument(..., help="staffing, supervision or actions"),
    on: str = typer.Option(None, "--date", help="The digest's date (default today)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the digest; post nothing"),
) -> None:
    """Build a weekly digest for every service, and post it unless --dry-run."""
    from jobs.cli import run_digest_command

    raise typer.Exit(run_digest_command(kind, parse_day(on), dry_run, get_settings()))


@app.command()
def remind(
    on: str = typer.Option(None, "--date", help="The reminders' day (default today)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print each message; send nothing"),
) -> None:
    """Run the daily reminders by hand: each person due gets theirs once (as the scheduler)."""
    from config import local_today
    from jobs.remind_cli import run_remind_command

    settings = get_settings()
    day = parse_day(on) if on else local_today(settings)
    raise typer.Exit(run_remind_command(day, dry_run, settings))


def main() -> None:
    """Warnings only by default, so the console and one-shot commands keep the screen clean;
    `serve` turns on INFO for itself."""
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app()


if __name__ == "__main__":
    sys.exit(main())
