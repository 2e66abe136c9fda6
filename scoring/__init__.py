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
import sys
from types import ModuleType

#: public name -> the module that defines it. Nothing is imported until a name is first used, so
#: ``cloudscore --help`` and ``--version`` import neither numpy nor pandas.
_EXPORTS = {
    "aggregate": "aggregate", "topsis": "aggregate", "weighted_sum": "aggregate",
    "normalize": "normalize",
    "METHODS": "methods", "get_method": "methods",
    "ConfigError": "errors", "ConfigErrors": "errors", "Where": "errors",
    "load_criteria": "load", "load_inputs": "load", "load_vendor": "load", "load_vendors": "load",
    "DecisionMatrix": "matrix", "build_matrix": "matrix", "make_matrix": "matrix",
    "Result": "pipeline", "run": "pipeline", "score": "pipeline",
    "rank_vendors": "rank", "ranks": "rank",
    "Scorer": "scorer",
}
#: names that are both a submodule and the function it defines: the package attribute is the function
_SHADOWED = ("aggregate", "normalize")

__all__ = ["__version__", *sorted(_EXPORTS)]


def _version() -> str:
    from importlib import metadata
    try:
        return metadata.version("cloudscore")
    except metadata.PackageNotFoundError:       # run from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str):
    if name == "__version__":                   # read from the package metadata on first use (~30 ms)
        value = globals()["__version__"] = _version()
        return value
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | {"__version__"})


class _Package(ModuleType):
    """Importing ``scoring.aggregate`` or ``scoring.normalize`` (the modules) binds the package attribute to the
    module; keep the function of that name instead, as the eager imports this replaces did."""

    def __setattr__(self, name: str, value) -> None:
        if name in _SHADOWED and isinstance(value, ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
