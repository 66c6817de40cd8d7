"""`jobsearch consumers`: the log's named consumers, each with its checkpoint and lag."""

from __future__ import annotations

import click
from rich.table import Table

from jobsearch_core.cli._common import console, context, print_json, say
from jobsearch_core.words import counted

__all__ = ["COMMANDS"]


@click.command("consumers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def consumers_command(as_json: bool) -> None:
    """List the named consumers that have run on the log: the last position each handled,
    how many events lie past it (its lag), and when it last moved."""
    log = context().log
    head = log.head
    found = log.consumers()
    if as_json:
        print_json(
            {
                "log": log.url,
                "head": head,
                "consumers": [
                    {
                        "name": status.name,
                        "position": status.position,
                        "lag": status.lag,
                        "updated_at": status.updated_at,
                    }
                    for status in found
                ],
            }
        )
        return
    if not found:
        say(f"no consumer has run on {log.url} yet ({counted(head, 'event')})")
        return
    table = Table(title=f"Consumers ({counted(head, 'event')})", title_justify="left")
    table.add_column("name")
    table.add_column("position", justify="right")
    table.add_column("lag", justify="right")
    table.add_column("last moved")
    for status in found:
        table.add_row(
            status.name,
            str(status.position),
            str(status.lag),
            f"{status.updated_at.astimezone():%Y-%m-%d %H:%M:%S}",
        )
    console().print(table)


COMMANDS = [consumers_command]
