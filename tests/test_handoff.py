"""One check per file: a build hands its check to its kernels, libyaml reads what PyYAML would.

Cheap (no kernel): the hand-off is exercised in-process, as a kernel started by a build sees it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from reportkit import handoff, params, strictyaml
from reportkit.errors import InvalidInput
from reportkit.validate import check_many

YEAR = 2022


def _fields(checked):
    return [(c.bureau, c.year, str(c.path), c.ok, c.findings, c.data, c.previous, c.entry) for c in checked]


@pytest.fixture
def handed():
    folder = handoff.Folder()
    yield folder
    folder.close()


def test_a_kernel_takes_the_builds_check_as_it_would_have_made_it(sample_params, handed, monkeypatch):
    monkeypatch.chdir(sample_params.parent)
    built = check_many(Path("params"), [YEAR])
    assert built and any(c.previous is not None for c in built)  # last year's files come along too
    handed.publish(Path("params"), YEAR, built)
    taken = handoff.take(sample_params, YEAR)  # as the roll-up asks: the absolute folder
    assert taken is not None and _fields(taken) == _fields(check_many(sample_params, [YEAR]))
    assert all(not c.ok or (c.data == b.data and c.data is not b.data) for c, b in zip(taken, built))


def test_an_edit_after_the_check_is_checked_afresh(sample_params, handed):
    built = check_many(sample_params, [YEAR])
    handed.publish(sample_params, YEAR, built)
    target = params.year_path(sample_params, YEAR, built[0].bureau)
    target.write_text(target.read_text(encoding="utf-8").replace("published:", "published: 2023-02-30\nx:", 1),
                      encoding="utf-8")
    assert handoff.take(sample_params, YEAR) is None
    fresh = {c.bureau: c for c in check_many(sample_params, [YEAR])}
    assert not fresh[built[0].bureau].ok  # the edit is seen, not the build's stale record
    # last year's file feeds the carry-over rule: an edit there also voids the record
    handed.publish(sample_params, YEAR, check_many(sample_params, [YEAR]))
    earlier = next((sample_params / str(YEAR - 1)).glob("*.yaml"))
    earlier.write_bytes(earlier.read_bytes() + b"\n# edited\n")
    assert handoff.take(sample_params, YEAR) is None


def test_closing_removes_the_folder_and_the_variable(sample_params):
    before = os.environ.get(handoff.ENV)
    folder = handoff.Folder()
    folder.publish(sample_params, YEAR, check_many(sample_params, [YEAR]))
    assert os.environ[handoff.ENV] == str(folder.path) and (folder.path / f"{YEAR}.pickle").is_file()
    folder.close()
    assert not folder.path.exists() and os.environ.get(handoff.ENV) == before
    assert handoff.take(sample_params, YEAR) is None


def test_libyaml_and_pyyaml_read_every_sample_file_alike(repo):
    files = sorted((repo / "params").rglob("*.yaml"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = strictyaml._fast_compose(text)
        slow = strictyaml._slow_compose(text)
        assert fast is not None, path  # the sample is plain: libyaml reads it
        assert fast[1] == slow[1], path
        assert params._lines(fast[0]) == params._lines(slow[0]), path


@pytest.mark.parametrize("text, words, line", [
    ("a: 1\nb: &x [1]\nc: *x\n", "YAML 别名", 3),           # an alias: refused, at its line
    ("a: 1\na: 2\n", "重复的键", 2),
    ("a: [1\n", "YAML 语法错误", None),
])
def test_what_libyaml_would_accept_or_word_differently_goes_the_strict_way(tmp_path, text, words, line):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        params.read_yaml(path)
    finding = err.value.findings[0]
    assert words in finding.message
    if line:
        assert finding.line == line
    assert strictyaml._fast_compose(text) is None
    with pytest.raises(yaml.YAMLError):
        strictyaml._slow_compose(text)
