#!/usr/bin/env bash
# Creates bench/.venv with the peers slim is compared against: PyTorch CPU (from a local wheel in
# /opt/wheels or $BENCH_TORCH_WHEEL, never PyPI's default CUDA build) plus onnx, onnxruntime, numpy
# and pillow. With --onnx (`make onnx-venv`), only onnx, onnxruntime, numpy and pillow: what the
# ONNX Runtime checks need.
# Exit 0 when the venv is usable, non-zero (with a reason on stderr) when it cannot be made.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${BENCH_VENV:-$HERE/.venv}
PY=${PYTHON:-python3}
ONNX_PACKAGES=(onnx onnxruntime numpy pillow)
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)

usable() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import torch, onnx, onnxruntime, numpy" 2>/dev/null; }
onnx_usable() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import onnx, onnxruntime, numpy, PIL" 2>/dev/null; }

# Makes the venv unless it exists (a failed attempt leaves none behind).
make_venv() {
  [ -x "$VENV/bin/python" ] && return 0
  command -v "$PY" >/dev/null || { echo "setup_venv: no $PY on PATH" >&2; return 1; }
  "$PY" -m venv "$VENV" || { echo "setup_venv: '$PY -m venv' failed (install python3-venv)" >&2; rm -rf "$VENV"; return 1; }
}

if [ "${1:-}" = --onnx ]; then
  if onnx_usable; then echo "onnx-venv: $VENV has onnx, onnxruntime, numpy and pillow"; exit 0; fi
  echo "onnx-venv: installing ${ONNX_PACKAGES[*]} into $VENV"
  make_venv || exit 1
  "${PIP[@]}" "${ONNX_PACKAGES[@]}" || { echo "setup_venv: installing ${ONNX_PACKAGES[*]} failed" >&2; exit 1; }
  onnx_usable || { echo "setup_venv: the venv at $VENV cannot import onnx, onnxruntime, numpy and PIL" >&2; exit 1; }
  exit 0
fi

MODELS=$HERE/models
OCR_FILES="ch_PP-OCRv4_det_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx"
# Pretrained PP-OCR models for the `slim import` test on real weights: the .onnx files of PyPI's
# rapidocr-onnxruntime 1.4.4 wheel (downloaded without its dependencies, nothing installed),
# unpacked into bench/models/ (gitignored). Optional: without them that test skips.
ocr_models() {
  local missing=0 f tmp
  for f in $OCR_FILES; do [ -f "$MODELS/$f" ] || missing=1; done
  [ "$missing" = 0 ] && return 0
  tmp=$(mktemp -d) || return 0
  if "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps rapidocr-onnxruntime==1.4.4 -d "$tmp" >/dev/null 2>&1; then
    mkdir -p "$MODELS"
    "$VENV/bin/python" - "$MODELS" "$tmp"/rapidocr_onnxruntime-*.whl $OCR_FILES <<'PY' || echo "setup_venv: note: unpacking the PP-OCR models failed" >&2
import os, sys, zipfile
out, wheel, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        data = z.read(f"rapidocr_onnxruntime/models/{name}")
        with open(os.path.join(out, name + ".part"), "wb") as f:
            f.write(data)
        os.replace(os.path.join(out, name + ".part"), os.path.join(out, name))
PY
  else
    echo "setup_venv: note: could not download rapidocr-onnxruntime (the pretrained-model import test will skip)" >&2
  fi
  rm -rf "$tmp"
  return 0
}

if usable; then ocr_models; exit 0; fi
make_venv || exit 1
wheel=${BENCH_TORCH_WHEEL:-$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -n 1)}
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
  # PyPI's default torch wheel pulls gigabytes of CUDA libraries: only a local CPU wheel is used.
  echo "setup_venv: no PyTorch CPU wheel (looked for /opt/wheels/torch-*.whl; set BENCH_TORCH_WHEEL=path)" >&2
  exit 1
fi
"${PIP[@]}" "$wheel" || { echo "setup_venv: installing $wheel failed" >&2; exit 1; }
"${PIP[@]}" "${ONNX_PACKAGES[@]}" || { echo "setup_venv: installing ${ONNX_PACKAGES[*]} failed" >&2; exit 1; }
# The dynamo-based ONNX exporter of recent torch needs onnxscript; optional (the legacy exporter is tried first).
"${PIP[@]}" onnxscript >/dev/null 2>&1 || true
usable || { echo "setup_venv: the venv at $VENV cannot import torch, onnx, onnxruntime and numpy" >&2; exit 1; }
ocr_models
