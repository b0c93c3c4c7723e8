"""The map's query layers: prevention shares and changes in provision, per area.

Each layer returns, per drawn area, the colour, a one-line value and the evidence
(``why``) of its query, and the legend in the order it is drawn; ``map.py`` counts
the legend's entries and shades the areas with no figure.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..graph import Graph, Workspace
from ..graph.scope import Scope
from ..queries._places import number

__all__ = ["changes_layer", "prevention_layer"]

Shades = dict[str, dict[str, Any]]
Legend = list[dict[str, Any]]

# Prevention: little of it in warm colours, most of it in cool ones; acute outweighing
# prevention is the darkest red (the query's flag).
ACUTE_OUTWEIGHS = "#67001f"
_PREVENTION_BANDS = ((0.0, "#d6604d"), (0.25, "#fddbc7"), (0.5, "#d1e5f0"), (0.75, "#4393c3"))
UNLEVELLED = "#bdbdbd"
# Changes: the spiral darkest, a fall red, no net change pale, a rise blue.
SPIRAL = "#67001f"
FELL = "#ef8a62"
UNCHANGED = "#f7f7f7"
ROSE = "#67a9cf"
NO_CHANGE = "#e8e8e8"


def _percent(value: Any) -> str:
    share = number(value)
    return "?" if share is None else f"{100 * share:.0f}%"


def prevention_layer(
    graph: Graph, level: str, areas: list[str], scope: Scope
) -> tuple[Shades, Legend, str]:
    """Shade areas by the share of their services that prevent (``query prevention``)."""
    from ..queries.prevention import prevention

    frame = prevention(graph, by="area", level=level, within=scope)  # type: ignore[arg-type]
    wanted = set(areas)
    values: Shades = {}
    for row in frame.to_dict("records"):
        code = str(row["area"])
        if code not in wanted or not row["services"]:
            continue
        primary, secondary = number(row["services_primary"]), number(row["services_secondary"])
        shares = ", ".join(
            f"{step} {_percent(row[f'services_{step}'])}"
            for step in ("primary", "secondary", "tertiary", "acute")
        )
        if primary is None or secondary is None:
            values[code] = {
                "color": UNLEVELLED,
                "value": f"{row['services']:,} services, none with a prevention level",
                "why": str(row["why"]),
            }
            continue
        share = primary + secondary
        if row["acute_outweighs_prevention"]:
            color = ACUTE_OUTWEIGHS
        else:
            color = [c for low, c in _PREVENTION_BANDS if share >= low][-1]
        text = f"prevention {100 * share:.0f}% of {row['services']:,} services ({shares})"
        if row["acute_outweighs_prevention"]:
            text += "; acute outweighs prevention"
        values[code] = {"color": color, "value": text, "why": str(row["why"])}
    legend: Legend = [
        {"label": "acute outweighs prevention", "color": ACUTE_OUTWEIGHS},
        *(
            {"label": f"prevention {100 * low:.0f}-{100 * low + 25:.0f}% of services", "color": c}
            for low, c in _PREVENTION_BANDS
        ),
        {"label": "services without a level", "color": UNLEVELLED},
    ]
    title = "Prevention: share of services primary or secondary"
    return values, legend, title


def changes_layer(
    workspace: Workspace | None,
    level: str,
    areas: list[str],
    *,
    since: str | None = None,
    until: str | None = None,
) -> tuple[Shades, Legend, str]:
    """Shade areas by the net change in provision, the spiral darkest (``query area-changes``)."""
    if workspace is None:
        raise UsageError(
            "`layer` changes compares the workspace's snapshots, and a graph alone has none. "
            "Fix: pass `workspace` (the CLI does).",
            param=("layer", "workspace"),
        )
    from ..queries.area_changes import area_changes

    frame = area_changes(workspace, level=level, since=since, until=until)
    wanted = set(areas)
    found: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        code = str(row["area"])
        if code not in wanted:
            continue
        entry = found.setdefault(code, {"net": 0.0, "parts": [], "why": [], "spiral": False})
        if row["category"] != "grant money":
            entry["net"] += float(row["net"])
        entry["spiral"] = entry["spiral"] or bool(row["spiral"])
        per = number(row["net_per_1000"])
        per_text = f", {per:+.2f} per 1,000 residents" if per is not None else ""
        amount = "£{:,.0f}" if row["category"] == "grant money" else "{:,.0f}"
        entry["parts"].append(
            f"{row['category']} -{amount.format(row['lost'])} +{amount.format(row['gained'])}"
            f"{per_text}"
        )
        entry["why"].append(f"{row['category']}: {row['why']}")
    values: Shades = {}
    for code, entry in found.items():
        net = entry["net"]
        if entry["spiral"]:
            color, head = SPIRAL, "spiral: provision and grant money fell where need is highest"
        elif net < 0:
            color, head = FELL, f"provision fell by {-net:,.0f}"
        elif net > 0:
            color, head = ROSE, f"provision rose by {net:,.0f}"
        else:
            color, head = UNCHANGED, "no net change in provision"
        values[code] = {
            "color": color,
            "value": head + " (" + "; ".join(entry["parts"]) + ")",
            "why": " | ".join(entry["why"]),
        }
    for code in areas:
        values.setdefault(code, {"color": NO_CHANGE, "value": "no change recorded", "why": ""})
    legend: Legend = [
        {"label": "spiral (IMD decile 1-2, provision and grants fell)", "color": SPIRAL},
        {"label": "provision fell", "color": FELL},
        {"label": "no net change in provision", "color": UNCHANGED},
        {"label": "provision rose", "color": ROSE},
        {"label": "no change recorded", "color": NO_CHANGE},
    ]
    title = "Changes in provision (services and facilities) since the last snapshot"
    if since:
        title = f"Changes in provision (services and facilities) since {since}"
    if frame.empty:
        title += " (none recorded: ingest a source again to compare its snapshots)"
    return values, legend, title
