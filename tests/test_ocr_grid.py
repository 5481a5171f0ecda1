"""The scan reader's grid finding and line splitting on drawn page images (no OCR engine needed:
these run in milliseconds; the OCR itself is tested on a real scan in test_readers and
test_real_corpus)."""
from __future__ import annotations

import numpy as np
import pytest

from reportkit.errors import ImportFailed
from reportkit.importer.readers.engines import engine
from reportkit.importer.readers.images import _bands
from reportkit.importer.readers.ruling import find_tables, line_masks, skew


def _page(width=1240, height=1754):
    return np.full((height, width), 255, dtype=np.uint8)


def _rule(page, xs, ys, open_bottom_to=None):
    """Draw a ruled grid (2 px lines); with ``open_bottom_to`` the column lines run on below the
    last horizontal line to that y, with no line under that last row: a table cut by the page's end."""
    bottom = open_bottom_to or ys[-1]
    for y in ys:
        page[y:y + 2, xs[0]:xs[-1] + 2] = 0
    for x in xs:
        page[ys[0]:bottom, x:x + 2] = 0


def test_a_heading_between_two_ruled_tables_splits_them_with_their_own_columns():
    page = _page()
    _rule(page, [150, 480, 1080], [100, 160, 220, 280])                       # 2 columns
    page[330:350, 200:600] = np.where(np.arange(400) % 7 < 3, 0, 255)          # a heading: text, no lines
    _rule(page, [150, 600, 700, 800, 900, 1080], [400, 460, 520, 580, 640])   # 5 columns
    tables = find_tables(*line_masks(page))
    assert [len(t.xs) - 1 for t in tables] == [2, 5]
    assert [len(t.ys) - 1 for t in tables] == [3, 4]
    assert tables[1].region_at(650, 430) == (0, 1, 1, 1)


def test_a_table_cut_by_the_page_end_keeps_its_last_row():
    page = _page()
    _rule(page, [150, 480, 780, 1080], [1400, 1460, 1520, 1580], open_bottom_to=1640)
    (table,) = find_tables(*line_masks(page))
    assert len(table.ys) - 1 == 4 and abs(table.ys[-1] - 1640) <= 3


def test_merged_cells_are_one_region_and_a_lone_box_is_no_table():
    page = _page()
    xs, ys = [150, 480, 780, 1080], [100, 160, 220]
    _rule(page, xs, ys)
    page[102:160, 780:782] = 255          # no line between columns 2 and 3 in the first row
    page[1000:1002, 300:900] = 0          # a framed box: strokes of a large title, not a table
    page[1000:1060, 300:302] = 0
    page[1000:1060, 898:900] = 0
    page[1058:1060, 300:900] = 0
    tables = find_tables(*line_masks(page))
    assert len(tables) == 1
    assert (0, 1, 1, 2) in tables[0].regions and (1, 1, 1, 1) in tables[0].regions


def test_a_cell_splits_into_its_printed_lines_and_strokes_of_one_character_stay_together():
    crop = np.full((120, 200), 255, dtype=np.uint8)
    crop[10:30, 20:180] = 0            # line 1 (20 px high)
    crop[50:52, 20:60] = 0             # line 2: a character like 三, three thin strokes
    crop[59:61, 25:55] = 0
    crop[68:70, 20:60] = 0
    assert _bands(crop, typical=20) == [(10, 30), (50, 70)]


def test_an_unknown_ocr_engine_is_a_located_error(monkeypatch):
    monkeypatch.setenv("REPORTKIT_OCR", "abbyy")
    with pytest.raises(ImportFailed, match="未知的 OCR 引擎") as info:
        engine("scan.pdf")
    assert "scan.pdf" in str(info.value) and "REPORTKIT_OCR" in str(info.value)


@pytest.mark.parametrize("name", ["rapidocr", "tesseract"])
def test_each_engine_reads_a_printed_figure_alone_with_its_score(name):
    from PIL import Image, ImageDraw, ImageFont

    try:
        ocr = engine("figure.png", name)
    except ImportFailed:
        pytest.skip(f"!!! OCR engine {name} not installed: NOT TESTED")
    image = Image.new("L", (160, 60), 255)
    ImageDraw.Draw(image).text((12, 6), "9487", fill=0, font=ImageFont.load_default(size=40))
    text, score = ocr.cell(np.asarray(image))
    assert (text, score >= ocr.min_score) == ("9487", True), (text, score)
    blank, blank_score = ocr.cell(np.full((60, 160), 255, dtype=np.uint8))
    assert not (blank and blank_score >= ocr.min_score and blank.isdigit()), (blank, blank_score)


def test_a_slanted_page_is_turned_straight_before_its_lines_are_looked_for():
    from PIL import Image

    page = _page()
    _rule(page, [150, 480, 780, 1080], [300, 360, 420, 480, 540, 600])
    straight = Image.fromarray(page)
    assert skew(straight) == 0.0
    slanted = straight.rotate(2.5, resample=Image.BICUBIC, fillcolor=255)
    broken = find_tables(*line_masks(np.asarray(slanted)))    # slanted lines break into short runs
    assert sum(len(t.regions) for t in broken) != 15
    angle = skew(slanted)
    assert abs(angle + 2.5) <= 0.1, angle
    turned = np.asarray(slanted.rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    (table,) = find_tables(*line_masks(turned))
    assert (len(table.xs), len(table.ys)) == (4, 6)
    assert len(table.regions) == 15 and all(r[2:] == (1, 1) for r in table.regions)


def test_speckle_that_breaks_a_ruling_line_does_not_hide_it():
    page = _page()
    _rule(page, [150, 480, 780, 1080], [300, 360, 420, 480])
    holes = np.random.default_rng(1).random(page.shape) < 0.3      # a third of the pixels lost
    page[holes & (page == 0)] = 200
    (table,) = find_tables(*line_masks(page))
    assert (len(table.xs), len(table.ys)) == (4, 4) and len(table.regions) == 9
