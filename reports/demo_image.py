"""`make report-image`: README's pictures of the performance report, from the demo council.

Seeds the synthetic council (demo/) into a throwaway SQLite store as of a fixed date, so the
picture only changes when the report does, writes the PDF with example targets, and turns its
cover and one figure page into PNGs with poppler's pdftoppm (the Makefile installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from config import settings_from
from demo.seed import seed
from models.migrate import upgrade
from models.store import engine_for
from reports.cli import write_performance_report
from reports.performance import FIGURE_KEYS

DEMO_DATE = date(2026, 12, 1)
DEMO_TARGETS = "agency_pct=10,caseload_per_fte=16,vacancy_pct=12,supervision_on_time_pct=95"
DOCS = Path(__file__).resolve().parent.parent / "docs"
#: (file in docs/, page of the PDF): the cover, and the agency rate's page.
PAGES = (("report-cover.png", 1), ("report-page.png", 2 + FIGURE_KEYS.index("agency_pct")))


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is needed (poppler-utils): `make report-image` installs it.",
              file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        engine = engine_for(f"sqlite:///{folder / 'demo.db'}")
        upgrade(engine)
        seed(engine, DEMO_DATE, out_dir=folder / "data")
        pdf = folder / "report.pdf"
        write_performance_report(engine, settings_from({"TARGETS": DEMO_TARGETS}), out=pdf,
                                 as_of=DEMO_DATE, today=DEMO_DATE)
        engine.dispose()
        for name, page in PAGES:
            stem = folder / name.removesuffix(".png")
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(page),
                            "-l", str(page), str(pdf), str(stem)], check=True)
            shutil.copyfile(f"{stem}.png", DOCS / name)
            print(f"docs/{name}: page {page} of the demo council's report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
