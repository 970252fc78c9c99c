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
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== 1/4 slim train ($TRAIN_EPOCHS epochs)"
"$SLIM" train -c "$MODEL" -o save_dir="$OUT" epoch="$TRAIN_EPOCHS"

echo "== 2/4 slim compress ($QAT_EPOCHS QAT epochs from the FP32 best)"
# The preset with this demo's paths and length (a slim YAML is the whole description of a run).
sed -e "s#end_epoch: .*#end_epoch: $((QAT_EPOCHS - 1))#" -e "s#epoch: 5#epoch: $QAT_EPOCHS#" \
    -e "s#\./output/#$OUT/quant/#" -e "s#checkpoint_path: .*#checkpoint_path: $OUT/checkpoints/#" "$PRESET" > "$OUT/slim.yaml"
"$SLIM" compress -s "$OUT/slim.yaml" -c "$MODEL" \
  -o pretrain_weights="$OUT/model/best" LearningRate.base_lr=0.001 "LearningRate.schedulers=[]"

last=$((QAT_EPOCHS - 1))
echo "== 3/4 slim freeze (checkpoint $last, again by hand, as a user picking an epoch would)"
"$SLIM" freeze --model_path "$OUT/checkpoints/$last/eval_model" --weight_quant_type abs_max --save_path "$OUT/freeze"

echo "== 4/4 slim eval of every variant"
row() { # name dir
  "$SLIM" eval --model_path "$2" -c "$MODEL" --output_eval "$OUT/$1.json" >/dev/null
  local size; size=$(du -cb "$2"/* | tail -1 | cut -f1)
  python3 - "$OUT/$1.json" "$1" "$size" <<'PY' 2>/dev/null || awk -v n="$1" -v s="$size" 'BEGIN{printf "%-10s %8s %8s %10.1f\n", n, "?", "?", s/1024}'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<10} {100*r['top1']:7.2f}% {100*r['top5']:7.2f}% {int(sys.argv[3])/1024:9.1f}K")
PY
}
printf '%-10s %8s %8s %10s\n' model top1 top5 size
row fp32 "$OUT/model/best"
row qat_eval "$OUT/checkpoints/$last/eval_model"
row float "$OUT/quant/float"
row int8 "$OUT/quant/int8"
echo
echo "== speed (slim bench, batch 64, infer)"
"$SLIM" bench --model "$OUT/model/best" --mode infer --batch 64 || true
"$SLIM" bench --model "$OUT/quant/int8" --mode infer --batch 64 || true
