#!/usr/bin/env bash
# The whole slim pipeline on Fashion-MNIST with LeNet-5:
#   train (FP32 baseline) -> compress (QAT, default preset) -> freeze (float + int8) -> eval of every variant,
# then a table of accuracy, model size and speed. Run through `make demo`.
set -euo pipefail
SLIM=${1:-.build/release/slim}
OUT=${DEMO_DIR:-output/demo}
MODEL=examples/lenet_fashion_mnist/model.yml
PRESET=strategies/quant_abs_max_moving_average.yaml
TRAIN_EPOCHS=${DEMO_TRAIN_EPOCHS:-3}
QAT_EPOCHS=${DEMO_QAT_EPOCHS:-2}
# Batches per QAT epoch; DEMO_TRAIN_ITERS shortens the FP32 epochs too (a quick smoke run).
QAT_ITERS=${DEMO_QAT_ITERS:-150}
TRAIN_ITERS=${DEMO_TRAIN_ITERS:+max_iters=$DEMO_TRAIN_ITERS}
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== 1/4 slim train ($TRAIN_EPOCHS epochs)"
"$SLIM" train -c "$MODEL" -o save_dir="$OUT" epoch="$TRAIN_EPOCHS" $TRAIN_ITERS

echo "== 2/4 slim compress ($QAT_EPOCHS QAT epochs from the FP32 best)"
# The preset with this demo's paths and length (a slim YAML is the whole description of a run).
sed -e "s#end_epoch: .*#end_epoch: $((QAT_EPOCHS - 1))#" -e "s#epoch: 5#epoch: $QAT_EPOCHS#" \
    -e "s#\./output/#$OUT/quant/#" -e "s#checkpoint_path: .*#checkpoint_path: $OUT/checkpoints/#" "$PRESET" > "$OUT/slim.yaml"
"$SLIM" compress -s "$OUT/slim.yaml" -c "$MODEL" \
  -o pretrain_weights="$OUT/model/best" LearningRate.base_lr=0.001 "LearningRate.schedulers=[]" max_iters="$QAT_ITERS"

last=$((QAT_EPOCHS - 1))
echo "== 3/4 slim freeze (checkpoint $last, again by hand, as a user picking an epoch would)"
"$SLIM" freeze --model_path "$OUT/checkpoints/$last/eval_model" --weight_quant_type abs_max --save_path "$OUT/freeze"

echo "== 4/4 slim eval of every variant"
row() { # name dir
  local line size
  # The result line (an INT8 eval on a CPU without VNNI prints a note after it).
  line=$("$SLIM" eval --model_path "$2" -c "$MODEL" --output_eval "$OUT/$1.json" | grep ' top1 ' | tail -1)
  size=$(du -cb "$2"/* | tail -1 | cut -f1)
  echo "$line" | awk -v n="$1" -v s="$size" '{for (i = 1; i < NF; i++) { if ($i == "top1") t1 = $(i+1); if ($i == "top5") t5 = $(i+1) }
    printf "%-10s %7.2f%% %7.2f%% %9.1fK\n", n, 100 * t1, 100 * t5, s / 1024}'
}
printf '%-10s %8s %8s %10s\n' model top1 top5 size
row fp32 "$OUT/model/best"
row qat_eval "$OUT/checkpoints/$last/eval_model"
row float "$OUT/quant/float"
row int8 "$OUT/quant/int8"
echo
echo "== speed (slim bench, inference, batch 64 and batch 1)"
printf '%-10s %6s %12s %12s %10s\n' model batch "median ms" "images/s" "peak MB"
for spec in "fp32 $OUT/model/best fp32" "int8 $OUT/quant/int8 int8"; do
  set -- $spec
  for batch in 64 1; do
    "$SLIM" bench --model "$2" --mode infer --dtype "$3" --batch "$batch" --json 2>/dev/null | tail -1 | \
      awk -v n="$1" -v b="$batch" -F'[:,}]' '{for (i = 1; i < NF; i++) { k = $i; gsub(/[ "{]/, "", k); v[k] = $(i+1) }
        printf "%-10s %6d %12.3f %12.1f %10.1f\n", n, b, v["median_ms"], v["images_per_s"], v["peak_rss_mb"]}'
  done
done
