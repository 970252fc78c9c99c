#!/usr/bin/env bash
# Creates bench/.venv with the peers slim is compared against: PyTorch CPU (from a local wheel in
# /opt/wheels or $BENCH_TORCH_WHEEL, never PyPI's default CUDA build) plus onnx, onnxruntime and numpy.
# Exit 0 when the venv is usable, non-zero (with a reason on stderr) when it cannot be made.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${BENCH_VENV:-$HERE/.venv}
PY=${PYTHON:-python3}

usable() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import torch, onnx, onnxruntime, numpy" 2>/dev/null; }

if usable; then exit 0; fi
command -v "$PY" >/dev/null || { echo "setup_venv: no $PY on PATH" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV" || { echo "setup_venv: '$PY -m venv' failed (install python3-venv)" >&2; rm -rf "$VENV"; exit 1; }
fi
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
wheel=${BENCH_TORCH_WHEEL:-$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -n 1)}
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
  # PyPI's default torch wheel pulls gigabytes of CUDA libraries: only a local CPU wheel is used.
  echo "setup_venv: no PyTorch CPU wheel (looked for /opt/wheels/torch-*.whl; set BENCH_TORCH_WHEEL=path)" >&2
  exit 1
fi
"${PIP[@]}" "$wheel" || { echo "setup_venv: installing $wheel failed" >&2; exit 1; }
"${PIP[@]}" numpy onnx onnxruntime || { echo "setup_venv: installing onnx/onnxruntime/numpy failed" >&2; exit 1; }
# The dynamo-based ONNX exporter of recent torch needs onnxscript; optional (the legacy exporter is tried first).
"${PIP[@]}" onnxscript >/dev/null 2>&1 || true
usable || { echo "setup_venv: the venv at $VENV cannot import torch, onnx, onnxruntime and numpy" >&2; exit 1; }
