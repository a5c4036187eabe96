"""Profile one command's answer in-process with pyinstrument, against a store already loaded
(e.g. after ``python -m bench.run --keep``):

    python -m bench.profile postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_city \
        /caseload "" [--times 50]

It times `queries.answer.ask` (what a Slack listener calls) as the demo team manager, so the
profile holds the query layer and the store, without HTTP or Bolt.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from pyinstrument import Profiler

from bench.generate import BENCH_TODAY
from bench.measure import MANAGER
from config import Settings
from models.store import make_engine
from queries.access import Identity
from queries.answer import ask


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("url")
    parser.add_argument("verb", help="/caseload, /protected, /actions")
    parser.add_argument("text", nargs="?", default="")
    parser.add_argument("--times", type=int, default=50)
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    settings = Settings()  # type: ignore[call-arg]
    identity = Identity("slack", slack_user_id=MANAGER)
    verb = args.verb.lstrip("/")
    ask(engine, identity, args.text, verb=verb, today=BENCH_TODAY, settings=settings)  # warm
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _time in range(args.times):
            ask(engine, identity, args.text, verb=verb, today=BENCH_TODAY, settings=settings)
    each_ms = (time.perf_counter() - started) / args.times * 1000
    print(f"{args.verb} {args.text}: {each_ms:.2f} ms per answer (in-process, {args.times} runs)")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
