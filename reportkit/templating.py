"""The Jinja2 environment for report fragments: templates are package data, autoescaped.

Bureau text reaches templates only as values, so ``<script>`` or ``{{ }}`` typed into a
params file is printed as text, never interpreted.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

TEMPLATES = Path(str(resources.files("reportkit") / "templates"))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "report"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env


def render(template: str, **context) -> str:
    """Render one template of ``templates/report/``."""
    return environment().get_template(template).render(**context)


def css() -> Markup:
    """The stylesheet shared by reports, the index and the roll-up (screen and A4 print).

    Package data, not user input: marked safe so autoescaping does not mangle its quotes.
    """
    return Markup((TEMPLATES / "report" / "report.css").read_text(encoding="utf-8"))


LAB_SCOPE = ".jp-RenderedHTMLCommon"
# Rules for the page itself (and nbconvert's wrappers) would restyle JupyterLab: left out.
PAGE_ONLY = ("html", "body", "main", ".page", ".jp-")
# JupyterLab's own table style (fixed layout, right-aligned cells, zebra rows) yields to the report's.
LAB_EXTRA = (f"{LAB_SCOPE} table.official, {LAB_SCOPE} table.listing {{ table-layout: auto; margin: .8rem 0 1.2rem; }}\n"
             f"{LAB_SCOPE} table.official tbody tr, {LAB_SCOPE} table.listing tbody tr {{ background: none; }}\n")


@lru_cache(maxsize=1)
def lab_css() -> str:
    """The report's stylesheet scoped to JupyterLab's rendered outputs, as one ``<style>`` element.

    The master notebook displays it in a ``remove-cell`` cell, so tables in Lab have the export's
    borders and merged headers while the exported HTML keeps its single stylesheet.
    """
    import tinycss2  # nbconvert's dependency (bleach[css]); only needed in Lab

    rules = []
    for rule in tinycss2.parse_stylesheet(str(css()), skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue  # @page, @media print: the export's business
        selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
        scoped = [LAB_SCOPE if s == ":root" else f"{LAB_SCOPE} {s}"
                  for s in selectors if not s.startswith(PAGE_ONLY)]
        if scoped:
            rules.append(f"{', '.join(scoped)} {{{tinycss2.serialize(rule.content)}}}")
    return "<style>\n" + "\n".join(rules) + "\n" + LAB_EXTRA + "</style>"
