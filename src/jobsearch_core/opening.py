"""Opening a log: a URL (or a path) to a backend, with the plugin set of this moment."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from jobsearch_core.catalog import Catalog
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.log import EventLog, shown_url
from jobsearch_core.plugins import load_catalog
from jobsearch_core.storage.sqlite import file_url

__all__ = ["default_url", "open_log"]


def default_url() -> str:
    """``$JOBSEARCH_LOG``, else a SQLite file in the user's data folder."""
    from_env = os.environ.get("JOBSEARCH_LOG")
    if from_env:
        return from_env
    return file_url(_data_dir().joinpath("log.db"))


def _data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "jobsearch"


def open_log(
    url: str | os.PathLike[str] | None = None,
    *,
    catalog: Catalog | None = None,
    source: str | None = None,
) -> EventLog:
    """Open the log at `url`: ``sqlite:///path``, ``memory://`` or a scheme a plugin registers.

    With no URL: ``$JOBSEARCH_LOG``, else ``log.db`` in the user's data folder. A
    `pathlib.Path`, or text with no scheme, is a SQLite file's path, taken literally
    (``"search #2.db"`` is that file); in a ``sqlite:///`` URL, percent-encode such
    characters (``sqlite:///tmp/search%20%232.db``). The log keeps the plugin set
    installed now (`catalog`, by default the one `jobsearch_core.plugins` builds).
    `source` is put in the metadata of every event it appends (default: the running
    program's name), unless an append's metadata names another.
    """
    if url is None:
        text = default_url()
        if text.startswith("sqlite:") and not os.environ.get("JOBSEARCH_LOG"):
            _data_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    elif isinstance(url, os.PathLike):
        text = file_url(url)  # a path is a path: "#", "%" and "?" are part of its name
    elif isinstance(url, str):
        text = url
    else:
        raise InvalidInputError(f"a log URL must be text or a path, got {url!r}")
    if not text.strip():
        raise InvalidInputError("the log URL is empty")
    scheme = urlsplit(text).scheme
    if len(scheme) <= 1:  # no scheme (or a Windows drive letter): a file path
        text = file_url(text)
        scheme = "sqlite"
    catalog = catalog if catalog is not None else load_catalog()
    factory = catalog.backends.get(scheme)
    if factory is None:
        known = ", ".join(f"{s}://" for s in sorted(catalog.backends))
        raise InvalidInputError(
            f"no backend for {scheme}:// in {shown_url(text)!r} (installed: {known}); "
            "is its plugin installed?"
        )
    return EventLog(factory(text), catalog=catalog, source=source)
