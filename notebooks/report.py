# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (reportkit)
#     language: python
#     name: reportkit
#   title: 政府信息公开工作年度报告
# ---

# %% [markdown] tags=["remove-cell"]
# # 政府信息公开工作年度报告 · 主笔记本
#
# 本笔记本为一个机关、一个年度生成年度报告。数据来自 `params/bureaus.yaml` 和
# `params/<year>/<bureau>.yaml`；所有文字与表格由 `reportkit` 生成，这里只按顺序排版。
#
# - 在 JupyterLab 中直接“全部运行”即可预览默认机关；
# - 批量生成请在命令行运行 `reportkit build 2022`；
# - 参数只接受 ASCII 值（机关 id、年份、params 目录），中文名称从数据中读取。

# %% tags=["parameters", "remove-cell"]
bureau = "shengzhou-wglj"
year = 2022
params = "params"

# %% tags=["remove-cell"]
from reportkit.report import Report

report = Report.load(bureau, year, params)

# %%
report.header()

# %%
report.section("一")

# %%
report.section("二")

# %%
report.section("三")

# %%
report.section("四")

# %%
report.section("五")

# %%
report.section("六")

# %%
report.signature()
