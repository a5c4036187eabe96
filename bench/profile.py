"""Profile one command's answer in-process with pyinstrument, against a store already loaded
(e.g. after ``python -m bench.run --keep``):

    python -m bench.profile postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_city \
        /caseload "" [--times 50] [--ask-only]

By default it runs what the Slack lazy listener runs for a slash command (handlers.slack.commands:
the front end's ask — identity, answer, audit, commit — then Block Kit, the origin stamp and the
reply's JSON body), as the demo team manager, so the profile holds everything the answer costs
above the framework floor except the reply's HTTP post (measured apart: at the floor through the
shared transport). `--ask-only` times `queries.answer.ask` alone, as before.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from unittest import mock

from pyinstrument import Profiler

from bench.generate import BENCH_TODAY
from bench.measure import MANAGER
from config import Settings
from handlers.slack.front import SlackFrontEnd
from handlers.slack.identity import SlackIdentities
from handlers.slack.interactivity import stamp_origin
from models.store import make_engine
from queries.access import Identity
from queries.answer import ask


def listener_path(url: str, verb: str, text: str, settings: Settings) -> Callable[[], object]:
    """The slash command's lazy listener without the HTTP post: ask, render, stamp, encode."""
    engine = make_engine(url, settings)
    front = SlackFrontEnd(engine=engine, settings=settings, today=lambda: BENCH_TODAY,
                          identities=SlackIdentities(engine, mock.Mock()))

    def answer_once() -> object:
        outcome = front.ask(MANAGER, text, verb=verb)
        message = stamp_origin(front.render(outcome.answer), f"/{verb} {text}".strip())
        return json.dumps({**message, "response_type": "ephemeral", "replace_original": False})

    return answer_once


def ask_path(url: str, verb: str, text: str, settings: Settings) -> Callable[[], object]:
    engine = make_engine(url, settings)
    identity = Identity("slack", slack_user_id=MANAGER)
    return lambda: ask(engine, identity, text, verb=verb, today=BENCH_TODAY, settings=settings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("url")
    parser.add_argument("verb", help="/caseload, /protected, /actions")
    parser.add_argument("text", nargs="?", default="")
    parser.add_argument("--times", type=int, default=50)
    parser.add_argument("--ask-only", action="store_true",
                        help="time queries.answer.ask alone (no identity cache, Block Kit, JSON)")
    args = parser.parse_args(argv)
    settings = Settings()  # type: ignore[call-arg]
    verb = args.verb.lstrip("/")
    once = (ask_path if args.ask_only else listener_path)(args.url, verb, args.text, settings)
    once()  # warm: connections, caches
    took_ms = []
    for _time in range(args.times):  # timed without the profiler's own overhead
        started = time.perf_counter()
        once()
        took_ms.append((time.perf_counter() - started) * 1000)
    print(f"{args.verb} {args.text}: median {statistics.median(took_ms):.2f} ms per answer "
          f"(in-process, {args.times} runs"
          f"{', ask only' if args.ask_only else ', the listener without its HTTP post'})")
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _time in range(args.times):
            once()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
