"""cloudscore: score and rank cloud vendors on weighted, sourced criteria, and explain every score.

The pipeline, one module per stage::

    load -> matrix -> normalize -> aggregate -> rank      (pipeline.run wires them; report and cli sit on top)

>>> import scoring
>>> result = scoring.run("criteria/baseline.yaml", "vendors", as_of="2025-12-31")
>>> int(result.ranking["rank"].min())
1
"""

__version__ = "0.1.0"

from .aggregate import AGGREGATORS, aggregate, topsis, weighted_sum  # noqa: E402
from .errors import ConfigError, ConfigErrors, Where  # noqa: E402
from .load import load_criteria, load_inputs, load_vendor, load_vendors  # noqa: E402
from .matrix import DecisionMatrix, build_matrix, make_matrix  # noqa: E402
from .normalize import normalize  # noqa: E402
from .pipeline import Result, run, score  # noqa: E402
from .rank import rank_vendors  # noqa: E402

__all__ = [
    "AGGREGATORS", "ConfigError", "ConfigErrors", "DecisionMatrix", "Result", "Where", "__version__", "aggregate",
    "build_matrix", "load_criteria", "load_inputs", "load_vendor", "load_vendors", "make_matrix", "normalize",
    "rank_vendors", "run", "score", "topsis", "weighted_sum",
]
