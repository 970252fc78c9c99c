#!/usr/bin/env bash
# `make onnx-check`: LeNet-5 on Fashion-MNIST trained, quantized (QAT) and frozen by slim, exported
# with `slim export`, run in ONNX Runtime on the whole test set, top-1 compared with slim's own.
#
#   bash bench/onnx_agreement.sh [path/to/slim]      (default .build/release/slim)
#
# Environment: ONNX_CHECK_DIR (default output/onnx-check), ONNX_CHECK_TRAIN_EPOCHS (2),
# ONNX_CHECK_QAT_EPOCHS (1), ONNX_CHECK_PRESETS (the strategies/ presets to quantize with).
# Needs bench/.venv with onnx, onnxruntime and numpy (`make onnx-venv`).
set -euo pipefail
SLIM=${1:-.build/release/slim}
OUT=${ONNX_CHECK_DIR:-output/onnx-check}
MODEL=examples/lenet_fashion_mnist/model.yml
TRAIN_EPOCHS=${ONNX_CHECK_TRAIN_EPOCHS:-2}
QAT_EPOCHS=${ONNX_CHECK_QAT_EPOCHS:-1}
PRESETS=${ONNX_CHECK_PRESETS:-quant_abs_max_moving_average quant_channel_wise_abs_max}
PY=bench/.venv/bin/python
[ -x "$PY" ] || { echo "onnx-check: no $PY (run make onnx-venv)" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"

echo "== slim train ($TRAIN_EPOCHS epochs)"
"$SLIM" train -c "$MODEL" -o save_dir="$OUT" epoch="$TRAIN_EPOCHS"

models=("fp32 $OUT/model/best 0.999")
for preset in $PRESETS; do
  echo "== slim compress $preset ($QAT_EPOCHS QAT epochs from the FP32 best)"
  sed -e "s#end_epoch: .*#end_epoch: $((QAT_EPOCHS - 1))#" -e "s#epoch: 5#epoch: $QAT_EPOCHS#" \
      -e "s#\./output/#$OUT/$preset/#" -e "s#checkpoint_path: .*#checkpoint_path: $OUT/$preset/checkpoints/#" \
      "strategies/$preset.yaml" > "$OUT/$preset.yaml"
  "$SLIM" compress -s "$OUT/$preset.yaml" -c "$MODEL" \
    -o pretrain_weights="$OUT/model/best" LearningRate.base_lr=0.001 "LearningRate.schedulers=[]"
  models+=("$preset/float $OUT/$preset/float 0.995" "$preset/int8 $OUT/$preset/int8 0.995")
done

echo "== slim export + slim eval --output_predictions + ONNX Runtime (10000 test images each)"
status=0
for entry in "${models[@]}"; do
  read -r name dir threshold <<<"$entry"
  file="$OUT/$(echo "$name" | tr / _)"
  "$SLIM" export --model_path "$dir" --format onnx --output "$file.onnx"
  "$SLIM" eval --model_path "$dir" -c "$MODEL" --output_predictions "$file.jsonl" >/dev/null
  "$PY" bench/onnx_check.py --model "$file.onnx" --predictions "$file.jsonl" --batch 256 \
    --min-agreement "$threshold" || status=1
done
exit $status
