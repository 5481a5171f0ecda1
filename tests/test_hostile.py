"""Hostile params files (issue 7): what a bureau typing YAML by hand may send, fed to
``reportkit validate`` and ``reportkit build``.

* a property-based test (hypothesis, bounded) mutates a valid params folder — wrong types,
  huge, negative and float figures, missing and extra keys, duplicate keys, anchors and
  aliases, tabs, BOMs, CRLF, non-UTF-8 bytes, truncation, empty files, a directory where a
  file belongs — and runs ``validate`` in-process; a catalogue of named cases makes sure every
  kind is tried on every run, whatever hypothesis draws;
* a handful of whole builds run in subprocesses, under a timeout;
* NUL bytes and path-traversing bureau ids are refused with a located error.

Every case must end in exit 2 with a message naming the file and the field (or, for a file
that is not YAML at all, the file and line), or in exit 0 where the mutated input was in fact
valid: never a traceback, a hang or partial output (no ``.tmp`` file, no half HTML). The
figures (cases tried, located errors) are printed at the end of the run.
"""
from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest
import yaml
from click.testing import CliRunner
from conftest import worker_summary
from factories import BUREAU, _NoAliases, year_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.cli import cli

YEAR = 2022
TARGET = f"{YEAR}/alpha.yaml"
REGISTRY = "bureaus.yaml"
VALIDATE_EXAMPLES = 150   # hypothesis; with the catalogue and the NUL cases < 200 validate runs
VALIDATE_SECONDS = 20     # one in-process validate may not take longer (a hang fails the test)
BUILD_SECONDS = 240

STATS: Counter = Counter()
FINDING = re.compile(r"^(?:错误 |  )(?P<file>\S.*?)(?::(?P<line>\d+))?: (?P<field>.+?): \[(?P<rule>[\w-]+)\] ", re.M)


# --- the figures the lead quotes ------------------------------------------------------------
class _Figures:
    def pytest_terminal_summary(self, terminalreporter):
        if STATS["tried"]:
            terminalreporter.write_sep("=", "hostile params", bold=True)
            terminalreporter.write_line(summary())

    def pytest_sessionfinish(self, session):
        if STATS["tried"]:
            worker_summary(session.config, "hostile params", summary())  # under xdist


def summary() -> str:
    s = STATS
    return (f"hostile params: {s['tried']} cases tried ({s['validate']} validate in-process, "
            f"{s['build']} build in subprocesses, {s['cli']} other CLI runs); "
            f"{s['located']} ended in exit 2 with a located error "
            f"({s['located_field']} naming file and field, {s['located_file']} naming the file, and the line "
            f"where there is one, of a file that cannot be read as YAML at all); "
            f"{s['valid']} ended in exit 0 (the mutated input was valid); "
            f"{s['tried'] - s['located'] - s['valid']} otherwise")


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("reportkit-hostile-figures"):
        manager.register(_Figures(), "reportkit-hostile-figures")
    yield
    print("\n" + summary())


# --- the base: a valid params folder ----------------------------------------------------------
def base_registry() -> dict:
    return {"alpha": dict(BUREAU, name="测试市甲局")}


def yaml_text(data) -> str:
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)


@dataclass
class Case:
    """One hostile params folder: file contents by relative path (bytes, or None: a directory)."""

    label: str
    files: dict[str, Optional[bytes]]
    expect: str = "fail"  # fail | pass | either
    prepare: Optional[Callable[[Path], None]] = None

    def write(self, root: Path) -> Path:
        params = root / "params"
        base = {REGISTRY: yaml_text(base_registry()).encode(), TARGET: yaml_text(year_data()).encode()}
        for rel, content in {**base, **self.files}.items():
            path = params / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if content is None:
                path.mkdir()
            else:
                path.write_bytes(content)
        if self.prepare:
            self.prepare(params)
        return params


# --- judging an outcome ---------------------------------------------------------------------
def judge(case: Case, code: int, output: str, params: Path, channel: str) -> str:
    """Assert the invariants of one run and count it: 'field', 'file' (located) or 'valid'."""
    STATS["tried"] += 1
    STATS[channel] += 1
    where = f"[{case.label}] exit {code}\n{output[-3000:]}"
    assert "Traceback" not in output and "内部错误" not in output and "internal error" not in output, where
    assert code in (0, 2), where
    if code == 0:
        assert case.expect != "fail", f"invalid input accepted: {where}"
        STATS["valid"] += 1
        return "valid"
    assert case.expect != "pass", f"valid input refused: {where}"
    findings = [m.groupdict() for m in FINDING.finditer(output)]
    assert findings, f"no located finding in the message: {where}"
    root = params.resolve()
    for f in findings:  # named from the working directory, or from the params folder's parent
        path = Path(f["file"])
        places = [path] if path.is_absolute() else [Path.cwd() / path, root.parent / path]
        assert any(root in Path(os.path.abspath(p)).parents for p in places), f"names no params file: {f} {where}"
    named = [f for f in findings if f["field"] != "(file)"]
    file_level = [f for f in findings if f["field"] == "(file)"]
    assert all(f["rule"] in ("yaml", "registry", "missing") for f in file_level), where
    STATS["located"] += 1
    kind = "field" if named else "file"
    STATS[f"located_{kind}"] += 1
    return kind


@contextmanager
def time_limit(seconds: int):
    def hang(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_validate(case: Case, root: Path) -> str:
    params = case.write(root)
    with time_limit(VALIDATE_SECONDS):
        result = CliRunner().invoke(cli, ["--params", str(params), "validate"], catch_exceptions=False)
    return judge(case, result.exit_code, result.output, params, "validate")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def fresh(scratch: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=scratch))


# --- mutations --------------------------------------------------------------------------------
def paths(node, prefix=()):
    """Every path into a document: (path, value)."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


BASE = year_data()
ALL_PATHS = [p for p, _ in paths(BASE) if p]
LEAVES = [p for p, v in paths(BASE) if p and not isinstance(v, (dict, list))]
MAPPINGS = [p for p, v in paths(BASE) if isinstance(v, dict)]
LISTS = [p for p, v in paths(BASE) if isinstance(v, list) and p[0] in ("applications", "review_litigation")]
MONEY = {("proactive", "fees"), ("processing_fees", "amount"), ("processing_fees", "collected")}
# keys that may be left out (a default or a derived value takes their place)
OPTIONAL = {("processing_fees",), ("narrative",), ("disclosed", "categories")}


def kind_of(path) -> str:
    if path in MONEY:
        return "money"
    if path == ("published",):
        return "date"
    if path[0] == "narrative":
        return "text"
    return "count"  # every figure of tables 二 三 四, disclosed.*, processing_fees.notices


def expect_for(kind: str, value) -> str:
    """What a value does to a leaf: 'fail' where the schema must refuse it, else 'either'."""
    is_int = isinstance(value, int) and not isinstance(value, bool)
    is_num = is_int or isinstance(value, float)
    if kind == "count":
        return "fail" if not is_int or value < 0 or value > 10**9 else "either"
    if kind == "money":
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            return "fail"
        if is_num and (value != value or value in (float("inf"), float("-inf")) or value < 0 or value > 10**12):
            return "fail"
        return "either"
    if kind == "text":
        return "fail" if value is None or isinstance(value, (bool, int, float, dict)) else "either"
    return "fail" if value is None or isinstance(value, (bool, float, list, dict)) else "either"


def set_in(doc, path, value):
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def delete_in(doc, path):
    node = doc
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]


WRONG_TYPES = st.sampled_from(["abc", "", "１２", "12", [], {}, [1, 2], {"a": 1}, True, False, None])
HUGE = st.one_of(st.integers(min_value=10**9 + 1, max_value=10**40), st.sampled_from([2**63, 10**400, 1e308]))
NEGATIVE = st.one_of(st.integers(max_value=-1, min_value=-10**30), st.sampled_from([-0.5, float("-inf")]))
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
VALUES = st.one_of(WRONG_TYPES, HUGE, NEGATIVE, FLOATS, st.integers(0, 10**9), st.text(max_size=30))
KEYS = st.one_of(st.text(max_size=12), st.sampled_from(["colour", "Total", "published ", "<<", "?", "- x"]),
                 st.integers(-3, 3), st.booleans(), st.none())


@st.composite
def data_cases(draw) -> Case:
    """A mutation of the data, dumped as YAML (by PyYAML: the syntax stays valid)."""
    doc = copy.deepcopy(BASE)
    op = draw(st.sampled_from(["set", "set", "set", "delete", "extra", "resize", "top"]))
    if op == "set":
        path = draw(st.sampled_from(LEAVES))
        value = draw(VALUES)
        set_in(doc, path, value)
        label, expect = f"set {'.'.join(map(str, path))} = {value!r:.40}", expect_for(kind_of(path), value)
    elif op == "delete":
        path = draw(st.sampled_from(ALL_PATHS))
        delete_in(doc, path)
        required = path[0] in ("published", "proactive", "applications", "review_litigation") or \
            path == ("disclosed",) or path == ("disclosed", "total")
        label, expect = f"delete {'.'.join(map(str, path))}", "fail" if required else "either"
    elif op == "extra":
        path = draw(st.sampled_from(MAPPINGS))
        key = draw(KEYS.filter(lambda k, p=path: k not in _get(doc, p)))
        _get(doc, path)[key] = draw(st.integers(0, 5))
        free = path == ("disclosed", "categories") and isinstance(key, str)
        label, expect = f"extra key {key!r} in {'.'.join(map(str, path)) or '(top)'}", "either" if free else "fail"
    elif op == "resize":
        path = draw(st.sampled_from(LISTS))
        row = _get(doc, path)
        how = draw(st.sampled_from(["shorter", "longer", "empty", "much longer"]))
        if how == "shorter":
            row.pop()
        elif how == "longer":
            row.append(draw(st.integers(0, 5)))  # a total column: must equal the row's sum
        elif how == "empty":
            row.clear()
        else:
            row.extend([0] * 5)
        label, expect = f"{how} row {'.'.join(map(str, path))}", "either" if how == "longer" else "fail"
    else:
        doc = draw(st.sampled_from([[1, 2], "text", 42, None, [BASE]]))
        label, expect = f"top-level {type(doc).__name__}", "fail"
    return Case(label, {TARGET: yaml_text(doc).encode()}, expect)


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


KEY_LINE = re.compile(r"^( *)([^\s#\-][^:\n]*):(?: |$)")
BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)))


@st.composite
def text_cases(draw) -> Case:
    """A mutation of the file's text or bytes: syntax, encoding, layout, file type."""
    target = draw(st.sampled_from([TARGET, TARGET, TARGET, REGISTRY]))
    text = yaml_text(year_data() if target == TARGET else base_registry())
    lines = text.splitlines(keepends=True)
    raw = text.encode()
    op = draw(st.sampled_from(["duplicate key", "alias", "bomb", "tab indent", "trailing tab", "bom",
                               "crlf", "non-utf8 byte", "other encoding", "truncate", "empty",
                               "directory", "flip byte", "two documents", "shift line", "anchor only"]))
    expect = "fail"
    if op == "duplicate key":
        candidates = [i for i, l in enumerate(lines) if KEY_LINE.match(l)]
        i = draw(st.sampled_from(candidates))
        key_line = KEY_LINE.match(lines[i]).group(0).rstrip() + " 1\n"
        lines.insert(i, key_line)  # the same key again, right before, with a scalar value
        content = "".join(lines).encode()
    elif op == "alias":
        content = ("anchor_x: &a 1\nalias_y: *a\n" + text).encode()
    elif op == "bomb":
        content = (BOMB + text).encode()
    elif op == "tab indent":
        indented = [i for i, l in enumerate(lines) if l.startswith("  ") and KEY_LINE.match(l)]
        i = draw(st.sampled_from(indented))
        lines[i] = "\t" + lines[i].lstrip(" ")
        content = "".join(lines).encode()
    elif op == "trailing tab":
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = lines[i].rstrip("\n") + "\t\n"
        content, expect = "".join(lines).encode(), "either"
    elif op == "bom":
        content, expect = b"\xef\xbb\xbf" + raw, "pass"
    elif op == "crlf":
        content, expect = raw.replace(b"\n", b"\r\n"), "pass"
    elif op == "non-utf8 byte":
        at = draw(st.integers(0, len(raw)))
        content = raw[:at] + bytes([draw(st.integers(0x80, 0xFF))]) + raw[at:]
    elif op == "other encoding":
        content = text.encode(draw(st.sampled_from(["gbk", "gb18030", "utf-16", "utf-16-be", "utf-32"])))
    elif op == "truncate":
        content, expect = raw[: draw(st.integers(0, len(raw) - 1))], "either"
    elif op == "empty":
        content = draw(st.sampled_from([b"", b"   \n\n", b"# only a comment\n", b"---\n", b"~\n", b"[]\n",
                                        b"{}\n", b"\xef\xbb\xbf"]))
    elif op == "directory":
        content = None
    elif op == "flip byte":
        at = draw(st.integers(0, len(raw) - 1))
        content, expect = raw[:at] + bytes([draw(st.integers(0x20, 0x7E))]) + raw[at + 1:], "either"
    elif op == "two documents":
        content = (text + "---\n" + text).encode()
    elif op == "shift line":
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = " " + lines[i]
        content, expect = "".join(lines).encode(), "either"
    else:  # an anchor alone is legal YAML, but the key it sits on is unknown
        content = ("anchored: &x 1\n" + text).encode()
    return Case(f"{op} in {target}", {target: content}, expect)


@st.composite
def registry_cases(draw) -> Case:
    reg = base_registry()
    field_ = draw(st.sampled_from(["name", "self", "government", "level", "website", "contact", "id", None]))
    if field_ is None:  # a key that tries to leave the folder, or is not an id
        key = draw(st.sampled_from(["../x", "../../etc/passwd", "/abs", "Alpha", "a b", "", "a" * 80]))
        reg[key] = reg.pop("alpha")
        return Case(f"registry id {key!r:.30}", {REGISTRY: yaml_text(reg).encode()})
    value = draw(st.one_of(WRONG_TYPES, st.text(min_size=101, max_size=120), st.integers(), st.text(max_size=20)))
    reg["alpha"][field_] = value
    text = isinstance(value, str)
    ok = {"name": text and 2 <= len(value) <= 100, "government": text and len(value) <= 100,
          "website": value is None or text and len(value) <= 100, "self": text and len(value) <= 20,
          "level": value in ("state_council", "province", "city", "county", "township"),
          "contact": isinstance(value, list) and all(isinstance(v, str) and len(v) <= 200 for v in value),
          "id": True}[field_]  # (an "id" inside an entry is taken as the id, checked as one)
    expect = "either" if ok else "fail"
    return Case(f"registry alpha.{field_} = {value!r:.30}", {REGISTRY: yaml_text(reg).encode()}, expect)


@settings(max_examples=VALIDATE_EXAMPLES, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=st.one_of(data_cases(), text_cases(), registry_cases()))
def test_mutated_params_end_in_a_located_error_or_a_valid_file(scratch, case):
    run_validate(case, fresh(scratch))


# --- every kind, every run -------------------------------------------------------------------
def _replace(old: str, new: str) -> dict:
    return {TARGET: yaml_text(year_data()).replace(old, new, 1).encode()}


CATALOGUE = [
    Case("wrong type: list for a figure", _replace("licensing: 12", "licensing: [12]")),
    Case("wrong type: text for a figure", _replace("licensing: 12", "licensing: twelve")),
    Case("wrong type: mapping for a row", _replace("  new:\n", "  new: {a: 1}\n  old:\n")),
    Case("huge number", _replace("licensing: 12", "licensing: 99999999999999999999999999999")),
    Case("number of 5000 digits", _replace("licensing: 12", "licensing: " + "9" * 5000)),
    Case("negative number", _replace("penalty: 3", "penalty: -3")),
    Case("negative money", _replace("fees: 1.25", "fees: -1.25")),
    Case("float where an integer belongs", _replace("penalty: 3", "penalty: 3.0")),
    Case("float 2.5 in a table row", _replace("  new:\n  - 4", "  new:\n  - 2.5")),
    Case("NaN money", _replace("fees: 1.25", "fees: .nan")),
    Case("infinite money", _replace("fees: 1.25", "fees: .inf")),
    Case("missing key", {TARGET: yaml_text({k: v for k, v in year_data().items() if k != "proactive"}).encode()}),
    Case("extra key", _replace("published:", "colour: blue\npublished:")),
    Case("duplicate key", _replace("published:", "published: '2023-01-01'\npublished:")),
    Case("duplicate key in the registry", {REGISTRY: (yaml_text(base_registry()) * 2).encode()}),
    Case("anchor and alias", _replace("published:", "x: &a 1\ny: *a\npublished:")),
    Case("merge key", _replace("published:", "base: &b {issued: 1}\nmerged:\n  <<: *b\npublished:")),
    Case("billion laughs", {TARGET: (BOMB + "published: 2023-01-11\n").encode()}),
    Case("python object tag", _replace("published:", "x: !!python/object/apply:os.system ['true']\npublished:")),
    Case("impossible date", _replace("published: '2023-01-11'", "published: 2023-02-30")),
    Case("date with an hour of 25", _replace("published: '2023-01-11'", "published: 2023-01-11 25:00:00")),
    Case("!!int of a word", _replace("licensing: 12", "licensing: !!int twelve")),
    Case("tab indentation", _replace("\n  total: 30", "\n\ttotal: 30")),
    Case("tab inside a quoted text", _replace("总体平稳。", '"总体\\t平稳。"'), expect="pass"),
    Case("BOM", {TARGET: b"\xef\xbb\xbf" + yaml_text(year_data()).encode()}, expect="pass"),
    Case("BOM and CRLF", {TARGET: b"\xef\xbb\xbf" + yaml_text(year_data()).replace("\n", "\r\n").encode()},
         expect="pass"),
    Case("UTF-16 with BOM", {TARGET: yaml_text(year_data()).encode("utf-16")}),
    Case("GBK", {TARGET: yaml_text(year_data()).encode("gbk")}),
    Case("Latin-1 byte", {TARGET: yaml_text(year_data()).encode() + b"# caf\xe9\n"}),
    Case("empty file", {TARGET: b""}),
    Case("whitespace only", {TARGET: b" \n\t\n"}),
    Case("empty registry", {REGISTRY: b""}),
    Case("a directory where the file belongs", {TARGET: None}),
    Case("a directory where the registry belongs", {REGISTRY: None}),
    Case("file over 1 MiB", {TARGET: yaml_text(year_data()).encode() + b"#" + b"x" * (1 << 20) + b"\n"}),
    Case("nesting 5000 deep", {TARGET: b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n"}),
    Case("symlink to /dev/zero", {}, prepare=lambda p: ((p / TARGET).unlink(), (p / TARGET).symlink_to("/dev/zero"))),
    Case("named pipe", {}, prepare=lambda p: ((p / TARGET).unlink(), os.mkfifo(p / TARGET))),
    Case("key that is not text", _replace("published:", "? [a, b]\n: 1\npublished:")),
    Case("escaped control character", _replace("总体平稳。", '"总体\\e[31m平稳"')),
    Case("lone surrogate", _replace("总体平稳。", '"总体\\ud800平稳"')),
    Case("rich markup in a value", _replace("licensing: 12", "licensing: '[/x]'")),
    Case("key with brackets", _replace("published:", "'[2022]文件': 1\npublished:")),
    Case("file name that is not an id", {f"{YEAR}/Bad_ID.yaml": yaml_text(year_data()).encode()}),
    Case("registry id that leaves the folder",
         {REGISTRY: yaml_text({"../x": base_registry()["alpha"], **base_registry()}).encode()}),
]


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.label for c in CATALOGUE])
def test_catalogue_of_hostile_params(scratch, case):
    kind = run_validate(case, fresh(scratch))
    if case.label in ("negative number", "extra key", "huge number", "impossible date", "rich markup in a value",
                      "key with brackets", "escaped control character", "float where an integer belongs"):
        assert kind == "field", case.label  # these must name the field, not only the file


# --- NUL bytes --------------------------------------------------------------------------------
NUL_CASES = {
    "raw NUL byte in a text": (_replace("总体平稳。", "总体\0平稳。"), TARGET, None),
    "escaped \\0 in the narrative": (_replace("总体平稳。", '"总体\\0平稳。"'), TARGET, "narrative.overview"),
    "escaped \\0 in a category name": (_replace("政策文件:", '"政策\\0文件":'), TARGET, "disclosed.categories."),
    "escaped \\0 in the registry": ({REGISTRY: yaml_text(base_registry()).replace("测试市甲局", '"测试\\0市甲局"').encode()},
                                    REGISTRY, "alpha.name"),
}


@pytest.mark.parametrize("label", NUL_CASES)
def test_nul_bytes_refused_with_a_located_error(scratch, label):
    files, file_, field_ = NUL_CASES[label]
    root = fresh(scratch)
    params = Case(label, files).write(root)
    for args in (["validate"], ["build", str(YEAR), "--jobs", "1"]):
        out = root / "output"
        result = CliRunner().invoke(cli, ["--params", str(params), "--output", str(out), *args],
                                    catch_exceptions=False)
        assert "\0" not in result.output  # the message names the character, never prints it
        text = result.output
        manifest = out / str(YEAR) / "manifest.json"
        if args[0] == "build" and manifest.exists():  # the closing table wraps; the manifest does not
            entry = json.loads(manifest.read_text(encoding="utf-8"))["reports"]["alpha"]
            text += "".join(f"\n错误 {e}" for e in entry["errors"])
        judge(Case(label, files), result.exit_code, text, params, "cli")
        assert result.exit_code == 2
        (finding,) = [f for f in FINDING.finditer(text) if f["file"].endswith(file_)]
        assert finding["line"], result.output
        assert field_ is None or finding["field"].startswith(field_), result.output
        assert not list(out.rglob("alpha.html")) and not list(out.rglob("*.tmp"))


# --- bureau ids that try to leave the folder ----------------------------------------------------
IDS = ["../x", "..", "../../etc/passwd", "/etc/passwd", "a/../alpha", "x\\..\\y", "", "ALPHA", "alpha.yaml",
       "alpha\0", "-alpha", "al pha"]


@pytest.mark.parametrize("bureau", IDS, ids=[repr(b) for b in IDS])
def test_path_traversal_ids_refused(scratch, bureau):
    root = fresh(scratch)
    params = Case("ids", {}).write(root)
    before = sorted(p for p in root.parent.rglob("*") if root not in p.parents and p != root)
    for args in (["validate", "--bureau", bureau], ["build", str(YEAR), "--bureau", bureau]):
        result = CliRunner().invoke(cli, ["--params", str(params), "--output", str(root / "out"), *args],
                                    catch_exceptions=False)
        STATS["tried"] += 1
        STATS["cli"] += 1
        assert result.exit_code == 2, result.output
        assert "bureau" in result.output and repr(bureau) in result.output, result.output
        assert "Traceback" not in result.output
        STATS["located"] += 1
        STATS["located_field"] += 1
    assert not (root / "out").exists() or not list((root / "out").rglob("*.html"))
    after = sorted(p for p in root.parent.rglob("*") if root not in p.parents and p != root)
    assert after == before  # nothing written beside the scratch folder


# --- whole builds, in subprocesses ------------------------------------------------------------
def _gbk(params: Path) -> None:
    (params / TARGET).write_bytes(yaml_text(year_data()).encode("gbk"))


def _valid_odd(params: Path) -> None:
    text = yaml_text(year_data(narrative={"overview": "总体\t平稳。👍🏽 عربي abc", "problems": ["[/x] [bold]无"]}))
    (params / TARGET).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())


def _override_beside_valid(params: Path) -> None:
    _beta(params)
    (params / TARGET).write_text(yaml_text(year_data(narrative={"overview": "受理申请\u202e241\u202c件。"})),
                                 encoding="utf-8")


def _beta(params: Path, data=None) -> None:
    reg = base_registry() | {"beta": dict(BUREAU, name="测试市乙局")}
    (params / REGISTRY).write_text(yaml_text(reg), encoding="utf-8")
    (params / f"{YEAR}/beta.yaml").write_text(yaml_text(data or year_data()), encoding="utf-8")


def _bomb_beside_valid(params: Path) -> None:
    _beta(params)
    (params / TARGET).write_text(BOMB + "published: 2023-01-11\n", encoding="utf-8")


def _directory_beside_valid(params: Path) -> None:
    _beta(params)
    (params / TARGET).unlink()
    (params / TARGET).mkdir()


def _markup_beside_gbk(params: Path) -> None:
    bad = year_data()
    bad["proactive"]["licensing"] = "[/x]"
    _beta(params, bad)
    _gbk(params)


@dataclass
class BuildCase:
    label: str
    prepare: Callable[[Path], None]
    code: int
    located: str = ""                                    # field | file: what the message can name
    built: list[str] = field(default_factory=list)      # bureaus whose report must be complete
    refused: list[str] = field(default_factory=list)    # bureaus with no report at all
    named: list[str] = field(default_factory=list)      # what the message must name
    args: list[str] = field(default_factory=list)


BUILDS = [
    BuildCase("billion laughs beside a valid bureau", _bomb_beside_valid, 2, "file", ["beta"], ["alpha"],
              ["params/2022/alpha.yaml:2", "(file)", "[yaml]"]),
    BuildCase("GBK file and rich markup in a value", _markup_beside_gbk, 2, "field", [], ["alpha", "beta"],
              ["params/2022/alpha.yaml:", "params/2022/beta.yaml:16: proactive.licensing: [schema]", "'[/x]'"]),
    BuildCase("a directory where the file belongs, beside a valid bureau", _directory_beside_valid, 2, "file",
              ["beta"], ["alpha"], ["params/2022/alpha.yaml: (file): [yaml]"]),
    BuildCase("duplicate key in the registry",
              lambda p: (p / REGISTRY).write_text(yaml_text(base_registry()) * 2, encoding="utf-8"), 2, "field",
              [], ["alpha"], ["params/bureaus.yaml:", "'alpha'", "[yaml]"]),
    BuildCase("--bureau ../alpha", lambda p: None, 2, "field", [], ["alpha"], ["bureau", "'../alpha'"],
              ["--bureau", "../alpha"]),
    BuildCase("valid but odd: BOM, CRLF, tab, emoji, RTL script, markup", _valid_odd, 0, "", ["alpha"]),
    BuildCase("a direction override beside a valid bureau", _override_beside_valid, 2, "field", ["beta"], ["alpha"],
              ["params/2022/alpha.yaml:", "narrative.overview", "U+202E"]),
]


@pytest.mark.parametrize("case", BUILDS, ids=[b.label for b in BUILDS])
def test_hostile_build_ends_cleanly(scratch, case):
    root = fresh(scratch)
    Case(case.label, {}, prepare=case.prepare).write(root)  # the build runs in root, on root/params
    env = dict(os.environ, COLUMNS="400", PYTHONIOENCODING="utf-8")
    run = subprocess.run([sys.executable, "-m", "reportkit.cli", "build", str(YEAR), "--jobs", "1", *case.args],
                         cwd=root, env=env, capture_output=True, text=True, timeout=BUILD_SECONDS)
    output = run.stdout + run.stderr
    STATS["tried"] += 1
    STATS["build"] += 1
    assert "Traceback" not in output and "内部错误" not in output, output
    assert run.returncode == case.code, output
    for text in case.named:
        assert text in output, f"{text!r} not named:\n{output}"
    out = root / "output"
    files = list(out.rglob("*")) if out.exists() else []
    assert [p for p in files if p.name.endswith(".tmp") or p.name.startswith(".work-")] == []
    for html in (p for p in files if p.suffix == ".html"):
        text = html.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), html
    folder = out / str(YEAR)
    for bureau in case.built:
        assert (folder / f"{bureau}.html").is_file(), output
    for bureau in case.refused:
        assert not (folder / f"{bureau}.html").exists()
    if (folder / "manifest.json").exists():
        json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if case.code == 0:
        STATS["valid"] += 1
    else:
        STATS["located"] += 1
        STATS[f"located_{case.located}"] += 1
