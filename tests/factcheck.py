"""The data check behind tests/test_data.py: every figure in a vendors/ folder against data/facts.csv and the seeds.

A function of its inputs (a vendors folder, a facts file, an optional seeds folder), so the mutation test can run it
on a modified copy and watch it fail. ``data_problems`` returns one line per problem, ``file:line:column: ...``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from scoring.load import load_vendors
from scoring.models import unit_of_metric

FACT_COLUMNS = ["id", "vendor", "criterion", "metric", "value", "unit", "period", "calendar_period", "source",
                "source_date", "source_date_as_written", "seed_file", "quote", "confidence", "note"]

#: Which fact-sheet units a metric's unit suffix may come from.
ROW_UNITS = {"pct": {"%"}, "pp": {"pp"}, "rank": {"rank", "rank among companies worldwide"},
             "rmb_m": {"RMB million"}, "rmb_bn": {"RMB billion"}, "usd_bn": {"USD billion"}, "eflops": {"EFLOPS"}}
_ROW_UNIT_TO_METRIC_UNIT = {u: k for k, us in ROW_UNITS.items() for u in us}

_CN_DIGITS = "零一二三四五六七八九"
_QUARTER_OF_MONTH = {"Mar": 1, "Jun": 2, "Sep": 3, "Dec": 4}


def chinese_numeral(n: int) -> str:
    """1..99 in Chinese: 1 -> 一, 10 -> 十, 12 -> 十二, 26 -> 二十六.

    >>> [chinese_numeral(n) for n in (1, 10, 12, 26)]
    ['一', '十', '十二', '二十六']
    """
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def leading_number(text: str) -> float | None:
    """The figure a fact-sheet value cell states first: '~25' -> 25, '>=14 (to ~22:50)' -> 14, '-5.8' -> -5.8,
    '1,650' -> 1650; None for a text cell."""
    text = re.sub(r"^\d{4}:\s*", "", text.replace(",", ""))      # '2023: #26' states 26 for 2023
    m = re.search(r"[-+]?\d+(?:\.\d+)?", text)
    return float(m.group()) if m else None


def calendar_period(text: str) -> str:
    """A fact-sheet period in the vendor files' calendar form, or '' when it has none: 'Q3 2023' -> '2023-Q3',
    '1H2023' -> '2023-H1', 'Jun-2023 qtr (FY2024 Q1)' -> '2023-Q2', '2024 full year' -> '2024', 'end-2024' -> '2024'.
    """
    t = text.strip()
    if m := re.match(r"Q([1-4]) (\d{4})", t):
        return f"{m[2]}-Q{m[1]}"
    if m := re.fullmatch(r"([12])H(\d{4})", t):
        return f"{m[2]}-H{m[1]}"
    if m := re.fullmatch(r"(\d{4})(?: full year| \(full year\))?", t):
        return m[1]
    if m := re.match(r"(Mar|Jun|Sep|Dec)-(\d{4}) qtr(?: \(FY\d{4} Q[1-4]\))?$", t):
        return f"{m[2]}-Q{_QUARTER_OF_MONTH[m[1]]}"
    if m := re.fullmatch(r"end-(\d{4})", t):
        return m[1]
    if re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", t):
        return t
    return ""


def normalise_date(text: str) -> str:
    """A fact-sheet source_date as the vendor files write it: '2023-12 (approx; after 2023-12-01)' -> '2023-12',
    '2024-02/03' -> '2024-03' (the later month), '2022-2023' -> '2023', '2026 (compiled)' -> '2026'."""
    t = text.strip()
    if m := re.match(r"(\d{4})-(\d{2})/(\d{2})", t):
        return f"{m[1]}-{m[3]}"
    if m := re.match(r"(\d{4})-(\d{4})", t):
        return m[2]
    m = re.match(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", t)
    return m.group() if m else ""


def as_date(text: str) -> dt.date | None:
    """A partial date counts from its first day, as the loader reads it ('2025' = 2025-01-01)."""
    parts = [int(p) for p in text.split("-")] if text else []
    return dt.date(*(parts + [1, 1][len(parts) - 1:])) if parts else None


def _num(x: float) -> str:
    """A number as a pattern that also matches its trailing zeros: 29.9 -> 29.9, 29.90; 34 -> 34, 34.0."""
    text = f"{round(x, 6):g}"
    return re.escape(text) + (r"0*" if "." in text else r"(?:\.0+)?")


def labelled_patterns(value: float, unit: str | None) -> list[str]:
    """Regular expressions for ``value`` written with its label, as Chinese and English press write it:
    26.7 pct -> '26.7%'; 25123 rmb_m -> '251.23亿'; 45.9 rmb_bn -> '459亿'; 2 rank -> '排名第二' / '第2' / '#2';
    -5.8 pp -> '5.8个百分点' or '5.8%'. The number may not be part of a longer number ('6.7' is not in '26.7')."""
    def n(x: float) -> str:
        return rf"(?<![\d.]){_num(x)}(?![\d])"
    if unit == "pct":
        return [n(value) + r"\s*[%％]"]
    if unit == "pp":
        return [n(abs(value)) + r"\s*(?:个百分点|[%％]|pp)"]
    if unit == "rmb_m":
        return [n(value / 100) + r"\s*亿", n(value) + r"\s*(?:百万|million|M\b)"]
    if unit == "rmb_bn":
        return [n(value * 10) + r"\s*亿", n(value) + r"\s*(?:B\b|billion)"]
    if unit == "usd_bn":
        return [n(value * 10) + r"\s*亿美元", n(value) + r"\s*(?:B\b|billion)"]
    if unit == "rank" and value == int(value) and 0 < value < 100:
        k = int(value)
        nth = rf"第(?:{chinese_numeral(k)}|{k}(?!\d))(?![十一二三四五六七八九])"
        return [rf"(?:排名|位列|位居|名列|排|居){nth}", nth + r"(?:名|位)", rf"#{k}(?!\d)"]
    return [n(value)]


def find_labelled(value: float, unit: str | None, text: str) -> bool:
    """True when ``text`` states ``value`` with its label (see :func:`labelled_patterns`)."""
    unit = _ROW_UNIT_TO_METRIC_UNIT.get(unit, unit) if unit else unit
    return any(re.search(p, text) for p in labelled_patterns(value, unit))


def read_facts(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _metric_stem(metric: str) -> str:
    """The fact sheet's name of a vendor-file metric: the unit suffix goes ('canalys_share_pct' -> 'canalys_share'),
    except a rank's ('idc_iaas_rank' is the sheet's name too)."""
    unit = unit_of_metric(metric)
    return metric[: -len(unit) - 1] if unit and unit != "rank" and metric.endswith("_" + unit) else metric


def facts_named_in(note: str, vendor: str, by_key: dict[str, list[dict]]) -> list[dict]:
    """The fact rows an estimate's note says it uses, by ``metric@period`` (the vendor's own row first, then the
    market's, then the earliest of another vendor's). A sentence that says 'not used' names facts it does not use."""
    used = []
    for sentence in re.split(r"(?<=\.)\s+", note):
        if "not used" in sentence or "not needed" in sentence:
            continue
        for key, rows in by_key.items():
            if re.search(re.escape(key) + r"(?![\w-])", sentence):
                own = [r for r in rows if r["vendor"] == vendor] or [r for r in rows if r["vendor"] == "market"]
                used.append(own[0] if own else min(rows, key=lambda r: r["source_date"]))
    return used


def data_problems(vendors_folder: Path, facts_path: Path, seeds_folder: Path | None) -> list[str]:
    """Every way a vendors/ figure departs from the fact it cites (see tests/test_data.py for the rules)."""
    facts = read_facts(facts_path)
    seeds = ({p.name: p.read_text(encoding="utf-8") for p in seeds_folder.glob("*.txt")}
             if seeds_folder is not None and seeds_folder.is_dir() else None)
    by_key: dict[str, list[dict]] = {}
    by_period: dict[tuple[str, str, str], dict] = {}
    for row in facts.values():
        by_key.setdefault(f"{row['metric']}@{row['period']}", []).append(row)
        if row["calendar_period"] and leading_number(row["value"]) is not None:
            by_period.setdefault((row["vendor"], row["metric"], row["calendar_period"]), row)
    problems: list[str] = []

    def same_dates(where, what, given: dt.date | None, row: dict) -> None:
        if given != as_date(row["source_date"]):
            problems.append(f"{where}: {what} source_date {given} but fact {row['id']} was published "
                            f"{row['source_date'] or '(no date)'}")

    def same_confidence(where, what, given: str | None, row: dict) -> None:
        if given != row["confidence"]:
            problems.append(f"{where}: {what} confidence {given} but fact {row['id']} is rated {row['confidence']}")

    for vendor in load_vendors(vendors_folder):
        for metric, observations in vendor.metrics.items():
            unit = unit_of_metric(metric)
            for o in observations:
                what = f"{vendor.id}.{metric} {o.period}"
                if o.unsourced:
                    problems.append(f"{o.where}: {what} is a bare unsourced number")
                    continue
                row = facts.get(f"{vendor.id}:{o.fact}") if o.fact else None
                if o.fact and row is None:
                    problems.append(f"{o.where}: fact {o.fact!r} is not a row of {facts_path.name} for {vendor.id}")
                if o.estimate:
                    if len(o.note.split()) < 5:
                        problems.append(f"{o.where}: {what} is an estimate whose reasoning is too thin")
                    if o.confidence == "high":
                        problems.append(f"{o.where}: {what} is an estimate rated high confidence")
                    for used in [*([row] if row else []), *facts_named_in(o.note, vendor.id, by_key)]:
                        published = as_date(used["source_date"])
                        if published and o.source_date and published > o.source_date:
                            problems.append(f"{o.where}: {what} is an estimate dated {o.source_date} but uses "
                                            f"{used['id']}, published {used['source_date']}")
                    continue
                candidate = by_period.get((vendor.id, _metric_stem(metric), o.period or ""))
                if o.fact is None:
                    if candidate is not None:
                        problems.append(f"{o.where}: {what} has no fact: but {candidate['id']} is its row")
                    elif o.seed is None:
                        problems.append(f"{o.where}: {what} has neither fact nor seed")
                    continue
                if row is None:
                    continue
                stated = leading_number(row["value"])
                if stated is None or abs(stated - o.value) > 1e-9 * max(1.0, abs(stated)):
                    problems.append(f"{o.where}: {what} = {o.value:g} but fact {row['id']} says {row['value']!r}")
                if o.period != row["calendar_period"]:
                    problems.append(f"{o.where}: {what}: period {o.period} but fact {row['id']} is for "
                                    f"{row['calendar_period'] or row['period']!r}")
                if unit in ROW_UNITS and row["unit"] not in ROW_UNITS[unit]:
                    problems.append(f"{o.where}: {what}: unit {unit} but fact {row['id']} is in {row['unit']!r}")
                same_dates(o.where, what, o.source_date, row)
                same_confidence(o.where, what, o.confidence, row)
                if o.seed is None and row["seed_file"]:
                    problems.append(f"{o.where}: {what}: fact {row['id']} comes from seed {row['seed_file']}; "
                                    f"add seed: {row['seed_file']}")
                if o.seed is not None:
                    if row["seed_file"] != o.seed:
                        problems.append(f"{o.where}: {what} cites seed {o.seed} but fact {row['id']} comes from "
                                        f"{row['seed_file'] or 'no seed'}")
                    elif not row["quote"]:
                        problems.append(f"{o.where}: {what} cites seed {o.seed} but fact {row['id']} quotes nothing")
                    elif not find_labelled(o.value, unit, row["quote"]):
                        problems.append(f"{o.where}: {what} = {o.value:g} is not stated in the quote of "
                                        f"{row['id']}: {row['quote']!r}")
        for incident in vendor.incidents:
            if not incident.source.strip():
                problems.append(f"{incident.where}: incident {incident.date} has no source")
            if not incident.fact:
                continue
            row = facts.get(f"{vendor.id}:{incident.fact}")
            what = f"{vendor.id} incident {incident.date}"
            if row is None:
                problems.append(f"{incident.where}: fact {incident.fact!r} is not a row of {facts_path.name}")
                continue
            if leading_number(row["value"]) != incident.duration_hours:
                problems.append(f"{incident.where}: {what} lasted {incident.duration_hours:g} h but fact "
                                f"{row['id']} says {row['value']!r}")
            same_dates(incident.where, what, incident.source_date, row)
            same_confidence(incident.where, what, incident.confidence, row)
        page = vendor.status_page
        if page is not None and page.fact:
            row = facts.get(f"{vendor.id}:{page.fact}")
            if row is None:
                problems.append(f"{page.where}: fact {page.fact!r} is not a row of {facts_path.name}")
            else:
                same_dates(page.where, f"{vendor.id} status page", page.source_date, row)
                same_confidence(page.where, f"{vendor.id} status page", page.confidence, row)
    for row in facts.values():
        if row["quote"] and seeds is not None:
            text = seeds.get(row["seed_file"])
            if text is None:
                problems.append(f"{facts_path.name}: {row['id']}: seed file {row['seed_file']!r} does not exist")
            elif _squash(row["quote"]) not in _squash(text):
                problems.append(f"{facts_path.name}: {row['id']}: the quote is not in seed {row['seed_file']}")
    return problems
