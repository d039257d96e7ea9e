"""One page read by RapidOCR in its own process (python -m auditor.extract._rapidocr_page MAX_SIDE MEMORY_MB), as
Tesseract is: a PNG on stdin, the recognised words with their boxes as JSON on stdout.

A process per page, not a thread, so that the page's deadline can stop it (onnxruntime cannot be interrupted from
inside) and so that its memory is its own: PP-OCRv4's text detector needs about 1.8 GB for an A4 page at 300 dpi,
more than the sandbox worker's budget for a hostile file, so the worker keeps its own limit and this process gets
MEMORY_MB (RLIMIT_AS).  Starting it and loading the models costs under a second, against 15–30 s for the page.
"""
from __future__ import annotations

import io
import json
import resource
import sys


def _limit_memory(mb: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mb << 20 if hard == resource.RLIM_INFINITY else min(mb << 20, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def main() -> None:
    max_side, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    _limit_memory(memory_mb)
    import logging

    import numpy as np
    from PIL import Image
    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    one = {f"{part}_intra_op_num_threads": 1 for part in ("det", "cls", "rec")}
    one.update({f"{part}_inter_op_num_threads": 1 for part in ("det", "cls", "rec")})
    engine = RapidOCR(max_side_len=max_side, **one)
    image = Image.open(io.BytesIO(sys.stdin.buffer.read())).convert("RGB")
    result, _ = engine(np.asarray(image), use_cls=False, return_word_box=True)
    words = []
    for item in result or []:
        pairs = zip(item[4], item[3], strict=False) if len(item) > 4 and len(item[3]) == len(item[4]) else [(item[1], item[0])]
        words += [[str(word), [[float(x), float(y)] for x, y in quad]] for word, quad in pairs]
    sys.stdout.write(json.dumps(words, ensure_ascii=False))


if __name__ == "__main__":
    try:
        main()
    except MemoryError:
        print("内存不足", file=sys.stderr)
        sys.exit(3)
    except Exception as exc:  # noqa: BLE001 - onnxruntime and OpenCV raise their own types: one line
        print(f"{type(exc).__name__}", file=sys.stderr)
        sys.exit(4)
