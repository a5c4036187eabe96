"""Run a Python script as `__main__` and record its own peak resident set when it ends:

    python bench/peak_rss.py OUT_FILE SCRIPT [ARGUMENTS...]

Why not simply the parent's `os.wait4` rusage (or `getrusage` in the child)? On Linux a child's
ru_maxrss includes its parent's resident set at the fork (or vfork) before the exec: a 500 MB
parent makes `python -c pass` report 500 MB. The process's own high-water mark, VmHWM in
/proc/self/status, starts afresh at the exec, so that is what is written to OUT_FILE (in KiB;
ru_maxrss where there is no /proc). The script runs exactly as `python SCRIPT ARGUMENTS`
would: its directory first on sys.path, its exit status passed on.
"""

from __future__ import annotations

import re
import resource
import runpy
import sys
from pathlib import Path


def own_peak_rss_kb() -> int:
    """This process's peak resident set since its exec, in KiB."""
    try:
        status = Path("/proc/self/status").read_text()
        found = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
        if found:
            return int(found.group(1))
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    out, script = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
    sys.argv = [str(script), *sys.argv[3:]]
    sys.path[0] = str(script.parent)
    code: int | str | None = 0
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as ended:
        code = ended.code
    finally:
        sys.stdout.flush()
        out.write_text(str(own_peak_rss_kb()))
    sys.exit(code)


if __name__ == "__main__":
    main()
