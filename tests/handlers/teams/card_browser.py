"""Teams cards drawn by Microsoft's Adaptive Cards renderer in headless Chromium, at a width.

The renderer (npm `adaptivecards`, pinned in tools/card-render/package.json and its lock file)
and Chromium (Debian `chromium`) are installed by `make card-tools`, which `make test` runs
first. A check writes one page holding every card, each in a box of the width checked, runs
tools/card-render/check.js in it with ``chromium --headless --dump-dom``, and reads back which
texts the width cut; a screenshot of the same page is kept in build/card-screens/WIDTH.png for a
person to look at (build/ is not committed; a CI run leaves them in its clone).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / "tools" / "card-render"
RENDERER = TOOLS / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
CHECK = TOOLS / "check.js"
SCREENS = ROOT / "build" / "card-screens"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_SECONDS = 120
DUMP_HEIGHT = 2000
MAX_SCREENSHOT_HEIGHT = 40_000
_RESULT = re.compile(r'<pre id="result">(.*?)</pre>', re.DOTALL)


def chromium() -> str | None:
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def missing_tools() -> str | None:
    """Why the cards cannot be drawn here, or None when they can."""
    if chromium() is None:
        return "Chromium is not installed (make card-tools installs Debian's chromium)"
    if not RENDERER.exists():
        return "the adaptivecards renderer is not installed (make card-tools runs npm ci)"
    return None


@dataclass(frozen=True)
class Drawn:
    """One card as the renderer drew it: the texts its width cut, and how many it checked."""

    name: str
    width: int
    cut: list[dict[str, Any]]
    texts: int


#: How a host picks the elements a card's `targetWidth` allows (tools/card-render/check.js):
#: Teams by the card's width ("reflow"); the Agents Playground draws every card as "wide".
REFLOW = "reflow"
FIXED = "fixed"


def page(cards: dict[str, dict[str, Any]], width: int, host: str = REFLOW) -> str:
    escaped = json.dumps(cards).replace("</", "<\\/")
    return f"""<!doctype html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width={width + 16}">
<style>html, body {{ margin: 0; padding: 0 8px; background: #fff; }}
#result {{ display: none; }}</style>
<script src="{RENDERER.as_uri()}"></script>
</head><body><div id="cards"></div><pre id="result"></pre>
<script>window.CARDS = {escaped}; window.CARD_WIDTH = {width};
window.CARD_HOST = {json.dumps(host)};</script>
<script src="{CHECK.as_uri()}"></script>
</body></html>"""


def run_chromium(url: str, width: int, height: int, *extra: str) -> str:
    command = [chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--hide-scrollbars", "--allow-file-access-from-files",
               f"--window-size={width + 16},{height}", "--virtual-time-budget=10000",
               *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_SECONDS,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-800:]}")
    return done.stdout


def draw(cards: dict[str, dict[str, Any]], width: int, folder: Path, label: str = "cards",
         host: str = REFLOW) -> list[Drawn]:
    """Render every card at `width` CSS pixels as `host` would; the screenshot is
    build/card-screens/LABEL-WIDTH.png."""
    page_file = folder / f"{label}-{width}.html"
    page_file.write_text(page(cards, width, host), encoding="utf-8")
    found = _RESULT.search(run_chromium(page_file.as_uri(), width, DUMP_HEIGHT, "--dump-dom"))
    if not found:
        raise RuntimeError("the page did not report a result")
    result = json.loads(html.unescape(found.group(1)))
    failures = [(card["name"], card["error"]) for card in result["cards"] if card["error"]]
    if failures:
        raise RuntimeError(f"the renderer failed: {failures}")
    SCREENS.mkdir(parents=True, exist_ok=True)
    height = min(MAX_SCREENSHOT_HEIGHT, max(DUMP_HEIGHT, int(result["height"])))
    run_chromium(page_file.as_uri(), width, height,
                 f"--screenshot={SCREENS / f'{label}-{width}.png'}")
    return [Drawn(card["name"], width, card["cut"], card["texts"]) for card in result["cards"]]


__all__ = ["FIXED", "REFLOW", "Drawn", "SCREENS", "draw", "missing_tools"]
