"""One phase of one (size, store) run, in a process of its own: ``python -m bench.worker PHASE
ARGS_JSON OUT_JSON``. Keeping phases apart keeps the serving process's peak memory its own."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from bench.measure import load_phase, measure_phase


def main(argv: list[str]) -> int:
    phase, arguments, out = argv[0], json.loads(argv[1]), Path(argv[2])
    logging.basicConfig(level=logging.WARNING, format="  [%(name)s] %(levelname)s %(message)s")
    logging.getLogger("importers").setLevel(logging.WARNING)
    if phase == "load":
        result = load_phase(arguments["size"], arguments["store"], Path(arguments["data_dir"]))
    elif phase == "scale":
        from bench.scale import scale_phase

        result = scale_phase(arguments["url"], arguments["load_seconds"], arguments["askers"])
    elif phase == "measure":
        result = measure_phase(arguments["url"], arguments["calls"], arguments["load_seconds"],
                               arguments["askers"], arguments["digest_repeat"])
    else:
        raise SystemExit(f"unknown phase {phase}")
    out.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
