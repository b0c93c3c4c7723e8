"""The README's tour runs as written: every ``civicgraph`` line of its ``sh`` blocks, in order.

A ``sh`` block is the tour: each command in it runs, as a fresh process, on the demo town
(``civicgraph demo``, as the README's first command makes it), from a folder where the
repository's ``tests/`` and ``../shared/data`` are where the README says they are. A
``shell`` block shows a command on the reader's own files and is not run. Commands that talk
to Neo4j run against the test suite's Bolt server: only the address, user and database are
changed. Each ``##`` section starts again from the demo town as the demo left it, so that a
section that ingests all England's areas does not slow the ones after it. A query that runs but
returns nothing fails like one that crashes.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import REPO, SHARED_DATA, missing

README = REPO / "README.md"
FENCE = re.compile(r"^```(\S*)\s*$")
# Commands that print rows: running them must give at least one.
ROW_COMMANDS = {"query", "sparql", "resolve", "sources", "stats"}
# Queries whose empty answer is itself the answer (every location placed, nothing changed).
EMPTY_IS_AN_ANSWER = {"unplaced", "changes", "area-changes"}
# Lines of a tour block that are not civicgraph: the README's own set-up, shell steps.
NOT_CIVICGRAPH = ("make ", "export ", "sh ", "cd ")


@dataclass(frozen=True)
class Step:
    line: int
    words: list[str]
    section: str = ""

    def __str__(self) -> str:
        return f"README.md:{self.line}: {shlex.join(self.words)}"


def tour_steps(text: str) -> list[Step]:
    """The ``civicgraph`` commands of the ``sh`` blocks, continuation lines joined."""
    steps: list[Step] = []
    language: str | None = None
    pending = ""
    start = 0
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if language is None and line.startswith("## "):
            section = line[3:].strip()
        fence = FENCE.match(line)
        if fence:
            language = None if language is not None else fence.group(1)
            continue
        if language != "sh":
            continue
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        words = shlex.split(pending + line, comments=True)
        pending = ""
        if words and words[0] == "civicgraph":
            steps.append(Step(start, words[1:], section))
        elif words and not (" ".join(words) + " ").startswith(NOT_CIVICGRAPH):
            pytest.fail(f"README.md:{start}: a tour block runs only civicgraph: {words[0]}")
    return steps


def test_the_tour_reader_finds_commands_and_joins_lines() -> None:
    text = "\n".join(
        [
            "```sh",
            "civicgraph query gaps --level lsoa   # a comment",
            "civicgraph ingest openactive feed \\",
            "    --allow-disorder",
            "make demo",
            "```",
            "```shell",
            "civicgraph ingest hsds my-own-directory",
            "```",
        ]
    )
    steps = tour_steps(text)
    assert [s.words for s in steps] == [
        ["query", "gaps", "--level", "lsoa"],
        ["ingest", "openactive", "feed", "--allow-disorder"],
    ]
    assert steps[1].line == 3


def _option(words: list[str], name: str) -> str | None:
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _with_option(words: list[str], name: str, value: str) -> list[str]:
    """``words`` with ``name``'s value replaced, or the option added at the end."""
    if name not in words:
        return [*words, name, value]
    i = words.index(name)
    return [*words[: i + 1], value, *words[i + 2 :]]


def _command(words: list[str]) -> list[str]:
    """The words after the global options (``--db FILE``)."""
    rest = list(words)
    while rest and rest[0].startswith("--"):
        rest = rest[2:] if "=" not in rest[0] else rest[1:]
    return rest


def _printed_rows(step: Step, out: str, cwd: Path) -> bool:
    target = _option(step.words, "--out")
    if target and target != "-":
        path = cwd / target
        return path.exists() and (path.is_dir() or path.stat().st_size > 0)
    text = out.strip()
    if text.startswith("{"):  # a query's JSON answer: its rows beside what they are about
        try:
            answer = json.loads(text)
        except ValueError:
            return True
        if isinstance(answer, dict) and "rows" in answer:
            return bool(answer["rows"])
    return bool(text) and text != "No rows." and text != "[]"


@pytest.mark.slow
def test_every_readme_command_runs_on_the_demo_town(tmp_path: Path, request) -> None:
    if not SHARED_DATA.exists():
        missing(f"real datasets are not at {SHARED_DATA} (the tour reads them)")
    steps = tour_steps(README.read_text(encoding="utf-8"))
    assert len(steps) >= 40, "the README's tour has lost its commands"

    # The README's paths: tests/data in the repository, ../shared/data beside it.
    cwd = tmp_path / "repo"
    cwd.mkdir()
    (cwd / "tests").symlink_to(REPO / "tests")
    (tmp_path / "shared").symlink_to(SHARED_DATA.parent)
    env = {
        **os.environ,
        "CIVICGRAPH_DB": str(cwd / "demo-out" / "civicgraph.db"),
        "COLUMNS": "200",
    }
    env.pop("CI_DEBUG", None)

    def run(words: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "civicgraph", *words],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    # The tour starts where the README starts: make demo, which is civicgraph demo. Each
    # section of the README starts again from the demo town as the demo left it.
    demo = run(["demo"])
    assert demo.returncode == 0, demo.stderr
    workspace = cwd / "demo-out" / "civicgraph.db"
    pristine = tmp_path / "demo.db"
    shutil.copy(workspace, pristine)
    section = None

    bolt = None
    failures: list[str] = []
    for step in steps:
        if step.section != section:
            section = step.section
            shutil.copy(pristine, workspace)
        words = list(step.words)
        command = _command(words)
        if command[:1] == ["demo"]:
            continue  # made above; a second demo would replace the workspace mid-tour
        if command[:1] == ["neo4j"]:
            if bolt is None:
                bolt = request.getfixturevalue("bolt")
                database = bolt.fresh_database()
                env["NEO4J_PASSWORD"] = bolt.password
            words = _with_option(words, "--uri", bolt.uri)
            words = _with_option(words, "--user", bolt.user)
            words = _with_option(words, "--database", database)
        result = run(words)
        if result.returncode != 0:
            failures.append(f"{step}\n  exit {result.returncode}: {result.stderr.strip()[-600:]}")
        elif (
            command[:1]
            and (command[0] in ROW_COMMANDS or command[:2] == ["neo4j", "query"])
            and not set(command[1:3]) & EMPTY_IS_AN_ANSWER
            and not _printed_rows(step, result.stdout, cwd)
        ):
            failures.append(f"{step}\n  ran, but gave no rows")
    assert not failures, "README commands that do not run on the demo town:\n" + "\n".join(failures)
