#!/usr/bin/env python3
"""Reference numbers for Tests/SlimGraphTests/Ops/OpYoloBoxTests.swift (and the multiclass_nms tests).

An independent, vectorised numpy re-derivation of Paddle 1.6's detection ops from their documented
semantics, printed as Swift literals for the tests (which must not need Python):
  - yolo_box: X [N, A*(5+C), H, W] with X.flat[i] = 3 sin(0.37 i + 0.1) (f32), sigmoid centers over
    a grid of size H on both axes (as Paddle), exp(t) * anchor / (downsample * H) sizes, scaled to
    each image's (h, w), clipped to [0, w-1] x [0, h-1]; scores sigmoid(conf) * sigmoid(cls), rows with
    sigmoid(conf) < conf_thresh zeroed; rows anchor-major.

Usage: python3 bench/yolo_ops_reference.py   (needs numpy)
"""
import numpy as np


def swift(values, per_line=8):
    flat = [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]
    text = [", ".join(f"{v:.6g}" for v in flat[i:i + per_line]) for i in range(0, len(flat), per_line)]
    return "[\n    " + ",\n    ".join(text) + ",\n]"


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def yolo_box(x, img_size, anchors, class_num, conf_thresh, downsample):
    n, _, h, w = x.shape
    a = len(anchors) // 2
    p = x.astype(np.float64).reshape(n, a, 5 + class_num, h, w)
    an = np.asarray(anchors, dtype=np.float64).reshape(a, 2)
    img_h = img_size[:, 0].astype(np.float64).reshape(n, 1, 1, 1)
    img_w = img_size[:, 1].astype(np.float64).reshape(n, 1, 1, 1)
    col = np.arange(w).reshape(1, 1, 1, w)
    row = np.arange(h).reshape(1, 1, h, 1)
    cx = (col + sigmoid(p[:, :, 0])) * img_w / h
    cy = (row + sigmoid(p[:, :, 1])) * img_h / h
    bw = np.exp(p[:, :, 2]) * an[:, 0].reshape(1, a, 1, 1) * img_w / (downsample * h)
    bh = np.exp(p[:, :, 3]) * an[:, 1].reshape(1, a, 1, 1) * img_h / (downsample * h)
    x0 = np.maximum(cx - bw / 2, 0)
    y0 = np.maximum(cy - bh / 2, 0)
    x1 = np.minimum(cx + bw / 2, img_w - 1)
    y1 = np.minimum(cy + bh / 2, img_h - 1)
    boxes = np.stack([x0, y0, x1, y1], axis=-1)            # n, a, h, w, 4
    conf = sigmoid(p[:, :, 4])
    scores = conf[:, :, None] * sigmoid(p[:, :, 5:])       # n, a, c, h, w
    scores = np.moveaxis(scores, 2, -1)                    # n, a, h, w, c
    keep = (conf >= conf_thresh)[..., None]
    boxes = np.where(keep, boxes, 0).reshape(n, a * h * w, 4)
    scores = np.where(keep, scores, 0).reshape(n, a * h * w, class_num)
    return boxes, scores


def yolo_box_case():
    n, a, c, h, w = 2, 2, 2, 2, 3
    count = n * a * (5 + c) * h * w
    x = (3 * np.sin(0.37 * np.arange(count) + 0.1)).astype(np.float32).reshape(n, a * (5 + c), h, w)
    img_size = np.array([[100, 150], [64, 80]], dtype=np.int32)
    boxes, scores = yolo_box(x, img_size, [10, 13, 30, 61], c, 0.5, 32)
    print("// yolo_box: N 2, anchors [10, 13, 30, 61], class_num 2, H 2, W 3, downsample 32, conf_thresh 0.5,")
    print("// ImgSize [[100, 150], [64, 80]], X.flat[i] = 3 sin(0.37 i + 0.1)")
    print("let expectedBoxes: [Float] = " + swift(boxes))
    print("let expectedScores: [Float] = " + swift(scores))


if __name__ == "__main__":
    yolo_box_case()
