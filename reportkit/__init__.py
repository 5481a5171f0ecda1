"""reportkit: 政府信息公开工作年度报告 from YAML params, through a papermill notebook, to HTML."""
import sys as _sys

__version__ = "0.1.0"

# nbformat imports jsonschema, which builds 38 lark grammars (≈0.9 s) for its optional IRI format
# check when rfc3987-syntax is installed (Jupyter's extras pull it in) — in the CLI, every pool
# worker and the roll-up alike. No notebook schema uses that format: leave the checker out, unless
# jsonschema was already loaded (then whoever loaded it keeps what they have).
if "jsonschema" not in _sys.modules:
    _sys.modules.setdefault("rfc3987_syntax", None)
