"""The one place the stages are wired together, and the seam every front end uses.

``load -> matrix -> normalize -> aggregate -> rank -> explain`` for :func:`run` / :func:`score`, and on top of
them the analyses: :func:`validate`, :func:`sensitivity`, :func:`what_if`, :func:`compare`. Each returns a
result object; nothing here prints. The command line (``cli.py``) only parses, calls these, prints and maps exit
codes. The engine never reads the clock: an as-of date comes from the caller, the criteria file, or the caller's
``default_as_of``, and the result says which (``provenance["as_of_source"]``).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ConfigError, ConfigErrors, Where, did_you_mean
from .load import collect_criteria, collect_vendors, cross_check, load_inputs
from .load.checks import MIN_AS_OF_YEAR
from .matrix import FLAG_BITS, FLAGS, DecisionMatrix, build_matrix, flag_lists, select_cells
from .methods import METHODS
from .models import CriteriaSet, Vendor
from .normalize import FLAT_RELATIVE_TOLERANCE, normalize_array, value_problems
from .outranking import preference_table
from .rank import rank_vendors
from .scorer import Scorer

if TYPE_CHECKING:                   # pandas is imported by the functions that build tables: validate needs none
    import pandas as pd

EXPLANATION_COLUMNS = ["vendor", "criterion", "metric", "raw", "normalized", "weight", "contribution", "flags",
                       "period", "source", "confidence", "note"]
AS_OF_SOURCES = ("given", "criteria file", "default")


@dataclass
class Result:
    """Everything one ranking run produced.

    Attributes
    ----------
    ranking : DataFrame      one row per vendor, best first: vendor, name, score, rank, tied, weighted_sum, flags
    explanation : DataFrame  one row per vendor x criterion, columns ``EXPLANATION_COLUMNS``;
                             per vendor, ``contribution`` sums to its weighted-sum score
    criteria_table : DataFrame  one row per criterion: label, metric, direction, raw_weight, weight, group,
                             scale, non_discriminating
    normalized : DataFrame   vendors x criteria in [0, 1], 1 = best
    matrix : DecisionMatrix  raw values and evidence
    preferences              outranking.PreferenceTable for a method that needs preference functions, else None
    provenance : dict        criteria file, vendor files and their SHA-256, as-of date and where it came from,
                             method, version
    """

    criteria: CriteriaSet
    vendors: list[Vendor]
    matrix: DecisionMatrix
    normalized: pd.DataFrame
    non_discriminating: pd.Series
    ranking: pd.DataFrame
    explanation: pd.DataFrame
    criteria_table: pd.DataFrame
    method: str
    preferences: object | None = None
    provenance: dict = field(default_factory=dict)

    @property
    def scorer(self) -> Scorer:
        """The batched scorer behind this ranking (same matrix, normalization, method and tolerance)."""
        return Scorer.from_result(self)


def parse_as_of(text: str) -> dt.date:
    """Parse an ``--as-of`` date (YYYY-MM-DD), with a message that says what was expected.

    >>> parse_as_of("2023-12-31")
    datetime.date(2023, 12, 31)
    """
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ConfigErrors([ConfigError(Where("--as-of"), "", f"expected a date YYYY-MM-DD, got {text!r}",
                                        "e.g. --as-of 2023-12-31")]) from None
    if day.year < MIN_AS_OF_YEAR:
        raise ConfigErrors([ConfigError(Where("--as-of"), "", f"expected a date from the year {MIN_AS_OF_YEAR} on, "
                                        f"got {text!r}", "look-back windows (staleness, stability) reach decades "
                                        "before the as-of date; e.g. --as-of 2023-12-31")])
    return day


def check_method(method: str) -> str:
    """A method name from the registry; anything else is reported as the ``--method`` argument, with the choices."""
    if method not in METHODS:
        hint = did_you_mean(method, METHODS)
        raise ConfigErrors([ConfigError(Where("--method"), "", f"unknown method {method!r}; expected one of "
                                        + ", ".join(map(repr, METHODS)), hint if hint.startswith("did") else "")])
    return method


def choose_as_of(criteria: CriteriaSet, as_of: dt.date | str | None = None,
                 default_as_of: dt.date | None = None) -> tuple[dt.date, str]:
    """The as-of date and where it came from: ``as_of`` if given, else the criteria file's, else ``default_as_of``.

    >>> from scoring.load import load_criteria
    >>> choose_as_of(load_criteria("criteria/baseline.yaml"), "2023-12-31")
    (datetime.date(2023, 12, 31), 'given')
    """
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    if as_of is not None:
        return as_of, "given"
    if criteria.as_of is not None:
        return criteria.as_of, "criteria file"
    if default_as_of is not None:
        return default_as_of, "default"
    raise ConfigErrors([ConfigError(Where(criteria.path), "as_of", "no as-of date: the criteria file sets none and "
                                    "none was given", "add 'as_of: YYYY-MM-DD' to the file, or pass --as-of")])


def run(criteria_path: str | Path, vendors_folder: str | Path, *, as_of: dt.date | str | None = None,
        method: str | None = None, default_as_of: dt.date | None = None) -> Result:
    """Load, validate, score and rank; raise ``ConfigErrors`` (every problem at once) on bad input.

    >>> result = run("criteria/baseline.yaml", "vendors", as_of="2025-12-31")
    >>> list(result.ranking.columns)
    ['vendor', 'name', 'score', 'rank', 'tied', 'weighted_sum', 'flags']
    >>> bool((result.explanation.groupby("vendor")["contribution"].sum()
    ...       - result.ranking.set_index("vendor")["weighted_sum"]).abs().max() < 1e-12)
    True
    """
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    if method is not None:
        check_method(method)
    criteria, vendors = load_inputs(criteria_path, vendors_folder)
    return score(criteria, vendors, as_of=as_of, method=method, default_as_of=default_as_of)


def matrix_problems(criteria: CriteriaSet, dm: DecisionMatrix) -> list[ConfigError]:
    """Cells the view's normalization cannot take (e.g. a negative value under ``vector``), located at the figure.

    Scoring and :func:`validate` both run this, so ``validate`` passes exactly what ``rank`` accepts.
    """
    values, is_max = dm.values.to_numpy(float), (dm.directions == "max").to_numpy()
    if not value_problems(values, is_max, criteria.normalization):
        return []                               # the usual case: no cell to locate, no column to read
    evidence = dm.evidence
    columns = ({k: evidence[k].tolist() for k in ("where", "metric")} if _vendor_major(dm)
               else {"where": [], "metric": []})
    return _located_value_problems(criteria, list(dm.values.index), list(dm.values.columns), values, is_max,
                                   columns)


def _located_value_problems(criteria: CriteriaSet, vendors: list[str], criteria_ids: list[str], values: np.ndarray,
                            is_max: np.ndarray, evidence: dict[str, list]) -> list[ConfigError]:
    """:func:`matrix_problems` on plain arrays; ``evidence`` holds the cells' ``where`` and ``metric``
    vendor-major, as :func:`scoring.matrix.select_cells` lists them (empty lists when unknown, as for a matrix
    made by hand)."""
    m = len(criteria_ids)
    errors = []
    for i, j, why in value_problems(values, is_max, criteria.normalization):
        vendor, crit = vendors[i], criteria_ids[j]
        k = i * m + j
        where = evidence["where"][k] if evidence["where"] else None
        metric = evidence["metric"][k] if evidence["metric"] else crit
        errors.append(ConfigError(_where(where) or Where(criteria.path), f"metrics.{metric}",
                                  f"{why} (criterion {crit!r} of {Path(criteria.path).name}, vendor {vendor!r})",
                                  "use normalization: fixed or min-max for values that can be negative or zero"))
    return errors


def check_matrix(criteria: CriteriaSet, vendors: list[Vendor], as_of: dt.date) -> list[ConfigError]:
    """Every problem :func:`build_checked_matrix` would raise, as a list, without building a table (no pandas):
    ``missing: error`` cells first, then values the view's normalization cannot take. ``validate`` runs this.

    >>> from scoring.load import load_inputs
    >>> check_matrix(*load_inputs("criteria/baseline.yaml", "vendors"), dt.date(2025, 12, 31))
    []
    """
    cells = select_cells(criteria, vendors, as_of)
    if cells.errors:
        return cells.errors
    is_max = np.array([c.direction == "max" for c in criteria.criteria], dtype=bool)
    return _located_value_problems(criteria, cells.vendors, cells.criteria, cells.values, is_max, cells.evidence)


def _where(text: str | None) -> Where | None:
    """``"vendors/x.yaml:4:7"`` (as the evidence table keeps it) -> Where; None for an empty place."""
    if not text:
        return None
    parts = str(text).rsplit(":", 2)
    numbers = [p for p in parts[1:] if p.isdigit()]
    path = ":".join(parts[: len(parts) - len(numbers)])
    return Where(path, *map(int, numbers))


def build_checked_matrix(criteria: CriteriaSet, vendors: list[Vendor], as_of: dt.date) -> DecisionMatrix:
    """build_matrix plus every check scoring needs (ConfigErrors lists every problem), with each figure's plausible
    range cut at what the view's normalization takes (a share's -30% band under ``vector`` stops at 0), so the
    tornado and SMAA never score a value the ranking itself would refuse."""
    dm = build_matrix(criteria, vendors, as_of)
    errors = matrix_problems(criteria, dm)
    if errors:
        raise ConfigErrors(errors)
    return ranges_within(dm, criteria.normalization)


def ranges_within(dm: DecisionMatrix, normalization: str) -> DecisionMatrix:
    """The matrix with ``low``/``high`` raised to the normalization's smallest allowed value where they fall below
    it (just above it where the value itself is excluded, as 0 is under ``max`` for a ``min`` criterion)."""
    from dataclasses import replace

    from .normalize import value_floors
    floors, strict = value_floors((dm.directions == "max").to_numpy(), normalization)
    if np.isnan(floors).all():
        return dm
    least = np.where(strict, np.nextafter(floors, np.inf), floors)
    cut = {k: getattr(dm, k).copy() for k in ("low", "high")}
    for frame in cut.values():
        x = frame.to_numpy(float)
        with np.errstate(invalid="ignore"):
            frame.loc[:, :] = np.where(~np.isnan(least) & (x < least), least, x)
    return replace(dm, low=cut["low"], high=cut["high"])


def score(criteria: CriteriaSet, vendors: list[Vendor], *, as_of: dt.date | None = None,
          method: str | None = None, default_as_of: dt.date | None = None) -> Result:
    """Score already-loaded inputs (see :func:`run`). Linear in vendors x criteria: the matrix, explanation and
    provenance are built column by column, with no per-cell pandas call."""
    with _cycle_collector_paused():
        return _score(criteria, vendors, as_of=as_of, method=method, default_as_of=default_as_of)


@contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector while the tables are built: they are a million small lists and strings with
    no reference cycles, and each full collection it would start walks every loaded vendor again (about 15% of
    ``score`` at 10,000 vendors x 50 criteria). Restored on exit, also on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _score(criteria: CriteriaSet, vendors: list[Vendor], *, as_of: dt.date | None, method: str | None,
           default_as_of: dt.date | None) -> Result:
    method = check_method(method or criteria.method)
    as_of, as_of_source = choose_as_of(criteria, as_of, default_as_of)
    dm = build_checked_matrix(criteria, vendors, as_of)
    preferences = preference_table(criteria) if METHODS[method].needs_preferences else None
    scorer = Scorer(dm, criteria.normalization, method, preferences, criteria.tolerance)
    is_max = (dm.directions == "max").to_numpy()
    _, flat_mask = normalize_array(dm.values.to_numpy(float), is_max, criteria.normalization,
                                   dm.lower.to_numpy(float), dm.upper.to_numpy(float))
    import pandas as pd
    norm = pd.DataFrame(scorer.normalized(), index=dm.values.index, columns=dm.values.columns)
    flat = pd.Series(flat_mask, index=dm.values.columns, name="non_discriminating")
    scores = pd.Series(scorer.scores(), index=dm.values.index, name="score")
    ws = pd.Series(METHODS["weighted-sum"].kernel(norm.to_numpy(float), dm.weights.to_numpy(float)),
                   index=dm.values.index)
    table = rank_vendors(scores, criteria.tolerance)

    explanation, vendor_flags = _explanation(dm, norm.to_numpy(float))
    ranking = table.reset_index().rename(columns={table.index.name or "index": "vendor"})
    ranking.insert(1, "name", ranking["vendor"].map(dm.names))
    ranking["weighted_sum"] = ranking["vendor"].map(ws)
    ranking["flags"] = ranking["vendor"].map(dict(zip(dm.values.index, vendor_flags, strict=True)))
    crit = criteria.criteria
    criteria_table = pd.DataFrame({
        "criterion": [c.id for c in crit],
        "label": [c.label or c.id for c in crit],
        "metric": [c.metric for c in crit],
        "direction": [c.direction for c in crit],
        "group": [c.group or "" for c in crit],
        "raw_weight": [c.raw_weight for c in crit],
        "weight": [c.weight for c in crit],
        "scale": [f"[{c.scale.lo:g}, {c.scale.hi:g}]" if c.scale else "" for c in crit],
        "missing": [c.missing for c in crit],
        "non_discriminating": [bool(flat[c.id]) for c in crit],
        "rationale": [c.rationale for c in crit],
    })
    return Result(criteria=criteria, vendors=vendors, matrix=dm, normalized=norm, non_discriminating=flat,
                  ranking=ranking, explanation=explanation, criteria_table=criteria_table, method=method,
                  preferences=preferences, provenance=provenance(criteria, vendors, dm, method, as_of_source))


def _vendor_major(dm: DecisionMatrix) -> bool:
    """Whether ``dm.evidence`` lists every cell vendor by vendor, in the matrix's row and column order, as
    :func:`scoring.matrix.build_matrix` makes it (a matrix made by hand has no evidence)."""
    evidence, (n, m) = dm.evidence, dm.values.shape
    if len(evidence) != n * m:
        return False
    # compared as object arrays, element by element in C (tolist() on a string column costs 10x more)
    vendors = np.repeat(np.asarray(dm.values.index, dtype=object), m)
    criteria = np.tile(np.asarray(dm.values.columns, dtype=object), n)
    return bool(np.array_equal(evidence["vendor"].to_numpy(dtype=object), vendors)
                and np.array_equal(evidence["criterion"].to_numpy(dtype=object), criteria))


def _explanation(dm: DecisionMatrix, norm: np.ndarray) -> tuple[pd.DataFrame, list[list[str]]]:
    """The explanation table (``EXPLANATION_COLUMNS``, one row per vendor x criterion, vendor-major) and each
    vendor's flags (every flag of its cells, in ``FLAGS`` order), built column by column: no per-cell pandas
    call, and each distinct set of flags is put in order once (flags are then bit masks)."""
    import pandas as pd
    names, crits = list(dm.values.index), list(dm.values.columns)
    n, m = len(names), len(crits)
    raw = dm.values.to_numpy(float)
    weights = dm.weights.to_numpy(float)
    keys = ("metric", "flags", "period", "source", "confidence", "note")
    if _vendor_major(dm):                   # the evidence's own columns, in the explanation's order already
        cell = {k: dm.evidence[k].array for k in keys}
        cell["flags"] = dm.evidence["flags"].to_numpy(dtype=object)           # lists: iterated below
    else:                                   # a matrix made by hand, or rows in another order: look each cell up
        rows = {(e["vendor"], e["criterion"]): e for e in dm.evidence.to_dict("records")}
        found = [rows.get((v, c), {}) for v in names for c in crits]
        cell = {k: [e.get(k, "") for e in found] for k in ("period", "source", "confidence", "note")}
        cell["metric"] = [e.get("metric", c) for e, c in zip(found, crits * n, strict=True)]
        cell["flags"] = [e.get("flags", []) for e in found]
    # each distinct set of flags once: its bit mask; a missing figure always carries "missing"
    tuples = list(map(tuple, cell["flags"]))
    code = {t: sum(FLAG_BITS.get(f, 0) for f in set(t)) for t in set(tuples)}
    masks = np.fromiter(map(code.__getitem__, tuples), dtype=np.int64, count=n * m)
    masks |= np.where(np.isnan(raw).ravel(), FLAG_BITS["missing"], 0)
    flags = flag_lists(masks)
    vendor_flags = flag_lists(np.bitwise_or.reduce(masks.reshape(n, m), axis=1)) if m else [[] for _ in names]
    table = pd.DataFrame({
        "vendor": np.repeat(np.array(names, dtype=object), m), "criterion": crits * n, "metric": cell["metric"],
        "raw": raw.ravel(), "normalized": norm.ravel(), "weight": np.tile(weights, n),
        "contribution": (norm * weights).ravel(), "flags": flags, "period": cell["period"],
        "source": cell["source"], "confidence": cell["confidence"], "note": cell["note"],
    }, columns=EXPLANATION_COLUMNS)
    return table, vendor_flags


def _version() -> str:
    from . import __version__  # read from the package metadata on first use
    return __version__


def provenance(criteria: CriteriaSet, vendors: list[Vendor], dm: DecisionMatrix, method: str,
               as_of_source: str = "given") -> dict:
    """What a reader needs to reproduce a report: inputs and their hashes, as-of date (and where it came from),
    method, version. Paths are shown as they were given, never resolved against the working directory."""
    present = set(dm.values.index)
    used = [v for v in vendors if v.id in present]
    digest = hashlib.sha256()
    for item in [criteria.sha256, *(v.sha256 for v in sorted(used, key=lambda v: v.id))]:
        digest.update(item.encode())
    counts = {}
    if len(dm.evidence):
        tally = Counter(chain.from_iterable(dm.evidence["flags"].to_numpy(dtype=object)))
        counts = {f: int(tally[f]) for f in FLAGS}
    return {
        "tool": "cloudscore",
        "version": _version(),
        "criteria_file": Path(criteria.path).as_posix(),
        "criteria_name": criteria.name,
        "criteria_sha256": criteria.sha256,
        "vendor_files": {Path(v.path).as_posix(): v.sha256 for v in sorted(used, key=lambda v: v.id)},
        "inputs_sha256": digest.hexdigest(),
        "as_of": dm.as_of.isoformat(),
        "as_of_source": as_of_source,
        "method": method,
        "normalization": criteria.normalization,
        "tie_tolerance": criteria.tolerance,
        "flat_relative_tolerance": FLAT_RELATIVE_TOLERANCE,
        "staleness_months": criteria.staleness_months,
        "flag_counts": counts,
        "evidence": _cell_evidence(dm),
    }


def _cell_evidence(dm: DecisionMatrix) -> dict:
    """Per vendor and criterion, the fact row(s) a cell used (``data/facts.csv`` ids without the vendor, or
    "estimate"), when its source was published, and where the observation is: ``{vendor: {criterion: {...}}}``."""
    evidence = dm.evidence
    # four columns as lists, each vendor's cells one slice of them when the evidence is vendor-major
    # (to_dict("records") boxed every cell of all fourteen columns: 3.5 s of score() at 3,000 vendors x 50)
    fact, period, source_date, where = (evidence[k].tolist() for k in ("fact", "period", "source_date", "where"))
    if not fact:
        return {}
    if not _vendor_major(dm):
        cells: dict = {}
        for vendor, criterion, *row in zip(evidence["vendor"].tolist(), evidence["criterion"].tolist(), fact, period,
                                           source_date, where, strict=True):
            cells.setdefault(vendor, {})[criterion] = dict(zip(_CELL_EVIDENCE, row, strict=True))
        return cells
    criteria, m = list(dm.values.columns), dm.values.shape[1]
    return {vendor: {c: {"fact": f, "period": p, "source_date": s, "where": w}
                     for c, f, p, s, w in zip(criteria, fact[k:k + m], period[k:k + m], source_date[k:k + m],
                                              where[k:k + m], strict=True)}
            for vendor, k in zip(dm.values.index, range(0, len(fact), m), strict=False)}


_CELL_EVIDENCE = ("fact", "period", "source_date", "where")


# ------------------------------------------------------------------------------------------- validate


@dataclass
class Validation:
    """What :func:`validate` checked: criteria files, vendor files, and the as-of date used for each view."""

    criteria_files: list[str]
    vendor_files: list[str]
    as_of: dict[str, str]
    warnings: list[str] = field(default_factory=list)   # plausibility, and vendor files no view lists


def validate(criteria_paths: list[str | Path], vendors_folder: str | Path, *, as_of: dt.date | str | None = None,
             default_as_of: dt.date | None = None) -> Validation:
    """Every check that scoring runs, for every view: each file on its own, the files against each other, and
    the matrix each view would score (``missing: error``, values its normalization cannot take). Raises one
    ``ConfigErrors`` with every problem of every file.

    >>> validate(["criteria/baseline.yaml"], "vendors").criteria_files
    ['criteria/baseline.yaml']
    """
    errors: list[ConfigError] = []
    if not criteria_paths:
        errors.append(ConfigError(Where("criteria"), "", "no criteria files found", "pass --criteria FILE"))
    warnings: list[ConfigError] = []
    broken: dict[str, frozenset[str]] = {}
    vendors = collect_vendors(vendors_folder, errors, warnings, broken=broken)
    dates, listed = {}, set()
    for path in criteria_paths:
        criteria = collect_criteria(path, errors)
        if criteria is None or not vendors:
            continue
        listed |= set(criteria.vendors) if criteria.vendors else {v.id for v in vendors}
        problems = cross_check(criteria, vendors, broken)
        errors.extend(problems)
        if problems:
            continue
        try:
            day, _ = choose_as_of(criteria, as_of, default_as_of)
            problems = check_matrix(criteria, vendors, day)
        except ConfigErrors as exc:
            problems = exc.errors
        errors.extend(problems)
        if not problems:
            dates[str(path)] = day.isoformat()
    if errors:
        raise ConfigErrors(errors)
    warnings += [ConfigError(v.where, "id", f"vendor {v.id!r} is not listed by any criteria view, so it is never "
                             "ranked", "add it to a view's vendors: list") for v in vendors if v.id not in listed]
    return Validation([str(p) for p in criteria_paths], sorted({v.path for v in vendors}), dates,
                      [str(w) for w in warnings])


# ---------------------------------------------------------------------------------------- analyses


@dataclass
class Sensitivity:
    """What :func:`sensitivity` computed: stability intervals, tornado and SMAA-2, on one ranking."""

    result: Result
    intervals: pd.DataFrame
    tornado: pd.DataFrame
    smaa: object                    # smaa.SmaaResult
    focus: str
    weight_delta: float


def _known_vendor(flag: str, value: str | None, result: Result) -> None:
    vendors = list(result.ranking["vendor"])
    if value is not None and value not in vendors:
        raise ConfigErrors([ConfigError(Where(flag), "", f"unknown vendor {value!r}", did_you_mean(value, vendors))])


def sensitivity(result: Result, *, draws: int = 10_000, seed: int = 0, weights: str = "dirichlet",
                concentration: float = 50.0, order: list[str] | None = None, vary_values: bool = True,
                weight_delta: float = 0.25, vendor: str | None = None) -> Sensitivity:
    """Weight stability intervals, tornado (for ``vendor``, default the leader) and SMAA-2 on one ranking.

    SMAA's weights are drawn around the stated ones by default (``weights="dirichlet"``, ``concentration``:
    higher = closer); ``weights="uniform"`` is the "no preference information" model
    (:data:`scoring.weight_draws.DEFAULT_WEIGHT_MODEL`, :func:`scoring.weight_draws.describe_weight_model`).

    A bad ``order`` constraint or an unknown ``vendor`` is reported as ``ConfigErrors`` (exit 2 on the command line).
    """
    from .robustness import tornado, weight_stability_intervals
    from .smaa import smaa
    _known_vendor("--vendor", vendor, result)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigErrors([ConfigError(Where("--seed"), "", f"expected a whole number >= 0, got {seed!r}")])
    scorer = result.scorer
    try:
        smaa_result = smaa(scorer, draws=draws, seed=seed, weights=weights, concentration=concentration,
                           order=order or [], vary_values=vary_values)
    except ValueError as exc:
        raise ConfigErrors([ConfigError(Where("--order" if order else "sensitivity"), "", str(exc))]) from None
    return Sensitivity(result, weight_stability_intervals(scorer), tornado(scorer, weight_delta), smaa_result,
                       vendor or str(result.ranking["vendor"].iloc[0]), weight_delta)


#: The report's "what changed" compares with this as-of date by default: the seeds' view (end of 2023).
DEFAULT_SINCE = dt.date(2023, 12, 31)
#: Libraries whose versions a report's provenance names (read from the installed metadata, not imported).
REPORT_LIBRARIES = ("numpy", "pandas", "highspy", "PuLP", "matplotlib", "XlsxWriter", "Jinja2")


def report(result: Result, *, since: dt.date | None = DEFAULT_SINCE, draws: int = 10_000, seed: int = 0,
           concentration: float = 50.0, strategy_path: str | Path | None = None,
           vendors_folder: str | Path = "vendors"):
    """Everything ``cloudscore report`` shows (a ``summary.ReportData``): the ranking, its sensitivity analysis
    with weights drawn around the stated ones, the runner-up's what-it-takes answers, and the same view at
    ``since`` (None, or a date not before the ranking's, leaves "what changed" out). With ``strategy_path`` (a
    strategy model), the strategy section: every preset compared and the frontier (``optimize.compare_presets``,
    ``optimize.frontier``); without one the section is left out."""
    import warnings
    from importlib import metadata

    from .summary import build_report_data
    from .weight_draws import describe_weight_model
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # a one-criterion view has no other weight to rescale: robustness's intervals come out NaN with numpy's
        # warnings, which must not reach stderr (the report shows the NaN intervals as they are)
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = sensitivity(result, draws=draws, seed=seed, concentration=concentration)
        lines: list[str] = []
        order = list(result.ranking["vendor"])
        if len(order) > 1:
            answer = what_if(result, order[1], beat=order[0])
            lines = [a.text for a in answer.answers if a.feasible and a.verified] or list(answer.notes)
    earlier = None
    if since is not None and since < result.matrix.as_of:
        earlier = score(result.criteria, result.vendors, as_of=since, method=result.method)
    versions = []
    for name in REPORT_LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    s = analysis.smaa
    extra = [("smaa", f"{s.draws} draws, seed {s.seed}, weights {describe_weight_model(s.weights, s.concentration)}"
                      + (", figures drawn within their uncertainty" if s.vary_values else ", figures fixed")),
             ("compared_with", earlier.matrix.as_of.isoformat() if earlier is not None else "none")]
    strategy = None
    if strategy_path is not None:
        from . import optimize as opt
        model = _strategy_model(strategy_path, None)
        strategy = {"model": model, "presets": opt.compare_presets(model, vendors_folder=vendors_folder),
                    "frontier": opt.frontier(model, vendors_folder=vendors_folder)}
        extra.append(("strategy_file", f"{Path(model.path).as_posix()} ({model.name}) sha256 {model.sha256}"))
    extra.append(("libraries", ", ".join(versions)))
    from .report import provenance_block
    data = build_report_data(result, analysis, earlier, lines, provenance_block(result, extra))
    data.strategy = strategy
    return data


_UNIT_WORDS = {"pct": "points", "level": "levels"}


def what_if(result: Result, vendor: str, *, beat: str | None = None, rank: int | None = None):
    """What would it take for ``vendor`` to overtake ``beat``, or to reach rank ``rank`` (see :mod:`scoring.whatif`).

    Every answer is checked by re-scoring the change and ranking everyone again; ``feasible`` is False (and says
    why) when nothing reaches the goal.
    """
    from .whatif import WhatIfError, what_it_takes
    for flag, value in (("--vendor", vendor), ("--beat", beat)):
        _known_vendor(flag, value, result)
    ct = result.criteria_table
    units = {c.id: _UNIT_WORDS.get(c.unit, c.unit or "") for c in result.criteria.criteria}
    try:
        return what_it_takes(result.scorer, vendor, beat=beat, rank=rank,
                             labels=dict(zip(ct["criterion"], ct["label"], strict=True)), units=units,
                             names=result.matrix.names.to_dict())
    except WhatIfError as exc:
        raise ConfigErrors([ConfigError(Where("whatif"), "", str(exc))]) from None


def compare(criteria_paths: list[str | Path], vendors_folder: str | Path, *, as_of: dt.date | str | None = None,
            default_as_of: dt.date | None = None):
    """Every view under every method, Kendall's tau-b between the rankings, Borda consensus (:mod:`scoring.compare`)."""
    from .compare import compare as compare_views
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    return compare_views(criteria_paths, vendors_folder, as_of=as_of, default_as_of=default_as_of)


# ------------------------------------------------------------------------------------------- strategy


@dataclass
class Strategy:
    """What :func:`optimize` produced: one preset's plan, or every preset side by side (``presets``); an
    infeasible preset carries ``infeasible`` (an ``optimize.InfeasibleMix``) instead of a plan."""

    model: object
    plan: object | None = None
    presets: pd.DataFrame | None = None
    infeasible: Exception | None = None
    draws: object | None = None           # strategy_draws.PresetDraws: how sure, over the assumptions' ranges


def _strategy_model(strategy_path: str | Path, vendor: str | None):
    from .load import load_strategy
    model = load_strategy(strategy_path)
    if vendor is not None and model.vendor != vendor:
        raise ConfigErrors([ConfigError(Where("--vendor"), "", f"{strategy_path} models {model.vendor!r}, not "
                                        f"{vendor!r}", f"use --vendor {model.vendor}, or give that vendor's model "
                                        "with --strategy")])
    return model


def optimize(strategy_path: str | Path, vendors_folder: str | Path, *, preset: str | None = None,
             margin_floor_pct: float | None = None, objective: str = "score", min_score: float | None = None,
             compare_presets: bool = False, vendor: str | None = None, draws: int | None = None,
             seed: int = 0, solver: str = "highs") -> Strategy:
    """Optimise the strategy model's mix for one preset, or compare every preset (``compare_presets``), or, with
    ``draws``, draw the assumptions within their ranges and re-solve every preset (seeded)."""
    from . import optimize as opt
    model = _strategy_model(strategy_path, vendor)
    if draws is not None:
        from .strategy_draws import preset_acceptability
        return Strategy(model, draws=preset_acceptability(model, draws=draws, seed=seed,
                                                          margin_floor_pct=margin_floor_pct,
                                                          vendors_folder=vendors_folder, solver=solver))
    if compare_presets:
        return Strategy(model, presets=opt.compare_presets(model, margin_floor_pct=margin_floor_pct,
                                                           vendors_folder=vendors_folder, solver=solver))
    try:
        return Strategy(model, plan=opt.optimize(model, preset=preset, margin_floor_pct=margin_floor_pct,
                                                 objective=objective, min_score=min_score,
                                                 vendors_folder=vendors_folder, solver=solver))
    except opt.InfeasibleMix as exc:
        return Strategy(model, infeasible=exc)


def frontier(strategy_path: str | Path, vendors_folder: str | Path, *, preset: str | None = None, points: int = 21,
             low_pct: float | None = None, vendor: str | None = None,
             solver: str = "highs") -> tuple[object, pd.DataFrame]:
    """(model, frontier table): score against margin floor up to the highest feasible floor (``optimize.frontier``)."""
    from . import optimize as opt
    model = _strategy_model(strategy_path, vendor)
    return model, opt.frontier(model, preset=preset, points=points, low_pct=low_pct, vendors_folder=vendors_folder,
                               solver=solver)


def backtest(strategy_path: str | Path, vendors_folder: str | Path, *, vendor: str | None = None):
    """(model, table): each preset's projection beside the observed quarters (``optimize.backtest``)."""
    from . import optimize as opt
    model = _strategy_model(strategy_path, vendor)
    return model, opt.backtest(model, vendors_folder=vendors_folder)
