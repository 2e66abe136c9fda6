"""The ``cloudscore`` command: argument parsing, exit codes and printing; no scoring logic.

Exit status: 0 ok; 2 invalid input (arguments or files); 1 an unexpected internal error (one line; ``--debug``
shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ConfigError, ConfigErrors, Where

DEFAULT_CRITERIA = "criteria/baseline.yaml"
DEFAULT_VENDORS = "vendors"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:          # argparse's own errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"cloudscore: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cloudscore", description="Score and rank cloud vendors on weighted, sourced criteria.")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def scoring_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--criteria", default=DEFAULT_CRITERIA, metavar="FILE", help=f"criteria file (default {DEFAULT_CRITERIA})")
        p.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR", help=f"vendor folder (default {DEFAULT_VENDORS}/)")
        p.add_argument("--as-of", dest="as_of", metavar="DATE", help="YYYY-MM-DD: use what was known at this date "
                       "(default: the criteria file's as_of)")
        p.add_argument("--method", metavar="METHOD", help="weighted-sum or topsis (default: the criteria file's)")

    v = sub.add_parser("validate", help="check criteria and vendor files; print every problem")
    v.add_argument("--criteria", nargs="+", metavar="FILE", help="criteria files (default: every criteria/*.yaml)")
    v.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR")
    r = sub.add_parser("rank", help="rank the vendors and print the table")
    scoring_args(r)
    r.add_argument("--format", default="table", choices=("table", "json", "csv", "markdown"))
    rep = sub.add_parser("report", help="write Markdown, CSV and JSON reports")
    scoring_args(rep)
    rep.add_argument("--out", default="reports", metavar="DIR", help="output folder (default reports/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cloudscore`` and ``python -m scoring``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigErrors as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cloudscore: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, not a traceback, unless asked
        if args.debug:
            raise
        print(f"cloudscore: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return _validate(args)
    from . import pipeline, report                  # pandas is imported only for the commands that score
    as_of = pipeline.parse_as_of(args.as_of) if args.as_of else None
    if args.method is not None:
        pipeline.check_method(args.method)
    result = pipeline.run(args.criteria, args.vendors, as_of=as_of, method=args.method)
    if args.command == "rank":
        sys.stdout.write(report.render(result, args.format))
        return 0
    for path in report.write_reports(result, args.out):
        print(path)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .load import cross_check, _criteria_from, _vendors_from
    files = args.criteria or sorted(str(p) for p in Path("criteria").glob("*.yaml"))
    errors: list[ConfigError] = []
    if not files:
        errors.append(ConfigError(Where("criteria"), "", "no criteria files found", "pass --criteria FILE"))
    vendors = _vendors_from(args.vendors, errors)
    checked = 0
    for path in files:
        criteria = _criteria_from(path, errors)
        if criteria is not None and vendors:
            errors.extend(cross_check(criteria, vendors))
        checked += 1
    if errors:
        raise ConfigErrors(errors)
    print(f"ok: {checked} criteria file(s) and {len(vendors)} vendor file(s) are valid")
    return 0
