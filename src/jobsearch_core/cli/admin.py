"""Commands about the installation and the log itself: plugins, verify, demo."""

from __future__ import annotations

import shlex
import shutil
import sys
import tempfile
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from jobsearch_core.audit import check_anchor
from jobsearch_core.cli._common import console, context, print_json
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.plugins import BUILTIN, load_entry_points, pm
from jobsearch_core.words import counted

__all__ = ["COMMANDS", "installed_plugins"]


def installed_plugins() -> list[dict[str, Any]]:
    """Each registered plugin: its name, the distribution and version it comes from, its hooks."""
    load_entry_points()
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    found = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        if name == BUILTIN:
            package, version = "jobsearch-core", installed_version("jobsearch-core")
        elif dist is not None:
            package, version = dist.project_name, dist.version
        else:
            package, version = None, None  # registered at run time with pm.register
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        found.append({"name": name, "package": package, "version": version, "hooks": hooks})
    return sorted(found, key=lambda p: (p["name"] != BUILTIN, p["name"]))


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_command(as_json: bool) -> None:
    """List installed plugins, their versions and the hooks each implements."""
    found = installed_plugins()
    if as_json:
        print_json(found)
        return
    table = Table(title="Plugins", title_justify="left")
    for column in ("name", "package", "version", "hooks"):
        table.add_column(column)
    for plugin in found:
        table.add_row(
            plugin["name"],
            plugin["package"] or "-",
            plugin["version"] or "-",
            ", ".join(plugin["hooks"]),
        )
    console().print(table)


def _anchor(text: str | None) -> tuple[int, str] | None:
    """`POSITION:HASH` as `verify` takes it."""
    if text is None:
        return None
    position, colon, digest = text.strip().partition(":")
    if not colon or not position.isdigit():
        raise InvalidInputError(
            f"--anchor is POSITION:HASH, as jobsearch anchor prints it, got {text!r}"
        )
    return check_anchor((int(position), digest))


@click.command("verify")
@click.option(
    "--anchor",
    "anchor_text",
    metavar="POSITION:HASH",
    help="A hash noted earlier (jobsearch anchor): it must still be the log's at POSITION.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def verify_command(anchor_text: str | None, as_json: bool) -> None:
    """Check the whole log: positions, versions, every stored event and the hash chain (and
    an anchor noted earlier); exit 1 on any problem."""
    anchor = _anchor(anchor_text)
    log = context().log
    problems = log.verify(anchor=anchor)
    if as_json:
        print_json(
            {
                "log": log.url,
                "events": log.head,
                "head_hash": log.head_hash(),
                "problems": [
                    {"position": p.position, "stream": p.stream, "message": p.message}
                    for p in problems
                ],
            }
        )
        if problems:
            raise SystemExit(1)
        return
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{counted(len(problems), 'problem')} in {log.url}", err=True)
        raise SystemExit(1)
    head_hash = log.head_hash()
    held = f"; the anchor at {anchor[0]} holds" if anchor is not None else ""
    noted = f"; head hash {head_hash} (note it to notice a rewritten history)" if head_hash else ""
    click.echo(f"{log.url}: {counted(log.head, 'event')}, no problems found{held}{noted}")


@click.command("anchor")
@click.option("--json", "as_json", is_flag=True, help="Print the position and hash as JSON.")
def anchor_command(as_json: bool) -> None:
    """Print POSITION:HASH, the log's head and its chain hash: note it somewhere the log's
    writers cannot reach; jobsearch verify --anchor POSITION:HASH checks it at any later time."""
    log = context().log
    head = log.head
    digest = log.hash_at(head)
    if as_json:
        print_json({"position": head, "hash": digest})
    else:
        click.echo(f"{head}:{digest}")


def this_command() -> str:
    """How to run `jobsearch` again from a plain shell: its name when it is on the PATH,
    else the full path of the one running (in a virtual environment, say)."""
    running = Path(sys.argv[0]).resolve()
    found = shutil.which("jobsearch")
    if found is not None and Path(found).resolve() == running:
        return "jobsearch"
    if running.name == "jobsearch" and running.is_file():
        return shlex.quote(str(running))
    return shlex.quote(sys.executable) + " -m jobsearch_core"


@click.command("demo")
@click.option(
    "--log", "url", metavar="URL", help="Where to write it (default: a new temporary file)."
)
@click.pass_context
def demo_command(ctx: click.Context, url: str | None) -> None:
    """Load a sample job search (three months of it) into a fresh log and show its views."""
    from jobsearch_core.cli import plan, read, upcoming
    from jobsearch_core.demo import load_demo
    from jobsearch_core.opening import open_log

    parent = ctx.parent
    # `jobsearch --log URL demo` means that log too; $JOBSEARCH_LOG does not, so the demo
    # never writes into the log a seeker keeps by default.
    if (
        url is None
        and parent is not None
        and parent.get_parameter_source("url") is click.core.ParameterSource.COMMANDLINE
    ):
        url = parent.params["url"]
    if url is None:
        url = f"sqlite://{Path(tempfile.mkdtemp(prefix='jobsearch-demo-')) / 'demo.db'}"
    log = open_log(url, source="demo")
    state = context()
    state.close()
    state._log = log  # the read commands below show this log
    if log.head:
        raise InvalidInputError(f"{url} already holds events; the demo needs a fresh log")
    count = load_demo(log)
    click.echo(f"Wrote {count} events of a sample job search to {log.url}")
    click.echo()
    for command in (
        read.pipeline_command,
        read.gaps_command,
        read.roles_command,
        plan.plan_command,
        upcoming.upcoming_command,
        read.history_command,
    ):
        ctx.invoke(command)
    # Last, where it is still on the screen when the views have scrolled by.
    again = f"{this_command()} --log {shlex.quote(log.url)}"
    click.echo(f"\nTry: {again} gaps --as-of 30   (or history, roles, log ...)")


COMMANDS = [plugins_command, verify_command, anchor_command, demo_command]
