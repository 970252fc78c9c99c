#!/usr/bin/env bash
# The PaddleSlim-style table: every QAT preset in strategies/ applied to one trained baseline.
#   scripts/quant_table.sh SLIM MODEL_YAML BASELINE_DIR OUT_DIR [extra -o overrides for compress...]
# For each preset: compress from BASELINE_DIR, then eval the QAT eval model, the frozen float
# model and the int8 model; prints weight type x activation type -> FP32 / eval / float / int8
# top-1 and the sizes of the float and int8 weights files.
set -euo pipefail
SLIM=$1; MODEL=$2; BASE=$3; OUT=$4; shift 4
mkdir -p "$OUT"
top1() {
  "$SLIM" eval --model_path "$1" -c "$MODEL" --output_eval "$2" >/dev/null
  awk -F: '/"top1"/ { gsub(/[ ,]/, "", $2); printf "%.2f\n", 100 * $2 }' "$2"
}
fp32=$(top1 "$BASE" "$OUT/fp32.json")
rows=()
for preset in strategies/quant_*.yaml; do
  name=$(basename "$preset" .yaml)
  dir="$OUT/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  epochs=$(awk '/^  epoch:/{print $2}' "$preset")
  sed -e "s#\./output/#$dir/#" -e "s#checkpoint_path: .*#checkpoint_path: $dir/checkpoints/#" "$preset" > "$dir/slim.yaml"
  "$SLIM" compress -s "$dir/slim.yaml" -c "$MODEL" -o pretrain_weights="$BASE" "$@" > "$dir/compress.log" 2>&1
  last=$((epochs - 1))
  wtype=$(awk '/weight_quantize_type/{print $2}' "$preset"); atype=$(awk '/activation_quantize_type/{print $2}' "$preset")
  e=$(top1 "$dir/checkpoints/$last/eval_model" "$dir/eval.json")
  f=$(top1 "$dir/float" "$dir/float.json")
  i=$(top1 "$dir/int8" "$dir/int8.json")
  fs=$(stat -c %s "$dir/float/weights"); is=$(stat -c %s "$dir/int8/weights")
  rows+=("$(printf '| %-20s | %-22s | %6s | %6s | %6s | %6s | %7.1f KiB | %7.1f KiB |' "$wtype" "$atype" "$fp32" "$e" "$f" "$i" "$(awk "BEGIN{print $fs/1024}")" "$(awk "BEGIN{print $is/1024}")")")
  echo "done $name: eval $e float $f int8 $i" >&2
done
echo "| weight quantize type | activation quantize type | FP32 | eval | float | int8 | float weights | int8 weights |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
