"""Run every benchmark script in this folder (bench_*.py), each writing its RESULTS.md section."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", file=sys.stderr)
        subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=True, cwd=HERE)
