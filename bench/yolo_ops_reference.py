#!/usr/bin/env python3
"""Reference numbers for Tests/SlimGraphTests/Ops/OpYoloBoxTests.swift (and the multiclass_nms tests).

An independent, vectorised numpy re-derivation of Paddle 1.6's detection ops from their documented
semantics, printed as Swift literals for the tests (which must not need Python):
  - yolo_box: X [N, A*(5+C), H, W] with X.flat[i] = 3 sin(0.37 i + 0.1) (f32), sigmoid centers over
    a grid of size H on both axes (as Paddle), exp(t) * anchor / (downsample * H) sizes, scaled to
    each image's (h, w), clipped to [0, w-1] x [0, h-1]; scores sigmoid(conf) * sigmoid(cls), rows with
    sigmoid(conf) < conf_thresh zeroed; rows anchor-major.
  - multiclass_nms: per image and class (but the background), boxes scoring above score_threshold,
    best nms_top_k by score (stable), greedy NMS against an IoU matrix (+1 pixel when not normalized)
    with the adaptive threshold (times eta after each keep while above 0.5), then keep_top_k by score
    (stable, in class order), rows grouped by class ascending and by score within a class. Inputs:
    box j of image b centered (20 + 5 sin(1.3 j + b), 20 + 5 cos(0.7 j + 2 b)), size
    (14 + 6 sin(2.1 j), 12 + 5 cos(1.7 j + b)); score of class c 0.5 + 0.5 sin(0.9 j + 1.1 c + 0.3 b).

Usage: python3 bench/yolo_ops_reference.py   (needs numpy)
"""
import numpy as np


def swift(values, per_line=8):
    flat = [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]
    text = [", ".join(f"{v:.8g}" for v in flat[i:i + per_line]) for i in range(0, len(flat), per_line)]
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


def iou_matrix(boxes, normalized):
    norm = 0.0 if normalized else 1.0
    x0, y0, x1, y1 = (boxes[:, k].astype(np.float64) for k in range(4))
    area = np.where((x1 < x0) | (y1 < y0), 0.0, (x1 - x0 + norm) * (y1 - y0 + norm))
    iw = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :]) + norm
    ih = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :]) + norm
    apart = (x0[None, :] > x1[:, None]) | (x1[None, :] < x0[:, None]) | (y0[None, :] > y1[:, None]) | (y1[None, :] < y0[:, None])
    inter = iw * ih
    return np.where(apart, 0.0, inter / (area[:, None] + area[None, :] - inter))


def multiclass_nms(boxes, scores, score_threshold, nms_top_k, keep_top_k, nms_threshold, normalized, eta, background):
    rows, counts = [], []
    for b in range(boxes.shape[0]):
        iou = iou_matrix(boxes[b], normalized)
        picked = []                                        # (label, index, score), class order
        for c in range(scores.shape[1]):
            if c == background:
                continue
            s = scores[b, c]
            candidates = [j for j in np.argsort(-s, kind="stable") if s[j] > score_threshold]
            if nms_top_k > -1:
                candidates = candidates[:nms_top_k]
            kept, thr = [], nms_threshold
            for j in candidates:
                if all(iou[j, k] <= thr for k in kept):
                    kept.append(j)
                    if eta < 1 and thr > 0.5:
                        thr *= eta
            picked += [(c, j, s[j]) for j in kept]
        if keep_top_k > -1 and len(picked) > keep_top_k:
            ranked = sorted(range(len(picked)), key=lambda t: -picked[t][2])     # stable
            chosen = sorted(ranked[:keep_top_k])                                # back to class order
            picked = [picked[t] for t in chosen]
        counts.append(len(picked))
        rows += [[c, sc] + list(boxes[b, j]) for c, j, sc in picked]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 6), counts


def nms_inputs(n, m, c):
    j = np.arange(m)
    boxes, scores = [], []
    for b in range(n):
        cx, cy = 20 + 5 * np.sin(1.3 * j + b), 20 + 5 * np.cos(0.7 * j + 2 * b)
        w, h = 14 + 6 * np.sin(2.1 * j), 12 + 5 * np.cos(1.7 * j + b)
        boxes.append(np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1))
        scores.append([0.5 + 0.5 * np.sin(0.9 * j + 1.1 * k + 0.3 * b) for k in range(c)])
    return np.asarray(boxes).astype(np.float32), np.asarray(scores).astype(np.float32)


def nms_cases():
    boxes, scores = nms_inputs(2, 10, 3)
    cases = {
        "A": dict(score_threshold=0.3, nms_top_k=5, keep_top_k=7, nms_threshold=0.5, normalized=False, eta=1.0, background=0),
        "B": dict(score_threshold=0.1, nms_top_k=-1, keep_top_k=-1, nms_threshold=0.7, normalized=True, eta=0.8, background=-1),
    }
    for name, attrs in cases.items():
        out, counts = multiclass_nms(boxes, scores, **attrs)
        print(f"// multiclass_nms case {name}: {attrs}")
        print(f"let expectedCounts{name} = {counts}")
        print(f"let expectedOut{name}: [Float] = " + swift(out, per_line=6))


if __name__ == "__main__":
    yolo_box_case()
    nms_cases()
