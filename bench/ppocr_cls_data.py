"""Text-line crops for PP-OCR's direction classifier, cut from real pictures.

The pictures are screenshots and diagrams that Debian packages ship (valgrind, nodejs, gnupg,
python3-pip documentation). PP-OCRv4's text detector (ch_PP-OCRv4_det_infer.onnx, run in ONNX
Runtime) finds the text: its probability map is thresholded at 0.3, each connected region's box is
grown by the detector's unclip ratio (1.5, as an offset of area * ratio / perimeter) and cut from
the picture. Each crop is resized to height 48 (width in proportion, at most 192) and padded to
48x192 with mid gray, PP-OCR's classifier preprocessing; the crop turned by 180 degrees is the
second class. Written as an ImageFolder data set: OUT/0/NNNN.png and OUT/180/NNNN.png.

    python bench/ppocr_cls_data.py --detector bench/models/ch_PP-OCRv4_det_infer.onnx --output DIR
"""
import argparse
import collections
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

PICTURES = [
    "/usr/share/doc/valgrind/html/images/kcachegrind_xtree.png",
    "/usr/share/doc/valgrind/html/images/dh-tree.png",
    "/usr/share/doc/nodejs/contributing/doc_img/scatter-plot.png",
    "/usr/share/doc/nodejs/contributing/doc_img/compare-boxplot.png",
    "/usr/share/doc/nodejs/contributing/doc_img/youtube-stream-analytics.png",
    "/usr/share/doc/python3-pip/html/topics/deps.png",
    "/usr/share/info/gnupg-module-overview.png",
]


def probability_map(session, image, limit=960):
    """The detector's text probability at the picture's size (resized to multiples of 32)."""
    w, h = image.size
    scale = min(1.0, limit / max(w, h))
    rw, rh = max(32, int(round(w * scale / 32)) * 32), max(32, int(round(h * scale / 32)) * 32)
    x = np.asarray(image.resize((rw, rh), Image.BILINEAR), dtype=np.float32) / 255.0
    x = (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    x = x.transpose(2, 0, 1)[None].astype(np.float32)
    prob = session.run(None, {session.get_inputs()[0].name: x})[0][0, 0]
    return prob, w / rw, h / rh


def regions(mask):
    """Bounding boxes (x0, y0, x1, y1, pixel count) of the 4-connected regions of mask."""
    seen = np.zeros_like(mask, dtype=bool)
    h, w = mask.shape
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        queue, box, count = collections.deque([(y, x)]), [x, y, x, y], 0
        seen[y, x] = True
        while queue:
            cy, cx = queue.popleft()
            count += 1
            box = [min(box[0], cx), min(box[1], cy), max(box[2], cx), max(box[3], cy)]
            for ny, nx in ((cy - 1, cx), (cy + 1, cx), (cy, cx - 1), (cy, cx + 1)):
                if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
        yield (*box, count)


def text_boxes(session, image):
    prob, sx, sy = probability_map(session, image)
    for x0, y0, x1, y1, count in regions(prob > 0.3):
        bw, bh = x1 - x0 + 1, y1 - y0 + 1
        if count < 30 or bh < 4:
            continue
        offset = bw * bh * 1.5 / (2 * (bw + bh))
        box = (max(0, (x0 - offset) * sx), max(0, (y0 - offset) * sy),
               min(image.size[0], (x1 + 1 + offset) * sx), min(image.size[1], (y1 + 1 + offset) * sy))
        if box[2] - box[0] >= box[3] - box[1] >= 8:   # horizontal lines at least 8 px high
            yield box


def classifier_input(crop, height=48, width=192):
    w = min(width, max(1, int(round(crop.size[0] * height / crop.size[1]))))
    canvas = Image.new("RGB", (width, height), (128, 128, 128))
    canvas.paste(crop.resize((w, height), Image.BILINEAR), (0, 0))
    return canvas


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detector", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    pictures = [p for p in PICTURES if os.path.exists(p)]
    if not pictures:
        sys.exit("none of the pictures is installed: " + ", ".join(PICTURES))
    session = ort.InferenceSession(args.detector, providers=["CPUExecutionProvider"])
    for label in ("0", "180"):
        os.makedirs(os.path.join(args.output, label), exist_ok=True)
    n = 0
    for path in pictures:
        image = Image.open(path).convert("RGB")
        found = 0
        for box in text_boxes(session, image):
            crop = image.crop(tuple(int(round(v)) for v in box))
            classifier_input(crop).save(os.path.join(args.output, "0", f"{n:04d}.png"))
            classifier_input(crop.rotate(180)).save(os.path.join(args.output, "180", f"{n:04d}.png"))
            n += 1
            found += 1
        print(f"{path}: {found} text lines", file=sys.stderr)
    print(f"{n} text lines, {2 * n} crops in {args.output}")


if __name__ == "__main__":
    main()
