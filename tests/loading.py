"""Shared helpers of the loader tests (tests/test_load_*.py): a good criteria file, a vendor file, and the
located messages a loader raises."""

from __future__ import annotations

import textwrap

import pytest

from scoring.errors import ConfigErrors

GOOD_CRITERIA = textwrap.dedent("""\
    name: t
    method: weighted-sum
    normalization: min-max
    criteria:
      share: {metric: share_pct, direction: max, weight: 3}
      incidents: {metric: outage_count, direction: min, weight: 1}
    """)


def vendor_text(vid: str, share="30", outages="2") -> str:
    return f"""\
        id: {vid}
        name: Vendor {vid.upper()}
        metrics:
          share_pct:
            - {{value: {share}, period: 2024, source: test, confidence: high}}
          outage_count: {outages}
        """


def problems(load, *args) -> list[str]:
    """Every located message ``load(*args)`` raises, in the order ConfigErrors sorts them."""
    with pytest.raises(ConfigErrors) as exc:
        load(*args)
    return [str(e) for e in exc.value.errors]
