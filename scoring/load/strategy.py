"""Strategy models (schema ``strategy/v1``): a focal vendor's business lines, yes/no moves, constraints, how the
lines move the criteria metrics, and the presets. Every number is a coefficient that says what it rests on:
``fact`` (a fact row or a seed), ``derived`` (a formula) or ``assumption`` (owner, date and a low/high range).

Percent-valued coefficients are written with a ``%`` sign (``"5%"``) and held in percent (5.0); everything else
is a plain number in the unit its key names. See strategy/README.md.

:func:`collect_strategy` adds every problem to a list and returns None when there was one; :func:`load_strategy`
raises them together.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ConfigErrors, did_you_mean
from ..models import COEFFICIENT_KINDS, BusinessLine, Coefficient, Move, Preset, StrategyModel, period_bounds
from ..yamldoc import format_path, is_number
from .checks import Checker, describe, read_doc, sha256_of

SCHEMA = "strategy/v1"
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*%\s*$")      # signed, unlike a weight's: margins may be < 0
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_SHARE_TOLERANCE = 0.01                                        # percentage points

_TOP_KEYS = ("schema", "name", "vendor", "criteria", "as_of", "base_quarter", "horizon_quarters", "base", "lines",
             "moves", "constraints", "metrics", "presets", "observed")
_OBSERVED_KEYS = ("revenue_rmb_bn", "margin")
_BASE_KEYS = ("revenue_rmb_bn", "adjusted_ebita_rmb_bn")
_COEFFICIENT_KEYS = ("value", "kind", "low", "high", "owner", "date", "fact", "seed", "formula", "note")
_LINE_REQUIRED = ("label", "share_of_base", "margin", "compute_kgpu_per_rmb_bn", "headcount_k_per_rmb_bn",
                  "counts_for")
_LINE_KEYS = (*_LINE_REQUIRED, "growth_cap", "growth_cap_rmb_bn", "government")
_MOVE_REQUIRED = ("label", "fixed_cost_rmb_bn", "capex_rmb_bn")
_MOVE_KEYS = (*_MOVE_REQUIRED, "seed", "raises_growth_cap", "raises_capacity_kgpu", "raises_metric", "closes_lines",
              "opens_lines", "excludes", "requires")
_CONSTRAINT_KEYS = ("margin_floor", "compute_capacity_kgpu", "headcount_k", "capex_budget_rmb_bn", "adjustment_floor",
                    "min_government_share")
_PRESET_KEYS = ("label", "seed", "passage", "force", "min_government_share", "margin_floor")


@dataclass(frozen=True)
class _Unit:
    """What a coefficient measures: a percentage (written "5%") or a plain number, and the range it may take."""

    what: str
    percent: bool
    lo: float = -math.inf
    hi: float = math.inf


_SHARE = _Unit("a share", True, 0, 100)
_MARGIN = _Unit("a margin", True, hi=100)
_GROWTH_CAP = _Unit("a growth cap", True, 0)
_MARKET_GROWTH = _Unit("a growth rate", True, -100)
_RMB = _Unit("an amount in RMB bn", False, 0)
_EBITA = _Unit("an amount in RMB bn", False)
_KGPU = _Unit("a capacity in thousand GPUs", False, 0)
_KGPU_INTENSITY = _Unit("an intensity in thousand GPUs per RMB bn", False, 0)
_HEADCOUNT = _Unit("a headcount in thousands", False, 0)
_HEADCOUNT_INTENSITY = _Unit("an intensity in thousand people per RMB bn", False, 0)
_METRIC_CHANGE = _Unit("a change in the metric's own units", False)

_CONSTRAINT_UNITS = {"margin_floor": _MARGIN, "compute_capacity_kgpu": _KGPU, "headcount_k": _HEADCOUNT,
                     "capex_budget_rmb_bn": _RMB, "adjustment_floor": _SHARE, "min_government_share": _SHARE}

_PERCENT_HINT = 'write percentages with a % sign, e.g. "5%" (a bare 5 could mean 5% or 500%)'


def load_strategy(path: str | Path) -> StrategyModel:
    """Read and validate a strategy file; raise ``ConfigErrors`` listing every problem.

    >>> model = load_strategy("strategy/alibaba.yaml")
    >>> model.vendor, len(model.lines), model.line("public").share_of_base.value
    ('alibaba', 6, 55.0)
    """
    errors: list[ConfigError] = []
    result = collect_strategy(path, errors)
    if errors or result is None:
        raise ConfigErrors(errors)
    return result


def collect_strategy(path: str | Path, errors: list[ConfigError]) -> StrategyModel | None:
    """Read and validate a strategy file, adding every problem to ``errors``; None when there was one.

    >>> errors = []
    >>> collect_strategy("strategy/no-such-model.yaml", errors) is None, [str(e) for e in errors]
    (True, ['strategy/no-such-model.yaml: file not found\\n    hint: check the path'])
    """
    doc = read_doc(path, errors)
    if doc is None:
        return None
    c = Checker(doc)
    data = c.mapping((), doc.data, required=_TOP_KEYS[1:-1], optional=_TOP_KEYS,
                     what="a mapping with name, vendor, criteria, base, lines, constraints, metrics and presets")
    if data is None:
        errors.extend(c.errors)
        return None
    if "schema" in data and data["schema"] != SCHEMA:
        c.fail(("schema",), f"expected {SCHEMA!r}, got {data['schema']!r}", f"strategy files say schema: {SCHEMA}")
    name = c.string(("name",), data["name"]) if "name" in data else None
    vendor = _vendor(c, data["vendor"]) if "vendor" in data else None
    criteria = _criteria_path(c, Path(path), data["criteria"]) if "criteria" in data else None
    as_of = c.date(("as_of",), data["as_of"], full=True) if "as_of" in data else None
    base_quarter = _base_quarter(c, data["base_quarter"], as_of) if "base_quarter" in data else None
    horizon = (c.number(("horizon_quarters",), data["horizon_quarters"], lo=1, hi=40, integer=True,
                        what="a number of quarters") if "horizon_quarters" in data else None)
    base = _base(c, data["base"]) if "base" in data else None

    # the ids other sections may name; None when a section is unreadable (its own error says so, not each use)
    line_ids = list(data["lines"]) if isinstance(data.get("lines"), dict) else None
    move_ids = list(data["moves"]) if isinstance(data.get("moves"), dict) else None
    lines, lines_ok, counted = _lines(c, data["lines"]) if "lines" in data else ({}, False, None)
    moves, moves_ok = _moves(c, data["moves"], line_ids, move_ids) if "moves" in data else ({}, False)
    _opened_lines_start_at_zero(c, lines, moves)
    constraints = _constraints(c, data["constraints"]) if "constraints" in data else None
    metrics = _metrics(c, data["metrics"], counted, line_ids) if "metrics" in data else None
    presets = _presets(c, data["presets"], moves, move_ids) if "presets" in data else None
    observed = _observed(c, data.get("observed"), base_quarter, horizon) if data.get("observed") is not None else {}

    errors.extend(c.errors)
    if c.errors or not (lines_ok and moves_ok) or None in (name, vendor, criteria, as_of, base_quarter, horizon,
                                                          base, constraints, metrics, presets):
        return None
    return StrategyModel(name=name, vendor=vendor, criteria_path=criteria, as_of=as_of, base_quarter=base_quarter,
                         horizon_quarters=int(horizon), base_revenue_rmb_bn=base["revenue_rmb_bn"],
                         base_ebita_rmb_bn=base["adjusted_ebita_rmb_bn"], lines=tuple(lines.values()),
                         moves=tuple(moves.values()), constraints=constraints, metrics=metrics,
                         presets=tuple(presets), path=str(path), sha256=sha256_of(path),
                         where=doc.where(("vendor",)), observed=observed or {})


# ------------------------------------------------------------------------------------------------ the header

def _vendor(c: Checker, raw: Any) -> str | None:
    vendor = c.string(("vendor",), raw)
    if vendor is not None and not _ID.match(vendor):
        c.fail(("vendor",), f"expected a lowercase vendor id (letters, digits, '-' or '_'), got {vendor!r}",
               "the id of the focal vendor's profile in vendors/, e.g. alibaba")
        return None
    return vendor


def _criteria_path(c: Checker, strategy_file: Path, raw: Any) -> str | None:
    text = c.string(("criteria",), raw)
    if text is None:
        return None
    resolved = strategy_file.parent / text
    if not resolved.is_file():
        c.fail(("criteria",), f"criteria file {str(resolved)!r} not found",
               "the path is relative to this strategy file's folder, e.g. ../criteria/baseline.yaml")
        return None
    return str(resolved)


def _base_quarter(c: Checker, raw: Any, as_of: Any) -> str | None:
    text = raw.strip() if isinstance(raw, str) else None
    if text is None or not _QUARTER.match(text):
        c.fail(("base_quarter",), f"expected a quarter (YYYY-Qn), got {raw!r}",
               "e.g. 2023-Q3 for July-September 2023: the quarter whose revenue and EBITA 'base' gives")
        return None
    end = period_bounds(text)[1]
    if as_of is not None and end > as_of:
        c.fail(("base_quarter",), f"the base quarter {text} ends on {end}, after as_of ({as_of})",
               "the base quarter's figures must be known on the as-of date: pick an earlier quarter or a later as_of")
        return None
    return text


def _base(c: Checker, raw: Any) -> dict[str, Coefficient] | None:
    spec = c.mapping(("base",), raw, required=_BASE_KEYS, optional=_BASE_KEYS,
                     what="a mapping {revenue_rmb_bn, adjusted_ebita_rmb_bn}")
    if spec is None:
        return None
    units = {"revenue_rmb_bn": _RMB, "adjusted_ebita_rmb_bn": _EBITA}
    found = {k: _coefficient(c, ("base", k), spec[k], units[k]) for k in _BASE_KEYS if k in spec}
    revenue = found.get("revenue_rmb_bn")
    if revenue is not None and revenue.value == 0:
        c.fail(("base", "revenue_rmb_bn", "value"), "expected a positive base revenue, got 0",
               "the lines' shares and the calibrated margin are taken of it")
        return None
    return found if len(found) == 2 and None not in found.values() else None


# ------------------------------------------------------------------------------------------------ coefficients

def _coefficient(c: Checker, path: tuple, raw: Any, unit: _Unit, calibrated: list[str] | None = None
                 ) -> Coefficient | None:
    """One coefficient; ``calibrated`` (a line's margin only) lists the coefficients already left to the optimizer:
    a derived one may omit its value while that list is empty, and is then added to it."""
    if not isinstance(raw, dict):
        c.fail(path, f"expected a coefficient {{value, kind, ...}}, got {describe(raw)}",
               "write {value: ..., kind: fact|derived|assumption, ...}: every number says what it rests on")
        return None
    before = len(c.errors)
    spec = c.mapping(path, raw, required=("kind",), optional=_COEFFICIENT_KEYS)
    kind = c.choice((*path, "kind"), spec["kind"], COEFFICIENT_KINDS,
                    "fact: a fact row or seed; derived: a formula; assumption: owner, date, low and high"
                    ) if "kind" in spec else None
    value = None
    if "value" in spec:
        value = _amount(c, (*path, "value"), spec["value"], unit)
    elif kind == "derived" and calibrated == []:
        calibrated.append(format_path(path))
    elif kind == "derived" and calibrated:
        c.fail(path, f"missing required key 'value': only one line's margin may be calibrated, and "
               f"{calibrated[0]} already is", "give this margin a value")
    elif kind is not None:
        c.fail(path, "missing required key 'value'",
               "only a line's margin may be left for the optimizer to calibrate" if kind == "derived"
               else "add 'value:' here")
    low = _amount(c, (*path, "low"), spec["low"], unit) if "low" in spec else None
    high = _amount(c, (*path, "high"), spec["high"], unit) if "high" in spec else None
    texts = {k: c.string((*path, k), spec[k]) for k in ("owner", "fact", "seed", "formula") if k in spec}
    note = c.string((*path, "note"), spec["note"], allow_empty=True) if "note" in spec else ""
    date = c.date((*path, "date"), spec["date"]) if "date" in spec else None
    if kind == "fact" and "fact" not in spec and "seed" not in spec:
        c.fail(path, "a fact needs 'fact' (its row in the fact ledger) or 'seed' (the article it comes from)",
               "add fact: \"<metric>@<period>\" or seed: <file>, or make it an assumption with owner, date, low and "
               "high")
    elif kind == "derived" and "formula" not in spec:
        c.fail(path, "a derived coefficient needs its 'formula'",
               "say how it is computed from facts and other coefficients")
    elif kind == "assumption":
        missing = [k for k in ("owner", "date", "low", "high") if k not in spec]
        if missing:
            c.fail(path, f"an assumption needs owner, date, low and high; missing {', '.join(map(repr, missing))}",
                   "say who judged it, when, and the range that --draws samples")
    if low is not None and high is not None and low > high:
        c.fail((*path, "low"), f"expected low <= high ({_show(high, unit)}), got {_show(low, unit)}")
    elif value is not None:
        if low is not None and low > value:
            c.fail((*path, "low"), f"expected low <= value ({_show(value, unit)}), got {_show(low, unit)}")
        if high is not None and high < value:
            c.fail((*path, "high"), f"expected high >= value ({_show(value, unit)}), got {_show(high, unit)}")
    if len(c.errors) > before:
        return None
    return Coefficient(key=format_path(path), value=value, kind=kind, where=c.where(path), low=low, high=high,
                       owner=texts.get("owner", ""), date=date, fact=texts.get("fact"), seed=texts.get("seed"),
                       formula=texts.get("formula", ""), note=note or "")


def _amount(c: Checker, path: tuple, raw: Any, unit: _Unit) -> float | None:
    """A percentage written "5%" (-> 5.0) or a plain number, as the unit says, within the unit's range."""
    if unit.percent:
        match = _PERCENT.match(raw) if isinstance(raw, str) else None
        if match is None:
            found = f"the bare number {raw!r}" if is_number(raw) else describe(raw)
            c.fail(path, f"expected {unit.what} written as a percentage, got {found}", _PERCENT_HINT)
            return None
        value = float(match.group(1))
    else:
        if isinstance(raw, str) and _PERCENT.match(raw):
            c.fail(path, f"expected {unit.what} as a plain number, got the percentage {raw!r}",
                   "only shares, margins and growth rates are percentages; write the amount in the unit the key names")
            return None
        value = c.number(path, raw, what=unit.what)
        if value is None:
            return None
    if not unit.lo <= value <= unit.hi:
        c.fail(path, f"expected {unit.what} {_range(unit)}, got {_show(value, unit)}")
        return None
    return value


def _range(unit: _Unit) -> str:
    if math.isinf(unit.lo):
        return f"of at most {_show(unit.hi, unit)}"
    if math.isinf(unit.hi):
        return f"of at least {_show(unit.lo, unit)}"
    return f"between {_show(unit.lo, unit)} and {_show(unit.hi, unit)}"


def _show(value: float, unit: _Unit) -> str:
    return f"{value:g}%" if unit.percent else f"{value:g}"


def _names(c: Checker, path: tuple, raw: Any, what: str) -> tuple[str, ...] | None:
    """A list of ids (``what`` names them in a message), each once."""
    if not isinstance(raw, list):
        c.fail(path, f"expected a list of {what}, got {describe(raw)}", "write [a, b], or [] for none")
        return None
    names: list[str] = []
    for i, item in enumerate(raw):
        text = c.string((*path, i), item)
        if text is None:
            continue
        if text in names:
            c.fail((*path, i), f"{text!r} is listed twice", "name each one once")
            continue
        names.append(text)
    return tuple(names) if len(names) == len(raw) else None


def _known(c: Checker, path: tuple, names: tuple[str, ...], ids: list | None, what: str) -> bool:
    """True when every name is one of ``ids`` (or ``ids`` is unknown: None); else an error on each unknown one."""
    if ids is None:
        return True
    ok = True
    for i, name in enumerate(names):
        if name not in ids:
            c.fail((*path, i), f"unknown {what} {name!r}", did_you_mean(name, map(str, ids)))
            ok = False
    return ok


# ------------------------------------------------------------------------------------------------ lines

def _lines(c: Checker, raw: Any) -> tuple[dict[str, BusinessLine], bool, dict[str, list[tuple]] | None]:
    """The valid lines by id; whether every line is valid; and each metric the lines count towards -> where they
    name it (None when some line's ``counts_for`` could not be read, so the metrics are not checked against it)."""
    counted: dict[str, list[tuple]] = {}
    spec_all = c.mapping(("lines",), raw, what="a mapping of line id -> {label, share_of_base, margin, ...}",
                         open_keys=True)
    if spec_all is None:
        return {}, False, None
    if not spec_all:
        c.fail(("lines",), "expected at least one line", "a line of business: its share of the base revenue, margin, "
               "growth cap and resource use")
        return {}, False, counted
    all_counted = True
    lines: dict[str, BusinessLine] = {}
    shares: dict[str, float | None] = {}
    calibrated: list[str] = []
    for lid, spec in spec_all.items():
        p = ("lines", lid)
        shares[str(lid)] = None
        spec = c.mapping(p, spec, required=_LINE_REQUIRED, optional=_LINE_KEYS,
                         what="a line {label, share_of_base, margin, growth_cap, ...}")
        if spec is None:
            all_counted = False
            continue
        before = len(c.errors)
        label = c.string((*p, "label"), spec["label"]) if "label" in spec else None
        share = _coefficient(c, (*p, "share_of_base"), spec["share_of_base"], _SHARE) if "share_of_base" in spec \
            else None
        shares[str(lid)] = share.value if share is not None else None
        margin = _coefficient(c, (*p, "margin"), spec["margin"], _MARGIN, calibrated) if "margin" in spec else None
        caps = [k for k in ("growth_cap", "growth_cap_rmb_bn") if k in spec]
        if len(caps) != 1:
            c.fail(p, "missing required key 'growth_cap' or 'growth_cap_rmb_bn'" if not caps
                   else "expected one of 'growth_cap' and 'growth_cap_rmb_bn', got both",
                   "growth_cap: percent per quarter of the previous quarter's revenue; growth_cap_rmb_bn: a level "
                   "per quarter (for a line that starts at zero)")
        cap = _coefficient(c, (*p, "growth_cap"), spec["growth_cap"], _GROWTH_CAP) if "growth_cap" in spec else None
        cap_rmb = (_coefficient(c, (*p, "growth_cap_rmb_bn"), spec["growth_cap_rmb_bn"], _RMB)
                   if "growth_cap_rmb_bn" in spec else None)
        compute = (_coefficient(c, (*p, "compute_kgpu_per_rmb_bn"), spec["compute_kgpu_per_rmb_bn"],
                                _KGPU_INTENSITY) if "compute_kgpu_per_rmb_bn" in spec else None)
        headcount = (_coefficient(c, (*p, "headcount_k_per_rmb_bn"), spec["headcount_k_per_rmb_bn"],
                                  _HEADCOUNT_INTENSITY) if "headcount_k_per_rmb_bn" in spec else None)
        counts_for = _names(c, (*p, "counts_for"), spec["counts_for"], "metric names") if "counts_for" in spec \
            else None
        all_counted &= counts_for is not None
        for i, metric in enumerate(counts_for or ()):
            counted.setdefault(metric, []).append((*p, "counts_for", i))
        government = c.boolean((*p, "government"), spec["government"]) if "government" in spec else False
        if margin is not None and margin.value is None and share is not None:
            _calibrated_line_has_revenue(c, (*p, "margin"), share)
        if len(c.errors) > before or None in (label, share, margin, compute, headcount, counts_for, government):
            continue
        lines[str(lid)] = BusinessLine(id=str(lid), label=label, share_of_base=share, margin=margin, growth_cap=cap,
                                       growth_cap_rmb_bn=cap_rmb, compute_kgpu_per_rmb_bn=compute,
                                       headcount_k_per_rmb_bn=headcount, counts_for=counts_for,
                                       government=government, where=c.where(p, key=True))
    if None not in shares.values():
        total = sum(shares.values())
        if abs(total - 100) > _SHARE_TOLERANCE:
            listed = ", ".join(f"{lid} {v:g}%" for lid, v in shares.items())
            c.fail(("lines",), f"the shares of base add up to {total:g}%, expected 100% ({listed})",
                   "share_of_base splits the base quarter's revenue between the lines: make them add up to 100%",
                   key=True)
    return lines, len(lines) == len(spec_all), counted if all_counted else None


def _calibrated_line_has_revenue(c: Checker, path: tuple, share: Coefficient) -> None:
    """The calibrated margin is solved per unit of its line's base revenue: that share (and its low) must be > 0."""
    for key, value in (("value", share.value), ("low", share.low)):
        if value == 0:
            c.fail(path, f"a calibrated margin needs a line with base revenue; share_of_base.{key} is 0%",
                   "the margin is solved from this line's share of the base revenue: calibrate a line that has some")
            return


def _opened_lines_start_at_zero(c: Checker, lines: dict[str, BusinessLine], moves: dict[str, Move]) -> None:
    """A line a move opens has no base revenue (share 0%), so its growth limit must be a level, not a percentage."""
    for move in moves.values():
        for lid in move.opens_lines:
            line = lines.get(lid)
            if line is None:
                continue
            share = line.share_of_base
            for key, value in (("value", share.value), ("low", share.low), ("high", share.high)):
                if value:                          # low and high too: --draws must not give the line a base share
                    c.fail(("lines", lid, "share_of_base", key),
                           f"expected 0% for a line that move {move.id!r} opens, got {value:g}%",
                           "a line a move opens has no revenue in the base quarter; give its share to the other lines")
            if line.growth_cap is not None:
                c.fail(("lines", lid, "growth_cap"), f"a line that move {move.id!r} opens starts at zero, so a "
                       "percentage growth cap keeps it at zero", "give growth_cap_rmb_bn (a level per quarter) instead",
                       key=True)


# ------------------------------------------------------------------------------------------------ moves

def _moves(c: Checker, raw: Any, line_ids: list | None, move_ids: list | None) -> tuple[dict[str, Move], bool]:
    """The valid moves by id, and whether every move is valid and their requirements can be met."""
    spec_all = c.mapping(("moves",), raw, what="a mapping of move id -> {label, fixed_cost_rmb_bn, capex_rmb_bn, ...}",
                         open_keys=True)
    if spec_all is None:
        return {}, False
    moves: dict[str, Move] = {}
    for mid, spec in spec_all.items():
        move = _move(c, ("moves", mid), spec, line_ids, move_ids)
        if move is not None:
            moves[move.id] = move
    if len(moves) != len(spec_all):
        return moves, False
    before = len(c.errors)
    _requirements_are_possible(c, moves)
    return moves, len(c.errors) == before


def _move(c: Checker, p: tuple, raw: Any, line_ids: list | None, move_ids: list | None) -> Move | None:
    spec = c.mapping(p, raw, required=_MOVE_REQUIRED, optional=_MOVE_KEYS,
                     what="a move {label, fixed_cost_rmb_bn, capex_rmb_bn, ...}")
    if spec is None:
        return None
    before = len(c.errors)
    label = c.string((*p, "label"), spec["label"]) if "label" in spec else None
    seed = c.string((*p, "seed"), spec["seed"]) if "seed" in spec else None
    fixed = _coefficient(c, (*p, "fixed_cost_rmb_bn"), spec["fixed_cost_rmb_bn"], _RMB) \
        if "fixed_cost_rmb_bn" in spec else None
    capex = _coefficient(c, (*p, "capex_rmb_bn"), spec["capex_rmb_bn"], _RMB) if "capex_rmb_bn" in spec else None
    capacity = (_coefficient(c, (*p, "raises_capacity_kgpu"), spec["raises_capacity_kgpu"], _KGPU)
                if "raises_capacity_kgpu" in spec else None)
    growth = _keyed_coefficients(c, (*p, "raises_growth_cap"), spec.get("raises_growth_cap", {}), _GROWTH_CAP,
                                 "line", line_ids)
    metrics = _keyed_coefficients(c, (*p, "raises_metric"), spec.get("raises_metric", {}), _METRIC_CHANGE,
                                  "metric", None)          # criteria metrics: checked against the view later
    lists = {}
    for key, what, ids in (("closes_lines", "line", line_ids), ("opens_lines", "line", line_ids),
                           ("excludes", "move", move_ids), ("requires", "move", move_ids)):
        names = _names(c, (*p, key), spec[key], f"{what} ids") if key in spec else ()
        lists[key] = names if names is not None and _known(c, (*p, key), names, ids, what) else None
    for i, lid in enumerate(lists["opens_lines"] or ()):
        if lid in (lists["closes_lines"] or ()):
            c.fail((*p, "opens_lines", i), f"line {lid!r} is both opened and closed by this move",
                   "a move either opens a line or closes it")
    for i, other in enumerate(lists["excludes"] or ()):
        if other == p[-1]:
            c.fail((*p, "excludes", i), "a move cannot exclude itself", "remove it from its own 'excludes'")
    if len(c.errors) > before or None in (label, fixed, capex, growth, metrics, *lists.values()):
        return None
    return Move(id=str(p[-1]), label=label, seed=seed, fixed_cost_rmb_bn=fixed, capex_rmb_bn=capex,
                raises_growth_cap=growth, raises_capacity_kgpu=capacity, raises_metric=metrics,
                closes_lines=lists["closes_lines"], opens_lines=lists["opens_lines"], excludes=lists["excludes"],
                requires=lists["requires"], where=c.where(p, key=True))


def _keyed_coefficients(c: Checker, path: tuple, raw: Any, unit: _Unit, what: str, ids: list | None
                        ) -> dict[str, Coefficient] | None:
    """A mapping id -> coefficient; unless ``ids`` is None, each key must be one of them."""
    spec = c.mapping(path, raw, what=f"a mapping of {what} -> coefficient", open_keys=True)
    if spec is None:
        return None
    before = len(c.errors)
    found = {}
    for key, value in spec.items():
        if ids is not None and key not in ids:
            c.fail((*path, key), f"unknown {what} {key!r}", did_you_mean(str(key), map(str, ids)), key=True)
            continue
        found[str(key)] = _coefficient(c, (*path, key), value, unit)
    return found if len(c.errors) == before else None


def _requirements_are_possible(c: Checker, moves: dict[str, Move]) -> None:
    """Every move can be chosen: no chain of requirements comes back to where it started, and nothing a move
    requires, directly or through other moves, is excluded by it or by another move it requires."""
    required = {mid: _required_by(moves, mid) for mid in moves}
    in_cycle: set[str] = set()
    for mid in moves:                                        # file order: a cycle is reported at its first move
        if mid in in_cycle or mid not in required[mid]:
            continue
        in_cycle |= {m for m in required[mid] if mid in required[m]}
        c.fail(("moves", mid, "requires"), f"prerequisite cycle: {' -> '.join(_chain(required[mid], mid, mid))}",
               "no move in a cycle can be chosen first; remove one of these requirements", key=True)
    for mid, move in moves.items():
        chosen = [mid, *(m for m in required[mid] if m != mid)]       # the move, then what it needs, nearest first
        clash = next(((x, y) for x in chosen for y in moves[x].excludes if y in chosen), None)
        if clash is None:
            continue
        x, y = clash
        other = y if x == mid else x
        chain = _chain(required[mid], mid, other) if other != mid else [mid]
        via = f" (through {', '.join(map(repr, chain[1:-1]))})" if len(chain) > 2 else ""
        if mid in (x, y):
            problem = f"requires {other!r}{via}, which {'it excludes' if x == mid else 'excludes it'}"
        else:
            problem = f"requires {x!r} and {y!r}, and {x!r} excludes {y!r}"
        direct = mid in (x, y) and not via
        path = ("moves", mid, "requires", move.requires.index(other)) if direct else ("moves", mid, "requires")
        c.fail(path, problem, "this move can never be chosen; remove the requirement or the exclusion",
               key=not direct)


def _required_by(moves: dict[str, Move], start: str) -> dict[str, str]:
    """Every move ``start`` requires, directly or through others, breadth first: move -> the move requiring it."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        mid = queue.popleft()
        for nxt in moves[mid].requires:
            if nxt not in parent:
                parent[nxt] = mid
                if nxt != start:
                    queue.append(nxt)
    return parent


def _chain(parent: dict[str, str], start: str, end: str) -> list[str]:
    """The requirements from ``start`` to ``end`` in a :func:`_required_by` map, e.g. [a, b, a] for a cycle."""
    chain = [end]
    node = parent[end]
    while node != start:
        chain.append(node)
        node = parent[node]
    return [start, *reversed(chain)]


# ------------------------------------------------------------------------------------------------ the rest

def _constraints(c: Checker, raw: Any) -> dict[str, Coefficient] | None:
    spec = c.mapping(("constraints",), raw, required=_CONSTRAINT_KEYS, optional=_CONSTRAINT_KEYS,
                     what="a mapping {" + ", ".join(_CONSTRAINT_KEYS) + "}")
    if spec is None:
        return None
    found = {k: _coefficient(c, ("constraints", k), spec[k], _CONSTRAINT_UNITS[k]) for k in _CONSTRAINT_KEYS
             if k in spec}
    return found if len(found) == len(_CONSTRAINT_KEYS) and None not in found.values() else None


def _metrics(c: Checker, raw: Any, counted: dict[str, list[tuple]] | None, line_ids: list | None
             ) -> dict[str, dict[str, Coefficient]] | None:
    """Each metric the lines count towards, with its market growth; every one named on both sides (unless some
    line's ``counts_for`` was unreadable: ``counted`` is None)."""
    spec_all = c.mapping(("metrics",), raw, what="a mapping of metric -> {market_growth}", open_keys=True)
    if spec_all is None:
        return None
    before = len(c.errors)
    found: dict[str, dict[str, Coefficient]] = {}
    for metric, spec in spec_all.items():
        p = ("metrics", metric)
        if counted is not None and metric not in counted:
            close = did_you_mean(str(metric), counted)
            c.fail(p, f"metric {metric!r} is not counted by any line",
                   close if close.startswith("did") else "name it in a line's counts_for, or remove it", key=True)
        spec = c.mapping(p, spec, required=("market_growth",), optional=("market_growth",),
                         what="a mapping {market_growth}")
        if spec is not None and "market_growth" in spec:
            coefficient = _coefficient(c, (*p, "market_growth"), spec["market_growth"], _MARKET_GROWTH)
            found[str(metric)] = {"market_growth": coefficient}
    for metric, places in (counted or {}).items():
        if metric not in spec_all:
            close = did_you_mean(metric, map(str, spec_all))
            if metric in (line_ids or ()):
                hint = f"{metric!r} is a line; counts_for names the metrics this line's revenue counts towards"
            else:
                hint = close if close.startswith("did") else f"add metrics: {{{metric}: {{market_growth: ...}}}}"
            for place in places:
                c.fail(place, f"metric {metric!r} has no entry under 'metrics'", hint)
    return found if len(c.errors) == before else None


def _presets(c: Checker, raw: Any, moves: dict[str, Move], move_ids: list | None) -> list[Preset] | None:
    spec_all = c.mapping(("presets",), raw, what="a mapping of preset id -> {label, passage, force, ...}",
                         open_keys=True)
    if spec_all is None:
        return None
    if not spec_all:
        c.fail(("presets",), "expected at least one preset",
               "a preset is a named bundle of constraints, e.g. the strategy a seed article describes")
        return None
    before = len(c.errors)
    presets = []
    for pid, spec in spec_all.items():
        p = ("presets", pid)
        spec = c.mapping(p, spec, required=("label", "passage"), optional=_PRESET_KEYS,
                         what="a preset {label, passage, force, ...}")
        if spec is None:
            continue
        label = c.string((*p, "label"), spec["label"]) if "label" in spec else None
        passage = c.string((*p, "passage"), spec["passage"]) if "passage" in spec else None
        seed = c.string((*p, "seed"), spec["seed"]) if "seed" in spec else None
        force = _force(c, (*p, "force"), spec.get("force", {}), moves, move_ids)
        share = _amount(c, (*p, "min_government_share"), spec["min_government_share"], _SHARE) \
            if "min_government_share" in spec else None
        floor = _amount(c, (*p, "margin_floor"), spec["margin_floor"], _MARGIN) if "margin_floor" in spec else None
        if None not in (label, passage, force):
            presets.append(Preset(id=str(pid), label=label, seed=seed, passage=passage, force=force,
                                  min_government_share=share, margin_floor=floor, where=c.where(p, key=True)))
    return presets if len(c.errors) == before else None


def _force(c: Checker, path: tuple, raw: Any, moves: dict[str, Move], move_ids: list | None) -> dict[str, bool] | None:
    """Moves forced on (true) or off (false): known moves, and no forced-on pair that the moves themselves forbid."""
    spec = c.mapping(path, raw, what="a mapping of move -> true or false", open_keys=True)
    if spec is None:
        return None
    before = len(c.errors)
    force: dict[str, bool] = {}
    for mid, value in spec.items():
        if move_ids is not None and mid not in move_ids:
            c.fail((*path, mid), f"unknown move {mid!r}", did_you_mean(str(mid), map(str, move_ids)), key=True)
        elif c.boolean((*path, mid), value) is not None:
            force[str(mid)] = value
    on = [m for m, v in force.items() if v and m in moves]
    clashes = {frozenset((mid, other)) for mid in on for other in moves[mid].excludes if force.get(other)}
    for mid in on:
        for other in moves[mid].excludes:
            if frozenset((mid, other)) in clashes:
                clashes.discard(frozenset((mid, other)))
                c.fail(path, f"forces on both {mid!r} and {other!r}, which {mid!r} excludes",
                       "force at most one of two moves that exclude each other")
        for other in moves[mid].requires:
            if force.get(other) is False:
                c.fail(path, f"forces {mid!r} on but {other!r}, which it requires, off",
                       "a move needs its requirements: force both on, or leave one free")
    return force if len(c.errors) == before else None


# ------------------------------------------------------------------------------------------------ observed

def _quarter_index(quarter: str) -> int:
    year, q = quarter.split("-Q")
    return int(year) * 4 + int(q) - 1


def _observed(c: Checker, raw: Any, base_quarter: str | None, horizon: float | None) -> dict | None:
    """What happened in the horizon's quarters, for the backtest: {quarter: {revenue_rmb_bn, margin}}, facts or
    values derived from facts only (an observation is never an assumption)."""
    spec = c.mapping(("observed",), raw, what="a mapping quarter -> {revenue_rmb_bn, margin}", open_keys=True)
    if spec is None:
        return None
    out = {}
    for quarter, entry in spec.items():
        path = ("observed", quarter)
        if not isinstance(quarter, str) or not _QUARTER.match(quarter):
            c.fail(path, f"expected a quarter such as 2024-Q3, got {quarter!r}", key=True)
            continue
        if base_quarter is not None and horizon is not None:
            offset = _quarter_index(quarter) - _quarter_index(base_quarter)
            if not 1 <= offset <= int(horizon):
                c.fail(path, f"quarter {quarter} is outside the horizon ({int(horizon)} quarters after "
                             f"{base_quarter})", "observe only the quarters the model projects", key=True)
                continue
        fields = c.mapping(path, entry, optional=_OBSERVED_KEYS, what="a mapping {revenue_rmb_bn, margin}")
        if fields is None:
            continue
        units = {"revenue_rmb_bn": _RMB, "margin": _MARGIN}
        found = {}
        for key in _OBSERVED_KEYS:
            if key not in fields:
                continue
            coefficient = _coefficient(c, (*path, key), fields[key], units[key])
            if coefficient is not None and coefficient.kind == "assumption":
                c.fail((*path, key, "kind"), "an observation must be a fact (or derived from facts), got 'assumption'",
                       "cite the fact row or seed that reports it")
                continue
            if coefficient is not None:
                found[key] = coefficient
        out[quarter] = found
    return out
