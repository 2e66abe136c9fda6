"""Weights: how a criteria file spells them, and the effective weights they give.

One file, one form (``WEIGHT_FORMS``). Every weight in a file, the groups' and the criteria's, is either a plain
number (relative points: ``30``, ``0.3``; rescaled so they sum to 1) or a percentage (``"30%"``). Percentages say
"this share of its siblings", so they must add up to 100% within each set of siblings: the groups; the criteria
of one group; all the criteria when there are no groups. A file that mixes the forms gets an error on each weight
of the less used form (on a tie, of the form the file's first weight does not use) naming where the other form
is; percentages that do not add up get an error on their set.

The effective weight of a criterion is its share of its siblings, times its group's share of the groups; the
effective weights of a file sum to 1.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..models import Group
from ..yamldoc import format_path
from .checks import Checker, is_percentage

PLAIN, PERCENT = "plain number", "percentage"
WEIGHT_FORMS = (PLAIN, PERCENT)
_PLURAL = {PLAIN: "plain numbers", PERCENT: "percentages"}
_SHOWN = 3                       # weights of the other form named in a mixed-forms message
_LISTED = 12                     # members listed in a "do not add up" message

_FORMS_HINT = ("write every weight in this file one way: all plain numbers (relative points, rescaled to sum to 1) "
               "or all percentages (adding up to 100% among siblings)")
_SUM_HINT = ("percentages are shares of their siblings: make them add up to 100%, or write every weight in this "
             "file as a plain number (relative points, rescaled to sum to 1)")


@dataclass(frozen=True)
class TypedWeight:
    """One weight as the file spells it: ``text`` is the value as typed (``30``, ``0.3`` or ``"30%"``)."""

    path: tuple
    text: Any
    value: float
    line: int
    column: int

    @property
    def form(self) -> str:
        return PERCENT if is_percentage(self.text) else PLAIN


def read_weight(c: Checker, path: tuple, raw: Any, typed: list[TypedWeight]) -> float | None:
    """A non-negative weight, plain or percentage; a readable one is also added to ``typed``."""
    value = c.number(path, raw, lo=0, what="a non-negative weight", percent_ok=True)
    if value is not None:
        where = c.where(path)
        typed.append(TypedWeight(path, raw, value, where.line, where.column))
    return value


def forms_agree(c: Checker, typed: list[TypedWeight]) -> bool:
    """True when every weight has one form; else an error on each weight of the minority form."""
    ordered = sorted(typed, key=lambda w: (w.line, w.column))
    counts = Counter(w.form for w in ordered)
    if len(counts) < 2:
        return True
    first = ordered[0].form
    major = max(WEIGHT_FORMS, key=lambda f: (counts[f], f == first))
    minor = PERCENT if major == PLAIN else PLAIN
    others = [w for w in ordered if w.form == major]
    if counts[minor] > 1:
        subject = f"{len(others)} other weights in this file are {_PLURAL[major]}"
    elif len(others) == 1:
        subject = f"the other weight in this file is a {major}"
    else:
        subject = f"the other weights in this file are {_PLURAL[major]}"
    places = [f"{format_path(w.path)} on line {w.line}" for w in others[:_SHOWN]]
    if len(others) > _SHOWN:
        places.append(f"{len(others) - _SHOWN} more")
    for w in ordered:
        if w.form == minor:
            c.fail(w.path, f"{w.text!r} is a {minor}, but {subject} ({_and(places)})", _FORMS_HINT)
    return False


def percentages_add_up(c: Checker, group_weights: dict[str, float | None] | None,
                       leaves: list[tuple[str, str | None, float | None]]) -> bool:
    """Each set of sibling percentages adds up to 100%; else an error on the set, listing its members.

    ``group_weights`` maps each declared group to its weight (None: unreadable); ``leaves`` lists each criterion as
    (id, group, weight). A set with an unreadable member is not summed (that member has its own error).
    """
    ok = True
    if group_weights and None not in group_weights.values():
        ok &= _adds_up(c, ("groups",), "the group weights", list(group_weights.items()))
    if any(w is None for _, _, w in leaves):
        return ok
    if group_weights is None:
        return _adds_up(c, ("criteria",), "the criterion weights", [(cid, w) for cid, _, w in leaves]) and ok
    if any(g not in group_weights for _, g, _ in leaves):
        return ok
    for gid in group_weights:
        members = [(cid, w) for cid, g, w in leaves if g == gid]
        if members:          # a group no criterion names has no siblings to sum (see effective_weights)
            ok &= _adds_up(c, ("groups", gid), f"the weights of the criteria in group {gid!r}", members)
    return ok


def _adds_up(c: Checker, path: tuple, what: str, members: list[tuple[str, float]]) -> bool:
    total = math.fsum(w for _, w in members)
    if math.isclose(total, 100.0, rel_tol=0, abs_tol=1e-6):
        return True
    listing = ", ".join(f"{name} {w:g}%" for name, w in members[:_LISTED])
    if len(members) > _LISTED:
        listing += f" and {len(members) - _LISTED:,} more"
    c.fail(path, f"{what} add up to {total:g}%, not 100% ({listing})", _SUM_HINT, key=True)
    return False


def group_shares(c: Checker, parsed: list[tuple[str, float, str, str]]) -> tuple[Group, ...] | None:
    """Groups with their weights rescaled to sum to 1; ``parsed`` is (id, raw weight, label, rationale)."""
    shares = proportions([w for _, w, _, _ in parsed])
    if shares is None:
        c.fail(("groups",), "every group weight is zero", "give at least one group a positive weight")
        return None
    return tuple(Group(gid, share, w, label, why) for (gid, w, label, why), share in zip(parsed, shares, strict=True))


def proportions(weights: list[float]) -> list[float] | None:
    """Non-negative finite weights rescaled to sum to 1, without overflow (each is divided by the largest before
    summing, so ``[1e308, 1e308]`` gives halves); None when every weight is zero.

    >>> proportions([1e308, 1e308, 0.0]), proportions([0.0, 0.0])
    ([0.5, 0.5, 0.0], None)
    """
    largest = max(weights, default=0.0)
    if largest <= 0:
        return None
    total = sum(weights)
    if not math.isfinite(total):                 # only then: the plain quotient is the one every figure was made with
        weights = [w / largest for w in weights]
        total = sum(weights)
    return [w / total for w in weights]


def effective_weights(c: Checker, rows: list[dict], groups: tuple[Group, ...] | None) -> dict[str, float] | None:
    """Leaf weights rescaled to sum to 1; with groups, a leaf's weight is its group's share times its share
    within it (``rows`` have "id", "group" and "raw_weight"; with groups, every row's group is one of them).
    """
    if groups is None:
        shares = proportions([r["raw_weight"] for r in rows])
        if shares is None:
            c.fail(("criteria",), "every criterion weight is zero", "give at least one criterion a positive weight",
                   key=True)
            return None
        return {r["id"]: share for r, share in zip(rows, shares, strict=True)}
    weights = {}
    for g in groups:
        members = [r for r in rows if r["group"] == g.id]
        inside = proportions([r["raw_weight"] for r in members])
        if g.weight > 0 and inside is None:
            c.fail(("groups", g.id), f"group {g.id!r} has weight but its criteria weigh nothing",
                   "give one of its criteria a positive weight, or give the group weight 0")
            return None
        for r, share in zip(members, inside or [0.0] * len(members), strict=True):
            weights[r["id"]] = g.weight * share
    # Every criterion names a declared group. The group shares sum to 1, so some group weighs > 0, and its
    # criteria weigh > 0 (else refused above): the effective weights are never all zero.
    return weights


def _and(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
