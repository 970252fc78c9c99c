"""Prints `make bench`'s table (Markdown) from the JSON lines bench/run.sh collected.

Usage: report.py OUT_DIR [--note TEXT]; OUT_DIR holds header.txt, slim.jsonl and peers.jsonl.
One row per model x mode x dtype x batch x threads: slim images/s, PyTorch images/s, their ratio,
ONNX Runtime images/s (inference), slim's median step time and peak RSS. Standard library only.
"""
import argparse
import json
import os

GOAL = ("mbv1", "train", "fp32", 64, 2, 1.5)  # issue goal: slim >= 1.5x PyTorch images/s


def read_lines(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return rows


def key(row):
    return (row["model"], row["mode"], row.get("dtype", "fp32"), int(row["batch"]), int(row["threads"]))


def fmt(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def table(slim, peers):
    torch = {key(r): r for r in peers if r.get("framework") == "torch"}
    ort = {key(r): r for r in peers if r.get("framework") == "ort"}
    lines = ["| model | mode | dtype | batch | threads | slim img/s | PyTorch img/s | slim / PyTorch | ORT img/s "
             "| slim ms/step | slim peak RSS MB |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in slim:
        k = key(row)
        model, mode, dtype, batch, threads = k
        theirs = torch.get(k, {}).get("images_per_s")
        onnx = ort.get(k, {}).get("images_per_s") if mode == "infer" else None
        if "error" in row:
            lines.append(f"| {model} | {mode} | {dtype} | {batch} | {threads} | n/a ({row['error']}) | {fmt(theirs)} | - "
                         f"| {fmt(onnx)} | - | - |")
            continue
        ours = row["images_per_s"]
        ratio = f"{ours / theirs:.2f}x" if theirs else "-"
        lines.append(f"| {model} | {mode} | {dtype} | {batch} | {threads} | {fmt(ours)} | {fmt(theirs)} | {ratio} "
                     f"| {fmt(onnx)} | {fmt(row['median_ms'], 2)} | {fmt(row['peak_rss_mb'])} |")
    return lines


def goal_line(slim, peers):
    model, mode, dtype, batch, threads, target = GOAL
    k = (model, mode, dtype, batch, threads)
    ours = next((r.get("images_per_s") for r in slim if key(r) == k and "error" not in r), None)
    theirs = next((r["images_per_s"] for r in peers if r.get("framework") == "torch" and key(r) == k), None)
    if not ours or not theirs:
        return f"Goal ({model} {mode} batch {batch}, {threads} threads, >= {target}x PyTorch): not measured."
    ratio = ours / theirs
    verdict = "met" if ratio >= target else "NOT met"
    return (f"Goal ({model} {mode} batch {batch}, {threads} threads, >= {target}x PyTorch images/s): "
            f"{ratio:.2f}x ({ours:,.1f} vs {theirs:,.1f} images/s) -- {verdict}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    header = os.path.join(args.out, "header.txt")
    if os.path.exists(header):
        print(open(header).read().rstrip())
    slim = read_lines(os.path.join(args.out, "slim.jsonl"))
    peers = read_lines(os.path.join(args.out, "peers.jsonl"))
    print()
    print("\n".join(table(slim, peers)))
    print()
    print(goal_line(slim, peers))
    if args.note:
        print(f"Note: {args.note}.")


if __name__ == "__main__":
    main()
