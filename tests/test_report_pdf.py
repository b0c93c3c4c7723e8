"""A report whose PDF cannot be printed says why (no Chromium on PATH, a path that cannot be
written), writes its HTML all the same, and never leaves a half-printed or stale PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report import area_town

from civicgraph import Workspace
from civicgraph.ingest import ingest
from civicgraph.synth import synth
from civicgraph.viz.report import write_area_report


def _no_pdf_notes(notes: list[str]) -> list[str]:
    return [n for n in notes if n.startswith("no PDF")]


def test_without_chromium_on_path_the_report_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    report = write_area_report(area_town(), "E01000001", tmp_path / "rep")
    assert report.pdf is None and report.html.exists()
    (note,) = _no_pdf_notes(report.notes)
    assert "no Chromium or Chrome on PATH" in note and "chromium" in note
    assert "print report.html from a browser" in note
    assert not list((tmp_path / "rep").glob("*.pdf*"))


def test_a_pdf_path_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    from browser import chromium_path

    chromium_path()
    folder = tmp_path / "rep"
    (folder / "report.pdf").mkdir(parents=True)
    report = write_area_report(area_town(), "E01000001", folder)
    assert report.pdf is None and report.html.exists()
    (note,) = _no_pdf_notes(report.notes)
    assert f"cannot write {folder / 'report.pdf'}: it is a folder" in note
    assert (folder / "report.pdf").is_dir()
    assert not list(folder.glob(".report.pdf.*"))


def test_a_failed_print_keeps_no_stale_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Chromium that fails: its exit code and last words are given, the old PDF is not
    passed off as this report's."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    fake = bin_ / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_))
    folder = tmp_path / "rep"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF- an earlier report")
    report = write_area_report(area_town(), "E01000001", folder)
    assert report.pdf is None
    (note,) = _no_pdf_notes(report.notes)
    assert "failed to print (exit 3: cannot open display)" in note
    assert not list(folder.glob(".report.pdf.*"))


def test_the_cli_prints_why_there_is_no_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    town = {s.name: s.path for s in synth(tmp_path / "town", services=40, seed=2)}
    db = tmp_path / "w.db"
    with Workspace(db) as workspace:
        ingest(workspace, "hsds", str(town["directory"]), name="directory")
        ingest(workspace, "areas", str(town["areas"]), name="areas")
        area = next(
            n
            for n, d in workspace.graph().nodes(data=True)
            if d.get("type") == "Area" and d.get("level") == "lsoa"
        )
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "rep"
    result = run_cli("--db", db, "report", "--area", area, "--out", out)
    assert result.code == 0, result.err
    assert "note: no PDF: no Chromium or Chrome on PATH" in result.err
    assert "PDF written" not in result.err
    assert (out / "report.html").exists() and not (out / "report.pdf").exists()
