"""The documentation is tested: its examples run, and it keeps up with the code.

Every ```python block of README.md, plugins/README.md and docs/ runs: the blocks of a
page in order, in one namespace, in an empty temporary folder (which is also
``$JOBSEARCH_LOG``'s folder). A block with a title (```python title="src/pkg/x.py"```,
as the tutorial writes files) is written to that path instead, and when a page has
written tests (``tests/test_*.py``), they run with pytest in that folder, the page's
package installed as ``pip install -e .`` would (its source on the path, its entry
points declared). A block is left out only when its first line says why:
``# Not run by the docs tests: <reason>``.

The hooks page has a ``## hook(arguments)`` section, with an example, for every hook in
`jobsearch_core.hookspecs`, and every hook has a test of its own: one marked
``@pytest.mark.hook("<hook name>")`` somewhere under tests/.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from jobsearch_core import hookspecs
from jobsearch_core.cli import cli
from jobsearch_core.events import BUILTIN_EVENTS, Event, FeedbackItem, Recorded, UnknownEvent
from jobsearch_core.plugins import BUILTIN, load_catalog, pm

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
HOOKS_PAGE = DOCS / "plugins" / "hooks.md"
TESTS = ROOT / "tests"
#: Every page whose examples run.
PAGES = [README, ROOT / "plugins" / "README.md", *sorted(DOCS.rglob("*.md"))]
#: Pages whose ```sh blocks are a tour of the command: each `jobsearch ...` line runs.
CLI_TOURS = [README, DOCS / "getting-started.md"]
#: At most this many blocks may be left out, each with its reason.
MAX_LEFT_OUT = 3

_FENCE = re.compile(
    r"^```(?P<lang>[\w+-]*)(?P<info>[^\n]*)\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)
_TITLE = re.compile(r'\btitle="([^"]+)"')
_LEFT_OUT = re.compile(r"\A# Not run by the docs tests: (?P<reason>.+)")
_SIGNATURE = re.compile(r"^## (?P<name>\w+)\((?P<args>[^)]*)\)[ \t]*$", re.MULTILINE)


@attrs.frozen
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int
    lang: str
    title: str | None
    code: str

    @property
    def where(self) -> str:
        """page:line, for messages and tracebacks."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def left_out(self) -> str | None:
        """Why the block is not run, when its first line says so."""
        match = _LEFT_OUT.match(self.code)
        return match.group("reason").strip() if match else None


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a page, in order."""
    text = page.read_text()
    found = []
    for match in _FENCE.finditer(text):
        title = _TITLE.search(match.group("info"))
        found.append(
            Block(
                page=page,
                line=text.count("\n", 0, match.start()) + 1,
                lang=match.group("lang"),
                title=title.group(1) if title else None,
                code=match.group("code"),
            )
        )
    return found


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty folder to run a page in; what the page registers or imports is undone after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOBSEARCH_LOG", f"sqlite://{tmp_path / 'log.db'}")
    monkeypatch.delenv("JOBSEARCH_CORE_PLUGINS", raising=False)
    plugins = {name for name, _ in pm.list_name_plugin()}
    commands = dict(cli.commands)
    asked = set(getattr(cli, "_asked", ()))
    path = list(sys.path)
    modules = set(sys.modules)
    # A page may put a relative folder ("src") on sys.path: forget what the import system
    # cached about the same name in another page's folder.
    for entry in [entry for entry in sys.path_importer_cache if not os.path.isabs(entry)]:
        del sys.path_importer_cache[entry]
    importlib.invalidate_caches()
    yield tmp_path
    for name, plugin in pm.list_name_plugin():
        if name not in plugins and plugin is not None:
            pm.unregister(name=name)
    cli.commands.clear()
    cli.commands.update(commands)
    if hasattr(cli, "_asked"):
        cli._asked = asked  # so a plugin registered again gets asked again
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        if str(tmp_path) in str(getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]


def run_page(page: Path, folder: Path) -> list[Path]:
    """Run a page's blocks in `folder`; return the files its titled blocks wrote."""
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    written = []
    for block in blocks(page):
        if block.title is not None:
            target = folder / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.code)
            written.append(target)
        elif block.lang == "python" and block.left_out is None:
            exec(compile(block.code, block.where, "exec"), namespace)
    return written


def _install_like_pip(folder: Path) -> Path:
    """What ``pip install -e .`` leaves behind: a dist-info declaring the entry points."""
    site = folder / ".site-packages"
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = []
    for group, points in project.get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {target}" for name, target in points.items())
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return site


def run_written_tests(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the tests a page wrote, with its package installed as pip would."""
    paths = [folder / "src"]
    if (folder / "pyproject.toml").exists():
        paths.append(_install_like_pip(folder))
    env = {k: v for k, v in os.environ.items() if k not in ("JOBSEARCH_CORE_PLUGINS", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


class TestExamplesRun:
    """Every example runs as shown."""

    @pytest.mark.parametrize("page", PAGES, ids=_page_id)
    def test_page(self, page: Path, sandbox: Path) -> None:
        """The page's blocks run in order; the tests it writes pass."""
        written = run_page(page, sandbox)
        if any(path.match("tests/test_*.py") for path in written):
            result = run_written_tests(sandbox)
            assert result.returncode == 0, result.stdout + result.stderr
            assert " passed" in result.stdout

    @pytest.mark.parametrize("page", CLI_TOURS, ids=_page_id)
    def test_command_tour(self, page: Path, sandbox: Path) -> None:
        """Each `jobsearch ...` line of the page's ```sh blocks runs, in order, on one log."""
        runner = CliRunner()
        lines = [
            line.strip()
            for block in blocks(page)
            if block.lang == "sh"
            for line in block.code.splitlines()
            if line.strip().startswith("jobsearch ")
        ]
        assert lines
        for line in lines:
            args = shlex.split(line, comments=True)[1:]
            result = runner.invoke(cli, args, catch_exceptions=False)
            assert result.exit_code == 0, (line, result.output, result.stderr)

    def test_left_out_blocks_are_few_and_say_why(self) -> None:
        """At most a few blocks are not run, each with a reason a reader can see."""
        left_out = [block for page in PAGES for block in blocks(page) if block.left_out is not None]
        assert len(left_out) <= MAX_LEFT_OUT, [block.where for block in left_out]
        for block in left_out:
            assert block.left_out is not None, block.where
            assert len(block.left_out) >= 15, block.where

    def test_pages_have_examples(self) -> None:
        """The README, the getting-started page and the hooks page show code that runs."""
        for page in (README, DOCS / "getting-started.md", HOOKS_PAGE, DOCS / "concepts.md"):
            assert any(b.lang == "python" and b.title is None for b in blocks(page)), page


class TestReadme:
    """The README's own promises."""

    def test_quick_start_is_the_two_commands(self) -> None:
        """The Quick start is make demo and make test, in that order."""
        quick = README.read_text().split("## Quick start", 1)[1].split("```", 2)[1]
        assert re.findall(r"^make (\w+)", quick, flags=re.MULTILINE) == ["demo", "test"]

    def test_has_examples(self) -> None:
        """The README shows the library in use (a Quick start alone is not enough)."""
        assert len([b for b in blocks(README) if b.lang == "python"]) >= 2


class TestSite:
    """The pages hang together."""

    def test_every_page_is_linked_from_the_index(self) -> None:
        """A newcomer reaches every page from the home page."""
        linked = {
            (DOCS / target).resolve()
            for target in re.findall(r"\]\(([^)#\s]+\.md)", (DOCS / "index.md").read_text())
        }
        pages = {page.resolve() for page in DOCS.rglob("*.md")} - {(DOCS / "index.md").resolve()}
        assert sorted(map(str, pages - linked)) == []
        assert all(page.exists() for page in linked)

    def test_every_page_is_in_the_nav(self) -> None:
        """mkdocs.yml names every page (the strict build also refuses one left out)."""
        config = (ROOT / "mkdocs.yml").read_text()
        for page in DOCS.rglob("*.md"):
            assert f" {page.relative_to(DOCS).as_posix()}\n" in config, page


# --- hooks: documented and tested ----------------------------------------------------------


def hook_signatures() -> dict[str, str]:
    """Each hook in hookspecs.py -> its heading on the hooks page, ``name(arguments)``."""
    return {
        name: f"{name}({', '.join(inspect.signature(function).parameters)})"
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "jobsearch_core_spec")
    }


def hooks_page_sections() -> dict[str, str]:
    """The hooks page's ``## name(arguments)`` sections: heading -> the section's text."""
    text = HOOKS_PAGE.read_text()
    sections: dict[str, str] = {}
    for part in re.split(r"^(?=## )", text, flags=re.MULTILINE):
        match = _SIGNATURE.match(part)
        if match:
            sections[f"{match['name']}({match['args']})"] = part
    return sections


def _hook_marks(node: ast.AST) -> Iterator[str]:
    """The names in ``pytest.mark.hook("name")`` calls inside `node`."""
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "hook"
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "mark"
        ):
            for argument in call.args:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield argument.value


def hooks_with_tests() -> dict[str, list[str]]:
    """Hook name -> the tests marked ``@pytest.mark.hook(name)`` (file::test or file::Class)."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            marked: list[str] = []
            label = ""
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and (
                node.name.startswith(("test_", "Test"))
            ):
                label = node.name
                for decorator in node.decorator_list:
                    marked.extend(_hook_marks(decorator))
            elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "pytestmark"
                for target in node.targets
            ):
                label = "pytestmark"
                marked.extend(_hook_marks(node.value))
            for hook in marked:
                found.setdefault(hook, []).append(f"{path.relative_to(ROOT)}::{label}")
    return found


HOOKS = hook_signatures()


class TestHooksDocumented:
    """The hooks page keeps up with hookspecs.py."""

    @pytest.mark.parametrize("hook", sorted(HOOKS))
    def test_hook_has_a_section(self, hook: str) -> None:
        """The page has a section headed by the hook's signature, with a runnable example."""
        sections = hooks_page_sections()
        heading = HOOKS[hook]
        assert heading in sections, f"docs/plugins/hooks.md has no '## {heading}' section"
        examples = [
            block
            for block in blocks(HOOKS_PAGE)
            if block.lang == "python" and block.left_out is None and block.code in sections[heading]
        ]
        assert examples, f"the '## {heading}' section has no runnable ```python example"

    def test_no_section_for_a_hook_that_is_not_there(self) -> None:
        """Every signature heading on the page is a hook, with today's arguments."""
        assert sorted(hooks_page_sections()) == sorted(HOOKS.values())

    def test_the_docstring_and_the_section_agree_on_the_hooks(self) -> None:
        """hookspecs.py's __all__ names the same hooks the page documents."""
        assert set(HOOKS) == set(hookspecs.__all__) - {"hookspec", "hookimpl", "PROJECT"}


class TestHooksTested:
    """Every hook has a test of its own: one marked ``@pytest.mark.hook("<name>")``."""

    @pytest.mark.parametrize("hook", sorted(HOOKS))
    def test_hook_has_a_test(self, hook: str) -> None:
        """Some test under tests/ is marked as this hook's own."""
        assert hook in hooks_with_tests(), (
            f'no test is marked @pytest.mark.hook("{hook}"): write one (see tests/test_hooks.py)'
        )

    def test_marks_name_real_hooks(self) -> None:
        """A mark naming a hook that does not exist (a typo, a removed hook) fails."""
        assert sorted(set(hooks_with_tests()) - set(HOOKS)) == []


# --- the reference pages keep up with the code ---------------------------------------------


def _documented_names(section: str) -> set[str]:
    """The names in the first column of a section's tables: `a`, `b()`, `c`, `d` ..."""
    names: set[str] = set()
    for row in re.findall(r"^\| (.+?) \|", section, flags=re.MULTILINE):
        names.update(name.removesuffix("()") for name in re.findall(r"`(\w+(?:\(\))?)`", row))
    return names


def _sections(text: str, level: str) -> dict[str, str]:
    """Headings of one level (``##``) -> their text, up to the next heading of that level."""
    found = {}
    for part in re.split(rf"^(?={level} )", text, flags=re.MULTILINE):
        if part.startswith(f"{level} "):
            heading, _, body = part.partition("\n")
            found[heading.removeprefix(f"{level} ").strip()] = body
    return found


class TestEventsReference:
    """docs/reference/events.md lists every event and every field."""

    @pytest.mark.parametrize(
        "cls",
        [Event, *BUILTIN_EVENTS, FeedbackItem, Recorded, UnknownEvent],
        ids=lambda cls: cls.__name__,
    )
    def test_every_field(self, cls: type) -> None:
        """The class has a section whose table names each of its fields."""
        sections = _sections((DOCS / "reference" / "events.md").read_text(), "##")
        assert cls.__name__ in sections
        fields = {field.name for field in attrs.fields(cls)}
        if cls not in (Event, FeedbackItem, Recorded):
            fields.add("at")
        assert fields <= _documented_names(sections[cls.__name__])


class TestViewsReference:
    """docs/reference/views.md names only what exists, and every field of every state."""

    def _classes(self) -> Iterator[tuple[str, type, set[str]]]:
        text = (DOCS / "reference" / "views.md").read_text()
        for view, body in _sections(text, "##").items():
            if view not in load_catalog().views or load_catalog().owners[("view", view)] != BUILTIN:
                continue
            module = importlib.import_module(f"jobsearch_core.views.{view}")
            for name, section in _sections(body, "###").items():
                yield view, getattr(module, name), _documented_names(section)

    def test_every_builtin_view_has_a_section(self) -> None:
        """Each built-in view has its section."""
        sections = _sections((DOCS / "reference" / "views.md").read_text(), "##")
        builtins = [
            name
            for (kind, name), owner in load_catalog().owners.items()
            if kind == "view" and owner == BUILTIN
        ]
        assert set(builtins) <= set(sections)

    def test_documented_names_exist(self) -> None:
        """Every name on the page is a field, property or method of its class."""
        missing = [
            f"{view}: {cls.__name__}.{name}"
            for view, cls, names in self._classes()
            for name in names
            if not (name in attrs.fields_dict(cls) or hasattr(cls, name))
        ]
        assert missing == []

    def test_every_field_is_documented(self) -> None:
        """Every field of every state class on the page is named there."""
        undocumented = [
            f"{view}: {cls.__name__}.{field.name}"
            for view, cls, names in self._classes()
            for field in attrs.fields(cls)
            if field.name not in names
        ]
        assert undocumented == []


class TestBackendsReference:
    """docs/reference/backends.md has a section for each built-in URL scheme."""

    def test_every_builtin_scheme(self) -> None:
        """memory:// and sqlite:// (and any scheme the core adds) have a section."""
        sections = _sections((DOCS / "reference" / "backends.md").read_text(), "##")
        for (kind, name), owner in load_catalog().owners.items():
            if kind == "backend" and owner == BUILTIN:
                assert f"{name}://" in sections
