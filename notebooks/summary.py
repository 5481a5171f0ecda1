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
#   title: 政府信息公开工作年度报告汇总
# ---

# %% [markdown] tags=["remove-cell"]
# # 各部门年度报告汇总 · 笔记本
#
# 把一个年度所有数据有效的部门的三张统计表逐格相加，给出排名、办理结果、复议诉讼结果、
# 数据质量和与往年的比较。`reportkit build <year>` 在各部门报告之后自动运行它。

# %% tags=["parameters", "remove-cell"]
year = 2022
params = "params"
output = "output"

# %% tags=["remove-cell"]
from reportkit.rollup import CityYear

city = CityYear.load(params, year, output)

# %%
city.header()

# %%
city.tables()

# %%
city.reviews()

# %%
city.rankings()

# %%
city.quality()

# %%
city.trends()

# %%
city.signature()
