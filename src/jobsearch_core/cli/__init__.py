"""The `jobsearch` command: record, inspect, chart and replay a job search from the terminal."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from jobsearch_core.cli import (
    admin,
    coaching,
    consumers,
    correct,
    data,
    funnel,
    gap,
    pictures,
    plan,
    read,
    record,
    upcoming,
)
from jobsearch_core.cli._common import Context, context, printable, say
from jobsearch_core.errors import (
    BackendError,
    ConcurrencyError,
    CorruptEventError,
    JobsearchError,
    PluginError,
    ViewError,
)
from jobsearch_core.log import EventLog
from jobsearch_core.plugins import load_entry_points, pm

__all__ = ["EXIT_CODES", "cli", "current_log", "exit_code", "main", "printable", "say"]


class JobsearchGroup(click.Group):
    """A click group that adds plugins' commands and turns errors into one line and exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.debug = False
        self._asked: set[str] = set()

    # --- commands from plugins (register_commands) -------------------------------------------

    def _plugin_commands(self) -> None:
        load_entry_points()
        for impl in pm.hook.register_commands.get_hookimpls():
            if impl.plugin_name in self._asked:
                continue
            self._asked.add(impl.plugin_name)
            before = dict(self.commands)
            impl.function(**dict.fromkeys(impl.argnames, self))
            for name, command in before.items():
                if self.commands.get(name) is not command:
                    self.commands[name] = command
                    raise PluginError(
                        f"plugin {impl.plugin_name!r} tried to replace the command {name!r}"
                    )

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in commands and those plugins add, sorted."""
        self._plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, or one a plugin adds."""
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command

    # --- errors ---------------------------------------------------------------------------

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; bad input ends in one line on stderr and exit status 2."""
        self.debug = False
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            failed: click.Context | None = getattr(error, "ctx", None)
            hint = f" (see: {failed.command_path} --help)" if failed is not None else ""
            click.echo(f"error: {error.format_message()}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        except JobsearchError as error:
            if self.debug:
                traceback.print_exc()
            click.echo(f"error: {error}", err=True)
            sys.exit(exit_code(error))
        sys.exit(result if isinstance(result, int) else 0)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Take the group's own options (`--log`, `--debug`) after the subcommand too."""
        return super().parse_args(ctx, self._options_first(ctx, args))

    def _options_first(self, ctx: click.Context, args: list[str]) -> list[str]:
        """`args` with `--log URL` and `--debug` moved before the subcommand, when given after
        it and the subcommand has no option of that name itself."""
        try:
            start = next(
                i
                for i, arg in enumerate(args)
                if not arg.startswith("-") and (i == 0 or args[i - 1] != "--log")
            )
        except StopIteration:
            return args
        command = self.get_command(ctx, args[start])
        own = {
            opt for param in getattr(command, "params", []) for opt in getattr(param, "opts", [])
        }
        before, after = list(args[:start]), [args[start]]
        rest = iter(args[start + 1 :])
        for arg in rest:
            if arg == "--":
                after += [arg, *rest]
                break
            if arg == "--log" and "--log" not in own:
                before += [arg, next(rest, "")]
            elif (arg.startswith("--log=") and "--log" not in own) or (
                arg == "--debug" and "--debug" not in own
            ):
                before.append(arg)
            else:
                after.append(arg)
        return before + after


@click.group(cls=JobsearchGroup)
@click.option(
    "--log",
    "url",
    envvar="JOBSEARCH_LOG",
    metavar="URL",
    help="The log: sqlite:///path.db, memory://, postgresql://... "
    "[default: $JOBSEARCH_LOG, else log.db in your data folder]",
)
@click.option("--debug", is_flag=True, help="Show the traceback when something goes wrong.")
@click.version_option(package_name="jobsearch-core")
@click.pass_context
def cli(ctx: click.Context, url: str | None, debug: bool) -> None:
    """Record a job search as it happens and see where it stands: the pipeline, the gap list
    fed by interview feedback, suggested roles, and how your priorities moved.

    \b
    Record:  apply, pass, interview, feedback, close, gap add|promote|practice|close, goal,
             suggest
    Correct: retract, amend, undo
    Read:    pipeline, funnel, upcoming, gaps, roles, history, log, show   (each takes --json)
    More:    calendar, report, export, import, plugins, verify, consumers, demo
    """
    group = ctx.command
    if isinstance(group, JobsearchGroup):
        group.debug = debug
    state = Context(url, debug)
    ctx.obj = state
    ctx.call_on_close(state.close)


for module in (
    record,
    gap,
    correct,
    read,
    plan,
    funnel,
    upcoming,
    coaching,
    data,
    pictures,
    admin,
    consumers,
):
    for command in module.COMMANDS:
        cli.add_command(command)


#: The exit status for each kind of failure; anything else the library refuses is bad input.
EXIT_CODES: tuple[tuple[type[JobsearchError], int], ...] = (
    (BackendError, 3),
    (ConcurrencyError, 4),
    (PluginError, 5),
    (ViewError, 5),
    (CorruptEventError, 6),
)


def exit_code(error: JobsearchError) -> int:
    """The exit status that says what failed: 2 bad input, 3 backend, 4 concurrency, 5
    plugin, 6 a damaged row (1 is `verify`'s "problems found")."""
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), 2)


def current_log() -> EventLog:
    """The log the running `jobsearch` command works on, for commands that plugins add.

    It is the one the user chose (``--log URL``, ``$JOBSEARCH_LOG`` or the default),
    opened on first use and closed when the command ends.
    """
    return context().log


def main() -> None:
    """The console script."""
    cli(prog_name="jobsearch")
