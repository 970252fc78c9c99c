#!/usr/bin/env bash
# `make bench`: slim against PyTorch and ONNX Runtime on the same models and configurations.
#
#   bash bench/run.sh [path/to/slim]        (default .build/release/slim)
#
# Environment: BENCH_THREADS (default "1 2"), BENCH_PLAN (default bench/plan.txt),
# BENCH_OUT (directory for the raw JSON lines; default a fresh temporary directory),
# BENCH_NO_PEERS=1 (measure slim alone), BENCH_VENV (default bench/.venv), BENCH_ROUNDS (default 3:
# the inference rows of the models in BENCH_REPEAT, default "mbv1 resnet20", measured that many
# times at the largest thread count, slim then ONNX Runtime each time; the report takes medians).
# Every configuration runs in a fresh process, slim's and each peer's (bench/peers.py starts
# bench/peer_measure.py per configuration), so each peak RSS is its own; the peers of a
# configuration run right after slim's. The peers' ONNX files (FP32
# export and its QDQ INT8 quantize_static) are made once in $BENCH_OUT/onnx. Nothing here fails on
# speed: it measures and prints.
set -u
# As `make bench` does: OpenMP threads sleep instead of spinning while they wait (a busy machine).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
# ... spinning briefly before they sleep (slim's default; libgomp peers get the same).
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
SLIM=${1:-.build/release/slim}
PLAN=${BENCH_PLAN:-$HERE/plan.txt}
THREADS=${BENCH_THREADS:-1 2}
OUT=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/slim-bench.XXXXXX")}
mkdir -p "$OUT" "$OUT/models"
: > "$OUT/slim.jsonl"; : > "$OUT/slim_real.jsonl"; : > "$OUT/peers.jsonl"; : > "$OUT/log.txt"

[ -x "$SLIM" ] || { echo "bench: no slim binary at $SLIM (run 'make build' first)" >&2; exit 1; }

peers=1; peers_note=""
if [ "${BENCH_NO_PEERS:-0}" = 1 ]; then
  peers=0; peers_note="peers skipped (BENCH_NO_PEERS=1)"
elif ! bash "$HERE/setup_venv.sh" 2>>"$OUT/log.txt"; then
  peers=0; peers_note="peers skipped: the Python venv could not be made ($(tail -n 1 "$OUT/log.txt"))"
fi
PYTHON="${BENCH_VENV:-$HERE/.venv}/bin/python"; [ $peers = 1 ] || PYTHON=$(command -v python3 || true)

{
  echo "# slim bench, $(date -u +%Y-%m-%d)"
  avx=""; for f in avx512_vnni avx512f avx2; do grep -qw "$f" /proc/cpuinfo 2>/dev/null && { avx=$f; break; }; done
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')${avx:+ ($avx)}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null)"
  echo "# slim $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?')$([ $peers = 1 ] && "$PYTHON" -c 'import torch, onnxruntime; print(f", torch {torch.__version__}, onnxruntime {onnxruntime.__version__}")' 2>/dev/null)"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (other work on the machine slows 2-thread runs most)"
  echo "# method: per configuration, warm-up steps then the median of timed steps (bench/plan.txt); a fresh process each; the peers right after slim; ${BENCH_ROUNDS:-3} rounds of the ${BENCH_REPEAT:-mbv1 resnet20} inference rows at ${THREADS##* } threads (slim, then ORT; tables and goals give the median)"
  echo "# QAT: slim = the train step after QuantizationTransformPass (channel_wise_abs_max weights, moving_average_abs_max activations, 8 bits); PyTorch = eager-mode QAT (fuse_modules_qat conv+bn+relu, x86 default QAT qconfig, prepare_qat)"
  echo "# slim inference: the model saved by slim bench --save_model (FP32 inference program; INT8 as slim freeze writes int8/; the detector's cut at its three head outputs), loaded from disk with --model DIR"
  echo "# INT8 peers: ORT = quantize_static QDQ, per-channel s8 weights, u8 activations, MinMax on 4 batches; PyTorch = eager-mode static quantization (fused conv+bn+relu, x86 engine), 4 calibration batches, convert"
} > "$OUT/header.txt"
echo "bench: measuring into $OUT (about 20-25 minutes on 2 cores)" >&2
[ -n "$peers_note" ] && echo "bench: $peers_note"

plan_lines() { grep -v '^[[:space:]]*#' "$PLAN" | grep -v '^[[:space:]]*$'; }

# One plan line at $t threads: slim's run, then the peers'. Round 1 (the whole plan, each thread
# count) runs PyTorch and ONNX Runtime; a later round (BENCH_ROUNDS) repeats only what the goal
# lines compare at the largest thread count, with ONNX Runtime alone, and tags every line with it.
measure() {
  local t=$1 round=$2 model=$3 mode=$4 dtype=$5 batch=$6 steps=$7 warmup=$8 size=${9:-}
  local tag="" peer_flags="" peer_names="PyTorch and ONNX Runtime" step=""
  [ "$round" = 1 ] || { tag=", \"round\": $round"; peer_flags=--no-torch; peer_names="ONNX Runtime"; step="round $round: "; }
  local target sizing run_dtype variant reason line
  echo "bench: ${step}slim $model $mode $dtype batch $batch${size:+ ${size}px}, $t thread(s)" >&2
  # Inference runs the model saved to disk (as ONNX Runtime loads its file), so the peak RSS is
  # of loading and running it, not of building and quantizing it.
  target=$model; sizing=${size:+--image_size $size}
  # dtype int8_residual: the INT8 model saved with --int8_residual (shortcuts summed as 8-bit integers)
  run_dtype=$dtype; variant=""
  [ "$dtype" = int8_residual ] && { run_dtype=int8; variant=--int8_residual; }
  # dtype int8_w7: the INT8 model saved with 7-bit weights (signed activations in one convolution without VNNI)
  [ "$dtype" = int8_w7 ] && { run_dtype=int8; variant="--weight_bits 7"; }
  if [ "$mode" = infer ]; then
    target="$OUT/models/${model}${size:+_$size}_${dtype}"
    [ -d "$target" ] || OMP_NUM_THREADS=$t "$SLIM" bench --model "$model" --mode infer --dtype "$run_dtype" $variant --batch 1 --steps 1 \
      --warmup 0 --threads "$t" $sizing --save_model "$target" >/dev/null 2>>"$OUT/log.txt" || target=$model
    [ "$target" = "$model" ] || sizing=""   # a saved model has its own image size
  fi
  if ! OMP_NUM_THREADS=$t "$SLIM" bench --model "$target" --mode "$mode" --dtype "$run_dtype" --batch "$batch" \
      --threads "$t" --steps "$steps" --warmup "$warmup" $sizing --json >"$OUT/one.json" 2>"$OUT/err.txt"; then
    reason=$(grep -m1 'error' "$OUT/err.txt" | sed 's/^error: //' | tr -d '"\\')
    printf '{"framework": "slim", "model": "%s", "mode": "%s", "dtype": "%s", "batch": %s, "threads": %s%s, "error": "%s"}\n' \
      "$model" "$mode" "$dtype" "$batch" "$t" "${size:+, \"image_size\": $size}$tag" "${reason:-failed}" >>"$OUT/slim.jsonl"
  else
    # the name, not the saved directory; a saved detector's line gets its image size back
    line=$(sed -e "s|\"model\": \"[^\"]*\"|\"model\": \"$model\"|" -e "s|\"dtype\": \"[^\"]*\"|\"dtype\": \"$dtype\"|" "$OUT/one.json")
    if [ -n "$size" ] && [[ $line != *image_size* ]]; then line="${line%\}}, \"image_size\": $size}"; fi
    echo "${line%\}}$tag}" >>"$OUT/slim.jsonl"
  fi
  cat "$OUT/err.txt" >>"$OUT/log.txt"
  # The peers of this configuration right after slim's run: the machine's speed drifts over the
  # minutes a whole plan takes (a VM's neighbours), so ratios come from adjacent measurements.
  if [ $peers = 1 ] && [ "$dtype" != int8_residual ] && [ "$dtype" != int8_w7 ]; then
    echo "bench: ${step}$peer_names $model $mode $dtype batch $batch${size:+ ${size}px}, $t thread(s)" >&2
    echo "$model $mode $dtype $batch $steps $warmup $size" | OMP_NUM_THREADS=$t "$PYTHON" "$HERE/peers.py" --threads "$t" \
      --onnx-dir "$OUT/onnx" $peer_flags >"$OUT/peers_one.jsonl" 2>>"$OUT/log.txt" \
      || echo "bench: the peers failed for $model $mode $dtype batch $batch at $t thread(s); see $OUT/log.txt" >&2
    sed "s/}\$/$tag}/" "$OUT/peers_one.jsonl" >>"$OUT/peers.jsonl"
  fi
}

for t in $THREADS; do
  while read -r model mode dtype batch steps warmup size; do
    measure "$t" 1 "$model" "$mode" "$dtype" "$batch" "$steps" "$warmup" "$size"
  done < <(plan_lines)
  # The same LeNet training step fed by the real loader (IDX decode, transforms, prefetch thread).
  echo "bench: slim lenet train fp32 batch 64 on the real Fashion-MNIST loader, $t thread(s)" >&2
  OMP_NUM_THREADS=$t "$SLIM" bench --model lenet --mode train --batch 64 --threads "$t" --steps 30 --warmup 5 \
    --data real --json >>"$OUT/slim_real.jsonl" 2>>"$OUT/log.txt" || echo "bench: the real-loader run failed; see $OUT/log.txt" >&2
done

# Later rounds: the configurations the goal lines compare (the inference of BENCH_REPEAT's models
# at the largest thread count), slim then ONNX Runtime again. A goal's ratio is then the median of
# pairs measured minutes apart, not one pair taken in whatever window the machine was in.
last_threads=${THREADS##* }
for round in $(seq 2 "${BENCH_ROUNDS:-3}"); do
  while read -r model mode dtype batch steps warmup size; do
    [ "$mode" = infer ] && [[ " ${BENCH_REPEAT:-mbv1 resnet20} " == *" $model "* ]] || continue
    measure "$last_threads" "$round" "$model" "$mode" "$dtype" "$batch" "$steps" "$warmup" "$size"
  done < <(plan_lines)
done

if [ -n "$PYTHON" ]; then
  "$PYTHON" "$HERE/report.py" "$OUT" ${peers_note:+--note "$peers_note"} | tee "$OUT/table.md"
else
  echo "bench: no python3 for the table; raw results:"; cat "$OUT/slim.jsonl"
fi
echo "raw results: $OUT"
