"""The codec: events to stored rows (type name, schema version, JSON bytes) and back.

`Codec` encodes, decodes and upcasts; `trusted` generates the fast replay path from the
event classes' own fields; `states` does the same for snapshot states; `converter` is
the cattrs converter behind the validated path.
"""

from __future__ import annotations

from jobsearch_core.codec._codec import Codec, Upcaster, make_record
from jobsearch_core.codec.converter import make_converter

__all__ = ["Codec", "Upcaster", "make_converter", "make_record"]
