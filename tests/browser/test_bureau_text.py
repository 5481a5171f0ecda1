"""Bureau text is data: hostile text typed into a params file is shown as text, never run.

One bureau whose narrative, registry entry and category names carry script tags, event
handlers, ``javascript:`` links, Markdown/HTML injection, Jinja and other template syntax, a
5000-character line without spaces, emoji and right-to-left script goes through the real
pipeline (``batch.build``: papermill, nbconvert, index, roll-up); its report, the index and
the roll-up are then opened in Chromium. (NUL bytes are refused before that, with a located
error: ``tests/test_hostile.py``.)
"""
from __future__ import annotations

import pytest
from factories import BUREAU, write_params, year_data

from reportkit import batch

from .conftest import YEAR
from .pagecheck import Browser

SCRIPT = "<script>window.pwned = 'script'; document.title = 'PWNED'</script>"
IMG = "<img src=x onerror=\"window.pwned = 'img'; document.title = 'PWNED'\">"
LONG = "长" * 2500 + "x" * 2500
# Right-to-left script only: direction-control and zero-width characters (U+202E, U+200F, the
# emoji ZWJ) are refused before a build, with a located error (tests/test_params_chars.py).
RTL = "从右到左：阿拉伯文مرحبا 123，希伯来文שלום 2022"
NARRATIVE = {
    "overview": [SCRIPT, "</p></section><h1 id=\"fake\">伪造的标题</h1><section><p>"],
    "proactive": [IMG, "<svg onload=\"window.pwned = 'svg'\"><circle r=\"5\"/></svg>"],
    "on_request": ["[点此查看](javascript:window.pwned='md')",
                   "<a id=\"jslink\" href=\"javascript:window.pwned = 'a'\">点此链接</a>"],
    "management": ["# 伪造的一级标题", "**加粗** _斜体_ <b>粗体</b> <u>下划线</u> `代码`",
                   "<iframe src=\"https://evil.example/\"></iframe>"],
    "platform": ["{{ 7*7 }}", "{% if true %}JINJA-RAN{% endif %}", "{{ self.__init__.__globals__ }}",
                 "${7*7} #{7*7} <%= 7*7 %> {#注释#}"],
    "supervision": LONG,
    "problems": ["表情符号：👍🏽🇨🇳👨👩👧✅", RTL, "RTL 之后的一段：正常从左到右。"],
    "improvements": ["<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">"
                     "<style>@import url(https://evil.example/y.css); body { display: none }</style>",
                     "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">"],
    "other": ["<base href=\"https://evil.example/\"><object data=\"https://evil.example/o\"></object>"
              "<form action=\"https://evil.example/f\"><button>提交</button></form>"],
}
NAME = "<script>window.pwned='name'</script>测试局"
GOVERNMENT = "{{ 7*7 }}人民政府<b>"
CATEGORIES = {"<img src=x onerror=window.pwned=9>": 10, "{{ 7*7 }}": 20}
REGISTRY = {"hostile": dict(BUREAU, name=NAME, self="<i>我局</i>", government=GOVERNMENT,
                            website="javascript:window.pwned='site'",
                            contact=["<a href=\"javascript:window.pwned='contact'\">电话</a>",
                                     "地址：{% include 'x' %}"])}
PARAGRAPHS = [p for v in NARRATIVE.values() for p in ([v] if isinstance(v, str) else v)]
ACTIVE = """() => {
  const bad = [...document.querySelectorAll('script, iframe, object, embed, form, base, svg, link, '
      + 'meta[http-equiv], img:not([src^="data:"]), #fake, #jslink, b, i, u')].map(e => e.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll('*'))
    for (const a of el.attributes)
      if (/^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name);
  return {bad, styles: document.querySelectorAll('style').length, h1: document.querySelectorAll('h1').length,
          pwned: typeof window.pwned, title: document.title};
}"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-text")
    data = year_data(narrative=NARRATIVE, disclosed={"total": 30, "categories": CATEGORIES})
    params = write_params(root / "params", {YEAR: {"hostile": data}}, bureaus=REGISTRY)
    result = batch.build(params, root / "output", YEAR, jobs=1)
    assert result.exit_code == 0, {k: (e.status, e.error, e.errors) for k, e in result.entries.items()}
    folder = root / "output" / str(YEAR)
    return {"report": folder / "hostile.html", "index": folder / "index.html", "summary": folder / "summary.html"}


@pytest.fixture(scope="module")
def hostile_browser(hostile, chromium):  # built first, then Chromium
    b = Browser(chromium)
    yield b
    b.close()


def test_payloads_survive_the_pipeline_as_text():
    for p in PARAGRAPHS:  # the narrative's folding (spaces between CJK) leaves them as typed
        assert " ".join(p.split()) == p


@pytest.mark.parametrize("name", ["report", "index", "summary"])
def test_hostile_text_shown_never_run(hostile, hostile_browser, screenshots, name):
    if not hostile[name].exists():
        assert name == "summary"
        pytest.xfail("summary.html is not built yet: the city roll-up is issue 4")
    v = hostile_browser.open(hostile[name])
    page = v.page
    try:
        page.screenshot(path=str(screenshots / f"hostile-{name}.png"), full_page=True)
        state = page.evaluate(ACTIVE)
        assert state["pwned"] == "undefined" and "PWNED" not in state["title"]
        assert state["bad"] == [], "markup from the params file became elements"
        assert state["styles"] == 1 and state["h1"] == 1
        assert v.blocked == [] and v.requests == [v.url], v.requests  # <img src=x> would fetch file:///…/x
        assert v.console_errors == [] and v.page_errors == []
        text = page.evaluate("document.body.innerText")
        title = page.evaluate("document.title")
        if name == "report":
            assert title.startswith(NAME)  # the literal name, tags and all
            for p in PARAGRAPHS:
                assert p in text, f"not shown as typed: {p[:40]!r}"
            for literal in (SCRIPT, IMG, "{{ 7*7 }}", "{% if true %}JINJA-RAN{% endif %}", "<i>我局</i>",
                            "javascript:window.pwned='site'", *CATEGORIES):
                assert literal in text
            shown = page.evaluate("[...document.querySelectorAll('p')].map(p => p.textContent.trim())")
            assert "49" not in shown and "JINJA-RAN" not in shown  # no template was evaluated
            assert page.get_by_text(SCRIPT[:30]).first.is_visible()
            page.get_by_text("点此链接").first.click()  # text, not a link: nothing happens
            assert page.evaluate("typeof window.pwned") == "undefined"
            # the long line wraps inside the page instead of widening it
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
            # right-to-left script stays in its paragraph: the next one still reads left to right
            after = page.evaluate("""() => {
                const p = [...document.querySelectorAll('p')].find(e => e.textContent.includes('RTL 之后'));
                const t = p.firstChild, r = document.createRange();
                const box = i => { r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect().left; };
                return [box(2), box(t.data.length - 2), getComputedStyle(p).direction];
            }""")
            assert after[0] < after[1] and after[2] == "ltr", after
        else:
            assert GOVERNMENT in title
            assert NAME in text
    finally:
        v.close()
