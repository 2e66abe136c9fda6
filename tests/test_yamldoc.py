"""Bytes -> a safe, bounded, line-aware YAML document (scoring/yamldoc.py): one test per rule, each asserting the full
located message, and no state kept between documents."""

import gc
import re
import subprocess
import sys
import time
import tracemalloc
import weakref

import pytest
import yaml

from scoring import yamldoc
from scoring.errors import ConfigErrors
from scoring.load import load_criteria
from scoring.yamldoc import MAX_BYTES, YamlProblem, read_yaml

GOOD = "name: t\nnormalization: min-max\ncriteria:\n  share: {metric: m1, direction: max, weight: 1}\n"


def problem(path) -> str:
    """The one located message reading ``path`` stops at."""
    with pytest.raises(YamlProblem) as exc:
        read_yaml(path)
    return str(exc.value.error)


def test_values_and_keys_remember_their_line_and_column(write_yaml):
    doc = read_yaml(write_yaml("x.yaml", "a:\n  b: [1, {c: 2}]\n"))
    assert doc.data == {"a": {"b": [1, {"c": 2}]}}
    assert str(doc.where(("a", "b", 1, "c"))) == f"{doc.path}:2:14"
    assert str(doc.where(("a", "b"), key=True)) == f"{doc.path}:2:3"
    assert str(doc.where(("a", "nothing", "here"))) == f"{doc.path}:2:3"      # the closest enclosing value


def test_a_folder_given_as_a_file_is_reported(tmp_path):
    assert problem(tmp_path) == f"{tmp_path}: is not a file\n    hint: give the path of a .yaml file"


def test_a_missing_file_is_reported(tmp_path):
    assert problem(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: file not found\n    hint: check the path"


def test_a_path_that_cannot_be_read_says_why(write_yaml):
    inside_a_file = write_yaml("a.yaml", GOOD) / "x.yaml"
    assert problem(inside_a_file) == f"{inside_a_file}: cannot read the file: Not a directory"


def test_an_absurdly_large_file_is_refused_before_it_is_read(write_yaml):
    path = write_yaml("x.yaml", b"#" * (MAX_BYTES + 1))
    assert problem(path) == (f"{path}: file is 2,097,153 bytes; at most 2,097,152 are read\n"
                             "    hint: a criteria or vendor file is a few KiB; is this the right file?")


def test_bytes_that_are_not_utf8_are_located(write_yaml):
    path = write_yaml("x.yaml", b"name: t\nx: caf\xe9\n")
    assert problem(path) == (f"{path}:2:7: x: not UTF-8 text (byte 0xe9)\n"
                             "    hint: save the file as UTF-8; is this a YAML file at all?")


def test_a_nul_byte_marks_a_binary_file(write_yaml):
    path = write_yaml("x.yaml", b"name: t\n\x00\n")
    assert problem(path) == (f"{path}:2: name: contains NUL bytes; not a text file\n"
                             "    hint: is this a YAML file at all?")


@pytest.mark.parametrize("content", ["", "# just a comment\n"])
def test_a_file_without_content_is_reported_as_empty(write_yaml, content):
    path = write_yaml("x.yaml", content)
    assert problem(path) == (f"{path}: file is empty (no YAML content)\n"
                             "    hint: see criteria/README.md or vendors/README.md for a template")


NESTING_HINT = "    hint: our files nest a few levels; this looks generated or malicious"


@pytest.mark.parametrize("text, position", [
    ("a: " + "[" * 40 + "]" * 40 + "\n", "1:35: a" + "[0]" * 31),    # the mapping is level 1, the 32nd '[' level 33
    ("".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "x: 1\n",
     "33:65: " + ".".join(f"k{i}" for i in range(32))),
])
def test_nesting_deeper_than_the_limit_is_refused_where_it_starts(write_yaml, text, position):
    """Where, and the key path of the value that opens level 33."""
    path = write_yaml("x.yaml", text)
    assert problem(path) == f"{path}:{position}: nesting deeper than 32 levels\n{NESTING_HINT}"


def test_nesting_the_yaml_scanner_gives_up_on_is_reported_as_nesting(write_yaml):
    """The scanner refuses ~1,000 levels of '[' before our depth check sees level 33: the 33rd '[' is named."""
    path = write_yaml("x.yaml", "a: " + "[" * 2000 + "]" * 2000 + "\n")
    assert problem(path) == f"{path}:1:36: a[0]: nesting deeper than 32 levels\n{NESTING_HINT}"


SYNTAX_HINT = "    hint: check indentation, colons and quotes on this line or the one before"


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML's pure-Python scanner words its errors differently")
def test_a_syntax_error_is_located_with_the_scanner_words(write_yaml):
    path = write_yaml("x.yaml", "name: t\ncriteria: {a: [1, 2}\n")
    assert problem(path) == (f"{path}:2:20: criteria.a[2]: YAML syntax error: did not find expected ',' or ']' "
                             f"(while parsing a flow sequence)\n{SYNTAX_HINT}")


def test_a_tab_used_for_indentation_is_named(write_yaml):
    path = write_yaml("x.yaml", b"name: t\ncriteria:\n\tc1: {}\n")
    assert problem(path) == (f"{path}:3:1: criteria: YAML syntax error: tab character used for indentation\n"
                             "    hint: YAML indents with spaces only; replace tabs with spaces")


def test_a_second_document_is_refused(write_yaml):
    path = write_yaml("x.yaml", b"name: t\n---\nname: u\n")
    assert problem(path) == (f"{path}:2:1: (top level): more than one YAML document ('---') in the file\n"
                             "    hint: keep one document per file")


def test_python_object_tags_are_refused(write_yaml):
    path = write_yaml("x.yaml", b"name: !!python/object/apply:os.system [echo hi]\n")
    assert problem(path) == (f"{path}:1:7: name: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
                             "allowed\n"
                             "    hint: only plain YAML values are read (no !!python/... or custom tags); remove the "
                             "tag")


def test_a_scalar_tag_on_a_list_is_refused(write_yaml):
    path = write_yaml("x.yaml", "a: !!str [1]\n")
    assert problem(path) == f"{path}:1:4: a: tag 'tag:yaml.org,2002:str' does not fit a list\n    hint: remove the tag"


def test_a_mapping_tag_on_a_plain_value_is_refused(write_yaml):
    path = write_yaml("x.yaml", "a: !!map x\n")
    assert problem(path) == (f"{path}:1:4: a: cannot read value 'x': expected a mapping node, but found scalar\n"
                             "    hint: remove the tag")


def test_an_impossible_unquoted_date_stays_text_for_the_date_check_to_explain(write_yaml):
    """It used to stop the whole file, unlocated by key; the check that expects a date now says what is wrong."""
    doc = read_yaml(write_yaml("x.yaml", "as_of: 2023-02-30\n"))
    assert doc.data == {"as_of": "2023-02-30"}
    path = write_yaml("c.yaml", GOOD + "as_of: 2023-02-30\n")
    with pytest.raises(ConfigErrors) as exc:
        load_criteria(path)
    assert [str(e) for e in exc.value.errors] == [
        f"{path}:5:8: as_of: expected a date (YYYY-MM-DD), got '2023-02-30' (February 2023 has 28 days)"]


@pytest.mark.parametrize("text, tag", [("maybe", "bool"), ("soon", "timestamp")])
def test_a_value_its_explicit_tag_does_not_fit_is_refused_not_a_crash(write_yaml, text, tag):
    path = write_yaml("x.yaml", f"a: !!{tag} {text}\n")
    assert problem(path) == (f"{path}:1:4: a: cannot read value {text!r} as 'tag:yaml.org,2002:{tag}'\n"
                             "    hint: remove the tag, or write a value of that type")


def test_merge_keys_are_refused(write_yaml):
    path = write_yaml("x.yaml", "base: &b {c: 1}\na: {<<: *b}\n")
    assert problem(path) == (f"{path}:2:5: a.<<: merge keys ('<<') are not supported\n"
                             "    hint: write the keys out in full")


def test_a_list_as_a_mapping_key_is_refused(write_yaml):
    path = write_yaml("x.yaml", "? [a, b]\n: 1\n")
    assert problem(path) == (f"{path}:1:3: (top level): a mapping key must be a plain value\n"
                             "    hint: keys are names like 'weight' or 'alibaba'")


def test_a_self_referencing_anchor_is_refused(write_yaml):
    path = write_yaml("x.yaml", "a: &a [*a]\n")
    assert problem(path) == (f"{path}:1:4: a[0]: nesting deeper than 32 levels (recursive alias?)\n"
                             "    hint: remove the self-referencing anchor")


def test_duplicate_yaml_key_is_an_error_not_silently_the_last_value(write_yaml):
    path = write_yaml("c.yaml", GOOD.replace("name: t\n", "name: t\nname: u\n", 1))
    with pytest.raises(ConfigErrors) as exc:
        load_criteria(path)
    assert [str(e) for e in exc.value.errors] == [
        f"{path}:2:1: name: duplicate key 'name' (first set on line 1)\n"
        "    hint: YAML keeps only the last value silently; delete one of them"]


def test_keys_that_yaml_reads_as_other_types_stay_as_typed(write_yaml):
    doc = read_yaml(write_yaml("x.yaml", "1.5: a\nyes: b\nnull: c\n2: d\n"))
    assert doc.data == {"1.5": "a", "yes": "b", "null": "c", 2: "d"}


@pytest.mark.parametrize("content, expected", [
    (b"", "x.yaml: file is empty (no YAML content)"),
    (b"# just a comment\n", "x.yaml: file is empty (no YAML content)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "x.yaml:1:1: (top level): not UTF-8 text (byte 0x89)"),
    (b"name: t\ncriteria:\n\tc1: {}\n", "x.yaml:3:1: criteria: YAML syntax error: tab character used for indentation"),
    (b"name: !!python/object/apply:os.system [echo hi]\n",
     "x.yaml:1:7: name: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    (b"name: t\n---\nname: u\n", "x.yaml:2:1: (top level): more than one YAML document ('---') in the file"),
])
def test_unreadable_files_get_a_located_message(write_yaml, content, expected):
    """Through the loader, the reading problem is the file's one problem."""
    path = write_yaml("x.yaml", content)
    with pytest.raises(ConfigErrors) as exc:
        load_criteria(path)
    assert [str(e).split("\n")[0] for e in exc.value.errors] == [f"{path.parent}/{expected}"]


def test_an_alias_bomb_is_refused_fast_and_in_bounded_memory(write_yaml):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write_yaml("bomb.yaml", "\n".join(lines) + "\n")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ConfigErrors) as exc:
        load_criteria(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(e) for e in exc.value.errors] == [
        f"{path}:1:28: e[5][5][7][6][5]: more than 50,000 values after expanding aliases\n"
        "    hint: anchors and aliases (&, *) expand to too much data; is this an alias bomb?"]
    # 9**10 values if expanded; refused after a bounded number of nodes.
    # Generous bounds: this is a guard, not a benchmark.
    assert elapsed < 5 and peak < 100 * 2**20


DEEP_FILES = {
    "flow": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "flow-mappings": "a: " + "{b: " * 5_000 + "1" + "}" * 5_000 + "\n",
    "block": "".join("  " * i + f"k{i}:\n" for i in range(1_000)) + "  " * 1_000 + "x: 1\n",
}


@pytest.mark.parametrize("kind", sorted(DEEP_FILES))
def test_absurd_nesting_is_refused_with_the_file_named_in_bounded_memory(write_yaml, kind):
    """Whichever layer refuses it (our depth check, or the YAML scanner itself), the answer is the same."""
    path = write_yaml("deep.yaml", DEEP_FILES[kind])
    tracemalloc.start()
    try:
        with pytest.raises(ConfigErrors) as exc:
            load_criteria(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.search(r"deep\.yaml:\d+:\d+: \S+: nesting deeper than 32 levels", str(exc.value))
    assert peak < 64 * len(DEEP_FILES[kind]) + 8 * 2**20      # linear in the file, not in what it would build
    run = subprocess.run([sys.executable, "-m", "scoring", "validate", "--criteria", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "deep.yaml" in run.stderr and "Traceback" not in run.stderr


def test_no_module_level_yaml_constructor_keeps_state_between_files(write_yaml):
    """PyYAML's constructor caches every node it builds; one shared by every load grew forever."""
    for i in range(3):
        read_yaml(write_yaml(f"x{i}.yaml", GOOD))
    constructors = {name: value for name, value in vars(yamldoc).items()
                    if isinstance(value, yaml.constructor.BaseConstructor)}
    assert {name: (len(c.constructed_objects), len(c.recursive_objects)) for name, c in constructors.items()} == {}


def test_a_read_file_leaves_none_of_its_yaml_events_alive(write_yaml, monkeypatch):
    """The document is built straight from the parser's events (one pass, no node tree); none of them, nor the
    parser, outlives the read. (This test watched yaml.compose's nodes while the reader composed a node tree.)"""
    events = []

    class RecordingLoader(yamldoc._Loader):
        def get_event(self):
            event = super().get_event()
            if event is not None:
                events.append(weakref.ref(event))
            return event

    monkeypatch.setattr(yamldoc, "_Loader", RecordingLoader)
    docs = [read_yaml(write_yaml(f"x{i}.yaml", GOOD)) for i in range(3)]
    gc.collect()
    assert len(events) > 30 and [ref for ref in events if ref() is not None] == []
    assert [d.data["name"] for d in docs] == ["t", "t", "t"]
