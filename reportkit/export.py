"""Executed notebook → one self-contained HTML file, with nbconvert in-process."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import nbformat
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import default

from .templating import TEMPLATES, css

REMOVE_TAGS = {"remove-cell", "remove_cell", "injected-parameters", "parameters"}


class ReportExporter(HTMLExporter):
    """HTML exporter with reportkit's template: no code, no prompts, no stderr, no CDN."""

    export_from_notebook = "reportkit report"

    @default("template_name")
    def _template_name_default(self):
        return "reportkit"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES / "nbconvert")]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("optimistic_validation")
    def _optimistic_validation_default(self):
        return True  # the kernel's notebook is checked once, not after each of the dozen preprocessors

    def __init__(self, **kw):
        super().__init__(**kw)
        self.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS), enabled=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        """HTMLExporter's export without its BeautifulSoup round trip (a third of the time).

        That pass only adds an English alt text to images without one and ``tabindex`` to
        Lab's cell wrappers; a report's charts carry their own (Chinese) alt text.
        """
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


class FailedReportExporter(ReportExporter):
    """For notebooks that raised: keep code and tracebacks so the analyst can read them."""

    @default("exclude_input")
    def _exclude_input_default(self):
        return False

    def __init__(self, **kw):
        super().__init__(**kw)
        self._preprocessors = [p for p in self._preprocessors if not isinstance(p, TagRemovePreprocessor)]

    def from_notebook_node(self, nb, resources=None, **kw):
        return HTMLExporter.from_notebook_node(self, nb, resources, **kw)  # code shown: Lab's full pass


def to_html(nb: nbformat.NotebookNode, title: str, exporter: Optional[HTMLExporter] = None,
            failed: bool = False) -> str:
    """Export one executed notebook; reuse ``exporter`` across calls in a batch."""
    if exporter is None:
        exporter = FailedReportExporter() if failed else ReportExporter()
    resources = {"reportkit": {"title": title, "css": css(), "failed": failed},
                 "metadata": {"name": title}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)
