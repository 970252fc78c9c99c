"""Where a `slim bench` step spends its time in oneDNN: runs slim with ONEDNN_VERBOSE=1 and sums the
`exec` lines' times per primitive (kind, implementation, propagation), per timed step.

Usage: dnnl_profile.py SLIM_BINARY [slim bench options...]   (e.g. --model mbv1 --mode train --threads 1)
The difference between the median step time and the oneDNN total is time spent outside oneDNN
(Swift loops, allocation, zero-filling, copies). Verbose logging adds a little time to every call.
"""
import collections
import json
import os
import subprocess
import sys


def main():
    slim, options = sys.argv[1], sys.argv[2:]
    steps = int(options[options.index("--steps") + 1]) if "--steps" in options else 20
    warmup = int(options[options.index("--warmup") + 1]) if "--warmup" in options else 5
    env = dict(os.environ, ONEDNN_VERBOSE="1")
    out = subprocess.run([slim, "bench", *options, "--json"], env=env, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    result = json.loads(next(l for l in lines if l.startswith("{")))
    execs = [l.split(",") for l in lines if l.startswith("onednn_verbose,exec,")]
    per_step = len(execs) // (steps + warmup)
    timed = execs[len(execs) - per_step * steps:]
    totals, counts = collections.Counter(), collections.Counter()
    for f in timed:
        name = f"{f[3]} {f[4]} {f[5]}"
        totals[name] += float(f[-1])
        counts[name] += 1
    total = sum(totals.values()) / steps
    print(f"median step {result['median_ms']:.2f} ms; oneDNN {total:.2f} ms in {per_step} calls per step; "
          f"outside oneDNN {result['median_ms'] - total:.2f} ms")
    for name, ms in totals.most_common(15):
        print(f"  {ms / steps:9.2f} ms  {counts[name] // steps:4d} calls  {name}")


if __name__ == "__main__":
    main()
