"""A log's chain may be keyed: an HMAC instead of a plain hash, so that rehashing a forged
history needs the key as well as write access to the database.

The key comes from ``JOBSEARCH_LOG_KEY`` or from a file named by the URL's ``key_file``
option. A log is keyed or not from the moment it is made (or migrated): the mode, and a
check value that tells the right key from a wrong one, are stored in the log itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import attrs

from jobsearch_core.errors import BackendError, InvalidInputError

__all__ = [
    "KEYED",
    "KEY_ENV",
    "PLAIN",
    "ChainMode",
    "key_check",
    "needs_key",
    "read_key",
    "settled",
    "to_store",
]

#: The environment variable that holds a log's key.
KEY_ENV = "JOBSEARCH_LOG_KEY"
#: How a log's chain is hashed, as stored in it.
PLAIN = "sha256"
KEYED = "hmac-sha256"


@attrs.frozen
class ChainMode:
    """How a log's chain is hashed: keyed or not, and the key when it was given."""

    keyed: bool = False
    #: The key (None for a plain chain, or for a keyed one opened without its key).
    key: bytes | None = attrs.field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        """Whether hashes can be made and checked: a plain chain, or a keyed one with its key."""
        return not self.keyed or self.key is not None


def read_key(key_file: str | None) -> bytes | None:
    """The key from the file `key_file` names (its bytes, trailing whitespace cut), else
    from ``$JOBSEARCH_LOG_KEY``, else None."""
    if key_file is not None:
        if not key_file:
            raise InvalidInputError("key_file names no file")
        try:
            key = Path(key_file).read_bytes().rstrip()
        except OSError as error:
            raise InvalidInputError(
                f"cannot read the key file {key_file}: {error.strerror or error}"
            ) from None
        if not key:
            raise InvalidInputError(f"the key file {key_file} is empty")
        return key
    text = os.environ.get(KEY_ENV)
    return text.encode("utf-8", "surrogateescape") if text else None


def key_check(key: bytes) -> bytes:
    """What a log stores to tell its key from another: an HMAC of a fixed text."""
    return hmac.new(key, b"jobsearch-core: the key of this log", hashlib.sha256).digest()


def settled(mode: str | None, check: bytes | None, key: bytes | None, where: str) -> ChainMode:
    """The chain mode of a log that stores `mode` and `check`, opened with `key`.

    A log made without a key refuses one (its chain is plain: a key would hash new rows
    differently); a keyed log refuses a wrong key, and opened without one can be read
    but neither appended to nor checked.
    """
    if mode in (None, PLAIN):
        if key is not None:
            raise BackendError(
                f"{where} was made without a key, so its chain is plain SHA-256; open it "
                f"without {KEY_ENV} or key_file"
            )
        return ChainMode()
    if mode != KEYED:
        raise BackendError(f"{where} keeps its chain as {mode!r}, which this version does not know")
    if key is None:
        return ChainMode(keyed=True)
    if check is None or not hmac.compare_digest(key_check(key), check):
        raise BackendError(f"the key given is not the key of {where}")
    return ChainMode(keyed=True, key=key)


def needs_key(where: str) -> str:
    """Why a keyed log opened without its key refuses to append."""
    return (
        f"{where} keeps a keyed chain (HMAC): appending needs its key; set {KEY_ENV} or "
        "give key_file=PATH in the URL. The log is as it was"
    )


def to_store(key: bytes | None) -> list[tuple[str, bytes]]:
    """The settings a new (or migrated) log stores for its chain."""
    if key is None:
        return [("chain", PLAIN.encode())]
    return [("chain", KEYED.encode()), ("key_check", key_check(key))]
