"""cloudscore: score and rank cloud vendors on weighted, sourced criteria, and explain every score.

The pipeline, one module per stage::

    load -> matrix -> normalize -> aggregate -> rank      (pipeline.run wires them; report and cli sit on top)

>>> import scoring
>>> result = scoring.run("criteria/baseline.yaml", "vendors", as_of="2025-12-31")
>>> int(result.ranking["rank"].min())
1
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("cloudscore")
except metadata.PackageNotFoundError:       # run from a source tree that was never installed
    __version__ = "0+unknown"

from .aggregate import AGGREGATORS, aggregate, topsis, weighted_sum
from .errors import ConfigError, ConfigErrors, Where
from .load import load_criteria, load_inputs, load_vendor, load_vendors
from .matrix import DecisionMatrix, build_matrix, make_matrix
from .normalize import normalize
from .pipeline import Result, run, score
from .rank import rank_vendors

__all__ = [
    "AGGREGATORS", "ConfigError", "ConfigErrors", "DecisionMatrix", "Result", "Where", "__version__", "aggregate",
    "build_matrix", "load_criteria", "load_inputs", "load_vendor", "load_vendors", "make_matrix", "normalize",
    "rank_vendors", "run", "score", "topsis", "weighted_sum",
]
