"""Digest charts as PNG bytes, drawn headless (matplotlib's Agg backend, no display needed).

Where a picture says it better (SPEC section 7): caseload per FTE by team against the cap, and
supervision on time by team. Figures are built with the object API (``Figure``), never pyplot,
so no global state is shared between the scheduler's threads; a lock serialises drawing anyway,
because matplotlib does not promise thread safety.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from jobs.digest_results import Digest, StaffingDigest, SupervisionDigest  # noqa: E402

_DRAWING = threading.Lock()
OVER = "#c0392b"
UNDER = "#2e86c1"
REFERENCE = "#555555"


@dataclass(frozen=True)
class Chart:
    filename: str
    title: str
    alt_text: str
    png: bytes


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _height(bars: int) -> float:
    return max(2.5, 0.45 * bars + 1.4)


def _team_bars(
    teams: Sequence[tuple[str, float | None]], colour_of: Callable[[float], str],
    label_of: Callable[[float | None], str], offset: float, title: str, xlabel: str,
) -> tuple[Figure, Any, list[float]]:
    """One horizontal bar per team (first team on top), each labelled with its raw figure; the
    caller adds its reference lines and limits, then renders with `_png`."""
    names = [name for name, _value in teams]
    values = [value or 0.0 for _name, value in teams]
    figure = Figure(figsize=(7.5, _height(len(names))))
    axes = figure.add_subplot()
    positions = range(len(names))
    axes.barh(positions, values, color=[colour_of(value) for value in values])
    axes.set_yticks(list(positions), labels=names)
    axes.invert_yaxis()
    for position, (value, (_name, raw)) in enumerate(zip(values, teams)):
        axes.text(value + offset, position, label_of(raw), va="center", fontsize=8)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    return figure, axes, values


def caseload_chart_png(
    teams: Sequence[tuple[str, float | None]], cap: float, england: float | None = None,
    title: str = "Caseload per FTE by team",
) -> bytes:
    """Horizontal bars (one per team), red where over the cap; the cap as a solid line."""
    with _DRAWING:
        figure, axes, values = _team_bars(
            teams, lambda value: OVER if value > cap else UNDER,
            lambda raw: f"{raw:.1f}" if raw is not None else "no cases", 0.2,
            title, "Open cases per FTE (workers holding cases)")
        axes.axvline(cap, color=OVER, linewidth=2, label=f"Cap {cap:g} per FTE")
        if england is not None:
            axes.axvline(england, color=REFERENCE, linestyle="--", linewidth=1,
                         label=f"England {england:g}")
        axes.set_xlim(0, max([cap, *(values or [0])]) * 1.15 + 1)
        axes.legend(loc="lower right", fontsize=8)
        return _png(figure)


def supervision_chart_png(
    teams: Sequence[tuple[str, float | None]], title: str = "Supervision on time by team",
) -> bytes:
    """Horizontal bars of the percentage on time (0–100), with the 100 % line."""
    with _DRAWING:
        figure, axes, _values = _team_bars(
            teams, lambda value: UNDER if value >= 100 else OVER,
            lambda raw: f"{raw:.0f}%" if raw is not None else "no staff", 1,
            title, "% of staff whose supervision is on time")
        axes.axvline(100, color=REFERENCE, linestyle="--", linewidth=1)
        axes.set_xlim(0, 115)
        return _png(figure)


def charts_for(digest: Digest) -> list[Chart]:
    """The charts that go into a digest's thread (none for actions: a list says it better)."""
    head = digest.header
    if isinstance(digest, StaffingDigest) and digest.teams:
        return [Chart(
            filename=f"caseload-per-fte-{head.period}.png",
            title=f"Caseload per FTE by team — {head.service}, {head.period}",
            alt_text=(f"Bar chart of open cases per FTE for each team in {head.service}, against "
                      f"the cap of {digest.cap_per_fte:g} per FTE"),
            png=caseload_chart_png([(team.scope, team.caseload_per_fte) for team in digest.teams],
                                   digest.cap_per_fte, digest.england.caseload_per_fte),
        )]
    if isinstance(digest, SupervisionDigest) and digest.teams:
        return [Chart(
            filename=f"supervision-on-time-{head.period}.png",
            title=f"Supervision on time by team — {head.service}, {head.period}",
            alt_text=f"Bar chart of the percentage of staff with supervision on time, by team "
                     f"in {head.service}",
            png=supervision_chart_png([(team.team, team.on_time_pct) for team in digest.teams]),
        )]
    return []


__all__ = ["Chart", "caseload_chart_png", "charts_for", "supervision_chart_png"]
