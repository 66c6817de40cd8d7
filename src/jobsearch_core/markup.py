"""Text from the log made safe inside HTML and XML, where a name must never become markup."""

from __future__ import annotations

import re

__all__ = ["escape"]

#: Characters XML 1.0 cannot hold at all and HTML refuses (C0 controls but tab and
#: newlines, lone surrogates, U+FFFE and U+FFFF): a name from the log may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(value: str) -> str:
    """`value` as text for element content or a quoted attribute: escaped, and characters
    XML cannot hold shown as U+FFFD."""
    cleaned = _NOT_XML.sub("\ufffd", value)
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )
