"""The first step of loading: bytes -> a YAML document whose every value remembers its line and column.

Safe by construction: only the YAML core schema's types are built (no Python object tags); anchors are
expanded under a node budget (alias bombs are refused in bounded time and memory); nesting deeper than
``MAX_DEPTH`` is refused before composition; duplicate keys are errors (PyYAML silently keeps the last).

No state outlives a document: each one is built by its own constructor, so nothing holds on to a file's nodes
after it is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, Where

MAX_BYTES = 2 * 1024 * 1024      # a criteria or vendor file is a few KiB; refuse anything absurd
MAX_DEPTH = 32                   # our schemas nest at most 6 deep
MAX_NODES = 50_000                # values built after alias expansion; a billion-laughs file stops here

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when the wheel has it: same marks, faster
_SAFE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


def format_path(path: tuple) -> str:
    """``("metrics", "x", 0, "value")`` -> ``"metrics.x[0].value"``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class YamlDoc:
    """A parsed file: plain Python data plus the position of every value and every mapping key."""

    path: str
    data: Any
    value_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple, *, key: bool = False) -> Where:
        """Position of the value at ``path`` (or of its key); falls back to the closest enclosing value."""
        marks = self.key_marks if key else self.value_marks
        probe = tuple(path)
        while probe not in marks and probe:
            probe = probe[:-1]
        line, column = marks.get(probe, self.value_marks.get((), (1, 1)))
        return Where(self.path, line, column)

    def error(self, path: tuple, problem: str, hint: str = "", *, key: bool = False) -> ConfigError:
        return ConfigError(self.where(path, key=key), format_path(path), problem, hint)


def _mark(node_or_mark) -> tuple[int, int]:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1, mark.column + 1


def read_yaml(path: str | Path) -> YamlDoc:
    """Read one YAML file safely; raise a list of located ``ConfigError`` on anything malformed.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.yaml")
    ...     _ = open(p, "w", encoding="utf-8").write("a:\\n  b: 1\\n")
    ...     doc = read_yaml(p)
    >>> doc.data, doc.where(("a", "b"))
    ({'a': {'b': 1}}, Where(path='...x.yaml', line=2, column=6))
    """
    name = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise _Problem(Where(name), "is not a file", "give the path of a .yaml file")
        if size > MAX_BYTES:
            raise _Problem(Where(name), f"file is {size:,} bytes; at most {MAX_BYTES:,} are read",
                           "a criteria or vendor file is a few KiB; is this the right file?")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise _Problem(Where(name), "file not found", "check the path") from None
    except OSError as exc:
        raise _Problem(Where(name), f"cannot read the file: {exc.strerror}", "") from None
    return parse_yaml(raw, name)


class _Problem(Exception):
    """Internal: one fatal problem that stops reading this file (the caller collects it)."""

    def __init__(self, where: Where, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.error = ConfigError(where, "", problem, hint)


YamlProblem = _Problem


def parse_yaml(raw: bytes, name: str = "<string>") -> YamlDoc:
    """Parse bytes already read; see :func:`read_yaml`."""
    try:
        text = raw.decode("utf-8-sig")            # a byte-order mark is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Problem(Where(name, line, column), f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                       "save the file as UTF-8; is this a YAML file at all?") from None
    if "\x00" in text:
        raise _Problem(Where(name, text[: text.index("\x00")].count("\n") + 1), "contains NUL bytes; not a text file",
                       "is this a YAML file at all?")
    _check_depth(text, name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        raise _syntax_problem(exc, name, text) from None
    except yaml.YAMLError as exc:
        raise _syntax_problem(exc, name, text) from None
    if node is None:
        raise _Problem(Where(name), "file is empty (no YAML content)",
                       "see criteria/README.md or vendors/README.md for a template")
    doc = YamlDoc(name, None)
    doc.data = _Builder(doc).build(node, (), 0)
    return doc


def _check_depth(text: str, name: str) -> None:
    """Walk the event stream (iterative, no recursion) and refuse absurd nesting before composing."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line, column = _mark(event)
                    raise _Problem(Where(name, line, column), f"nesting deeper than {MAX_DEPTH} levels",
                                   "our files nest a few levels; this looks generated or malicious")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        # A scanner may look far ahead inside flow collections and give up on deep nesting itself (PyYAML 6.0.4
        # refuses ~1,000 levels of '[' before yielding our 33rd event): report it as the nesting it is.
        deep = _deep_flow_position(text, MAX_DEPTH)
        mark = getattr(exc, "problem_mark", None)
        if deep is not None and (mark is None or deep <= mark.index):
            line = text.count("\n", 0, deep) + 1
            column = deep - (text.rfind("\n", 0, deep) + 1) + 1
            raise _Problem(Where(name, line, column), f"nesting deeper than {MAX_DEPTH} levels",
                           "our files nest a few levels; this looks generated or malicious") from None
        raise _syntax_problem(exc, name, text) from None


def _deep_flow_position(text: str, limit: int) -> int | None:
    """Offset of the first '[' or '{' that opens flow level ``limit + 1``, skipping quoted text and comments.

    Only consulted once the YAML reader has already refused the file, to name the cause; never to refuse a file.

    >>> _deep_flow_position("a: [1, '[[[']", 1), _deep_flow_position("a: [[1]]", 1)
    (None, 4)
    """
    depth, quote, i, n = 0, "", 0, len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                if quote == "'" and text.startswith("''", i):
                    i += 1                       # '' is an escaped quote inside single quotes
                else:
                    quote = ""
            elif ch == "\\" and quote == '"':
                i += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return i
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _syntax_problem(exc: yaml.YAMLError, name: str, text: str) -> _Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = "check indentation, colons and quotes on this line or the one before"
    lines = text.splitlines()
    if mark is not None and 0 <= mark.line < len(lines) and "\t" in lines[mark.line][: max(mark.column + 1, 1)]:
        message = "YAML syntax error: tab character used for indentation"
        hint = "YAML indents with spaces only; replace tabs with spaces"
    elif "expected a single document" in str(exc) or "but found another document" in str(exc):
        message, hint = "more than one YAML document ('---') in the file", "keep one document per file"
    return _Problem(Where(name, line, column), message, hint)


_KINDS = {yaml.MappingNode: ("tag:yaml.org,2002:map", "a mapping"),
          yaml.SequenceNode: ("tag:yaml.org,2002:seq", "a list")}


class _Builder:
    """Node tree -> plain data for one document, recording marks; enforces the tag whitelist and the node budget.

    It owns the constructor that turns scalars into values: PyYAML's constructor caches every node it has built,
    so a shared one would keep every file ever read alive.
    """

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.budget = MAX_NODES
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node, path: tuple, depth: int):
        doc = self.doc
        self.budget -= 1
        if self.budget < 0:
            raise _Problem(Where(doc.path, *_mark(node)), f"more than {MAX_NODES:,} values after expanding aliases",
                           "anchors and aliases (&, *) expand to too much data; is this an alias bomb?")
        if depth > MAX_DEPTH:
            raise _Problem(Where(doc.path, *_mark(node)),
                           f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)",
                           "remove the self-referencing anchor")
        doc.value_marks.setdefault(path, _mark(node))
        if node.tag not in _SAFE_TAGS:
            raise _Problem(Where(doc.path, *_mark(node)), f"tag {node.tag!r} is not allowed",
                           "only plain YAML values are read (no !!python/... or custom tags); remove the tag")
        kind = _KINDS.get(type(node))
        if kind is not None and node.tag != kind[0]:
            raise _Problem(Where(doc.path, *_mark(node)), f"tag {node.tag!r} does not fit {kind[1]}",
                           "remove the tag")
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Problem(Where(doc.path, *_mark(key_node)), "merge keys ('<<') are not supported",
                                   "write the keys out in full")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Problem(Where(doc.path, *_mark(key_node)), "a mapping key must be a plain value",
                                   "keys are names like 'weight' or 'alibaba'")
                key = self.scalar(key_node)
                if isinstance(key, float) or isinstance(key, bool) or key is None:
                    key = key_node.value            # keep what was typed: '1.5', 'yes', 'null' as text keys
                key = str(key) if not isinstance(key, (int, str)) else key
                if key in result:
                    first = doc.key_marks.get((*path, key), (0, 0))[0]
                    raise _DuplicateKey(Where(doc.path, *_mark(key_node)), path + (key,), first)
                doc.key_marks[(*path, key)] = _mark(key_node)
                result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node):
        where = Where(self.doc.path, *_mark(node))
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:      # e.g. !!map on a plain value
            raise _Problem(where, f"cannot read value {node.value!r}: {exc.problem}", "remove the tag") from None
        except ValueError as exc:   # e.g. an invalid date such as 2023-02-30
            raise _Problem(where, f"cannot read value {node.value!r}: {exc}", "") from None
        except (KeyError, AttributeError, TypeError):       # an explicit tag the text does not fit: !!bool maybe
            raise _Problem(where, f"cannot read value {node.value!r} as {node.tag!r}",
                           "remove the tag, or write a value of that type") from None


class _DuplicateKey(_Problem):
    def __init__(self, where: Where, path: tuple, first_line: int) -> None:
        super().__init__(where, f"duplicate key {path[-1]!r} (first set on line {first_line})",
                         "YAML keeps only the last value silently; delete one of them")
        self.error = ConfigError(where, format_path(path), self.error.problem, self.error.hint)


def is_number(value: Any) -> bool:
    """True for int/float that are not booleans (YAML ``true`` is an int in Python)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)
