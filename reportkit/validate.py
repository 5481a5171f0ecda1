"""Check params files: schema, then every rule, across years where data exist.

Joins :mod:`reportkit.params` (reading) and :mod:`reportkit.rules` (arithmetic) and gives
each bureau-year one :class:`Checked` record with all its findings.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from . import handoff, params, rules
from .errors import Finding, InvalidInput
from .model import Bureau
from .rules.subjects import narrative_paragraphs
from .rules.text import clean
from .spec import Spec, load_spec

if TYPE_CHECKING:
    from .model import BureauYear


@dataclass
class Checked:
    """One bureau-year after checking: the data (when readable) and every finding."""

    bureau: str
    year: int
    path: Path
    data: Optional[BureauYear] = None
    entry: Optional[Bureau] = None
    previous: Optional[BureauYear] = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.errors


def _located(f: Finding, doc) -> Finding:
    """The finding with the line of its field in the params file."""
    if f.line is not None or not f.field:
        return f
    return dataclasses.replace(f, line=params.locate(doc, f.field))


def paragraph_index(params_dir: Path, year: int, ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Per bureau, the other bureaus' narrative paragraphs of the year (D2-copied-paragraph)."""
    owner: dict[str, set[str]] = {}
    for bureau in ids:
        try:
            data = params.load_year(params.year_path(params_dir, year, bureau))
        except InvalidInput:
            continue
        for p in narrative_paragraphs(data):
            owner.setdefault(clean(p.text), set()).add(bureau)
    return {b: {text: sorted(who - {b})[0] for text, who in owner.items() if who - {b}} for b in ids}


def check_one(params_dir: Path, bureau: str, year: int,
              registry: Optional[dict[str, Bureau]] = None, *, spec: Optional[Spec] = None,
              neighbours: Optional[dict[str, str]] = None) -> Checked:
    """Check one bureau's year, including R9/R10 against last year's file when it exists."""
    params_dir = Path(params_dir)
    spec = spec or load_spec()
    path = params.year_path(params_dir, year, bureau)
    checked = Checked(bureau, year, path)
    if registry is None:
        registry = params.load_registry(params_dir)
    checked.entry = registry.get(bureau)
    name = params.display_path(path)
    if checked.entry is None:
        checked.findings.append(Finding(name, "", "registry",
                                        f"机关 '{bureau}' 不在 {params.REGISTRY} 中",
                                        "bureaus.yaml 中的一项", "无"))
    try:
        data, doc = params.read_year(path)
    except InvalidInput as exc:
        checked.findings += exc.findings
        return checked
    prev_path = params.year_path(params_dir, year - 1, bureau)
    if prev_path.is_file():
        try:
            checked.previous = params.load_year(prev_path)
        except InvalidInput:
            checked.findings.append(Finding(name, "", "R9-carry-chain",
                                            f"上年文件 {params.display_path(prev_path)} 有误，未检查结转衔接",
                                            severity="warning"))
    subject = rules.from_params(data, spec, name, year, bureau=checked.entry, previous=checked.previous,
                                locate=lambda field: params.locate(doc, field), neighbours=neighbours)
    found = rules.stable_ids(rules.with_fields(rules.run(subject).findings, data, spec))
    checked.findings += [_located(f, doc) for f in found]
    checked.data = data
    return checked


def check_many(params_dir: Path, years: Optional[Iterable[int]] = None,
               bureaus: Optional[Iterable[str]] = None, *, spec: Optional[Spec] = None) -> list[Checked]:
    """Check every bureau-year under ``params_dir`` (optionally narrowed). Registry errors raise."""
    params_dir = Path(params_dir)
    spec = spec or load_spec()
    registry = params.load_registry(params_dir)
    for year in years or ():
        params.check_year(year, "--year")
    wanted = set(bureaus) if bureaus else None
    for bureau in sorted(wanted or ()):  # `--bureau ../x` is refused, not looked for
        params.check_bureau_id(bureau)
    years = list(years or ())
    if len(years) == 1 and wanted is None and spec is load_spec():
        handed = handoff.take(params_dir, years[0])  # the build that started this kernel checked it
        if handed is not None:
            return handed
    out = [] if years else [Checked("", 0, Path(f.file), findings=[f])  # '２０２２/': said, not skipped
                            for f in params.odd_year_folders(params_dir)]
    for year in (sorted(years) if years else params.years(params_dir)):
        ids = params.bureaus_with_data(params_dir, year)
        index = paragraph_index(params_dir, year, ids)
        if wanted is not None:
            ids = [b for b in ids if b in wanted]
        for bureau in ids:
            try:
                out.append(check_one(params_dir, bureau, year, registry, spec=spec, neighbours=index.get(bureau)))
            except InvalidInput as exc:  # an id that is not a valid bureau id
                path = params_dir / str(year) / f"{bureau}.yaml"
                out.append(Checked(bureau, year, path, findings=[  # name the file, not "(command line)"
                    dataclasses.replace(f, file=params.display_path(path), field=f.field or "bureau")
                    for f in exc.findings]))
    return out


def load_valid(params_dir: Path, bureau: str, year: int) -> Checked:
    """Checked data for one report, or :class:`InvalidInput` listing every error."""
    checked = check_one(params_dir, bureau, year)
    if not checked.ok:
        raise InvalidInput(checked.errors)
    return checked
