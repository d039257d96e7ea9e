"""The CMS families, one line each (the protocol: crawler/portals/base.py; the shared toolkit: toolkit.py).

The spider asks `families_for(page, hint)`: the families whose `matches()` accepts the page, in this order, the
portal's configured `cms` first; generic matches every page, so it is always asked (last, unless it is the hint).
A new family is one module and one line below.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from crawler.portals import generic, hanweb, trs, ucap
from crawler.portals.base import CmsFamily, Family, ListItem

FAMILIES: dict[str, CmsFamily] = {f.name: f for f in (
    trs.Trs(),
    hanweb.Hanweb(),
    ucap.Ucap(),
    generic.Generic(),
)}

__all__ = ["FAMILIES", "CmsFamily", "Family", "ListItem", "any_says", "ask", "families_for"]


def families_for(response, hint: str | None = None) -> list[CmsFamily]:
    """The families that make (or page) this page: the hinted family first, then the registry's order."""
    order = list(FAMILIES.values())
    if hint in FAMILIES:
        order.sort(key=lambda f: f.name != hint)
    return [f for f in order if f.matches(response)]


def _distinct(families: Iterable[CmsFamily], method: str) -> Iterator[Any]:
    """Each family's bound `method`, skipping an implementation that several families inherit unchanged (the
    toolkit's default): it is asked once."""
    asked: set[object] = set()
    for family in families:
        impl = getattr(type(family), method, None) or getattr(family, method)
        if impl not in asked:
            asked.add(impl)
            yield getattr(family, method)


def ask(families: Iterable[CmsFamily], method: str, *args: Any) -> list[Any]:
    """The families' answers to `method` (a list each), concatenated in order."""
    return [answer for bound in _distinct(families, method) for answer in bound(*args)]


def any_says(families: Iterable[CmsFamily], method: str, *args: Any) -> bool:
    """Whether any of the families answers yes to `method`."""
    return any(bound(*args) for bound in _distinct(families, method))
