"""Shared benchmark plumbing: timing in fresh processes, peak memory, and RESULTS.md sections.

Each benchmark script owns one section of ``benchmarks/RESULTS.md``, between
``<!-- section:NAME -->`` and ``<!-- /section:NAME -->``, and rewrites only
that section, so scripts for different issues never overwrite each other.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """# Benchmark results

Written by the scripts in `benchmarks/` (each owns one section below). Figures are
medians of several runs in fresh processes; every section names its machine and
compares against a baseline measured in the same run.
"""


def machine() -> str:
    """One line describing the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {datetime.now(UTC):%Y-%m-%d}"
    )


def run_measured(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -c code args`` in a fresh process; it must print one JSON object last.

    Adds ``peak_rss_mb`` (the child's peak resident memory) to what it printed.
    That is the child's own high-water mark (``VmHWM``): ``ru_maxrss`` would
    carry over the parent's peak from before ``exec`` on Linux, and a parent
    that has just built a large town would inflate every child's figure.
    """
    wrapper = (
        "import json, resource, sys\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "def _peak_mb():\n"
        "    try:\n"
        "        for line in open('/proc/self/status', encoding='ascii'):\n"
        "            if line.startswith('VmHWM:'):\n"
        "                return int(line.split()[1]) / 1024\n"
        "    except OSError:\n"
        "        pass\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({**RESULT, 'peak_rss_mb': _peak_mb()}))\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result.setdefault("wall_s", time.perf_counter() - started)
    return result


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def write_section(name: str, markdown: str) -> None:
    """Replace (or add) this script's section of RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    start, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
