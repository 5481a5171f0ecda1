"""OCR engines behind one interface, both installed offline by the ``[ocr]`` extra:

* ``rapidocr`` — rapidocr-onnxruntime (Apache-2.0): PP-OCR's detection and recognition models,
  which ship inside the wheel, run by onnxruntime. Reads Chinese labels and printed figures well;
  its score is the recognition's mean character probability.
* ``tesseract`` — pytesseract and Debian's ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``
  (``make ocr-deps``); its score is tesseract's word confidence.

Each gives the words of a page with their boxes (``page``) and reads one cell alone
(``cell``): a cell's figure is read from its own crop, where nothing of its neighbours or the
ruling lines can be fused into it. ``REPORTKIT_OCR`` names the engine; by default the first
one installed, in the order above.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Optional

from ...errors import ImportFailed

ENV = "REPORTKIT_OCR"
INSTALL = ("pip install 'reportkit[ocr]'（含 rapidocr-onnxruntime）；或安装 tesseract-ocr 和 "
           "tesseract-ocr-chi-sim（make ocr-deps）")


@dataclass
class Word:
    """A piece of text on a page: its box in pixels, its text and the engine's score (0–100)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float
    line: tuple = ()          # words of one printed line share this (engine's own numbering)


class Engine:
    """The interface: a page's words, one cell's text, and the score below which a figure is unread."""

    name = ""
    min_score = 100.0
    reads_labels_alone = False      # whether ``cell`` reads Chinese as well as figures

    def page(self, gray) -> list[Word]:
        raise NotImplementedError

    def cell(self, gray) -> tuple[str, float]:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError


class RapidEngine(Engine):
    name = "rapidocr"
    # the recognition's mean character probability; a clean printed "0" scores 0.88–0.94
    min_score = 80.0
    reads_labels_alone = True

    def __init__(self):
        from rapidocr_onnxruntime import RapidOCR

        # one thread: onnxruntime's thread pool makes it slower on a shared or busy machine
        self.ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def page(self, gray) -> list[Word]:
        result, _ = self.ocr(gray, use_cls=False)
        words = []
        for n, (box, text, score) in enumerate(result or []):
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            words.append(Word(min(xs), min(ys), max(xs), max(ys), text.strip(), 100.0 * float(score), (n,)))
        return [w for w in words if w.text]

    def cell(self, gray) -> tuple[str, float]:
        result, _ = self.ocr(gray, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, score = result[0][:2]
        return text.strip(), 100.0 * float(score)

    def version(self) -> str:
        from importlib.metadata import version

        return f"RapidOCR {version('rapidocr-onnxruntime')}"


class TesseractEngine(Engine):
    name = "tesseract"
    min_score = 80.0            # tesseract's word confidence
    LANG = "chi_sim"

    def __init__(self):
        import pytesseract

        if shutil.which("tesseract") is None:
            raise ModuleNotFoundError("tesseract")
        self.tess = pytesseract

    def _data(self, gray, lang: str, config: str):
        from PIL import Image

        # one thread: tesseract's OpenMP threads make it 2–3× slower on a shared or busy machine
        saved = os.environ.get("OMP_THREAD_LIMIT")
        os.environ["OMP_THREAD_LIMIT"] = "1"
        try:
            return self.tess.image_to_data(Image.fromarray(gray), lang=lang, config=config,
                                           output_type=self.tess.Output.DICT)
        finally:
            if saved is None:
                os.environ.pop("OMP_THREAD_LIMIT", None)
            else:
                os.environ["OMP_THREAD_LIMIT"] = saved

    def page(self, gray) -> list[Word]:
        d = self._data(gray, self.LANG, "--psm 6")
        return [Word(d["left"][i], d["top"][i], d["left"][i] + d["width"][i], d["top"][i] + d["height"][i],
                     d["text"][i].strip(), float(d["conf"][i]), (d["block_num"][i], d["par_num"][i], d["line_num"][i]))
                for i in range(len(d["text"])) if d["text"][i].strip()]

    def cell(self, gray) -> tuple[str, float]:
        # a single line; the whitelist keeps it from reading a digit as a look-alike letter
        d = self._data(gray, "eng", "--psm 7 -c tessedit_char_whitelist=0123456789.,-")
        words = [(d["text"][i].strip(), float(d["conf"][i])) for i in range(len(d["text"])) if d["text"][i].strip()]
        if not words:
            return "", 0.0
        return " ".join(t for t, _ in words), min(c for _, c in words)

    def version(self) -> str:
        return f"tesseract {self.tess.get_tesseract_version()}"


ENGINES = {"rapidocr": RapidEngine, "tesseract": TesseractEngine}
_loaded: dict[str, Engine] = {}


def engine(source: str, name: Optional[str] = None) -> Engine:
    """The OCR engine to use (loaded once per process); a located error when none is installed."""
    name = name or os.environ.get(ENV) or None
    if name is not None and name not in ENGINES:
        raise ImportFailed(f"未知的 OCR 引擎“{name}”", file=source, field=ENV, expected=" 或 ".join(ENGINES))
    for candidate in [name] if name else list(ENGINES):
        if candidate in _loaded:
            return _loaded[candidate]
        try:
            _loaded[candidate] = ENGINES[candidate]()
            return _loaded[candidate]
        except ImportError:          # not installed, or a native library missing (opencv's libGL)
            continue
    raise ImportFailed(f"这是扫描件（图片），需要 OCR 扩展：{INSTALL}", file=source)
