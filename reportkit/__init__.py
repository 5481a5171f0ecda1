"""reportkit: 政府信息公开工作年度报告 from YAML params, through a papermill notebook, to HTML."""

__version__ = "0.1.0"
