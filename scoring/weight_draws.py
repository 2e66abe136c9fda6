"""Weight vectors for SMAA: uniform on the simplex, or Dirichlet around the stated weights, optionally respecting
ordinal constraints ("ai_cloud_share >= chip_supply"), and raw values within their uncertainty ranges.

**Weights.** Uniform weights are normalized exponentials (Dirichlet(1, ..., 1)). Dirichlet weights are drawn in
log space (log G_j, with G(a) = G(a + 1) U^(1/a) for shapes a < 1), so a concentration near zero cannot
underflow to 0 / 0: each draw tends to a vertex of the simplex, criterion j with probability equal to its stated
weight, exactly the limit of the Dirichlet. A zero stated weight stays zero.

**Order constraints**, chains included, are sampled directly, never by rejection, so no constraint set can slow a
run down or hang it; contradictory ones (a cycle such as 'a >= b' with 'b >= a') are refused at once, naming them.

- Uniform: the constrained region {w : w_i >= w_j for each constraint} is, up to a null set, the union of the
  sorted cones {w_e1 >= w_e2 >= ... >= w_em} of the linear extensions e of the partial order, all of the same
  volume. A uniform draw sorted in decreasing order, its values handed to the criteria in the order of a linear
  extension chosen uniformly at random, is therefore uniform on the region: exact. The uniform linear extension
  comes from counting the extensions of every down-set of each connected group of constraints (dynamic
  programming over the down-sets; up to 16 constrained criteria in one group always fit, larger groups when they
  are tight enough, such as a chain) and drawing criterion after criterion with probability proportional to the
  number of extensions left; separate groups and unconstrained criteria are interleaved uniformly.
- Dirichlet: each draw is made to respect the order by swapping the values of any constrained pair (including
  implied pairs) that breaks it, until none does. A draw that respects the order is kept as is, so with stated
  weights that respect it and a high concentration most draws are untouched. The result keeps each draw's set
  of values; it is not the Dirichlet conditioned on the order (that would need rejection): its density at w is
  the sum of the Dirichlet density over the rearrangements of w that the swaps send to w (for one constraint
  a >= b: f(w) + f(w with a and b swapped)). Stated weights that break an order constraint are refused: the
  draws would centre on weights that were never stated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

WEIGHT_MODELS = ("uniform", "dirichlet")
#: Down-set tables of one connected group of order constraints, entries at most (criteria x down-sets): 2^21
#: holds any group of up to 16 criteria (and chains, whatever their length up to the 62 a bit mask can hold).
MAX_ORDER_TABLE = 2**21
_ORDER = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*(>=|<=)\s*([A-Za-z0-9_-]+)\s*$")


def parse_order(constraints: list[str], criteria: list[str]) -> list[tuple[int, int]]:
    """``["ai_cloud_share >= chip_supply"]`` -> [(i, j)] meaning w_i >= w_j; a ValueError names what is wrong.

    Refused: a malformed constraint, an unknown criterion, a criterion compared with itself (it constrains
    nothing), and constraints that contradict each other (a cycle: they allow only equal weights, which no draw
    can hit). A repeated constraint is kept once.

    >>> parse_order(["b <= a"], ["a", "b"])
    [(0, 1)]
    >>> parse_order(["a >= b", "b >= a"], ["a", "b"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: weight order: 'a >= b' and 'b >= a' contradict each other: together they allow only w_a = w_b, ...
    """
    from .errors import did_you_mean
    pairs: list[tuple[int, int]] = []
    texts: list[str] = []
    for text in constraints:
        match = _ORDER.match(text)
        if not match:
            raise ValueError(f"weight order {text!r}: expected 'CRITERION >= CRITERION' or '<='")
        a, op, b = match.groups()
        for name in (a, b):
            if name not in criteria:
                raise ValueError(f"weight order {text!r}: unknown criterion {name!r}; {did_you_mean(name, criteria)}")
        if a == b:
            raise ValueError(f"weight order {text!r} compares {a!r} with itself: it constrains nothing; "
                             "did you mean another criterion?")
        i, j = criteria.index(a), criteria.index(b)
        pair = (i, j) if op == ">=" else (j, i)
        if pair not in pairs:
            pairs.append(pair)
            texts.append(" ".join(text.split()))
    cycle = _find_cycle(pairs, len(criteria))
    if cycle:
        raise ValueError(_contradiction([repr(texts[k]) for k in cycle], [criteria[pairs[k][0]] for k in cycle]))
    return pairs


def _contradiction(constraints: list[str], names: list[str]) -> str:
    listed = (" and ".join(constraints) if len(constraints) == 2
              else ", ".join(constraints[:-1]) + " and " + constraints[-1])
    equal = " = ".join(f"w_{name}" for name in names)
    return (f"weight order: {listed} contradict each other: together they allow only {equal}, "
            "which no draw can hit; drop one")


def _find_cycle(pairs: Sequence[tuple[int, int]], m: int) -> list[int]:
    """Indices into ``pairs`` of one cycle of the graph i -> j (w_i >= w_j), in order along it; [] if acyclic.

    A two-way pair (i >= j and j >= i) is reported first, as that pair; a longer cycle starts from its
    constraint stated first.

    >>> _find_cycle([(0, 1), (1, 2), (2, 0)], 3), _find_cycle([(1, 2), (2, 0), (0, 1)], 3), _find_cycle([(0, 1)], 2)
    ([0, 1, 2], [0, 1, 2], [])
    """
    index = {pair: k for k, pair in enumerate(pairs)}
    for k, (i, j) in enumerate(pairs):
        if (j, i) in index:
            return sorted((k, index[(j, i)]))
    leaving: list[list[int]] = [[] for _ in range(m)]
    for k, (i, _j) in enumerate(pairs):
        leaving[i].append(k)
    state = [0] * m                          # 0 unseen, 1 on the current path, 2 finished
    for root in range(m):
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(leaving[root]), -1)]        # (node, its remaining edges, the edge that reached it)
        while stack:
            node, edges, _ = stack[-1]
            k = next(edges, None)
            if k is None:
                state[node] = 2
                stack.pop()
                continue
            child = pairs[k][1]
            if state[child] == 1:            # an edge back into the path: the cycle runs from child to here
                at = next(t for t, entry in enumerate(stack) if entry[0] == child)
                cycle = [entry[2] for entry in stack[at + 1:]] + [k]
                first = cycle.index(min(cycle))          # start from the constraint stated first
                return cycle[first:] + cycle[:first]
            if state[child] == 0:
                state[child] = 1
                stack.append((child, iter(leaving[child]), k))
    return []


@dataclass(frozen=True)
class _Group:
    """One connected group of order constraints, as tables for drawing its linear extensions uniformly.

    ``members``: the group's criteria (global indices). At step t a draw in down-set state s (an index into the
    down-sets of size t) places the member c for which its exponential E falls in [threshold[t][s, c - 1],
    threshold[t][s, c]) and moves to state ``child[t][s, c]``; the thresholds are -log(1 - cumulative
    probability), so with U = 1 - exp(-E) uniform this is the usual inverse-CDF pick. ``count``: the number of
    linear extensions (orders of the members that respect the constraints).
    """

    members: tuple[int, ...]
    child: tuple[np.ndarray, ...]
    threshold: tuple[np.ndarray, ...]
    count: float


@dataclass(frozen=True)
class WeightOrder:
    """Order constraints w_i >= w_j over m criteria, checked (no cycle) and prepared for sampling.

    ``pairs`` as stated; ``closure`` every implied pair too (a >= b >= c gives a >= c); ``groups`` (built on first
    use: only uniform weights need them) the connected groups of constrained criteria with their extension
    tables; ``free`` the unconstrained criteria.
    """

    m: int
    pairs: tuple[tuple[int, int], ...]
    closure: tuple[tuple[int, int], ...]

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[int, int]], m: int) -> WeightOrder:
        """Build from (i, j) pairs meaning w_i >= w_j; a ValueError for a cycle or an index out of range."""
        pairs = list(dict.fromkeys((int(i), int(j)) for i, j in pairs))
        for i, j in pairs:
            if not (0 <= i < m and 0 <= j < m):
                raise ValueError(f"weight order ({i}, {j}): criterion indices must lie in 0..{m - 1}")
            if i == j:
                raise ValueError(f"weight order ({i}, {j}) compares criterion {i} with itself: it constrains nothing")
        cycle = _find_cycle(pairs, m)
        if cycle:
            raise ValueError(_contradiction([f"'w[{pairs[k][0]}] >= w[{pairs[k][1]}]'" for k in cycle],
                                            [f"[{pairs[k][0]}]" for k in cycle]).replace("w_[", "w["))
        above = np.zeros((m, m), dtype=bool)          # above[i, j]: w_i >= w_j is stated or implied
        for i, j in pairs:
            above[i, j] = True
        for k in range(m):                            # Warshall's transitive closure
            above |= above[:, k:k + 1] & above[k:k + 1, :]
        closure = tuple((int(i), int(j)) for i, j in zip(*np.nonzero(above), strict=True))
        return cls(m, tuple(pairs), closure)

    @cached_property
    def groups(self) -> tuple[_Group, ...]:
        above = np.zeros((self.m, self.m), dtype=bool)
        for i, j in self.closure:
            above[i, j] = True
        return tuple(_extension_tables(members, above) for members in self._components() if len(members) > 1)

    @cached_property
    def free(self) -> tuple[int, ...]:
        return tuple(members[0] for members in self._components() if len(members) == 1)

    def _components(self) -> list[tuple[int, ...]]:
        """The criteria linked by constraints, group by group (union-find), each sorted; singletons included."""
        parent = list(range(self.m))

        def root(i: int) -> int:
            while parent[i] != i:
                i = parent[i]
            return i
        for i, j in self.pairs:
            parent[root(i)] = root(j)
        groups: dict[int, list[int]] = {}
        for i in range(self.m):
            groups.setdefault(root(i), []).append(i)
        return [tuple(g) for g in groups.values()]

    @property
    def random_per_draw(self) -> int:
        """Exponentials one ordered uniform draw reads: m for the values, one per member of each group with more
        than one linear extension, and m to interleave when there is more than one group or free criterion. A
        chain over every criterion reads m, the same as no constraint."""
        picks = sum(len(g.members) for g in self.groups if g.count > 1)
        return self.m + picks + (self.m if self._blocks > 1 else 0)

    @property
    def _blocks(self) -> int:
        return len(self.groups) + len(self.free)

    @cached_property
    def forced(self) -> np.ndarray | None:
        """For constraints that fix the whole order (a chain over every criterion): each criterion's position in
        increasing order of weight; else None."""
        if self._blocks != 1 or self.groups[0].count > 1:
            return None
        decreasing = np.asarray(self.groups[0].members)[_forced_order(self.groups[0])]
        return np.argsort(decreasing[::-1])


def _extension_tables(members: tuple[int, ...], above: np.ndarray) -> _Group:
    """Count the linear extensions of every down-set of one group, layer by layer, and turn the counts into
    per-step placement probabilities (see :class:`_Group`). A ValueError if the tables would pass
    ``MAX_ORDER_TABLE`` entries (a group of more than 16 loosely constrained criteria)."""
    p = len(members)
    if p > 62:
        raise ValueError(f"weight order: {p} criteria linked by order constraints; at most 62 can be")
    sub = above[np.ix_(members, members)]
    bits = np.left_shift(np.int64(1), np.arange(p, dtype=np.int64))
    must_precede = np.array([int(np.sum(bits[sub[:, c]])) for c in range(p)], dtype=np.int64)
    layers, entries = [np.zeros(1, dtype=np.int64)], 0
    for _ in range(p):                                # states: the sets of members placed first (down-sets)
        state = layers[-1][:, None]
        free = ((state & bits) == 0) & ((must_precede & ~state) == 0)
        layers.append(np.unique((state | bits)[free]))
        entries += p * len(layers[-2])
        if entries > MAX_ORDER_TABLE:
            raise ValueError(f"weight order: the constraints linking {p} criteria leave too many partial orders to "
                             f"enumerate (over {MAX_ORDER_TABLE:,} table entries); state a tighter order "
                             "(such as a chain) or constrain fewer criteria together")
    count = np.ones(1)
    child, threshold = [], []
    for t in range(p - 1, -1, -1):
        state = layers[t][:, None]
        free = ((state & bits) == 0) & ((must_precede & ~state) == 0)
        index = np.where(free, np.searchsorted(layers[t + 1], state | bits), 0)
        ways = np.where(free, count[index], 0.0)              # extensions after placing each member next
        total = ways.sum(axis=1)
        cum = np.cumsum(ways / total[:, None], axis=1)
        last = p - 1 - np.argmax(free[:, ::-1], axis=1)       # the last member that may be placed
        cum[np.arange(p)[None, :] >= last[:, None]] = 1.0     # so rounding can never pick past it
        child.append(index)
        with np.errstate(divide="ignore"):
            threshold.append(-np.log1p(-cum))                 # cumulative 1 -> inf
        count = total
    return _Group(members, tuple(child[::-1]), tuple(threshold[::-1]), float(count[0]))


def _linear_extensions(order: WeightOrder, u: np.ndarray) -> np.ndarray:
    """(K, m) criteria in decreasing order of weight: a uniform linear extension per row, from standard
    exponentials ``u`` (K, order.random_per_draw - m)."""
    size, m = u.shape[0], order.m
    column, parts = 0, []
    for group in order.groups:
        p = len(group.members)
        members = np.asarray(group.members)
        if group.count > 1:
            state = np.zeros(size, dtype=np.int64)
            picked = np.empty((size, p), dtype=np.int64)
            for t in range(p):
                pick = (group.threshold[t][state] <= u[:, column + t, None]).sum(axis=1)
                picked[:, t] = pick
                state = group.child[t][state, pick]
            column += p
            parts.append(members[picked])
        else:                                                  # one extension: the order is forced
            parts.append(np.broadcast_to(members[_forced_order(group)], (size, p)))
    parts += [np.full((size, 1), c, dtype=np.int64) for c in order.free]
    if len(parts) == 1:
        return np.ascontiguousarray(parts[0])
    # Interleave the blocks uniformly: a uniform random permutation of the slots (the ranks of m independent
    # exponentials), each block taking its slots in increasing order (every interleaving is equally likely).
    sizes = [part.shape[1] for part in parts]
    slots = np.repeat(np.arange(len(parts)), sizes)[np.argsort(u[:, column:column + m], axis=1)]
    out = np.empty((size, m), dtype=np.int64)
    for b, part in enumerate(parts):
        where = np.nonzero(slots == b)[1].reshape(size, sizes[b])
        np.put_along_axis(out, where, part, axis=1)
    return out


def _forced_order(group: _Group) -> np.ndarray:
    state, out = 0, []
    for t in range(len(group.members)):
        pick = int(np.argmax(group.threshold[t][state] > 0))
        out.append(pick)
        state = group.child[t][state, pick]
    return np.array(out)


def _swap_into_order(w: np.ndarray, closure: Sequence[tuple[int, int]]) -> np.ndarray:
    """Swap the values of any pair (i, j) of ``closure`` with w_i < w_j, in place, until no pair is violated.

    Terminates: i precedes j in every linear extension, so each swap removes at least one inversion of the
    values read along a fixed extension; there are at most m(m - 1)/2 inversions, hence as many passes.
    """
    m = w.shape[1]
    rows = np.arange(len(w))
    for _ in range(m * (m - 1) // 2 + 1):
        swapped = False
        for i, j in closure:
            bad = rows[w[rows, i] < w[rows, j]]
            if len(bad):
                w[bad, i], w[bad, j] = w[bad, j], w[bad, i]          # fancy indexing copies: a true swap
                swapped = True
        if not swapped:
            return w
        rows = rows[np.any(np.stack([w[rows, i] < w[rows, j] for i, j in closure]), axis=0)]
    raise AssertionError("unreachable: every swap removes an inversion")      # pragma: no cover


# --- draws ------------------------------------------------------------------------------------------------------

def draw_weights(rng: np.random.Generator, size: int, base: np.ndarray, model: str = "uniform",
                 concentration: float = 50.0, order: WeightOrder | Sequence[tuple[int, int]] | None = None
                 ) -> np.ndarray:
    """(size, m) weight vectors on the simplex: uniform (Dirichlet(1, ..., 1)) or Dirichlet(concentration x base),
    respecting ``order`` (a :class:`WeightOrder`, or (i, j) pairs meaning w_i >= w_j) when given.

    Each draw reads its own consecutive random numbers, so ``size`` draws at once equal the same draws in pieces.
    See the module docstring for the distributions. In the Dirichlet model a zero base weight stays zero.

    >>> w = draw_weights(np.random.default_rng(0), 4, np.array([0.5, 0.3, 0.2]), order=[(0, 1), (1, 2)])
    >>> bool(np.all((w[:, 0] >= w[:, 1]) & (w[:, 1] >= w[:, 2]))), w.sum(axis=1).round(12).tolist()
    (True, [1.0, 1.0, 1.0, 1.0])
    """
    base = np.asarray(base, dtype=float)
    m = len(base)
    if model not in WEIGHT_MODELS:
        raise ValueError(f"unknown weight model {model!r}; choose one of {list(WEIGHT_MODELS)}")
    if order is not None and not isinstance(order, WeightOrder):
        order = WeightOrder.from_pairs(order, m)
    if order is not None and not order.pairs:
        order = None
    if model == "dirichlet":
        check_concentration(concentration)
    if m == 1:
        return np.ones((size, 1))
    if model == "dirichlet":
        w = _dirichlet(rng, size, base, float(concentration))
        return _swap_into_order(w, order.closure) if order is not None else w
    if order is None:
        e = rng.standard_exponential((size, m))
        return e / e.sum(axis=1, keepdims=True)
    e = rng.standard_exponential((size, order.random_per_draw))      # one row per draw: values, then the order
    values = np.sort(e[:, :m], axis=1)                                 # increasing
    values /= values.sum(axis=1, keepdims=True)
    if order.forced is not None:
        return values[:, order.forced]
    w = np.empty((size, m))
    np.put_along_axis(w, _linear_extensions(order, e[:, m:])[:, ::-1], values, axis=1)
    return w


def check_concentration(concentration: float) -> None:
    try:
        ok = not isinstance(concentration, bool) and bool(np.isfinite(concentration) and concentration > 0)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"Dirichlet concentration must be a positive, finite number, got {concentration!r}")


def _dirichlet(rng: np.random.Generator, size: int, base: np.ndarray, concentration: float) -> np.ndarray:
    """Dirichlet(concentration x base) in log space: no underflow, however small the concentration (see above)."""
    live = np.nonzero(base > 0)[0]
    w = np.zeros((size, len(base)))
    if len(live) == 1:
        w[:, live[0]] = 1.0
        return w
    b = base[live]
    alpha = concentration * b
    small = np.nonzero(alpha < 1.0)[0]
    shapes = np.concatenate([np.where(alpha < 1.0, alpha + 1.0, alpha), np.ones(len(small))])
    g = rng.standard_gamma(shapes, size=(size, len(shapes)))          # one row per draw: G(shape), then E ~ G(1)
    with np.errstate(divide="ignore", over="ignore"):
        log_g = np.log(g[:, :len(live)])
        exponential = g[:, len(live):]
        ratio = np.divide(exponential, alpha[small], out=np.full(exponential.shape, np.inf),
                          where=alpha[small] > 0)                      # alpha 0: an underflowed concentration
        log_g[:, small] -= ratio                                       # log G(a) = log G(a + 1) + log(U) / a
        top = log_g.max(axis=1, keepdims=True)
        lost = ~np.isfinite(top[:, 0])                                 # E / a overflowed in every column
        if lost.any():
            # the limit: the vertex of the smallest E_j / a_j (criterion j with probability a_j / sum a)
            key = np.log(exponential[lost]) - (np.log(concentration) + np.log(b[small]))
            log_g[lost] = -np.inf
            log_g[np.nonzero(lost)[0], small[np.argmin(key, axis=1)]] = 0.0
            top[lost] = 0.0
        share = np.exp(log_g - top)
    w[:, live] = share / share.sum(axis=1, keepdims=True)
    return w


def draw_values(rng: np.random.Generator, size: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(size, n, m) raw values drawn uniformly within each cell's [low, high]; NaN (missing) cells stay NaN."""
    u = rng.random((size,) + low.shape)
    return low + u * (high - low)


# --- how a report names the weight model ------------------------------------------------------------------------

#: The default of ``cloudscore sensitivity`` and of the report: weights drawn around the strategist's own (stated)
#: weights, so the acceptabilities answer "how sure is this ranking near the weights I chose?". Uniform weights
#: answer another question, "how sure with no preference information at all?", and are the named alternative.
DEFAULT_WEIGHT_MODEL = "dirichlet"
NO_PREFERENCE_MODEL = "uniform"


def describe_weight_model(model: str, concentration: float | None = None) -> str:
    """The weight model in words, as every output states it.

    >>> describe_weight_model("dirichlet", 50.0)
    'drawn around the stated weights (Dirichlet, concentration 50)'
    >>> describe_weight_model("uniform")
    'uniform on the simplex (no preference information)'
    """
    if model not in WEIGHT_MODELS:
        raise ValueError(f"unknown weight model {model!r}; choose one of {list(WEIGHT_MODELS)}")
    if model == "dirichlet":
        return f"drawn around the stated weights (Dirichlet, concentration {concentration:g})"
    return "uniform on the simplex (no preference information)"
