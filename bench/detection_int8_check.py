#!/usr/bin/env python3
"""INT8 vs float detector: both mAPs and how many float detections the INT8 model reproduces.

Either runs `slim eval` on both models itself:

    python3 bench/detection_int8_check.py --slim .build/debug/slim --int8-model out/int8 \
        --float-model out/float -c yolov3_mobilenet_v1_voc.yml -d dataset/voc [-o KEY=VALUE ...]

(the int8 model on the INT8 engine, the float model on the float kernels, each with
--output_eval and --output_predictions into --work-dir), or compares files `slim eval` wrote:

    python3 bench/detection_int8_check.py --int8-predictions i.json --float-predictions f.json \
        [--int8-eval ie.json --float-eval fe.json]

A float detection is matched when an INT8 detection of the same image and class, not matched
before, overlaps it with IoU >= --iou (default 0.9); float detections are taken by descending
score and each takes the unmatched INT8 detection of largest IoU. IoU is of continuous boxes,
I / (A + B - I) with area (xmax - xmin) * (ymax - ymin). Detections below --min-score (default 0:
every detection NMS kept) are left out on both sides.

Prints one JSON object {"float_map", "int8_map", "map_drop" (float - int8, mAP in [0, 1]),
"float_detections", "int8_detections", "matched", "matched_share", "iou", "min_score"}; exits 1
when matched_share < --min-share or map_drop > --max-map-drop (when given).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def grouped(predictions, min_score):
    groups = defaultdict(list)
    for p in predictions:
        if float(p['score']) >= min_score:
            groups[(os.path.normpath(p['image']), int(p['label']))].append((float(p['score']), [float(v) for v in p['bbox']]))
    return groups


def match(float_predictions, int8_predictions, threshold, min_score):
    """(float detections, int8 detections, matched float detections)."""
    floats, int8s = grouped(float_predictions, min_score), grouped(int8_predictions, min_score)
    matched = 0
    for key, detections in floats.items():
        candidates = [box for _, box in int8s.get(key, [])]
        used = [False] * len(candidates)
        for _, box in sorted(detections, key=lambda d: -d[0]):
            best, best_iou = -1, -1.0
            for j, other in enumerate(candidates):
                if not used[j]:
                    v = iou(box, other)
                    if v > best_iou:
                        best, best_iou = j, v
            if best >= 0 and best_iou >= threshold:
                used[best] = True
                matched += 1
    return sum(len(v) for v in floats.values()), sum(len(v) for v in int8s.values()), matched


def run_slim(args, model, name, engine):
    eval_json = os.path.join(args.work_dir, name + '_eval.json')
    predictions = os.path.join(args.work_dir, name + '_predictions.json')
    for path in (eval_json, predictions):
        if os.path.exists(path):
            os.remove(path)
    command = [args.slim, 'eval', '--model_path', model, '-c', args.config, '--engine', engine,
               '--output_eval', eval_json, '--output_predictions', predictions]
    if args.dataset_dir:
        command += ['-d', args.dataset_dir]
    if args.override:
        command += ['-o'] + args.override
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit('%s exited %d:\n%s%s' % (' '.join(command), result.returncode, result.stdout, result.stderr))
    return predictions, eval_json


def load(path):
    with open(path) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--slim', help='the slim binary (runs slim eval on --int8-model and --float-model)')
    parser.add_argument('--int8-model')
    parser.add_argument('--float-model')
    parser.add_argument('-c', '--config')
    parser.add_argument('-d', '--dataset-dir')
    parser.add_argument('-o', '--override', nargs='*')
    parser.add_argument('--work-dir', help='where slim eval writes its files (default: a temporary folder)')
    parser.add_argument('--int8-predictions')
    parser.add_argument('--float-predictions')
    parser.add_argument('--int8-eval')
    parser.add_argument('--float-eval')
    parser.add_argument('--iou', type=float, default=0.9)
    parser.add_argument('--min-score', type=float, default=0.0)
    parser.add_argument('--min-share', type=float)
    parser.add_argument('--max-map-drop', type=float)
    args = parser.parse_args()

    if args.slim:
        if not (args.int8_model and args.float_model and args.config):
            parser.error('--slim needs --int8-model, --float-model and -c')
        args.work_dir = args.work_dir or tempfile.mkdtemp(prefix='detection_int8_check_')
        os.makedirs(args.work_dir, exist_ok=True)
        args.int8_predictions, args.int8_eval = run_slim(args, args.int8_model, 'int8', 'int8')
        args.float_predictions, args.float_eval = run_slim(args, args.float_model, 'float', 'float')
    elif not (args.int8_predictions and args.float_predictions):
        parser.error('give --slim with the models, or --int8-predictions and --float-predictions')

    n_float, n_int8, matched = match(load(args.float_predictions), load(args.int8_predictions), args.iou, args.min_score)
    report = dict(float_detections=n_float, int8_detections=n_int8, matched=matched,
                  matched_share=matched / n_float if n_float else 1.0, iou=args.iou, min_score=args.min_score)
    if args.float_eval and args.int8_eval:
        report['float_map'] = load(args.float_eval)['map']
        report['int8_map'] = load(args.int8_eval)['map']
        report['map_drop'] = report['float_map'] - report['int8_map']
    print(json.dumps(report, sort_keys=True))
    failures = []
    if args.min_share is not None and report['matched_share'] < args.min_share:
        failures.append('matched share %.4f < %.4f' % (report['matched_share'], args.min_share))
    if args.max_map_drop is not None and report.get('map_drop', 0) > args.max_map_drop:
        failures.append('mAP drop %.4f > %.4f' % (report['map_drop'], args.max_map_drop))
    if failures:
        sys.exit('; '.join(failures))


if __name__ == '__main__':
    main()
