"""The ``cloudscore`` command: argument parsing, exit codes and printing; no scoring logic.

Exit status (``EXIT_CODES``): 0 ok; 1 an unexpected internal error (one line; ``--debug`` shows the traceback);
2 invalid input (arguments or files); 3 no feasible answer (nothing can reach the goal asked for); 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from pathlib import Path

from . import lp, progress
from .errors import ConfigErrors
from .methods import METHOD_NAMES

DEFAULT_CRITERIA = "criteria/baseline.yaml"
DEFAULT_VENDORS = "vendors"
EXIT_CODES = {0: "ok", 1: "internal error (run with --debug for the traceback)",
              2: "invalid input (arguments or files)", 3: "no feasible answer (nothing reaches the goal asked for)",
              130: "interrupted"}
EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Version(argparse.Action):
    """``--version``: the installed version, read from the package metadata only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__
        print(f"cloudscore {__version__}")
        parser.exit()


class _Formats:
    """``--format`` choices, read from the report module's registry when first needed (a ``--format`` given, or a
    command's help), so building the parser imports no writer: ``--help`` and ``validate`` never load them."""

    def __init__(self, registry: str) -> None:
        self.registry = registry

    def _names(self) -> tuple[str, ...]:
        from . import report
        return getattr(report, self.registry)

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:          # argparse's own errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"cloudscore: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def _epilog(examples: str) -> str:
    codes = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
    return f"examples:\n{textwrap.indent(textwrap.dedent(examples).strip(), '  ')}\n\nexit status:\n{codes}"


def _parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="cloudscore", description="Score and rank cloud vendors on weighted, sourced criteria.",
                     formatter_class=formatter, epilog=_epilog("""
                         cloudscore rank                              # the bundled view and vendors
                         cloudscore rank --as-of 2023-12-31 --format json
                         cloudscore validate                          # check every criteria/*.yaml and vendors/
                         cloudscore sensitivity --draws 100000
                         cloudscore whatif --vendor huawei --beat alibaba
                         """))
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    debug_help = "show a traceback on internal errors (before or after the command)"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    quiet_help = "no progress bar on stderr (one is drawn for long runs only when stderr is a terminal)"
    parser.add_argument("-q", "--quiet", action="store_true", help=quiet_help)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    methods = ", ".join(METHOD_NAMES)
    vendors_help = f"vendor folder (default {DEFAULT_VENDORS}/)"

    def command(name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
                           formatter_class=formatter, epilog=_epilog(examples))
        # SUPPRESS: an absent --debug (or --quiet) after the command must not undo one given before it
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
        p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=quiet_help)
        return p

    def scoring_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--criteria", default=DEFAULT_CRITERIA, metavar="FILE",
                       help=f"criteria file (default {DEFAULT_CRITERIA})")
        p.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR", help=vendors_help)
        p.add_argument("--as-of", dest="as_of", metavar="DATE", help="YYYY-MM-DD: use what was known at this date "
                       "(default: the criteria file's as_of)")
        p.add_argument("--method", metavar="METHOD", help=f"one of {methods} (default: the criteria file's)")

    v = command("validate", "check criteria and vendor files; print every problem", """
        cloudscore validate
        cloudscore validate --criteria criteria/baseline.yaml --vendors vendors
        """)
    v.add_argument("--criteria", nargs="+", metavar="FILE", help="criteria files (default: every criteria/*.yaml)")
    v.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR", help=vendors_help)
    r = command("rank", "rank the vendors and print the table", """
        cloudscore rank
        cloudscore rank --criteria criteria/ai-first.yaml --method topsis
        cloudscore rank --as-of 2023-12-31 --format json
        """)
    scoring_args(r)
    r.add_argument("--format", default="table", choices=_Formats("FORMATS"))
    rep = command("report", "write the full report: HTML, Excel, Markdown with SVG charts, CSV and JSON", """
        cloudscore report                            # into reports/, what changed since 2023-12-31
        cloudscore report --criteria criteria/ai-first.yaml --out /tmp/reports --since none
        cloudscore report --strategy strategy/alibaba.yaml   # with the strategy section (make rank)
        """)
    scoring_args(rep)
    rep.add_argument("--out", default="reports", metavar="DIR", help="output folder (default reports/)")
    rep.add_argument("--since", default="2023-12-31", metavar="DATE",
                     help="'what changed' compares with this as-of date (default 2023-12-31, the seeds' view; "
                          "'none' leaves the section out)")
    rep.add_argument("--draws", type=_smaa_draws, default=10_000, help="SMAA draws (default 10,000)")
    rep.add_argument("--seed", type=_seed, default=0, help="random seed (default 0): same seed, same report")
    rep.add_argument("--strategy", metavar="FILE", help="add the strategy section for this strategy model "
                     "(presets compared, the frontier), e.g. strategy/alibaba.yaml (default: none)")

    sen = command("sensitivity", "weight stability intervals, tornado and SMAA-2 acceptabilities", """
        cloudscore sensitivity --draws 100000 --seed 1
        cloudscore sensitivity --concentration 30 --order 'ai_cloud_share >= chip_supply'
        cloudscore sensitivity --weights uniform     # no preference information: every weight vector alike
        cloudscore sensitivity --fixed-values --format json
        """)
    scoring_args(sen)
    sen.add_argument("--draws", type=_smaa_draws, default=10_000, help="SMAA draws (default 10,000)")
    sen.add_argument("--seed", type=_seed, default=0, help="random seed (default 0): same seed, same result")
    sen.add_argument("--weights", default="dirichlet", choices=("dirichlet", "uniform"),
                     help="dirichlet (default): drawn around the stated weights; uniform: uniform on the simplex, "
                          "the 'no preference information' model")
    sen.add_argument("--concentration", type=_positive_float, default=50.0,
                     help="Dirichlet concentration: higher = closer to the stated weights (default 50)")
    sen.add_argument("--order", action="append", default=[], metavar="'A >= B'",
                     help="ordinal weight constraint, repeatable, e.g. 'ai_cloud_share >= chip_supply'")
    sen.add_argument("--fixed-values", action="store_true", help="draw weights only; keep every figure as it is")
    sen.add_argument("--weight-delta", type=_positive_float, default=0.25,
                     help="tornado: move each weight by this fraction (default 0.25)")
    sen.add_argument("--vendor", help="tornado for this vendor (default: the leader)")
    sen.add_argument("--format", default="table", choices=_Formats("ANALYSIS_FORMATS"))

    wi = command("whatif", "what would it take for a vendor to overtake another (or reach a rank)", """
        cloudscore whatif --vendor huawei --beat alibaba
        cloudscore whatif --vendor tianyi --rank 3 --format json
        """)
    scoring_args(wi)
    wi.add_argument("--vendor", required=True, help="the vendor that should move up")
    goal = wi.add_mutually_exclusive_group(required=True)
    goal.add_argument("--beat", metavar="VENDOR", help="the vendor to overtake")
    goal.add_argument("--rank", type=_positive_int, metavar="K", help="the rank to reach")
    wi.add_argument("--format", default="table", choices=_Formats("ANALYSIS_FORMATS"))

    def strategy_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--vendor", required=True, help="the focal vendor: its model is strategy/VENDOR.yaml")
        p.add_argument("--strategy", metavar="FILE", help="strategy model (default strategy/VENDOR.yaml)")
        p.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR", help=vendors_help)
        p.add_argument("--preset", help="a preset of the strategy file (constraint bundle)")
        p.add_argument("--format", default="table", choices=_Formats("ANALYSIS_FORMATS"))
        p.add_argument("--solver", default=lp.DEFAULT_SOLVER, choices=sorted(lp.SOLVERS),
                       help=f"MILP solver (default {lp.DEFAULT_SOLVER}; the answer names the one that solved it)")

    opt = command("optimize", "the best mix of business lines and moves under a margin floor (a MILP)", """
        cloudscore optimize --vendor alibaba --preset public-cloud-first
        cloudscore optimize --vendor alibaba --preset hybrid --min-margin 6% --format json
        cloudscore optimize --vendor alibaba                   # every preset side by side
        cloudscore optimize --vendor alibaba --draws 200       # how sure: the assumptions drawn in their ranges
        """)
    strategy_args(opt)
    opt.add_argument("--min-margin", type=_percent, metavar="PCT", help="margin floor every quarter, e.g. 5%% "
                     "(default: the preset's, else the strategy file's)")
    opt.add_argument("--objective", default="score", choices=("score", "revenue"),
                     help="maximise the projected score, or last-quarter revenue under --min-score")
    opt.add_argument("--min-score", type=float, metavar="S", help="score floor for --objective revenue")
    opt.add_argument("--draws", type=_strategy_draws, metavar="N",
                     help="draw every assumption within its range N times and re-solve each preset: how often each "
                          "is best, its expected score, margin and regret")
    opt.add_argument("--seed", type=_seed, default=0,
                     help="random seed for --draws (default 0): same seed, same result")
    fr = command("frontier", "projected score against the margin floor, up to the highest feasible floor", """
        cloudscore frontier --vendor alibaba
        cloudscore frontier --vendor alibaba --preset hybrid --points 41 --format json
        """)
    strategy_args(fr)
    fr.add_argument("--points", type=_frontier_points, default=21, help="floors swept (default 21)")
    fr.add_argument("--from", dest="low", type=_percent, metavar="PCT", help="lowest floor (default 0%%)")
    bt = command("backtest", "each preset's projection beside the quarters that followed (the file's observed facts)",
                 """
        cloudscore backtest --vendor alibaba
        """)
    bt.add_argument("--vendor", required=True, help="the focal vendor: its model is strategy/VENDOR.yaml")
    bt.add_argument("--strategy", metavar="FILE", help="strategy model (default strategy/VENDOR.yaml)")
    bt.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR", help=vendors_help)
    bt.add_argument("--format", default="table", choices=_Formats("ANALYSIS_FORMATS"))

    cmp_ = command("compare", f"rankings under every method ({methods}) and view; Kendall's tau; Borda consensus",
                   """
        cloudscore compare
        cloudscore compare --criteria criteria/baseline.yaml criteria/ai-first.yaml --as-of 2023-12-31
        """)
    cmp_.add_argument("--criteria", nargs="+", metavar="FILE", help="views (default: every criteria/*.yaml)")
    cmp_.add_argument("--vendors", default=DEFAULT_VENDORS, metavar="DIR", help=vendors_help)
    cmp_.add_argument("--as-of", dest="as_of", metavar="DATE", help="YYYY-MM-DD: use what was known at this date")
    cmp_.add_argument("--format", default="table", choices=_Formats("ANALYSIS_FORMATS"))
    return parser


def _positive(kind: type, most: float = float("inf"), why: str = ""):
    """An argparse type: a positive int or float (at most ``most``: ``why`` says what more would cost), with a
    message that says what was found."""
    what = "whole number" if kind is int else "number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {what}, got {text!r}") from None
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"expected a positive {what}, got {text}")
        if value > most:
            raise argparse.ArgumentTypeError(f"expected at most {most:,}, got {text} ({why})")
        return value

    return parse


_positive_int, _positive_float = _positive(int), _positive(float)
_smaa_draws = _positive(int, 100_000_000, "SMAA's time grows with the draws: 1e8 take minutes; 1e5 already pin "
                                          "acceptabilities to about 0.3%")
_strategy_draws = _positive(int, 100_000, "each draw solves every preset's MILP again")
_frontier_points = _positive(int, 10_000, "each point solves a MILP")


def _seed(text: str) -> int:
    """An argparse type: a random seed, a whole number >= 0 (numpy refuses negative seeds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text} (seeds are not negative)")
    return value


def _percent(text: str) -> float:
    """An argparse type: a percentage written with its sign ("5%", "-2.5%"), returned in percent."""
    body = text.strip()
    if not body.endswith("%"):
        raise argparse.ArgumentTypeError(f"expected a percentage such as 5%, got {text!r} (write the % sign: "
                                         "5 and 0.05 would both be ambiguous)")
    try:
        value = float(body[:-1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage such as 5%, got {text!r}") from None
    if not -100 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage between -100% and 100%, got {text!r}")
    return value


def _one_blas_thread_at_start() -> None:
    """Ask OpenBLAS for one thread before numpy is imported (a user's own setting wins). Its threads are made
    when numpy loads and then spin: 0.1 s of CPU per command on the 2-core development machine (``validate``
    0.30 s CPU, 0.21 s with one thread), and no command here gains wall time from them, as every matrix product
    is small in criteria (SMAA runs on one BLAS thread anyway, see :mod:`scoring.smaa`). Too late, and harmless,
    once numpy is loaded (a notebook, the tests)."""
    import os
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cloudscore`` and ``python -m scoring``; returns the exit status."""
    _one_blas_thread_at_start()
    args = _parser().parse_args(argv)
    progress.set_quiet(args.quiet)
    try:
        _check_environment()
        return _dispatch(args)
    except ConfigErrors as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:                         # the reader went away (| head): nothing more to say
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:                          # a file-system fault nobody checked for: name the path, exit 2
        if args.debug:
            raise
        from .errors import display_path
        where = display_path(exc.filename) if exc.filename is not None else "the file system"
        print(f"cloudscore: {where}: {exc.strerror or exc}\n    hint: check that the path exists and that you may "
              "read (or write) it, then run the command again", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("cloudscore: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # one line, not a traceback, unless asked
        if args.debug:
            raise
        print(f"cloudscore: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL


def _check_environment() -> None:
    """Faults of the environment that every command would trip over, reported as such (exit 2)."""
    import os

    from .errors import ConfigError, Where
    if sys.stdout is None:
        raise ConfigErrors([ConfigError(Where("standard output"), "", "is closed (started with >&-), so no result "
                                        "can be printed", "run the command with its output open, or send it to a "
                                        "file (> ranking.txt)")])
    try:
        os.getcwd()
    except OSError:
        raise ConfigErrors([ConfigError(Where("working directory"), "", "the current folder no longer exists "
                                        "(deleted or moved while this shell was in it)",
                                        "cd into the project folder again, then rerun")]) from None


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the interpreter's final flush stays quiet."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _dispatch(args: argparse.Namespace) -> int:
    from . import pipeline, report  # pandas is imported only once a command runs
    today = dt.date.today()                         # the command line's default as-of; the engine never reads the clock
    as_of = pipeline.parse_as_of(args.as_of) if getattr(args, "as_of", None) else None
    if args.command in ("validate", "compare"):
        files = args.criteria or sorted(str(p) for p in Path("criteria").glob("*.yaml"))
        if args.command == "validate":
            checked = pipeline.validate(files, args.vendors, default_as_of=today)
            print(f"ok: {len(checked.criteria_files)} criteria file(s) and {len(checked.vendor_files)} vendor file(s) "
                  "are valid")
            for warning in checked.warnings:
                print(f"warning: {warning}")
            return EXIT_OK
        comparison = pipeline.compare(files, args.vendors, as_of=as_of, default_as_of=today)
        sys.stdout.write(report.render_compare(comparison, args.format))
        return EXIT_OK
    if args.command in ("optimize", "frontier", "backtest"):
        return _strategy(args, pipeline)
    if args.method is not None:
        pipeline.check_method(args.method)
    result = pipeline.run(args.criteria, args.vendors, as_of=as_of, method=args.method, default_as_of=today)
    if args.command == "rank":
        sys.stdout.write(report.render(result, args.format))
        return EXIT_OK
    if args.command == "report":
        from .full_report import check_folder, write_report
        check_folder(args.out)
        since = None if args.since.strip().lower() == "none" else _since(args.since, pipeline)
        data = pipeline.report(result, since=since, draws=args.draws, seed=args.seed, strategy_path=args.strategy,
                               vendors_folder=args.vendors)
        for path in write_report(data, args.out):
            print(path)
        return EXIT_OK
    if args.command == "whatif":
        answer = pipeline.what_if(result, args.vendor, beat=args.beat, rank=args.rank)
        sys.stdout.write(report.render_whatif(answer, args.format))
        return EXIT_OK if answer.reachable else EXIT_INFEASIBLE
    analysis = pipeline.sensitivity(result, draws=args.draws, seed=args.seed, weights=args.weights,
                                    concentration=args.concentration, order=args.order,
                                    vary_values=not args.fixed_values, weight_delta=args.weight_delta,
                                    vendor=args.vendor)
    sys.stdout.write(report.render_sensitivity(analysis, args.format))
    return EXIT_OK


def _since(text: str, pipeline):
    try:
        return pipeline.parse_as_of(text)
    except ConfigErrors:
        from .errors import ConfigError, Where
        raise ConfigErrors([ConfigError(Where("--since"), "", f"expected a date YYYY-MM-DD or 'none', got {text!r}",
                                        "e.g. --since 2023-12-31")]) from None


def _strategy(args: argparse.Namespace, pipeline) -> int:
    from . import strategy_report
    path = args.strategy or str(Path("strategy") / f"{args.vendor}.yaml")
    if args.command == "backtest":
        model, table = pipeline.backtest(path, args.vendors, vendor=args.vendor)
        sys.stdout.write(strategy_report.render_backtest(table, model, args.format))
        return EXIT_OK
    if args.command == "frontier":
        model, table = pipeline.frontier(path, args.vendors, preset=args.preset, points=args.points, low_pct=args.low,
                                         vendor=args.vendor, solver=args.solver)
        sys.stdout.write(strategy_report.render_frontier(table, model, args.preset, args.format))
        return EXIT_OK if (table["status"] == "optimal").any() else EXIT_INFEASIBLE
    answer = pipeline.optimize(path, args.vendors, preset=args.preset, margin_floor_pct=args.min_margin,
                               objective=args.objective, min_score=args.min_score,
                               compare_presets=args.preset is None and args.objective == "score",
                               vendor=args.vendor, draws=args.draws, seed=args.seed, solver=args.solver)
    if answer.draws is not None:
        sys.stdout.write(strategy_report.render_preset_draws(answer.draws, answer.model, args.format))
        return EXIT_OK
    if answer.presets is not None:
        sys.stdout.write(strategy_report.render_presets(answer.presets, answer.model, args.format))
        return EXIT_OK if (answer.presets["status"] == "optimal").any() else EXIT_INFEASIBLE
    if answer.infeasible is not None:
        sys.stdout.write(strategy_report.render_infeasible(answer.infeasible, answer.model, args.format))
        return EXIT_INFEASIBLE
    sys.stdout.write(strategy_report.render_plan(answer.plan, answer.model, args.format))
    return EXIT_OK
