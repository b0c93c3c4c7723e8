"""``civicgraph scope set|show|clear``: the workspace's study area."""

from __future__ import annotations

import click

from ._common import CONTEXT_SETTINGS, State, dumps

__all__ = ["scope"]


@click.group(context_settings=CONTEXT_SETTINGS)
def scope() -> None:
    """Keep the study area that place-based answers are computed within.

    Unset, gaps, si-index and the other place-based answers use the local
    authorities holding the workspace's placed services, locations and assets.

    \b
    Example:
      civicgraph scope set Birmingham
      civicgraph scope set E05011118 E05011119
      civicgraph scope show
      civicgraph scope clear
    """


@scope.command("set", context_settings=CONTEXT_SETTINGS)
@click.argument("areas", nargs=-1, required=True, metavar="AREA...")
@click.pass_obj
def set_scope(state: State, areas: tuple[str, ...]) -> None:
    """Set the study area: areas by GSS code or name, any level (region to LSOA).

    \b
    Example:
      civicgraph scope set "Birmingham"
    """
    from dataclasses import replace

    from ..graph.scope import BY_WORKSPACE, resolve_scope

    with state.workspace() as workspace:
        chosen = resolve_scope(workspace.graph(), areas)
        workspace.set_scope_areas(list(chosen.areas))
    click.echo(replace(chosen, how=BY_WORKSPACE).describe())


@scope.command("show", context_settings=CONTEXT_SETTINGS)
@click.option("--json", "as_json", is_flag=True, help="Print the scope as JSON.")
@click.pass_obj
def show_scope(state: State, as_json: bool) -> None:
    """Show the scope place-based answers use now, and how it was chosen.

    \b
    Example:
      civicgraph scope show --json
    """
    from ..graph.scope import resolve_scope

    with state.workspace() as workspace:
        current = resolve_scope(workspace.graph(), stored=workspace.scope_areas())
    click.echo(dumps(current.as_dict()) if as_json else current.describe())


@scope.command("clear", context_settings=CONTEXT_SETTINGS)
@click.pass_obj
def clear_scope(state: State) -> None:
    """Forget the stored study area (answers go back to the default scope).

    \b
    Example:
      civicgraph scope clear
    """
    with state.workspace() as workspace:
        workspace.set_scope_areas([])
    click.echo("scope cleared: answers use the default scope again")
