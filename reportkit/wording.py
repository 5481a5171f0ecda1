"""The report's sentences as templates the analyst edits in the master notebook.

Each section of the notebook holds a cell ``report.words("一", {"主动公开": "…{{ 条数 }}条…"})``:
Jinja2 strings whose placeholders are figures, change phrases and names that reportkit works
out (the arithmetic, units and escaping stay here). Templates render in a sandbox with
autoescape, so a bureau's text is data even inside a sentence.

The packaged master notebook is the single source of the default wording; a section the
notebook does not word keeps it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .errors import ReportkitError

# Every sentence reportkit writes: kind → section → key → the placeholders it offers.
PLACEHOLDERS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "report": {
        "前言": {"依据": ("各部分",),
                 "期限": ("年度", "网站", "机关", "联系方式")},
        "一": {"主动公开": ("年度", "本机关", "网站", "条数", "较上年", "分类", "制发", "废止", "现行有效", "决定"),
               "依申请公开": ("新收", "较上年", "上年结转", "办结", "办理结果", "结转下年度"),
               "无申请": ("上年新收",),
               "监督保障": ("复议", "复议较上年", "诉讼", "诉讼较上年"),
               "无复议诉讼": ("上年复议", "上年诉讼")},
        "二": {"导语": ("制发", "制发较上年", "许可", "许可较上年", "处罚", "处罚较上年",
                        "强制", "强制较上年", "上年强制")},
        "三": {"导语": ("新收", "上年结转", "办结", "办结较上年", "予以公开", "占比", "结转下年度")},
        "四": {"导语": ("复议", "复议结果", "诉讼", "诉讼结果"),
               "无复议诉讼": ()},
        "五": {"无问题": (), "无改进": ()},
        "六": {"收费": ("年度", "本机关", "通知", "金额", "实收"),
               "无收费": ("年度", "本机关")},
    },
    "summary": {
        "前言": {"说明": ("政府", "年度", "部门数", "有误", "未报送")},
        "四": {"无复议诉讼": ()},
        "六": {"全部有效": ("部门数",)},
        "七": {"比较": ("主动公开", "主动公开较上年", "新收", "新收较上年", "办结", "办结较上年",
                        "复议", "复议较上年", "诉讼", "诉讼较上年")},
    },
}


class WordingError(ReportkitError):
    """A sentence template that cannot be used: unknown name, bad syntax, unknown placeholder."""

    exit_code = 2


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined,
                                keep_trailing_newline=False)


@lru_cache(maxsize=512)  # warm kernels render the same sources report after report
def _compile(source: str, where: str) -> tuple[jinja2.Template, frozenset]:
    env = _environment()
    try:
        parsed = env.parse(source)
        return env.from_string(parsed), frozenset(meta.find_undeclared_variables(parsed))
    except jinja2.TemplateSyntaxError as exc:
        raise WordingError(f"文字模板语法错误：{exc.message}（模板第 {exc.lineno} 行）",
                           field=where) from None


class Wording:
    """The sentence templates of one kind of report (``report`` or ``summary``)."""

    def __init__(self, kind: str, templates: Mapping[str, Mapping[str, str]], source: str = ""):
        self.kind, self.source = kind, source
        self.templates: dict[str, dict[str, str]] = {}
        for section, words in templates.items():
            self._check(section, words)
            self.templates[section] = dict(words)

    def _check(self, section: str, words: Mapping[str, str]) -> None:
        known = PLACEHOLDERS[self.kind]
        if section not in known:
            raise WordingError(f"没有这一部分：{section}（可用：{'、'.join(known)}）", file=self.source or None)
        if not isinstance(words, Mapping):
            raise WordingError("文字应为 {名称: 模板} 形式的字典", file=self.source or None, field=section)
        for key, source in words.items():
            where = f"{section}.{key}"
            if key not in known[section]:
                raise WordingError(f"没有这句文字：{key}（{section} 可用：{'、'.join(known[section])}）",
                                   file=self.source or None, field=where)
            if not isinstance(source, str):
                raise WordingError("文字模板应为字符串", file=self.source or None, field=where)
            _, names = _compile(source, where)
            unknown = sorted(names - set(known[section][key]))
            if unknown:
                offered = "、".join(known[section][key]) or "（无）"
                raise WordingError(f"未知的占位符 {'、'.join(unknown)}（可用：{offered}）",
                                   file=self.source or None, field=where)

    def update(self, section: str, words: Mapping[str, str]) -> None:
        """Replace some sentences of one section (checked now, not at rendering)."""
        self._check(section, words)
        self.templates.setdefault(section, {}).update(words)

    def copy(self) -> "Wording":
        return Wording(self.kind, {s: dict(w) for s, w in self.templates.items()}, self.source)

    def say(self, section: str, key: str, **values) -> Markup:
        """One sentence, rendered: values are escaped, the template's own text is kept."""
        try:
            source = self.templates[section][key]
        except KeyError:
            raise WordingError(f"笔记本和默认文字都没有这句文字：{section}.{key}") from None
        template, _ = _compile(source, f"{section}.{key}")
        return Markup(template.render(**values))


def defaults(kind: str) -> Wording:
    """The packaged master notebook's wording (a fresh copy: callers may update it)."""
    return _defaults(kind).copy()


@lru_cache(maxsize=2)
def _defaults(kind: str) -> Wording:
    from .masters import packaged, read_wording  # masters reads notebooks; wording only renders
    path: Path = packaged("report" if kind == "report" else "summary")
    return Wording(kind, read_wording(path), source=str(path))


def load(kind: str, notebook: Optional[Path]) -> Wording:
    """The wording a notebook sets, on top of the defaults."""
    from .masters import read_wording
    wording = defaults(kind)
    if notebook is not None:
        for section, words in read_wording(Path(notebook)).items():
            wording.update(section, words)
    return wording
