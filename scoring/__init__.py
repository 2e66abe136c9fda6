"""cloudscore: score and rank cloud vendors on weighted, sourced criteria, and explain every score.

The pipeline, one module per stage::

    load -> matrix -> normalize -> aggregate -> rank      (pipeline.run wires them; report and cli sit on top)

>>> import scoring
>>> result = scoring.run("criteria/baseline.yaml", "vendors", as_of="2025-12-31")
>>> int(result.ranking["rank"].min())
1
"""

from __future__ import annotations

import importlib
from importlib import metadata

try:
    __version__ = metadata.version("cloudscore")
except metadata.PackageNotFoundError:       # run from a source tree that was never installed
    __version__ = "0+unknown"

# ``aggregate`` and ``normalize`` are also the names of their modules: bound here, after the import that would
# otherwise leave the module under that name. Both import numpy only; everything else loads on first use, so
# ``cloudscore --help`` and ``--version`` import neither pandas nor the solver.
from .aggregate import aggregate
from .normalize import normalize

#: public name -> the module that defines it
_EXPORTS = {
    "topsis": "aggregate", "weighted_sum": "aggregate",
    "METHODS": "methods", "get_method": "methods",
    "ConfigError": "errors", "ConfigErrors": "errors", "Where": "errors",
    "load_criteria": "load", "load_inputs": "load", "load_vendor": "load", "load_vendors": "load",
    "DecisionMatrix": "matrix", "build_matrix": "matrix", "make_matrix": "matrix",
    "Result": "pipeline", "run": "pipeline", "score": "pipeline",
    "rank_vendors": "rank", "ranks": "rank",
    "Scorer": "scorer",
}

__all__ = ["__version__", "aggregate", "normalize", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
