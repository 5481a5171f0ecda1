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
