"""The reminder bench step end to end at the tiny size: every message once, every injected 429
retried. No timing is asserted."""

from __future__ import annotations

from bench.reminders import markdown, run


def test_the_reminder_bench_sends_each_once_and_retries_every_injected_429() -> None:
    figures = run("tiny", per_second=0, every=10)
    assert figures["messages"] > 0 and figures["injected_429"] >= 1
    assert figures["answered_429"] == figures["injected_429"]
    assert figures["unretried_429"] == 0 and figures["duplicates"] == 0
    assert "429s injected / answered / not retried" in markdown(figures)
