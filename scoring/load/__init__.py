"""YAML files -> validated models. Every problem in every file is collected, located and raised together.

One module per concept:

- ``checks``: the typed, located accessors (:class:`~scoring.load.checks.Checker`) every loader uses;
- ``criteria``: criteria files: header, groups, criteria, preference functions;
- ``weights``: one form of weights per file, percentages that add up to 100%, effective weights;
- ``stability``: the stability rule section of a criteria file;
- ``vendors``: vendor profiles: observations, incidents, status pages;
- ``inputs``: the checks that need both files, and :func:`load_inputs`;
- ``strategy``: strategy models (schema ``strategy/v1``) for the optimizer.

``load_*`` raise ``ConfigErrors`` listing every problem; ``collect_*`` add them to a list the caller owns (to
check several files in one run) and return None (criteria) or the valid profiles only (vendors).
"""

from .criteria import collect_criteria, load_criteria
from .inputs import cross_check, load_inputs
from .strategy import collect_strategy, load_strategy
from .vendors import collect_vendors, load_vendor, load_vendors, vendor_files

__all__ = ["collect_criteria", "collect_strategy", "collect_vendors", "cross_check", "load_criteria", "load_inputs",
           "load_strategy", "load_vendor", "load_vendors", "vendor_files"]
