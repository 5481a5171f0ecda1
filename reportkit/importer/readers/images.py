"""placeholder: OCR comes next"""
from ...errors import ImportFailed
from . import Document, Reader

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")


class ImageReader(Reader):
    kind, label = "ocr", "图片（OCR）"

    def sniff(self, data: bytes) -> bool:
        return data.startswith(_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")

    def read(self, data, source, claims):
        raise ImportFailed("todo", file=source)


def ocr_pdf(data, source, claims):
    raise ImportFailed("todo", file=source)
