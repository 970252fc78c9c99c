#!/usr/bin/env python3
"""Independent VOC mAP of a detection predictions file against a VOC-layout data set.

Reads the predictions `slim eval --output_predictions` (or `slim infer`'s predictions.json) writes,
a JSON list of {"image", "label", "score", "bbox": [xmin, ymin, xmax, ymax]} in original-image
pixels, and the data set's list file ("image annotation" lines) and annotation XMLs; ground truth
is read from the XMLs as PaddleDetection's VOC reader reads it (labels by label_list.txt, boxes
clipped to the declared size: xmin = max(0, xmin), xmax = min(width - 1, xmax), same for y,
`difficult` objects kept but not counted), and the mAP is computed by voc_map() of
detection_metrics_reference.py (PaddleDetection 0.1's DetectionMAP re-derived). Every image of
the list counts, so the number equals slim's when no eval batch came out of NMS empty.

Prints a JSON object {"map", "images", "predictions", "ground_truths"}. With --expect VALUE (or
--eval-json FILE, slim eval's --output_eval, whose "map" is taken), exits 1 unless
|map - expected| <= --tolerance.

Usage: python3 bench/detection_map_check.py --dataset-dir voc --predictions preds.json \
         [--anno test.txt] [--map-type 11point|integral] [--eval-json eval.json]
"""
import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from detection_metrics_reference import voc_map  # noqa: E402


def key(path):
    return os.path.normpath(os.path.abspath(path))


def read_annotation(path, names):
    root = ET.parse(path).getroot()
    size = root.find('size')
    width = float(size.find('width').text)
    height = float(size.find('height').text)
    objects = []
    for obj in root.findall('object'):
        box = obj.find('bndbox')
        x0, y0, x1, y1 = (float(box.find(k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax'))
        difficult = obj.find('difficult')
        objects.append(dict(label=names.index(obj.find('name').text.strip()),
                            box=(max(0.0, x0), max(0.0, y0), min(width - 1, x1), min(height - 1, y1)),
                            difficult=difficult is not None and int(difficult.text) == 1))
    return objects


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dataset-dir', required=True)
    parser.add_argument('--predictions', required=True)
    parser.add_argument('--anno', default='test.txt', help='list file, relative to the data set folder')
    parser.add_argument('--label-list', help='default: label_list.txt next to the list file')
    parser.add_argument('--map-type', default='11point', choices=['11point', 'integral'])
    parser.add_argument('--overlap', type=float, default=0.5)
    parser.add_argument('--expect', type=float)
    parser.add_argument('--eval-json')
    parser.add_argument('--tolerance', type=float, default=1e-4)
    args = parser.parse_args()

    list_path = os.path.join(args.dataset_dir, args.anno)
    label_list = args.label_list or os.path.join(os.path.dirname(list_path), 'label_list.txt')
    with open(label_list) as f:
        names = [line.strip() for line in f if line.strip()]
    images = {}
    order = []
    with open(list_path) as f:
        for line in f:
            if not line.strip():
                continue
            image, annotation = line.split()[:2]
            k = key(os.path.join(args.dataset_dir, image))
            images[k] = ([], read_annotation(os.path.join(args.dataset_dir, annotation), names))
            order.append(k)
    with open(args.predictions) as f:
        predictions = json.load(f)
    for p in predictions:
        k = key(p['image'])
        if k not in images:
            sys.exit('prediction for an image not in %s: %s' % (list_path, p['image']))
        images[k][0].append(dict(label=int(p['label']), score=float(p['score']), box=tuple(float(v) for v in p['bbox'])))
    value = voc_map([images[k] for k in order], len(names), args.overlap, args.map_type, False, False)
    print(json.dumps(dict(map=value, images=len(order), predictions=len(predictions),
                          ground_truths=sum(len(images[k][1]) for k in order))))
    expected = args.expect
    if args.eval_json:
        with open(args.eval_json) as f:
            expected = json.load(f)['map']
    if expected is not None and abs(value - expected) > args.tolerance:
        sys.exit('mAP %.6f differs from the expected %.6f by more than %g' % (value, expected, args.tolerance))


if __name__ == '__main__':
    main()
