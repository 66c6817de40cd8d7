"""Each plugin hook's own tests: what it receives, when it is called, what the host refuses.

Each class is marked ``@pytest.mark.hook("<name>")``; tests/test_docs.py fails when a hook
in hookspecs.py has no test marked so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import click
import pytest
from click.testing import CliRunner

from jobsearch_core import (
    ConcurrencyError,
    Event,
    EventLog,
    EventRetracted,
    GapAdded,
    GapPracticed,
    PluginError,
    Recorded,
    UnknownEvent,
    View,
    hookimpl,
    open_log,
)
from jobsearch_core.cli import cli
from jobsearch_core.plugins import load_catalog, pm
from jobsearch_core.storage.memory import MemoryBackend

Install = Callable[[object, str], None]


@pytest.fixture
def install() -> Iterator[Install]:
    """Registers plugins for one test; unregisters them (and their commands) afterwards."""
    added: list[str] = []
    commands = dict(cli.commands)

    def add(plugin: object, name: str) -> None:
        pm.register(plugin, name=name)
        added.append(name)

    yield add
    for name in added:
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
    cli.commands.clear()
    cli.commands.update(commands)


@pytest.mark.hook("register_backends")
class TestRegisterBackends:
    """register_backends(register): a storage backend for a URL scheme."""

    def test_factory_gets_the_whole_url(self, install: Install) -> None:
        """open_log calls the factory of the URL's scheme with the URL as given."""
        opened: list[str] = []

        class Plugin:
            @hookimpl
            def register_backends(self, register: Any) -> None:
                def factory(url: str) -> MemoryBackend:
                    opened.append(url)
                    return MemoryBackend(url)

                register("acme+mem", factory)

        install(Plugin(), "acme-backend")
        with open_log("acme+mem://box/one?x=1") as log:
            log.append([GapAdded(skill="SQL")])
            assert log.url == "acme+mem://box/one?x=1"
        assert opened == ["acme+mem://box/one?x=1"]

    def test_gone_with_its_plugin(self, install: Install) -> None:
        """Once the plugin is unregistered, its scheme is refused, naming the installed ones."""

        class Plugin:
            @hookimpl
            def register_backends(self, register: Any) -> None:
                register("acme", MemoryBackend.from_url)

        install(Plugin(), "acme-backend")
        open_log("acme://x").close()
        pm.unregister(name="acme-backend")
        with pytest.raises(Exception, match=r"no backend for acme://.*memory://"):
            open_log("acme://x")

    @pytest.mark.parametrize("scheme", ["Acme", "1acme", "ac me", ""])
    def test_bad_scheme_refused(self, install: Install, scheme: str) -> None:
        """A scheme that is not a lower-case URL scheme is refused, naming the plugin."""

        class Plugin:
            @hookimpl
            def register_backends(self, register: Any) -> None:
                register(scheme, MemoryBackend.from_url)

        install(Plugin(), "acme-bad")
        with pytest.raises(PluginError, match="acme-bad"):
            load_catalog()


def add_minutes(state: int, recorded: Recorded) -> int:
    """A fold: the minutes practised."""
    event = recorded.event
    return state + event.minutes if isinstance(event, GapPracticed) else state


@pytest.mark.hook("register_views")
class TestRegisterViews:
    """register_views(register): a named fold."""

    def test_folds_by_name_with_corrections_and_time_travel(self, install: Install) -> None:
        """The view is asked for by name; retracted events never reach it; as_of works."""

        class Plugin:
            @hookimpl
            def register_views(self, register: Any) -> None:
                register(View(name="minutes", version=1, initial=int, apply=add_minutes))

        install(Plugin(), "acme-minutes")
        log = open_log("memory://")
        (first, _) = log.append(
            [GapPracticed(skill="SQL", minutes=30), GapPracticed(skill="SQL", minutes=45)]
        )
        assert log.view("minutes") == 75
        log.append([EventRetracted(position=first.position)])
        assert log.view("minutes") == 45
        assert log.view("minutes", as_of=2) == 75
        assert log.views(["minutes", "gaps"])["minutes"] == 45

    def test_snapshots_need_a_state_type(self, install: Install, tmp_path: Path) -> None:
        """A view with a state_type resumes from a snapshot: the next read folds only what is new."""
        folded: list[int] = []

        @attrs.define
        class Total:
            minutes: int = 0

        def apply(state: Total, recorded: Recorded) -> Total:
            folded.append(recorded.position)
            state.minutes = add_minutes(state.minutes, recorded)
            return state

        class Plugin:
            @hookimpl
            def register_views(self, register: Any) -> None:
                register(
                    View(name="total", version=1, initial=Total, apply=apply, state_type=Total)
                )

        install(Plugin(), "acme-total")
        with open_log(tmp_path / "log.db") as opened:
            log = EventLog(opened.backend, snapshot_every=2)
            log.append([GapPracticed(skill="SQL", minutes=m) for m in (1, 2, 3, 4, 5)])
            assert log.view("total") == Total(15)
            assert folded == [1, 2, 3, 4, 5]
            folded.clear()
            assert log.view("total") == Total(15)
            assert folded == []  # kept at the head
            fresh = EventLog(opened.backend, catalog=log.catalog, snapshot_every=2)
            assert fresh.view("total") == Total(15)
            assert folded == [5]  # from the snapshot at position 4

    def test_duplicate_name_refused(self, install: Install) -> None:
        """A name another plugin registered is refused, naming both plugins."""

        class Plugin:
            @hookimpl
            def register_views(self, register: Any) -> None:
                register(View(name="pipeline", version=1, initial=int, apply=max))

        install(Plugin(), "acme-clash")
        with pytest.raises(PluginError) as caught:
            load_catalog()
        assert "view 'pipeline' is registered by both plugin" in str(caught.value)
        assert {"'jobsearch_core'", "'acme-clash'"} <= set(str(caught.value).split())


@attrs.frozen(kw_only=True)
class Booked(Event):
    """A plugin's event: an interview is in the calendar."""

    __event_type__ = "acme.Booked"
    application_id: str
    who: str


@attrs.frozen(kw_only=True)
class BookedV2(Event):
    """The same event at schema version 2: `who` is now `interviewer`."""

    __event_type__ = "acme.Booked"
    __schema_version__ = 2
    application_id: str
    interviewer: str


class BookedPlugin:
    """Registers one version of `acme.Booked`, with the upcaster when asked."""

    def __init__(self, cls: type[Event], upcast: bool = False) -> None:
        self.cls = cls
        self.upcast = upcast

    @hookimpl
    def register_event_types(self, register: Any) -> None:
        register(self.cls)

    @hookimpl
    def register_upcasters(self, register: Any) -> None:
        if self.upcast:
            register("acme.Booked", 1, rename_who)


def rename_who(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 -> 2 of acme.Booked."""
    data["interviewer"] = data.pop("who")
    return data


@pytest.mark.hook("register_event_types")
class TestRegisterEventTypes:
    """register_event_types(register): event classes under stable names."""

    def test_round_trip_under_its_stable_name(self, install: Install, tmp_path: Path) -> None:
        """The event is stored under its __event_type__ and read back as itself."""
        install(BookedPlugin(Booked), "acme-booked")
        with open_log(tmp_path / "log.db") as log:
            log.append([Booked(application_id="a1", who="Ann")])
            (row,) = log.backend.read()
            assert (row.type, row.schema_version) == ("acme.Booked", 1)
            (recorded,) = log.read()
            assert recorded.event == Booked(application_id="a1", who="Ann", at=recorded.event.at)

    def test_unknown_without_the_plugin(self, install: Install, tmp_path: Path) -> None:
        """Without the plugin, the event is kept as an UnknownEvent and views skip it."""
        install(BookedPlugin(Booked), "acme-booked")
        with open_log(tmp_path / "log.db") as log:
            log.append([Booked(application_id="a1", who="Ann"), GapAdded(skill="SQL")])
        pm.unregister(name="acme-booked")
        with open_log(tmp_path / "log.db") as log:
            first = next(log.read()).event
            assert isinstance(first, UnknownEvent)
            assert first.type_name == "acme.Booked"
            assert [item.skill for item in log.view("gaps").items] == ["SQL"]

    def test_not_an_event_class_refused(self, install: Install) -> None:
        """Registering something that is not an Event class is refused, naming the plugin."""

        class Plugin:
            @hookimpl
            def register_event_types(self, register: Any) -> None:
                register(dict)

        install(Plugin(), "acme-wrong")
        with pytest.raises(PluginError, match="acme-wrong"):
            load_catalog()


@pytest.mark.hook("register_upcasters")
class TestRegisterUpcasters:
    """register_upcasters(register): stored forms migrated on read."""

    def test_old_rows_read_as_the_new_schema(self, install: Install, tmp_path: Path) -> None:
        """A version 1 row reads as a version 2 event; the stored bytes stay as they were."""
        install(BookedPlugin(Booked), "acme-booked")
        with open_log(tmp_path / "log.db") as log:
            log.append([Booked(application_id="a1", who="Ann")])
            stored = list(log.backend.read())
        pm.unregister(name="acme-booked")
        install(BookedPlugin(BookedV2, upcast=True), "acme-booked")
        with open_log(tmp_path / "log.db") as log:
            (recorded,) = log.read()
            assert recorded.event == BookedV2(
                application_id="a1", interviewer="Ann", at=recorded.event.at
            )
            assert list(log.backend.read()) == stored

    def test_without_the_upcaster_the_row_is_kept_unknown(
        self, install: Install, tmp_path: Path
    ) -> None:
        """With no step from version 1 to 2, the row is kept as an UnknownEvent saying so."""
        install(BookedPlugin(Booked), "acme-booked")
        with open_log(tmp_path / "log.db") as log:
            log.append([Booked(application_id="a1", who="Ann")])
        pm.unregister(name="acme-booked")
        install(BookedPlugin(BookedV2), "acme-booked")
        with open_log(tmp_path / "log.db") as log:
            (recorded,) = log.read()
            assert isinstance(recorded.event, UnknownEvent)
            assert recorded.event.reason == "no upcaster from schema version 1 to 2"

    def test_bad_version_refused(self, install: Install) -> None:
        """An upcaster from version 0 is refused, naming the plugin."""

        class Plugin:
            @hookimpl
            def register_upcasters(self, register: Any) -> None:
                register("acme.Booked", 0, rename_who)

        install(Plugin(), "acme-upcast")
        with pytest.raises(PluginError, match="acme-upcast"):
            load_catalog()


@pytest.mark.hook("register_skill_aliases")
class TestRegisterSkillAliases:
    """register_skill_aliases(register): alias packs, offered as merges, never applied."""

    def test_pack_is_offered_not_applied(self, install: Install, tmp_path: Path) -> None:
        """`jobsearch gaps` offers the pack's merge; the gap list keeps both spellings."""

        class Plugin:
            @hookimpl
            def register_skill_aliases(self, register: Any) -> None:
                register("acme-cloud", {"tf": "Terraform", " terraform ": "Terraform"})

        install(Plugin(), "acme-cloud")
        url = f"sqlite:///{tmp_path / 'log.db'}"
        runner = CliRunner()
        for skill in ("tf", "Terraform"):
            assert runner.invoke(cli, ["--log", url, "gap", "add", skill]).exit_code == 0
        result = runner.invoke(cli, ["--log", url, "gaps"])
        assert result.exit_code == 0, result.output
        assert "jobsearch gap merge tf --into Terraform" in result.output
        assert "alias from acme-cloud" in result.output
        with open_log(url) as log:
            assert log.catalog.skill_aliases["acme-cloud"] == {"tf": "Terraform"}
            assert [item.skill for item in log.view("gaps").items] == ["tf", "Terraform"]

    @pytest.mark.parametrize("aliases", [["tf"], {"tf": ""}, {"": "Terraform"}, {"tf": 3}])
    def test_bad_pack_refused(self, install: Install, aliases: Any) -> None:
        """A pack that is not a mapping of text to text is refused, naming the plugin."""

        class Plugin:
            @hookimpl
            def register_skill_aliases(self, register: Any) -> None:
                register("acme-bad", aliases)

        install(Plugin(), "acme-bad-aliases")
        with pytest.raises(PluginError, match="acme-bad-aliases"):
            load_catalog()

    def test_pack_names_are_unique(self, install: Install) -> None:
        """Two plugins registering one pack name are refused, naming both."""

        class Plugin:
            @hookimpl
            def register_skill_aliases(self, register: Any) -> None:
                register("common", {"tf": "Terraform"})

        install(Plugin(), "acme-common")
        with pytest.raises(PluginError, match=r"jobsearch_core.*acme-common"):
            load_catalog()


@pytest.mark.hook("register_commands")
class TestRegisterCommands:
    """register_commands(cli): subcommands of `jobsearch`, with the chosen log."""

    def test_command_gets_the_chosen_log(self, install: Install, tmp_path: Path) -> None:
        """click.pass_obj gives the command an object whose `log` is the log --log chose."""
        seen: list[str] = []

        class Plugin:
            @hookimpl
            def register_commands(self, cli: click.Group) -> None:
                @cli.command("acme-count")
                @click.pass_obj
                def count(host: Any) -> None:
                    """Count the events."""
                    seen.append(host.log.url)
                    click.echo(str(host.log.head))

        install(Plugin(), "acme-count")
        url = f"sqlite://{tmp_path / 'log.db'}"
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        result = CliRunner().invoke(cli, ["--log", url, "acme-count"])
        assert (result.exit_code, result.output) == (0, "2\n")
        assert seen == [url]
        assert "acme-count" in CliRunner().invoke(cli, ["--help"]).output

    def test_errors_are_one_line(self, install: Install) -> None:
        """A JobsearchError from a plugin's command ends in one line and exit status 2."""
        from jobsearch_core import InvalidInputError

        class Plugin:
            @hookimpl
            def register_commands(self, cli: click.Group) -> None:
                @cli.command("acme-fail")
                def fail() -> None:
                    """Fail."""
                    raise InvalidInputError("acme-fail: nothing to do")

        install(Plugin(), "acme-fail")
        result = CliRunner().invoke(cli, ["acme-fail"])
        assert result.exit_code == 2
        assert result.stderr == "error: acme-fail: nothing to do\n"


@pytest.mark.hook("appended")
class TestAppended:
    """appended(log, records): told after each committed append."""

    def test_hears_each_committed_append(self, install: Install) -> None:
        """It gets the log and that append's records, after commit, and not a refused append."""
        heard: list[tuple[EventLog, list[int], int]] = []

        class Plugin:
            @hookimpl
            def appended(self, log: EventLog, records: list[Recorded]) -> None:
                heard.append((log, [r.position for r in records], log.head))

        install(Plugin(), "acme-listener")
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")], stream="ana")
        with pytest.raises(ConcurrencyError):
            log.append([GapAdded(skill="dbt")], stream="ana", expected_version=0)
        log.append([], stream="ana")
        assert heard == [(log, [1, 2], 2)]

    def test_may_take_fewer_arguments(self, install: Install) -> None:
        """An implementation may ask only for what it needs."""
        counts: list[int] = []

        class Plugin:
            @hookimpl
            def appended(self, records: list[Recorded]) -> None:
                counts.append(len(records))

        install(Plugin(), "acme-counter")
        open_log("memory://").append([GapAdded(skill="SQL")])
        assert counts == [1]

    def test_a_failing_listener_is_logged_not_raised(
        self, install: Install, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An exception in the hook is logged, and the committed append still returns."""

        class Plugin:
            @hookimpl
            def appended(self) -> None:
                raise RuntimeError("listener down")

        install(Plugin(), "acme-broken")
        log = open_log("memory://")
        with caplog.at_level(logging.ERROR, logger="jobsearch_core"):
            (recorded,) = log.append([GapAdded(skill="SQL")])
        assert recorded.position == 1
        assert "acme-broken" in caplog.text
        assert log.head == 1
