#!/usr/bin/env python3
"""Reference numbers for Tests/SlimTrainTests/DetectionMetricsReferenceTests.swift.

Generates a fixed set of detection images with SplitMix64 (DetectionFixture.swift in the Swift
tests generates the very same boxes from the same seed; keep the two generators in step), then prints
the expected values as Swift literals:
  - COCO: pycocotools' COCOeval ('bbox', default parameters) -> stats[0:6];
  - VOC: an independent re-derivation of PaddleDetection 0.1's DetectionMAP (ppdet/utils/map_utils.py)
    written from its description (in-order matching per image, stable ranking by score, 11point as the
    max precision at recall >= j/10, integral as the sum of precision times recall increments).

Usage: python3 bench/detection_metrics_reference.py   (needs numpy and `pip install pycocotools`)
"""
import contextlib
import io

MASK = (1 << 64) - 1
SEED = 2024
IMAGES = 60
LABELS = 4          # ground truth labels 0..3; detections may also carry label 4 (a class without ground truth)


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def jittered(rng, gt):
    """A detection near `gt`: each corner moved by up to about an eighth of the box side."""
    x0, y0, x1, y1 = gt['box']
    jx = 1 + int((x1 - x0) / 2)
    jy = 1 + int((y1 - y0) / 2)
    nx0 = x0 + (rng.below(2 * jx + 1) - jx) / 4
    ny0 = y0 + (rng.below(2 * jy + 1) - jy) / 4
    nx1 = x1 + (rng.below(2 * jx + 1) - jx) / 4
    ny1 = y1 + (rng.below(2 * jy + 1) - jy) / 4
    if nx1 - nx0 < 0.25:
        nx1 = nx0 + 1
    if ny1 - ny0 < 0.25:
        ny1 = ny0 + 1
    label = gt['label']
    if rng.below(10) == 0:
        label = rng.below(LABELS)
    score = rng.below(50) / 50
    return dict(label=label, score=score, box=(nx0, ny0, nx1, ny1))


def make_images():
    """[(detections, ground truths)]: IMAGES random images, then one with 120 detections (maxDets)."""
    rng = SplitMix64(SEED)
    images = []
    for _ in range(IMAGES):
        gts, dets = [], []
        for _ in range(rng.below(6)):
            label = rng.below(LABELS)
            x = rng.below(1600) / 4
            y = rng.below(1600) / 4
            w = (8 + rng.below(800)) / 4
            h = (8 + rng.below(800)) / 4
            difficult = rng.below(6) == 0
            crowd = rng.below(10) == 0
            gts.append(dict(label=label, box=(x, y, x + w, y + h), difficult=difficult, crowd=crowd))
        for gt in gts:
            for _ in range(rng.below(3)):
                dets.append(jittered(rng, gt))
        for _ in range(rng.below(3)):
            label = rng.below(LABELS + 1)
            x = rng.below(1600) / 4
            y = rng.below(1600) / 4
            w = (8 + rng.below(400)) / 4
            h = (8 + rng.below(400)) / 4
            score = rng.below(50) / 50
            dets.append(dict(label=label, score=score, box=(x, y, x + w, y + h)))
        images.append((dets, gts))
    gts = [dict(label=0, box=(100.0, 100.0, 200.0, 180.0), difficult=False, crowd=False),
           dict(label=0, box=(150.0, 120.0, 260.0, 300.0), difficult=False, crowd=False)]
    dets = []
    for _ in range(120):
        det = jittered(rng, gts[rng.below(2)])
        det['label'] = 0
        dets.append(det)
    images.append((dets, gts))
    return images


def voc_map(images, class_num, thresh, map_type, normalized, evaluate_difficult):
    pad = 0.0 if normalized else 1.0

    def area(b):
        return (b[2] - b[0] + pad) * (b[3] - b[1] + pad)

    def iou(a, b):
        if a[0] >= b[2] or a[2] <= b[0] or a[1] >= b[3] or a[3] <= b[1]:
            return 0.0
        inter = area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
        return inter / (area(a) + area(b) - inter)

    positives = [0] * class_num
    records = [[] for _ in range(class_num)]
    for dets, gts in images:
        for g in gts:
            if evaluate_difficult or not g['difficult']:
                positives[g['label']] += 1
        used = set()
        for d in dets:
            candidates = [(iou(d['box'], g['box']), -i) for i, g in enumerate(gts) if g['label'] == d['label']]
            if not candidates:
                records[d['label']].append((d['score'], 0))
                continue
            best, neg_index = max(candidates)          # largest IoU, first index among equals
            index = -neg_index
            if best <= thresh:
                records[d['label']].append((d['score'], 0))
            elif gts[index]['difficult'] and not evaluate_difficult:
                pass
            elif index in used:
                records[d['label']].append((d['score'], 0))
            else:
                used.add(index)
                records[d['label']].append((d['score'], 1))
    aps = []
    for c in range(class_num):
        if positives[c] == 0 or not records[c]:
            continue
        ranked = [tp for _, _, tp in sorted((-s, k, tp) for k, (s, tp) in enumerate(records[c]))]
        precision, recall, hits = [], [], 0
        for n, tp in enumerate(ranked, 1):
            hits += tp
            precision.append(hits / n)
            recall.append(hits / positives[c])
        if map_type == '11point':
            ap = sum(max([p for p, r in zip(precision, recall) if r >= j / 10], default=0.0) for j in range(11)) / 11
        else:
            ap, last = 0.0, 0.0
            for p, r in zip(precision, recall):
                if abs(r - last) > 1e-6:
                    ap += p * abs(r - last)
                    last = r
        aps.append(ap)
    return sum(aps) / len(aps) if aps else 0.0


def normalized(images, scale=512.0):
    def box(b):
        return tuple(v / scale for v in b)
    return [([dict(d, box=box(d['box'])) for d in dets], [dict(g, box=box(g['box'])) for g in gts])
            for dets, gts in images]


def coco_stats(images):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def xywh(b):
        return [b[0], b[1], b[2] - b[0], b[3] - b[1]]

    annotations, results = [], []
    for image_id, (dets, gts) in enumerate(images, 1):
        for g in gts:
            x, y, w, h = xywh(g['box'])
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id, category_id=g['label'] + 1,
                                    bbox=[x, y, w, h], area=w * h, iscrowd=int(g['crowd'])))
        for d in dets:
            results.append(dict(image_id=image_id, category_id=d['label'] + 1, bbox=xywh(d['box']), score=d['score']))
    gt = COCO()
    gt.dataset = dict(images=[dict(id=i) for i in range(1, len(images) + 1)], annotations=annotations,
                      categories=[dict(id=c + 1) for c in range(LABELS + 1)])
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        evaluation = COCOeval(gt, gt.loadRes(results), 'bbox')
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return [float(v) for v in evaluation.stats[:6]]


def main():
    images = make_images()
    print('// %d images, %d detections, %d ground truths' % (
        len(images), sum(len(d) for d, _ in images), sum(len(g) for _, g in images)))
    print('// box sum check: %r' % sum(sum(d['box']) + d['score'] for dets, _ in images for d in dets))
    for name, thresh, kwargs in [
            ('pixel11point', 0.5, dict(map_type='11point', normalized=False, evaluate_difficult=False)),
            ('pixelIntegral', 0.5, dict(map_type='integral', normalized=False, evaluate_difficult=False)),
            ('pixel11pointDifficult', 0.5, dict(map_type='11point', normalized=False, evaluate_difficult=True)),
            ('pixelIntegral07', 0.7, dict(map_type='integral', normalized=False, evaluate_difficult=False)),
            ('normalizedIntegral07', 0.7, dict(map_type='integral', normalized=True, evaluate_difficult=False))]:
        data = normalized(images) if kwargs['normalized'] else images
        print('let voc_%s = %r' % (name, voc_map(data, LABELS + 1, thresh, **kwargs)))
    print('let coco = %r  // AP, AP50, AP75, APs, APm, APl' % coco_stats(images))


if __name__ == '__main__':
    main()
