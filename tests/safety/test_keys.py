"""A keyed chain: an HMAC, so a history rewritten and rehashed without the key is found."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import attrs
import pytest

from jobsearch_core import BackendError, GapAdded, open_log
from jobsearch_core.storage import GENESIS, chain_hash
from tests.safety.test_anchors import _rewrite


def keyed(url: str, key_file: Path) -> str:
    """The URL with a key_file option."""
    return f"{url}{'&' if '?' in url else '?'}key_file={quote(str(key_file))}"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A file holding a key (with the newline an editor leaves)."""
    path = tmp_path / "log.key"
    path.write_text("correct horse battery staple\n")
    return path


class TestKeyedChain:
    def test_a_keyed_log_verifies_with_its_key(self, durable_url: str, key_file: Path) -> None:
        url = keyed(durable_url, key_file)
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            assert log.verify() == []
            rows = list(log.backend.read())
            key = key_file.read_bytes().rstrip()
            assert rows[0].hash == chain_hash(GENESIS, rows[0], key)
            assert rows[0].hash != chain_hash(GENESIS, rows[0])  # not the plain hash

    def test_a_history_rehashed_without_the_key_is_found(
        self, durable_url: str, key_file: Path
    ) -> None:
        """The forger can write the database but has no key: a plain rehash breaks the
        keyed chain where the edit is (the unkeyed log's rehash passed: see test_anchors)."""
        url = keyed(durable_url, key_file)
        with open_log(url) as log:
            log.append([GapAdded(skill=f"skill {i}") for i in range(3)])
            rows = list(log.backend.read())
            forged = attrs.evolve(rows[1], data=b'{"at":"2026-01-01T00:00:00+00:00","skill":"x"}')
            previous = rows[0].hash
            for row in [forged, rows[2]]:
                previous = chain_hash(previous, attrs.evolve(row, hash=b""))  # no key
                _rewrite(log, row.position, row.data, previous)
            assert [p.position for p in log.verify()] == [2, 3]

    def test_the_key_from_the_environment(
        self, durable_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("JOBSEARCH_LOG_KEY", "from the environment")
        with open_log(durable_url) as log:
            log.append([GapAdded(skill="SQL")])
            assert log.verify() == []
        monkeypatch.setenv("JOBSEARCH_LOG_KEY", "another key")
        with pytest.raises(BackendError, match="not the key of"):
            open_log(durable_url)

    def test_without_its_key_a_keyed_log_reads_but_neither_appends_nor_vouches(
        self, durable_url: str, key_file: Path
    ) -> None:
        with open_log(keyed(durable_url, key_file)) as log:
            log.snapshot_every = 1
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            log.view("gaps")
        with open_log(durable_url) as log:
            assert [i.skill for i in log.view("gaps").items] == ["SQL", "Go"]
            with pytest.raises(BackendError, match="appending needs its key"):
                log.append([GapAdded(skill="Rust")])
            (problem,) = log.verify()
            assert "keyed (HMAC) and no key was given" in problem.message
            assert log.head == 2

    def test_a_plain_log_refuses_a_key(self, durable_url: str, key_file: Path) -> None:
        with open_log(durable_url) as log:
            log.append([GapAdded(skill="SQL")])
        with pytest.raises(BackendError, match="made without a key"):
            open_log(keyed(durable_url, key_file))

    def test_an_unreadable_key_file(self, durable_url: str, tmp_path: Path) -> None:
        from jobsearch_core import InvalidInputError

        with pytest.raises(InvalidInputError, match="cannot read the key file"):
            open_log(keyed(durable_url, tmp_path / "missing.key"))
        (tmp_path / "empty.key").write_text("\n")
        with pytest.raises(InvalidInputError, match="is empty"):
            open_log(keyed(durable_url, tmp_path / "empty.key"))
