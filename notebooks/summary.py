# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (reportkit)
#     language: python
#     name: reportkit
# ---

# %% [markdown] tags=["remove-cell"]
# # 各部门年度报告汇总 · 笔记本
#
# 把一个年度所有数据有效的部门的三张统计表逐格相加，给出复议诉讼结果、排名、数据质量和与往年的比较。
# `reportkit build <年度>` 在各部门报告之后自动运行它。
#
# 和报告主笔记本一样，由数字生成的句子写在“文字”单元格（`city.words(...)`）里：改引号里的字，
# `{{ 部门数 }}` 这样的占位符由 reportkit 填入。说明单元格和文字单元格不出现在导出的汇总里。

# %% tags=["parameters", "remove-cell"]
year = 0  # 0: the latest year with data
params = "params"
output = "output"

# %% tags=["remove-cell"]
from reportkit.rollup import CityYear

city = CityYear.load(params, year, output)
city.style()

# %% [markdown] tags=["remove-cell"]
# ## 标题和说明
#
# 说明汇总的依据、统计期限和纳入汇总的部门数；数据有误或未报送的部门在“数据质量”中列出。

# %% tags=["wording", "remove-cell"]
city.words("前言", {
    "说明": (
        "本汇总依据{{ 政府 }}所属各部门报送的{{ 年度 }}年政府信息公开工作年度报告数据编制，"
        "统计期限自{{ 年度 }}年1月1日起至{{ 年度 }}年12月31日止。纳入汇总的部门{{ 部门数 }}个"
        "{% if 有误 or 未报送 %}；数据有误未纳入{{ 有误 }}个，未报送{{ 未报送 }}个，详见“数据质量”部分{% endif %}。"
        "表格格式与各部门年度报告一致。"
    ),
})

# %%
city.header()

# %% [markdown] tags=["remove-cell"]
# ## 一至三、三张统计表（汇总）
#
# 与各部门报告的表二、表三、表四版式相同，每一格是所有数据有效部门的和；汇总后的表同样满足 R1–R8。

# %%
city.tables()

# %% [markdown] tags=["remove-cell"]
# ## 四、行政复议、行政诉讼结果
#
# 有复议或诉讼的部门逐一列出，表尾是全市合计。

# %% tags=["wording", "remove-cell"]
city.words("四", {
    "无复议诉讼": "本年度各部门均未发生因政府信息公开引起的行政复议、行政诉讼。",
})

# %%
city.reviews()

# %% [markdown] tags=["remove-cell"]
# ## 五、排名
#
# 按收到申请数量，和按予以公开占办结的比例（未办结申请的部门不参与比例排名）。

# %%
city.rankings()

# %% [markdown] tags=["remove-cell"]
# ## 六、数据质量
#
# 未报送、数据有误（不纳入汇总，逐条列出错误）和报告生成失败的部门。

# %% tags=["wording", "remove-cell"]
city.words("六", {
    "全部有效": "全部{{ 部门数 }}个部门的数据均通过格式规则校验，已纳入汇总。",
})

# %%
city.quality()

# %% [markdown] tags=["remove-cell"]
# ## 七、与往年比较
#
# 有往年数据时，一句话比较主要数字，附历年表和图。

# %% tags=["wording", "remove-cell"]
city.words("七", {
    "比较": (
        "主动公开政府信息{{ 主动公开 }}条，{{ 主动公开较上年 }}；新收申请{{ 新收 }}件，{{ 新收较上年 }}；"
        "办结申请{{ 办结 }}件，{{ 办结较上年 }}；行政复议{{ 复议 }}件，{{ 复议较上年 }}；"
        "行政诉讼{{ 诉讼 }}件，{{ 诉讼较上年 }}。"
    ),
})

# %%
city.trends()

# %% [markdown] tags=["remove-cell"]
# ## 落款

# %%
city.signature()
