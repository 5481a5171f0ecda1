"""D1–D2: slips in a params file's narrative before anything is built."""
from __future__ import annotations

from typing import Iterable

from ..errors import Finding
from .book import Subject, rule
from .text import clean

MIN_COPIED = 20        # characters: short stock phrases (无。) are shared by everyone


@rule("D1-todo", title="数据文件的正文中不得留有 TODO 标记（reportkit new 写入的待改草稿）", reads="数据文件正文各段")
def todo_left(s: Subject) -> Iterable[Finding]:
    for p in s.paragraphs:
        if "TODO" in p.text:
            yield Finding(s.file, p.field, "D1-todo", "正文中还留有 TODO 标记：请写完这一段再生成报告", "写完的正文",
                          p.text.strip()[:60], line=p.line, cells=(p.field,))


@rule("D2-copied-paragraph", title="提示：正文段落与同年另一机关的段落完全相同（照抄邻居）", severity="warning",
      reads="同年各机关数据文件正文各段")
def copied(s: Subject) -> Iterable[Finding]:
    for p in s.paragraphs:
        key = clean(p.text)
        other = s.neighbours.get(key)
        if other and len(key) >= MIN_COPIED:
            yield Finding(s.file, p.field, "D2-copied-paragraph", f"这一段与同年 {other} 的段落完全相同",
                          "本机关自己的文字", f"与 {other} 相同", line=p.line, severity="warning", cells=(p.field,),
                          sentence=p.text.strip()[:60])
