"""The area report's pictures (matplotlib PNGs): bar charts, the network, SI against IMD.

Private plumbing of ``viz.report``; each function writes one PNG atomically and
returns its path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import atomic_write
from .page import TYPE_COLORS
from .views import View

__all__ = ["bar_chart", "network_picture", "prevention_chart", "si_scatter"]


def _plot(path: Path, draw: Callable[[Any], None], *, size: tuple[float, float]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=size, dpi=110)
    try:
        draw(axes)
        figure.tight_layout()
        with atomic_write(path, "wb") as handle:
            figure.savefig(handle, format="png")
    finally:
        plt.close(figure)
    return path


def bar_chart(path: Path, counts: Sequence[tuple[str, float]], xlabel: str) -> Path:
    """Horizontal bars, the first count on top."""
    labels = [label if len(label) <= 28 else label[:27] + "…" for label, _ in counts][::-1]
    values = [value for _, value in counts][::-1]

    def draw(axes: Any) -> None:
        axes.barh(range(len(values)), values, color="#1f77b4")
        axes.set_yticks(range(len(values)), labels, fontsize=8)
        axes.set_xlabel(xlabel)
        axes.spines[["top", "right"]].set_visible(False)

    return _plot(path, draw, size=(4.2, 0.3 * len(values) + 1.0))


LEVEL_COLORS = {
    "primary": "#2ca02c",
    "secondary": "#98df8a",
    "tertiary": "#ff7f0e",
    "acute": "#d62728",
}
"""Prevention levels from green (prevents) to red (responds to crisis)."""


def prevention_chart(path: Path, shares: Mapping[str, float]) -> Path:
    """One bar per prevention level, in ladder order from the top: the share of services."""
    levels = list(shares)[::-1]

    def draw(axes: Any) -> None:
        values = [shares[level] for level in levels]
        axes.barh(
            range(len(levels)),
            values,
            color=[LEVEL_COLORS.get(level, "#1f77b4") for level in levels],
        )
        axes.set_yticks(range(len(levels)), levels, fontsize=8)
        axes.set_xlim(0, 1)
        axes.set_xlabel("share of the area's services with a level")
        for y, value in enumerate(values):
            axes.text(min(value, 0.85) + 0.02, y, f"{value:.0%}", va="center", fontsize=7)
        axes.spines[["top", "right"]].set_visible(False)

    return _plot(path, draw, size=(4.2, 0.3 * len(levels) + 1.0))


def network_picture(path: Path, view: View, positions: dict[str, tuple[float, float]]) -> Path:
    """The area's network at the layout of its network page."""

    def draw(axes: Any) -> None:
        from matplotlib.collections import LineCollection

        # One collection per line style: thousands of separate plot() calls take minutes.
        for dashed, color in ((False, "#999999"), (True, "#d62728")):
            segments = [
                [
                    (positions[e.source][0], -positions[e.source][1]),
                    (positions[e.target][0], -positions[e.target][1]),
                ]
                for e in view.edges
                if bool(e.dashed) == dashed
            ]
            if segments:
                axes.add_collection(
                    LineCollection(
                        segments,
                        colors=color,
                        linestyles="--" if dashed else "-",
                        linewidths=0.6,
                        zorder=1,
                    )
                )
        kinds = Counter(node.type for node in view.nodes.values())
        for kind in sorted(kinds):
            members = [n for n, node in view.nodes.items() if node.type == kind]
            axes.scatter(
                [positions[n][0] for n in members],
                [-positions[n][1] for n in members],
                s=18 if len(view.nodes) < 500 else 4,
                color=TYPE_COLORS.get(kind, "#bbbbbb"),
                label=f"{kind} ({kinds[kind]})",
                zorder=2,
            )
        # A fixed corner: "best" tests every point against the legend (minutes at 10k nodes).
        axes.legend(fontsize=7, loc="upper right", frameon=False)
        axes.autoscale_view()
        axes.set_axis_off()

    return _plot(path, draw, size=(4.2, 4.2))


def si_scatter(path: Path, frame: pd.DataFrame, code: str, *, x: str, xlabel: str) -> Path:
    """Each comparator area's SI score against its deprivation, the reported area in red."""

    def draw(axes: Any) -> None:
        others = frame[frame["area"] != code]
        here = frame[frame["area"] == code]
        axes.scatter(others[x], others["si_score"], s=10, color="#9a9a9a", label="areas")
        axes.scatter(here[x], here["si_score"], s=60, color="#d62728", label=code)
        axes.set_xlabel(xlabel)
        axes.set_ylabel("social infrastructure score")
        axes.legend(fontsize=7, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)

    return _plot(path, draw, size=(4.2, 3.4))
