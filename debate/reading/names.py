"""Telling speakers apart where their names read alike.

Each speaker has a colour (``Speaker.hue``) and their initials on an avatar, but colours
repeat and initials collide. Where two speakers shown on the same page have names that read
alike, the lists on that page show each one's @handle beside the name. Cards always show the
handle. Pure: callers pass what they have already loaded, and nothing here queries.

Two names read alike when they are the same once case, accents, punctuation and spacing are
set aside ("José Díaz" and "jose diaz"), or when they have the same initials ("Ada Lovelace"
and "Ann Lee": their avatars would both read "AL").
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any

from ..models.sources import initials_of


def folded(text: str) -> str:
    """``text`` without case, accents, punctuation or extra spaces: "José  Díaz-Ruiz" reads
    "jose diaz ruiz"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def likeness(name: str) -> tuple[str, str]:
    """What two names are compared by: the folded name and the folded initials."""
    return ("name:" + folded(name), "initials:" + folded(initials_of(name)))


def alike(named: Iterable[tuple[Hashable, str]]) -> set[Hashable]:
    """Of ``(key, name)`` pairs (a speaker's pk and name), the keys whose name reads alike
    another key's. A key given twice is one speaker, never alike itself."""
    holders: dict[str, set[Hashable]] = defaultdict(set)
    for key, name in named:
        for part in likeness(name):
            holders[part].add(key)
    return {key for keys in holders.values() if len(keys) > 1 for key in keys}


def mark_alike(speakers: Iterable[Any]) -> None:
    """Set ``show_handle`` on each of the speakers a page shows: true when another of them
    has a name that reads alike (and the speaker has a handle to show)."""
    speakers = list(speakers)
    clashing = alike((speaker.pk, speaker.name) for speaker in speakers)
    for speaker in speakers:
        speaker.show_handle = bool(speaker.handle) and speaker.pk in clashing
