"""Pictures of the graph for coordinators: offline network pages, printable area reports,
and the same views as pyvis networks for notebooks (``to_pyvis``, an optional extra)."""

from ._changes_view import changes_view
from .map import MapResult, write_map
from .notebook import to_pyvis
from .page import COLOR_BY, PageResult, render_page, write_page, write_view
from .report import AreaReport, write_area_report
from .views import DEFAULT_MAX_NODES, VIEWS, View, ViewEdge, ViewNode, build_view

__all__ = [
    "COLOR_BY",
    "DEFAULT_MAX_NODES",
    "VIEWS",
    "AreaReport",
    "MapResult",
    "PageResult",
    "View",
    "ViewEdge",
    "ViewNode",
    "build_view",
    "changes_view",
    "render_page",
    "to_pyvis",
    "write_area_report",
    "write_map",
    "write_page",
    "write_view",
]
