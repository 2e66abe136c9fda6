"""The first step of loading: bytes -> a YAML document whose every value remembers its line and column.

Safe by construction: only the YAML core schema's types are built (no Python object tags); anchors are
expanded under a budget (alias bombs are refused in bounded time and memory); nesting deeper than
``MAX_DEPTH`` is refused as it opens; duplicate keys are errors (PyYAML silently keeps the last).

One pass: the parser's events are turned straight into plain data (no node tree, no second parse), so a file
costs one scan of its text. Plain (unquoted) scalars are read by :func:`plain_value`, the one place that
decides what an unquoted value is; its YAML 1.1 surprises are settled in favour of what a person means
(``1e-9`` is a number, ``012`` is twelve, ``1:30`` and an impossible date such as ``2023-02-30`` stay text, so
the check that expects a number or a date can say exactly what to write). The text as typed is kept beside
every value that is not text (``YamlDoc.texts``), so a check that expects text reads ``007`` or ``yes`` as
written. Keys are compared as the text a person sees: ``7`` and ``'7'`` are one key, written twice.

Characters a reader cannot see (a byte-order mark in the middle of a file, a zero-width space, a raw control
character, a line separator) are named and located, with the key path, instead of surfacing as a puzzling
syntax error or hiding inside an id.

No state outlives a document: nothing holds on to a file's events after it is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, Where, display_path, shorten

MAX_BYTES = 2 * 1024 * 1024      # a criteria or vendor file is a few KiB; refuse anything absurd
MAX_DEPTH = 32                   # our schemas nest at most 6 deep
MAX_NODES = 50_000               # values that aliases may add by expansion; a billion-laughs file stops here
TOP_LEVEL = "(top level)"        # the key path of a problem outside any key of the document
MAX_SHOWN = 20                   # invisible characters named one by one in a file before the rest are counted

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when the wheel has it: same marks, faster
_TAG = "tag:yaml.org,2002:"
_SAFE_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}

# --------------------------------------------------------------------------------------- plain scalars

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {**dict.fromkeys(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"), True),
          **dict.fromkeys(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"), False)}
_DECIMAL = re.compile(r"[-+]?[0-9][0-9_]*")
_PREFIXED = re.compile(r"[-+]?0(?:x[0-9a-fA-F_]+|o[0-7_]+|b[01_]+)")
_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?)")
_SPECIAL_FLOATS = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, ".nan": math.nan, ".NaN": math.nan,
                   ".NAN": math.nan}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
                        r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?")
_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_MAYBE_TYPED = frozenset("-+.0123456789~nNtTfFyYoO")      # first characters of anything but plain text


def plain_value(text: str) -> Any:
    """What an unquoted scalar means: None, a boolean, an int, a float, a date, or the text itself.

    Numbers are decimal whatever their leading zeros; ``1e-9`` and ``1.5E9`` are floats (YAML 1.1 wants a dot
    and a signed exponent, and reads them as text); hexadecimal, octal and binary need their prefix (``0x1f``);
    base-60 (``1:30``) and impossible dates stay text. Booleans are YAML 1.1's words (``yes``, ``off``, ...),
    kept because a person who writes ``estimate: yes`` means it; a check that expects text reads the text.

    >>> [plain_value(t) for t in ("1e-9", "012", "1_000", "0x1f", "1:30", "yes", "~", "2023-02-30", "n/a")]
    [1e-09, 12, 1000, 31, '1:30', True, None, '2023-02-30', 'n/a']
    >>> plain_value("2024-01-23"), plain_value(".inf"), plain_value("1" + "0" * 30)
    (datetime.date(2024, 1, 23), inf, 1000000000000000000000000000000)
    """
    if not text:
        return None
    if text[0] not in _MAYBE_TYPED:
        return text
    if text in _NULLS:
        return None
    flag = _BOOLS.get(text)
    if flag is not None:
        return flag
    if _DECIMAL.fullmatch(text):
        return int(text.replace("_", ""), 10)
    if _PREFIXED.fullmatch(text):
        return int(text.replace("_", ""), 0)
    if _FLOAT.fullmatch(text):
        return float(text.replace("_", ""))
    special = _SPECIAL_FLOATS.get(text.lstrip("+-"))
    if special is not None:
        return -special if text.startswith("-") else special
    date = _DATE.fullmatch(text)
    if date:
        try:
            return dt.date(*map(int, date.groups()))
        except ValueError:
            return text                              # 2023-02-30: text, for the date check to explain
    if _TIMESTAMP.fullmatch(text):
        try:
            return yaml.constructor.SafeConstructor().construct_yaml_timestamp(
                yaml.ScalarNode(_TAG + "timestamp", text))
        except ValueError:
            return text
    return text


def _key_of(text: str, plain: bool) -> Any:
    """A mapping key as the text a person sees; an int only where it is written as one (``2``, not ``02``)."""
    if plain and _CANONICAL_INT.fullmatch(text):
        return int(text)
    return text


# --------------------------------------------------------------------------------- invisible characters

# Characters nobody sees in an editor: raw C0/C1 controls (tab, line feed and carriage return excepted), DEL, YAML
# 1.1's extra line breaks, a byte-order mark past the start, zero-width and direction-changing marks, non-characters.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufffe\uffff]")
_CHAR_NAMES = {"\ufeff": "byte-order mark", "\u200b": "zero-width space", "\u200c": "zero-width non-joiner",
               "\u200d": "zero-width joiner", "\u2060": "word joiner", "\u2028": "line separator",
               "\u2029": "paragraph separator", "\x85": "next-line control", "\x7f": "delete control"}


def char_name(ch: str) -> str:
    """``U+FEFF (byte-order mark)``: a character named so a reader can find it.

    >>> char_name("\\ufeff"), char_name("\\x07")
    ('U+FEFF (byte-order mark)', 'U+0007 (control character)')
    """
    name = _CHAR_NAMES.get(ch) or ("control character" if unicodedata.category(ch) == "Cc"
                                   else unicodedata.name(ch, "invisible character").lower())
    return f"U+{ord(ch):04X} ({name})"


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """(offset, character) of every character in ``text`` a reader cannot see (see ``_INVISIBLE``).

    >>> invisible_characters("a\\tb\\u200bc")
    [(3, '\\u200b')]
    """
    if _INVISIBLE.search(text) is None:          # the common case: one scan, nothing to list
        return []
    return [(m.start(), m.group()) for m in _INVISIBLE.finditer(text)]


# ---------------------------------------------------------------------------------------------- documents

def format_path(path: tuple) -> str:
    """``("metrics", "x", 0, "value")`` -> ``"metrics.x[0].value"``; a key that is not plain visible text is shown
    quoted and escaped (``metrics.'a\\n'``), a very long one shortened.

    >>> format_path(("metrics", "x", 0, "value")), format_path(("criteria", "a\\nb"))
    ('metrics.x[0].value', "criteria.'a\\\\nb'")
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        part = str(part)
        if not part.isprintable() or len(part) > 60 or part != part.strip() or "." in part:
            part = shorten(repr(part), 60)
        text += f".{part}" if text else part
    return text


@dataclass
class YamlDoc:
    """A parsed file: plain Python data plus the position of every value and every mapping key.

    ``texts`` keeps the text as typed of every unquoted value that is not text (a number, boolean, null or date);
    ``problems`` holds located problems that do not stop the file being read (a repeated key, an invisible
    character in a key), which the loaders report with their own; ``sha256`` is the hash of the bytes read.
    """

    path: str
    data: Any
    value_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    texts: dict[tuple, str] = field(default_factory=dict)
    problems: list[ConfigError] = field(default_factory=list)
    sha256: str = ""

    def where(self, path: tuple, *, key: bool = False) -> Where:
        """Position of the value at ``path`` (or of its key); falls back to the closest enclosing value."""
        marks = self.key_marks if key else self.value_marks
        probe = tuple(path)
        while probe not in marks and probe:
            probe = probe[:-1]
        line, column = marks.get(probe, self.value_marks.get((), (1, 1)))
        return Where(self.path, line, column)

    def error(self, path: tuple, problem: str, hint: str = "", *, key: bool = False) -> ConfigError:
        """A located problem at ``path``; the document itself (``()``) is named as the top level."""
        return ConfigError(self.where(path, key=key), format_path(path or (TOP_LEVEL,)), problem, hint)

    def text(self, path: tuple, value: Any) -> str | None:
        """The value at ``path`` as typed: its source text for an unquoted number, boolean, null or date, the
        value itself for text; None for a mapping or a list."""
        if isinstance(value, str):
            return value
        if isinstance(value, (dict, list)):
            return None
        typed = self.texts.get(tuple(path))
        return typed if typed is not None else ("" if value is None else str(value))

    def path_at(self, line: int, column: int) -> tuple:
        """The key path of the last value or key that starts at or before ``line:column`` (for problems the
        parser locates by position only)."""
        marks = sorted({**{m: p for p, m in self.value_marks.items()}, **{m: p for p, m in self.key_marks.items()}
                        }.items())
        i = bisect_right([m for m, _ in marks], (line, column)) - 1
        return marks[i][1] if i >= 0 else ()


def _mark(event) -> tuple[int, int]:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


class _Problem(Exception):
    """Internal: the problems that stop reading this file (the caller collects them); ``error`` is the first."""

    def __init__(self, where: Where, problem: str, hint: str = "", path: tuple = (), *,
                 errors: list[ConfigError] | None = None) -> None:
        super().__init__(problem)
        self.errors = errors or [ConfigError(where, format_path(path), problem, hint)]
        self.error = self.errors[0]


YamlProblem = _Problem


def read_yaml(path: str | Path) -> YamlDoc:
    """Read one YAML file safely; raise :class:`YamlProblem` (located ``ConfigError`` s) on anything malformed.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.yaml")
    ...     _ = open(p, "w", encoding="utf-8").write("a:\\n  b: 1\\n")
    ...     doc = read_yaml(p)
    >>> doc.data, doc.where(("a", "b"))
    ({'a': {'b': 1}}, Where(path='...x.yaml', line=2, column=6))
    """
    name = display_path(path)
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
    except PermissionError:
        raise _Problem(Where(name), "cannot read the file: Permission denied",
                       "give yourself read permission (chmod u+r) or copy the file somewhere readable") from None
    except OSError as exc:
        raise _Problem(Where(name), f"cannot read the file: {exc.strerror or exc}", "") from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str = "<string>") -> YamlDoc:
    """Parse bytes already read; see :func:`read_yaml`."""
    try:
        text = raw.decode("utf-8-sig")            # a byte-order mark at the start is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        readable = raw.decode("utf-8-sig", errors="replace")
        raise _Problem(Where(name, line, column), f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                       "save the file as UTF-8; is this a YAML file at all?",
                       _path_near(name, readable, line, column)) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _Problem(Where(name, line), "contains NUL bytes; not a text file", "is this a YAML file at all?",
                       _path_near(name, text.replace("\x00", " "), line, 1))
    doc = YamlDoc(name, None, sha256=hashlib.sha256(raw).hexdigest())
    hidden = invisible_characters(text)
    if hidden:
        raise _invisible_problem(doc, text, hidden)
    _Builder(doc, text).build()
    return doc


def _path_near(name: str, text: str, line: int, column: int) -> tuple:
    """The key path around ``line:column`` of a text that could not be read as it is, found by reading a repaired
    copy (the bad bytes or characters replaced): as far as the reader got, else the top level."""
    doc = YamlDoc(name, None)
    try:
        _Builder(doc, _INVISIBLE.sub(" ", text)).build()
    except _Problem:
        pass                                   # the marks read so far still place the position
    return doc.path_at(line, column) or (TOP_LEVEL,)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _invisible_problem(doc: YamlDoc, text: str, hidden: list[tuple[int, str]]) -> _Problem:
    """Every invisible character, named at its line and column with the key path around it (found by reading
    the text with each one replaced by a space), as one problem that stops the file."""
    chars = list(text)
    for offset, _ in hidden:
        chars[offset] = " "
    try:
        _Builder(doc, "".join(chars)).build()
    except _Problem:
        pass                                   # the marks read so far still place the characters before it
    errors = []
    for offset, ch in hidden[:MAX_SHOWN]:
        line, column = _position(text, offset)
        control = unicodedata.category(ch) == "Cc"
        hint = ("delete it (it was probably pasted in); to put it in a value, write it as an escape inside double "
                "quotes" if control else "delete it: editors do not show it, but it changes the text (an id with it "
                "matches nothing)")
        errors.append(ConfigError(Where(doc.path, line, column), format_path(doc.path_at(line, column) or (TOP_LEVEL,)),
                                  f"invisible character {char_name(ch)} in the text", hint))
    if len(hidden) > MAX_SHOWN:
        errors.append(ConfigError(Where(doc.path), "", f"{len(hidden) - MAX_SHOWN:,} more invisible characters "
                                  "in this file", "is this file a text file saved by an editor?"))
    return _Problem(errors[0].where, "", errors=errors)


def _syntax_problem(exc: yaml.YAMLError, name: str, text: str, path: tuple) -> _Problem:
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
    return _Problem(Where(name, line, column), message, hint, path or (TOP_LEVEL,))


def _nesting_problem(name: str, line: int, column: int, path: tuple) -> _Problem:
    return _Problem(Where(name, line, column), f"nesting deeper than {MAX_DEPTH} levels",
                    "our files nest a few levels; this looks generated or malicious", path)


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


_NOKEY = object()          # a mapping frame waiting for its next key
_KEY_SPECIAL = frozenset("-+0123456789<")     # first characters of a key that may be a number or a merge key
_KEY_HINT = "keys are names like 'weight' or 'alibaba'"


class _Frame:
    __slots__ = ("container", "path", "is_map", "key", "skip", "keys")

    def __init__(self, container, path: tuple, is_map: bool) -> None:
        self.container, self.path, self.is_map = container, path, is_map
        self.key, self.skip, self.keys = _NOKEY, False, {}

    def child(self) -> tuple:
        """The path of the value this frame takes next."""
        if not self.is_map:
            return (*self.path, len(self.container))
        return (*self.path, self.key) if self.key is not _NOKEY else self.path


class _Builder:
    """Parser events -> plain data for one document, recording marks; enforces the tag whitelist, the depth limit
    and the alias budget. Anchored values are kept as their events and replayed where an alias names them."""

    def __init__(self, doc: YamlDoc, text: str) -> None:
        self.doc, self.text = doc, text
        self.stack: list[_Frame] = []

    def current_path(self) -> tuple:
        return self.stack[-1].child() if self.stack else ()

    def problem(self, event, problem: str, hint: str = "", path: tuple | None = None) -> _Problem:
        path = self.current_path() if path is None else path
        return _Problem(Where(self.doc.path, *_mark(event)), problem, hint, path or (TOP_LEVEL,))

    def build(self) -> None:
        doc, stack = self.doc, self.stack
        value_marks, key_marks, texts = doc.value_marks, doc.key_marks, doc.texts
        anchors: dict[str, list] = {}
        recording: list[tuple[str, list, int, Any]] = []    # open anchors: (name, events, depth, first event)
        replay: list = []                                     # aliases being expanded: iterators over events
        budget = MAX_NODES
        documents, root = 0, _NOKEY
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        loader = _Loader(self.text)
        try:
            while True:
                replayed = bool(replay)
                if replayed:
                    event = next(replay[-1], None)
                    if event is None:
                        replay.pop()
                        continue
                else:
                    try:
                        event = loader.get_event()
                    except yaml.YAMLError as exc:
                        raise self.parser_problem(exc) from None
                    if event is None:
                        break
                cls = event.__class__
                if cls is scalar_event or cls in starts:
                    if replayed:
                        budget -= 1
                        if budget < 0:
                            raise self.problem(event, f"more than {MAX_NODES:,} values after expanding aliases",
                                               "anchors and aliases (&, *) expand to too much data; is this an "
                                               "alias bomb?")
                    elif event.anchor is not None:
                        recording.append((event.anchor, [], len(stack), event))
                    frame = stack[-1] if stack else None
                    if frame is not None and frame.is_map and frame.key is _NOKEY:
                        if cls is not scalar_event:
                            raise self.problem(event, "a mapping key must be a plain value", _KEY_HINT)
                        text = event.value
                        if (event.tag is None and text and text[0] not in _KEY_SPECIAL and event.implicit[0]
                                and text not in frame.keys and text.isprintable()):
                            m = event.start_mark               # the common case, inline: a new plain text key
                            frame.keys[text] = (m.line + 1, text)
                            key_marks[(*frame.path, text)] = (m.line + 1, m.column + 1)
                            frame.key, frame.skip = text, False
                        else:
                            self.key(frame, event)
                    else:
                        if frame is None:
                            path = ()
                        elif frame.is_map:
                            path = (*frame.path, frame.key)
                        else:
                            path = (*frame.path, len(frame.container))
                        m = event.start_mark
                        mark = (m.line + 1, m.column + 1)
                        if cls is scalar_event:
                            if event.tag is None:
                                text = event.value
                                if event.implicit[0]:
                                    value = plain_value(text)
                                    if value is not text:
                                        texts[path] = text
                                else:
                                    value = text
                            else:
                                value = self.scalar(event, path, mark)
                        else:
                            is_map = cls is starts[0]
                            self.check_container_tag(event, is_map)
                            if len(stack) >= MAX_DEPTH:
                                raise _nesting_problem(doc.path, *mark, path)
                            value = {} if is_map else []
                        if path not in value_marks:
                            value_marks[path] = mark
                        if frame is None:
                            root = value
                        elif frame.is_map:
                            if not frame.skip:
                                frame.container[frame.key] = value
                            frame.key = _NOKEY
                        else:
                            frame.container.append(value)
                        if cls is not scalar_event:
                            stack.append(_Frame(value, path, is_map))
                elif cls in ends:
                    stack.pop()
                elif cls is alias_event:
                    events = anchors.get(event.anchor)
                    if events is None:
                        opened = [first for name, _, _, first in recording if name == event.anchor]
                        if opened:
                            raise _Problem(Where(doc.path, *_mark(opened[-1])),
                                           f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)",
                                           "remove the self-referencing anchor", self.current_path())
                        raise self.problem(event, f"alias '*{event.anchor}' names no anchor defined before it",
                                           f"define '&{event.anchor}' on a value above this line, or write the "
                                           "value out")
                    if recording and not replayed:      # an anchor around an alias keeps the alias, unexpanded
                        for _, recorded, _, _ in recording:
                            recorded.append(event)
                    replay.append(iter(events))
                    continue
                elif cls is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _Problem(Where(doc.path, *_mark(event)), "more than one YAML document ('---') in the "
                                       "file", "keep one document per file", (TOP_LEVEL,))
                    continue
                else:
                    continue                     # stream start and end, document end
                if recording and not replayed:
                    depth = len(stack)
                    for _, events, _, _ in recording:
                        events.append(event)
                    while recording and recording[-1][2] == depth:
                        name, events, _, _ = recording.pop()
                        anchors[name] = events
        finally:
            loader.dispose()
        if root is _NOKEY:
            raise _Problem(Where(doc.path), "file is empty (no YAML content)",
                           "see criteria/README.md or vendors/README.md for a template")
        doc.data = root

    def parser_problem(self, exc: yaml.YAMLError) -> _Problem:
        # A scanner may look far ahead inside flow collections and give up on deep nesting itself (PyYAML 6.0.4
        # refuses ~1,000 levels of '[' before yielding our 33rd event): report it as the nesting it is.
        deep = _deep_flow_position(self.text, MAX_DEPTH)
        mark = getattr(exc, "problem_mark", None)
        if deep is not None and (mark is None or deep <= mark.index):
            return _nesting_problem(self.doc.path, *_position(self.text, deep), self.current_path())
        return _syntax_problem(exc, self.doc.path, self.text, self.current_path())

    def check_container_tag(self, event, is_map: bool) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == _TAG + ("map" if is_map else "seq"):
            return
        if tag in _SAFE_TAGS:
            raise self.problem(event, f"tag {tag!r} does not fit {'a mapping' if is_map else 'a list'}",
                               "remove the tag")
        raise self.problem(event, f"tag {tag!r} is not allowed",
                           "only plain YAML values are read (no !!python/... or custom tags); remove the tag")

    def key(self, frame: _Frame, event) -> None:
        doc = self.doc
        text, tag = event.value, event.tag
        plain = tag is None and event.implicit[0]
        if tag is not None and tag != "!" and tag not in _SAFE_TAGS:
            raise self.problem(event, f"tag {tag!r} is not allowed",
                               "only plain YAML values are read (no !!python/... or custom tags); remove the tag")
        if plain and text == "<<":
            raise self.problem(event, "merge keys ('<<') are not supported", "write the keys out in full",
                               (*frame.path, "<<"))
        key = _key_of(text, plain or tag == _TAG + "int")
        path, mark = (*frame.path, key), _mark(event)
        if not text.isprintable() and _CONTROL.search(text):
            bad = _CONTROL.search(text).group()
            doc.problems.append(ConfigError(Where(doc.path, *mark), format_path(path),
                                            f"key contains {char_name(bad)}",
                                            "keys are one line of visible text; remove the escape"))
        shown = str(key)
        first = frame.keys.get(shown)
        if first is not None:
            doc.problems.append(ConfigError(
                Where(doc.path, *mark), format_path(path), f"duplicate key {shorten(shown, 60)!r} (first set on line "
                f"{first[0]}{'' if first[1] == text else f' as {shorten(first[1], 40)!r}'})",
                "YAML keeps only the last value silently; delete one of them"))
            frame.skip = True
        else:
            frame.keys[shown] = (mark[0], text)
            doc.key_marks[path] = mark
            frame.skip = False
        frame.key = key

    def scalar(self, event, path: tuple, mark: tuple[int, int]):
        text, tag = event.value, event.tag
        if tag is None or tag == "!":
            if tag is None and event.implicit[0]:
                value = plain_value(text)
                if value is not text:
                    self.doc.texts[path] = text
                return value
            return text
        if tag not in _SAFE_TAGS:
            raise self.problem(event, f"tag {tag!r} is not allowed",
                               "only plain YAML values are read (no !!python/... or custom tags); remove the tag",
                               path)
        kind = tag[len(_TAG):]
        if kind in ("map", "seq"):
            raise self.problem(event, f"cannot read value {shorten(text, 60)!r}: expected a "
                               f"{'mapping' if kind == 'map' else 'sequence'} node, but found scalar",
                               "remove the tag", path)
        if kind == "str":
            return text
        value = None if kind == "null" else plain_value(text)
        fits = {"int": isinstance(value, int) and not isinstance(value, bool), "float": is_number(value),
                "bool": isinstance(value, bool), "timestamp": isinstance(value, dt.date), "null": True}[kind]
        if not fits:
            raise self.problem(event, f"cannot read value {shorten(text, 60)!r} as {tag!r}",
                               "remove the tag, or write a value of that type", path)
        self.doc.texts[path] = text
        return float(value) if kind == "float" else value


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]")


def is_number(value: Any) -> bool:
    """True for int/float that are not booleans (YAML ``true`` is an int in Python)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)
