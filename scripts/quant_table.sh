#!/usr/bin/env bash
# The PaddleSlim-style table: every QAT preset in strategies/ applied to one trained baseline, and
# optionally post-training quantization with each algorithm.
#   scripts/quant_table.sh SLIM MODEL_YAML BASELINE_DIR OUT_DIR [extra -o overrides for compress...]
# For each preset: compress from BASELINE_DIR, then eval the QAT eval model, the frozen float
# model and the int8 model; prints weight type x activation type -> FP32 / eval / float / int8
# (top-1 for a classifier, mAP(0.50) for a detector) and the sizes of the float and int8 weights.
# Environment: QUANT_PRESETS (default strategies/quant_*.yaml); PTQ_ALGOS (e.g. "abs_max avg hist
# KL mse mix": one `slim calibrate` row each, channel_wise_abs_max weights, eval = the fake-quant model).
set -euo pipefail
SLIM=$1; MODEL=$2; BASE=$3; OUT=$4; shift 4
mkdir -p "$OUT"
# The model's metric in percent: a detector's bbox_map, else a classifier's top1.
metric() {
  "$SLIM" eval --model_path "$1" -c "$MODEL" --output_eval "$2" >/dev/null
  awk -F: '/"bbox_map"/ { gsub(/[ ,]/, "", $2); m = $2 } /"top1"/ { gsub(/[ ,]/, "", $2); t = 100 * $2 }
           END { printf "%.2f\n", (m != "" ? m : t) }' "$2"
}
kib() { awk "BEGIN{printf \"%.1f KiB\", $(stat -c %s "$1")/1024}"; }
row() { printf '| %-20s | %-22s | %6s | %6s | %6s | %6s | %11s | %11s |' "$@"; }
fp32=$(metric "$BASE" "$OUT/fp32.json")
rows=()
for preset in ${QUANT_PRESETS:-strategies/quant_*.yaml}; do
  name=$(basename "$preset" .yaml)
  dir="$OUT/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  epochs=$(awk '/^  epoch:/{print $2}' "$preset")
  sed -e "s#\./output/#$dir/#" -e "s#checkpoint_path: .*#checkpoint_path: $dir/checkpoints/#" "$preset" > "$dir/slim.yaml"
  "$SLIM" compress -s "$dir/slim.yaml" -c "$MODEL" -o pretrain_weights="$BASE" "$@" > "$dir/compress.log" 2>&1
  last=$((epochs - 1))
  wtype=$(awk '/weight_quantize_type/{print $2}' "$preset"); atype=$(awk '/activation_quantize_type/{print $2}' "$preset")
  e=$(metric "$dir/checkpoints/$last/eval_model" "$dir/eval.json")
  f=$(metric "$dir/float" "$dir/float.json")
  i=$(metric "$dir/int8" "$dir/int8.json")
  rows+=("$(row "$wtype" "$atype" "$fp32" "$e" "$f" "$i" "$(kib "$dir/float/weights")" "$(kib "$dir/int8/weights")")")
  echo "done $name: eval $e float $f int8 $i" >&2
done
for algo in ${PTQ_ALGOS:-}; do
  dir="$OUT/ptq_$algo"
  rm -rf "$dir"
  "$SLIM" calibrate -c "$MODEL" --model_path "$BASE" --algo "$algo" --save_path "$dir" > "$OUT/ptq_$algo.log" 2>&1
  e=$(metric "$dir/eval_model" "$OUT/ptq_$algo.eval.json")
  f=$(metric "$dir/float" "$OUT/ptq_$algo.float.json")
  i=$(metric "$dir/int8" "$OUT/ptq_$algo.int8.json")
  rows+=("$(row "channel_wise_abs_max" "PTQ $algo" "$fp32" "$e" "$f" "$i" "$(kib "$dir/float/weights")" "$(kib "$dir/int8/weights")")")
  echo "done ptq $algo: eval $e float $f int8 $i" >&2
done
echo "| weight quantize type | activation quantize type | FP32 | eval | float | int8 | float weights | int8 weights |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
