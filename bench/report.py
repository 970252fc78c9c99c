"""Prints `make bench`'s tables (Markdown) from the JSON lines bench/run.sh collected.

Usage: report.py OUT_DIR [--note TEXT]; OUT_DIR holds header.txt, slim.jsonl, slim_real.jsonl and peers.jsonl.
  Training: per model x batch x threads, slim and PyTorch images/s, their ratio, peak RSS.
  QAT training: the same for the train step with fake quantization (slim's QuantizationTransformPass,
    PyTorch's eager prepare_qat), and slim's QAT step time over its FP32 step time.
  Inference: one table per batch size (batch 1: median latency in ms; larger batches: images/s),
    per model x threads: slim, ONNX Runtime and PyTorch, each FP32 and INT8, and the speed ratios
    slim int8 / ORT int8 and slim int8 / slim fp32 (> 1 = slim int8 faster); then the peak RSS. A
    configuration measured in several rounds (bench/run.sh's BENCH_ROUNDS) shows its median.
  Goals: the speed goals with their verdicts (YOLOv3-MobileNetV1 at 416 px: training >= 1.5x PyTorch,
    FP32 inference to the head outputs at least as fast as ONNX Runtime at batch 1 and 8, INT8 >= 1.2x
    ORT INT8 and >= 2x slim FP32 at batch 1 and 8, the same for its 7-bit-weight INT8 model; QAT >= 2x
    PyTorch QAT, and a QAT step at most 1.3x slim's FP32 step). A 2-thread goal whose run of either
    side was under 1.15x that side's own 1-thread speed is marked as measured in a slow window. A
    goal measured in several rounds is judged on the median of its per-round ratios, which it lists.
Standard library only.
"""
import argparse
import json
import os

# The detector's rows are labelled with their image size (the `image_size` field).
DETECTOR = "yolov3_mbv1 416px"
SYSTEMS = [("slim", "fp32"), ("slim", "int8"), ("ort", "fp32"), ("ort", "int8"), ("torch", "fp32"), ("torch", "int8")]
# slim's INT8 model saved with --int8_residual (ResNet shortcuts summed as 8-bit integers): its own
# column where the plan measures it (dtype int8_residual).
RESIDUAL = ("slim", "int8_residual")
# slim's INT8 model saved with --weight_bits 7 (a signed activation runs as one convolution on CPUs
# without VNNI): its own column where the plan measures it (dtype int8_w7).
SEVEN_BIT = ("slim", "int8_w7")
NAMES = {"slim": "slim", "ort": "ORT", "torch": "PyTorch"}
# (what, model, mode, batch, threads, numerator, denominator, target): numerator images/s >= target x
# denominator's; a system (framework, dtype, mode) is measured in its own mode instead of the goal's.
GOALS = [("FP32 training", "mbv1", "train", 64, 2, ("slim", "fp32"), ("torch", "fp32"), 1.5)]
for _m in ("mbv1", "resnet20"):
    GOALS += [("FP32 batch-64 throughput", _m, "infer", 64, 2, ("slim", "fp32"), ("ort", "fp32"), 1.0),
              ("FP32 batch-1 latency", _m, "infer", 1, 2, ("slim", "fp32"), ("ort", "fp32"), 1.0),
              ("INT8 batch-64 throughput", _m, "infer", 64, 2, ("slim", "int8"), ("ort", "int8"), 1.2),
              ("INT8 batch-1 latency", _m, "infer", 1, 2, ("slim", "int8"), ("ort", "int8"), 1.0)]
GOALS += [("INT8 batch-64 throughput, integer residuals", "resnet20", "infer", 64, 2, RESIDUAL, ("ort", "int8"), 1.2),
          ("INT8 batch-1 latency, integer residuals", "resnet20", "infer", 1, 2, RESIDUAL, ("ort", "int8"), 1.0)]
GOALS += [("INT8 over own FP32, batch 64", "mbv1", "infer", 64, 2, ("slim", "int8"), ("slim", "fp32"), 2.5),
         ("FP32 detector training", DETECTOR, "train", 8, 2, ("slim", "fp32"), ("torch", "fp32"), 1.5),
         ("FP32 detector batch-1 latency", DETECTOR, "infer", 1, 2, ("slim", "fp32"), ("ort", "fp32"), 1.0),
         ("FP32 detector batch-8 throughput", DETECTOR, "infer", 8, 2, ("slim", "fp32"), ("ort", "fp32"), 1.0),
         ("INT8 detector batch-1 latency", DETECTOR, "infer", 1, 2, ("slim", "int8"), ("ort", "int8"), 1.2),
         ("INT8 detector batch-8 throughput", DETECTOR, "infer", 8, 2, ("slim", "int8"), ("ort", "int8"), 1.2),
         ("INT8 detector over own FP32, batch 1", DETECTOR, "infer", 1, 2, ("slim", "int8"), ("slim", "fp32"), 2.0),
         ("INT8 detector over own FP32, batch 8", DETECTOR, "infer", 8, 2, ("slim", "int8"), ("slim", "fp32"), 2.0),
         ("INT8 detector, 7-bit weights, batch-1 latency", DETECTOR, "infer", 1, 2, SEVEN_BIT, ("ort", "int8"), 1.2),
         ("INT8 detector, 7-bit weights, batch-8 throughput", DETECTOR, "infer", 8, 2, SEVEN_BIT, ("ort", "int8"), 1.2),
         ("INT8 detector, 7-bit weights, over own FP32, batch 1", DETECTOR, "infer", 1, 2, SEVEN_BIT, ("slim", "fp32"), 2.0),
         ("QAT training", "mbv1", "qat", 64, 2, ("slim", "fp32"), ("torch", "fp32"), 2.0),
         ("QAT training", "resnet20", "qat", 64, 2, ("slim", "fp32"), ("torch", "fp32"), 2.0),
         ("QAT training", "lenet", "qat", 64, 2, ("slim", "fp32"), ("torch", "fp32"), 2.0),
         ("QAT step over FP32 step", "mbv1", "qat", 64, 2, ("slim", "fp32"), ("slim", "fp32", "train"), 1 / 1.3),
         ("QAT step over FP32 step", "resnet20", "qat", 64, 2, ("slim", "fp32"), ("slim", "fp32", "train"), 1 / 1.3)]
# (what, model, batch, threads, system, reference, at most): peak RSS of inference <= factor x the reference's.
MEMORY_GOALS = [("INT8 peak RSS of a saved model", "mbv1", 1, 2, ("slim", "int8"), ("ort", "int8"), 1.5)]


def read_lines(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip().startswith("{"):
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    return rows


def index(slim, peers):
    """{(framework, model, mode, dtype, batch, threads): {round: row}} (a line without "round" is round 1)."""
    rows = {}
    for row in [dict(r, framework="slim") for r in slim] + peers:
        model = f"{row['model']} {row['image_size']}px" if "image_size" in row else row["model"]
        key = (row.get("framework"), model, row["mode"], row.get("dtype", "fp32"), int(row["batch"]), int(row["threads"]))
        rows.setdefault(key, {})[int(row.get("round", 1))] = row
    return rows


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return None if n == 0 else ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def measured(rows, system, model, mode, batch, threads, field="images_per_s"):
    """{round: the field's value} of a system's runs of a configuration, errors left out."""
    mode = system[2] if len(system) > 2 else mode
    runs = rows.get((system[0], model, mode, system[1], batch, threads), {})
    return {k: r[field] for k, r in runs.items() if "error" not in r and r.get(field) is not None}


def value(rows, system, model, mode, batch, threads, field="images_per_s"):
    """The field's median over the rounds that measured it (one round: its value)."""
    return median(measured(rows, system, model, mode, batch, threads, field).values())


def round_ratios(rows, num, den, model, mode, batch, threads):
    """num / den speed per round both measured, in round order (pairs taken minutes apart)."""
    a, b = measured(rows, num, model, mode, batch, threads), measured(rows, den, model, mode, batch, threads)
    return [a[k] / b[k] for k in sorted(a) if k in b and a[k] and b[k]]


def fmt(number, digits=1):
    return "-" if number is None else f"{number:,.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def configs(rows, mode):
    """(model, batch, threads) measured in `mode`, in plan order."""
    seen = []
    for (_, model, m, _, batch, threads) in rows:
        if m == mode and (model, batch, threads) not in seen:
            seen.append((model, batch, threads))
    return seen


def training_table(rows, mode="train"):
    lines = ["| model | batch | threads | slim img/s | PyTorch img/s | slim / PyTorch | slim ms/step "
             "| slim peak RSS MB | PyTorch peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for model, batch, threads in configs(rows, mode):
        get = lambda system, field="images_per_s": value(rows, system, model, mode, batch, threads, field)
        ours, theirs = get(("slim", "fp32")), get(("torch", "fp32"))
        lines.append(f"| {model} | {batch} | {threads} | {fmt(ours)} | {fmt(theirs)} | {ratio(ours, theirs)} "
                     f"| {fmt(get(('slim', 'fp32'), 'median_ms'), 2)} | {fmt(get(('slim', 'fp32'), 'peak_rss_mb'))} "
                     f"| {fmt(get(('torch', 'fp32'), 'peak_rss_mb'))} |")
    return lines


def qat_table(rows):
    """The QAT train step, slim against PyTorch, and slim's QAT step over its own FP32 step (ms / ms)."""
    lines = training_table(rows, "qat")
    lines[0] += " slim QAT ms / slim FP32 ms |"
    lines[1] += "---:|"
    for k, (model, batch, threads) in enumerate(configs(rows, "qat")):
        qat = value(rows, ("slim", "fp32"), model, "qat", batch, threads, "median_ms")
        fp32 = value(rows, ("slim", "fp32"), model, "train", batch, threads, "median_ms")
        lines[k + 2] += f" {ratio(qat, fp32)} |"
    return lines


def systems(rows):
    """SYSTEMS, and slim's integer-residual and 7-bit-weight INT8 where they were measured."""
    extra = [s for s in (RESIDUAL, SEVEN_BIT) if any(k[3] == s[1] for k in rows)]
    return SYSTEMS[:2] + extra + SYSTEMS[2:]


def inference_table(rows, batch, field):
    """field: 'median_ms' (latency) or 'images_per_s'; ratios are always of speed (images/s)."""
    unit = "ms" if field == "median_ms" else "img/s"
    columns = systems(rows)
    head = " | ".join(f"{NAMES[f]} {d} {unit}" for f, d in columns)
    lines = [f"| model | threads | {head} | slim int8 / ORT int8 | slim int8 / slim fp32 |",
             "|---|---:|" + "---:|" * (len(columns) + 2)]
    for model, b, threads in configs(rows, "infer"):
        if b != batch:
            continue
        get = lambda system, f=field: value(rows, system, model, "infer", batch, threads, f)
        cells = " | ".join(fmt(get(s), 2 if unit == "ms" else 1) for s in columns)
        speed = {s: get(s, "images_per_s") for s in columns}
        lines.append(f"| {model} | {threads} | {cells} | {ratio(speed[('slim', 'int8')], speed[('ort', 'int8')])} "
                     f"| {ratio(speed[('slim', 'int8')], speed[('slim', 'fp32')])} |")
    return lines


def memory_table(rows):
    columns = systems(rows)
    head = " | ".join(f"{NAMES[f]} {d}" for f, d in columns)
    lines = [f"| model | batch | threads | {head} |", "|---|---:|---:|" + "---:|" * len(columns)]
    for model, batch, threads in configs(rows, "infer"):
        cells = " | ".join(fmt(value(rows, s, model, "infer", batch, threads, "peak_rss_mb")) for s in columns)
        lines.append(f"| {model} | {batch} | {threads} | {cells} |")
    return lines


# A 2-thread run of a configuration at less than this multiple of its own 1-thread speed ran in a
# slow window of a shared machine (a noisy neighbour on the second core): its goal line says so.
SCALING_FLOOR = 1.15


def slow_window(rows, systems, model, mode, batch, threads):
    """The goal-line note naming the systems whose 2-thread run was no faster than their 1-thread one."""
    if threads != 2:
        return ""
    slow = []
    for system in systems:
        two, one = value(rows, system, model, mode, batch, 2), value(rows, system, model, mode, batch, 1)
        if two and one and two < SCALING_FLOOR * one:
            slow.append(f"{NAMES[system[0]]} {system[1]} {two / one:.2f}x")
    if not slow:
        return ""
    return f" [2 threads ran at {', '.join(slow)} the 1-thread speed: a slow window, measure again]"


def goal_lines(rows):
    lines = []
    for what, model, mode, batch, threads, num, den, target in GOALS:
        label = f"{what} ({model} batch {batch}, {threads} threads): {NAMES[num[0]]} {num[1]} >= {target}x {NAMES[den[0]]} {den[1]} images/s"
        if mode == "qat":
            label = f"{what} ({model} batch {batch}, {threads} threads): slim QAT >= {target}x PyTorch QAT images/s"
            if len(den) > 2:
                label = f"{what} ({model} batch {batch}, {threads} threads): slim QAT step <= {1 / target:.1f}x slim FP32 step"
        if batch == 1 and target == 1.0:
            label = f"{what} ({model}, {threads} threads): {NAMES[num[0]]} {num[1]} ms <= {NAMES[den[0]]} {den[1]} ms"
        a, b = value(rows, num, model, mode, batch, threads), value(rows, den, model, mode, batch, threads)
        if not a or not b:
            lines.append(f"- {label}: not measured.")
            continue
        # Several rounds: the median of the per-round ratios (each of two adjacent runs).
        ratios = round_ratios(rows, num, den, model, mode, batch, threads)
        speed = median(ratios) if len(ratios) > 1 else a / b
        rounds = f", median of {len(ratios)} rounds: " + " / ".join(f"{r:.2f}x" for r in ratios) if len(ratios) > 1 else ""
        verdict = ("met" if speed >= target else "NOT met") + slow_window(rows, (num, den), model, mode, batch, threads)
        if batch == 1:
            a_ms, b_ms = 1000 / a, 1000 / b
            lines.append(f"- {label}: {a_ms:.2f} vs {b_ms:.2f} ms (speed {speed:.2f}x{rounds}) -- {verdict}.")
        elif len(den) > 2:  # a step-time ratio: the numerator's ms over the denominator's
            lines.append(f"- {label}: {b / a:.2f}x ({1000 * batch / a:.1f} vs {1000 * batch / b:.1f} ms) -- {verdict}.")
        else:
            lines.append(f"- {label}: {speed:.2f}x ({a:,.1f} vs {b:,.1f}{rounds}) -- {verdict}.")
    return lines


def memory_goal_lines(rows):
    lines = []
    for what, model, batch, threads, num, den, factor in MEMORY_GOALS:
        label = f"{what} ({model} batch {batch}, {threads} threads): {NAMES[num[0]]} {num[1]} <= {factor}x {NAMES[den[0]]} {den[1]} MB"
        a, b = (value(rows, k, model, "infer", batch, threads, "peak_rss_mb") for k in (num, den))
        if not a or not b:
            lines.append(f"- {label}: not measured.")
            continue
        lines.append(f"- {label}: {a:.0f} vs {b:.0f} MB ({a / b:.2f}x) -- {'met' if a <= factor * b else 'NOT met'}.")
    return lines


def errors(rows):
    return [f"- {NAMES.get(k[0], k[0])} {' '.join(map(str, k[1:4]))} batch {k[4]}, {k[5]} thread(s)"
            f"{f' (round {n})' if n > 1 else ''}: {r['error']}"
            for k, runs in rows.items() for n, r in sorted(runs.items()) if "error" in r]


def real_loader_table(rows, real):
    """slim training on the real Fashion-MNIST loader (decode, transforms, batching on the prefetch
    thread) next to the same step on one synthetic batch: a slow loader shows as a ratio below 1."""
    lines = ["| model | batch | threads | synthetic img/s | real loader img/s | real / synthetic |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in real:
        if "error" in row:
            continue
        model, batch, threads = row["model"], int(row["batch"]), int(row["threads"])
        synthetic = value(rows, ("slim", "fp32"), model, "train", batch, threads)
        lines.append(f"| {model} | {batch} | {threads} | {fmt(synthetic)} | {fmt(row.get('images_per_s'))} "
                     f"| {ratio(row.get('images_per_s'), synthetic)} |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    header = os.path.join(args.out, "header.txt")
    if os.path.exists(header):
        print(open(header).read().rstrip())
    rows = index(read_lines(os.path.join(args.out, "slim.jsonl")), read_lines(os.path.join(args.out, "peers.jsonl")))
    sections = [("Training (FP32; images/s, higher is better)", training_table(rows))]
    if configs(rows, "qat"):
        sections.append(("Quantization-aware training (train step with fake quantization; images/s, higher is better)",
                         qat_table(rows)))
    real = read_lines(os.path.join(args.out, "slim_real.jsonl"))
    if real:
        sections.append(("slim training on the real data loader (Fashion-MNIST, prefetch thread; images/s)",
                         real_loader_table(rows, real)))
    for batch in sorted({b for (_, b, _) in configs(rows, "infer")}):
        field, what = ("median_ms", "median latency in ms, lower is better") if batch == 1 \
            else ("images_per_s", "images/s, higher is better")
        sections.append((f"Inference, batch {batch} ({what}; ratios are of speed, > 1 = slim int8 faster)",
                         inference_table(rows, batch, field)))
    sections.append(("Peak RSS of inference, MB (each configuration's own process; see the note)", memory_table(rows)))
    for title, lines in sections:
        print(f"\n{title}\n\n" + "\n".join(lines))
    print("\nGoals:\n" + "\n".join(goal_lines(rows) + memory_goal_lines(rows)))
    print("\nNote: peak RSS is the whole process: slim's includes building the model (for INT8, QAT calibration "
          "and lowering); PyTorch's its interpreter and imports (INT8: calibration and convert); ORT's loads a "
          "prepared ONNX file and imports no PyTorch.")
    problems = errors(rows)
    if problems:
        print("\nNot measured:\n" + "\n".join(problems))
    if args.note:
        print(f"\nNote: {args.note}.")


if __name__ == "__main__":
    main()
