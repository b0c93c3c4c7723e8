"""Pictures of the graph for coordinators: offline network pages and printable area reports."""

from .page import COLOR_BY, PageResult, render_page, write_page, write_view
from .report import AreaReport, write_area_report
from .views import DEFAULT_MAX_NODES, VIEWS, View, ViewEdge, ViewNode, build_view

__all__ = [
    "COLOR_BY",
    "DEFAULT_MAX_NODES",
    "VIEWS",
    "AreaReport",
    "PageResult",
    "View",
    "ViewEdge",
    "ViewNode",
    "build_view",
    "render_page",
    "write_area_report",
    "write_page",
    "write_view",
]
