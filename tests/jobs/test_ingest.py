"""The nightly ingest for real: an APScheduler job on the SQLAlchemy job store, a real folder,
and the recording Slack Web API; the admins' DMs go once per load, restarts included."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import Session, select

import jobs.scheduler as scheduler_module
from jobs.ingest import JOB_ID, JOB_REF, ingest, ingest_trigger
from jobs.scheduler import JOB_TABLE, start_scheduler
from models import Delivery, ImportRun, Staff
from importers.folder import import_folder
from tests.builders import ADMIN, CASES, extract_folder
from tests.jobs.test_scheduler import LONDON, daily_at, schedulers, wait_until  # noqa: F401


def leave_ingest_due(engine, settings, next_run_time: datetime) -> None:  # type: ignore[no-untyped-def]
    """The nightly job as a stopped process leaves it in the store, due at `next_run_time`."""
    owner = BackgroundScheduler(timezone=LONDON)
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    store.start(owner, "default")
    store.remove_all_jobs()
    store.add_job(Job(owner, id=JOB_ID, func=JOB_REF, args=(), kwargs={},
                      trigger=ingest_trigger(settings), executor="default",
                      name="nightly import", misfire_grace_time=12 * 3600, coalesce=True,
                      max_instances=1, next_run_time=next_run_time))


@pytest.fixture
def ingest_settings(slack_settings, tmp_path):  # type: ignore[no-untyped-def]
    now = datetime.now(LONDON)
    return replace(slack_settings, import_dir=str(tmp_path / "inbox"),
                   import_cron=daily_at(now), digest_cron="sun 03:00")


def dms(slack) -> list[str]:  # type: ignore[no-untyped-def]
    return [call.body["text"] for call in slack.calls_to("chat.postMessage")]


def test_the_nightly_job_loads_files_them_and_dms_each_admin_once_across_a_restart(
    engine, slack, ingest_settings, schedulers  # noqa: F811
) -> None:
    inbox = extract_folder(Path(ingest_settings.import_dir))
    kept = Path(ingest_settings.import_dir).parent / "kept"
    shutil.copytree(inbox, kept)
    leave_ingest_due(engine, ingest_settings, datetime.now(LONDON) + timedelta(seconds=1))

    running = start_scheduler(ingest_settings, engine)
    schedulers.append(running)
    slack.wait_for("chat.postMessage", count=1, timeout=30)
    running.shutdown(wait=True)
    today = datetime.now(LONDON).date().isoformat()
    assert sorted(p.name for p in (inbox / "done" / today).iterdir()) == sorted(
        p.name for p in kept.iterdir())
    assert [p.name for p in inbox.iterdir()] == ["done"]
    [text] = dms(slack)
    assert "loaded" in text and "• staff (Staff.xlsx): 7 created, 0 updated, 0 closed" in text
    assert slack.calls_to("conversations.open")[0].body["users"] == "UADMIN1"

    # The process restarts with the same extract back in the folder (as if it had stopped
    # before filing it): the job runs again, files it, and the admin hears nothing more.
    for path in kept.iterdir():
        shutil.copy(path, inbox / path.name)
    leave_ingest_due(engine, ingest_settings, datetime.now(LONDON) + timedelta(seconds=1))
    running = start_scheduler(ingest_settings, engine)
    schedulers.append(running)
    wait_until(lambda: [p.name for p in inbox.iterdir()] == ["done"], timeout=30)
    running.shutdown(wait=True)
    assert len(dms(slack)) == 1
    with Session(engine) as session:
        deliveries = session.exec(select(Delivery)).all()
        assert [(d.digest, d.destination, d.status, d.attempts) for d in deliveries] == [
            ("ingest", "slack-dm:UADMIN1", "sent", 1)]
        assert {run.actor for run in session.exec(select(ImportRun))} == {"job:ingest"}


def test_a_refused_folder_goes_to_failed_and_the_dm_lists_every_problem(
    engine, slack, ingest_settings
) -> None:
    inbox = Path(ingest_settings.import_dir)
    assert ingest(engine, ingest_settings).status == "empty"
    import_folder(engine, extract_folder(inbox.parent / "first"), today=date.today())
    extract_folder(inbox, cases=[*CASES, dict(CASES[0], case_ref="CR-7", team="Nowhere")],
                   staff=[dict(ADMIN, name="Ada Dunn-Smith")])
    outcome = ingest(engine, ingest_settings)
    assert outcome.status == "refused" and outcome.moved_to is not None
    assert outcome.moved_to.parent == inbox / "failed"
    [text] = dms(slack)  # to the admin already in the store
    assert "refused, nothing was saved (1 problem)" in text
    assert "• cases_2026-03-02.csv: row 6, column team, value 'Nowhere'" in text
    with Session(engine) as session:  # the staff file's change was undone with the rest
        assert session.exec(select(Staff.name).where(Staff.staff_id == "AD1")).one() == "Ada Dunn"

    assert ingest(engine, ingest_settings).status == "empty"  # nothing new: nothing done
    assert len(dms(slack)) == 1


def test_an_unchanged_folder_is_not_loaded_again(engine, slack, ingest_settings) -> None:
    inbox = extract_folder(Path(ingest_settings.import_dir))
    copy = Path(ingest_settings.import_dir).parent / "copy"
    shutil.copytree(inbox, copy, ignore=shutil.ignore_patterns("done", "failed"))
    assert ingest(engine, ingest_settings).status == "loaded"
    for path in copy.iterdir():
        shutil.copy(path, inbox / path.name)
    assert ingest(engine, ingest_settings).status == "already loaded"
    with Session(engine) as session:
        assert len(session.exec(select(ImportRun)).all()) == 5
    assert len(dms(slack)) == 1


def test_no_import_dir_no_nightly_job(engine, slack_settings, schedulers) -> None:  # noqa: F811
    running = start_scheduler(slack_settings, engine)
    schedulers.append(running)
    assert running.get_job(JOB_ID) is None
    scheduler_module._runtime = None
