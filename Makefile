# slim: every install step lives here so a fresh machine (and CI) needs nothing else.
SHELL := /bin/bash
DEB_PACKAGES := libyaml-dev libdnnl-dev zlib1g-dev libpng-dev libjpeg-dev libxml2 dataset-fashion-mnist pkg-config libopenmpi-dev openmpi-bin
SWIFT ?= swift
CONFIG ?= release
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SLIM := .build/$(CONFIG)/slim
TEST_LOGS := .build/test-logs
export OMP_NUM_THREADS ?= 2
# Busy machines (CI, parallel builds): OpenMP threads sleep instead of spinning while they wait.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: all deps build test demo bench clean onnx-proto onnx-venv onnx-check

all: build

## deps: install the Debian packages that are missing (apt-get, with sudo when not root).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "Debian packages: all present"; fi

## build: the slim binary (release).
build: deps
	$(SWIFT) build -c $(CONFIG) --product slim

## test: install what is missing, build, run every test (on AVX-512 hosts the kernel tests once more
## as AVX2). The ONNX Runtime venv is made first when it can be; without it the ONNX Runtime checks
## are skipped (said in the test output), not failed; under CI=true (set by CI) a venv that cannot be
## made fails `make test`, and so does the check.
test: deps
	@$(MAKE) --no-print-directory onnx-venv || { \
	  if [ "$${CI:-}" = true ]; then echo "make test: CI=true and no ONNX Runtime venv at $(VENV): failing" >&2; exit 1; fi; \
	  echo "make test: no ONNX Runtime venv at $(VENV); the ONNX Runtime checks will be skipped"; }
	@# PyTorch (from a local CPU wheel, when the machine has one) and the PP-OCR models for the import checks.
	@bash bench/setup_venv.sh || echo "make test: no PyTorch in $(VENV); the PyTorch import check will be skipped"
	$(SWIFT) build --build-tests
	@rm -f $(TEST_LOGS)/*.log; mkdir -p $(TEST_LOGS)
	set -o pipefail; $(SWIFT) test --skip-build 2>&1 | tee $(TEST_LOGS)/all.log
	@# On an AVX-512 host the kernel and quantization tests run again with oneDNN held to AVX2
	@# (8-channel blocks, the u8s8 int8 path), so both kinds of CI host are checked on either.
	@set -o pipefail; if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then \
	  echo "make test: again with ONEDNN_MAX_CPU_ISA=AVX2 (SlimTensorTests, SlimQuantTests)"; \
	  ONEDNN_MAX_CPU_ISA=AVX2 $(SWIFT) test --skip-build --filter 'SlimTensorTests|SlimQuantTests' 2>&1 | tee $(TEST_LOGS)/avx2.log; \
	fi
	@bash scripts/test_summary.sh $(TEST_LOGS)/*.log

## demo: the whole pipeline on Fashion-MNIST, then the accuracy and speed table.
demo: build
	bash scripts/demo.sh $(SLIM)

## bench: speed of slim against the peers in bench/.
bench: build
	bash bench/run.sh $(SLIM)

## onnx-venv: $(VENV) with onnx, onnxruntime, numpy and pillow (bench/onnx_check.py; bench/setup_venv.sh adds torch to it).
VENV := bench/.venv
onnx-venv:
	@if [ -x $(VENV)/bin/python ] && $(VENV)/bin/python -c "import onnx, onnxruntime, numpy, PIL" 2>/dev/null; then \
	  echo "onnx-venv: $(VENV) has onnx, onnxruntime, numpy and pillow"; \
	else \
	  echo "onnx-venv: installing onnx onnxruntime numpy pillow into $(VENV)"; \
	  { [ -x $(VENV)/bin/python ] || python3 -m venv $(VENV) || { rm -rf $(VENV); false; }; } && \
	  $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check onnx onnxruntime numpy pillow && \
	  $(VENV)/bin/python -c "import onnx, onnxruntime, numpy, PIL"; \
	fi

## onnx-check: export LeNet-5 (float and QDQ int8) and compare ONNX Runtime with slim on the whole test set.
onnx-check: build
	@$(MAKE) --no-print-directory onnx-venv
	bash bench/onnx_agreement.sh $(SLIM)

## onnx-proto: regenerate Sources/SlimONNX/Generated/onnx.pb.swift from onnx.proto with protoc (Debian
## protobuf-compiler) and protoc-gen-swift built from swift-protobuf $(SWIFT_PROTOBUF_VERSION) in
## $(PROTO_SCRATCH) (never part of the package build). ONNX_PROTO=path/onnx.proto picks another copy
## (e.g. the onnx wheel's site-packages/onnx/onnx.proto).
SWIFT_PROTOBUF_VERSION := 1.39.0
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
PROTO_SCRATCH ?= .build-protoc
ONNX_PB_SWIFT := Sources/SlimONNX/Generated/onnx.pb.swift
PROTOC_GEN_SWIFT := $(PROTO_SCRATCH)/swift-protobuf/.build/release/protoc-gen-swift
onnx-proto:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="protobuf-compiler libonnx-dev"
	@[ -d $(PROTO_SCRATCH)/swift-protobuf ] || git -c advice.detachedHead=false clone --quiet --branch $(SWIFT_PROTOBUF_VERSION) \
	  https://github.com/apple/swift-protobuf $(PROTO_SCRATCH)/swift-protobuf
	$(SWIFT) build -c release --package-path $(PROTO_SCRATCH)/swift-protobuf --product protoc-gen-swift
	rm -rf $(PROTO_SCRATCH)/out && mkdir -p $(PROTO_SCRATCH)/out $(dir $(ONNX_PB_SWIFT))
	protoc --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Internal \
	  --swift_out=$(PROTO_SCRATCH)/out -I $(dir $(ONNX_PROTO)) $(notdir $(ONNX_PROTO))
	@{ echo "// Generated by \`make onnx-proto\` (Makefile); do not edit, regenerate."; \
	  echo "//   $$(protoc --version) (Debian protobuf-compiler $$(dpkg-query -W -f='$${Version}' protobuf-compiler 2>/dev/null))"; \
	  echo "//   protoc-gen-swift $$($(PROTOC_GEN_SWIFT) --version | sed 's/.* //') built from apple/swift-protobuf tag $(SWIFT_PROTOBUF_VERSION)"; \
	  echo "//   input: $(ONNX_PROTO)$$(dpkg -S $(ONNX_PROTO) >/dev/null 2>&1 && echo " (Debian libonnx-dev $$(dpkg-query -W -f='$${Version}' libonnx-dev))")"; \
	  echo "//   protoc --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Internal \\"; \
	  echo "//     --swift_out=$(PROTO_SCRATCH)/out -I $(dir $(ONNX_PROTO)) $(notdir $(ONNX_PROTO))"; \
	  echo "//"; cat $(PROTO_SCRATCH)/out/$(basename $(notdir $(ONNX_PROTO))).pb.swift; } > $(ONNX_PB_SWIFT)
	@echo "onnx-proto: wrote $(ONNX_PB_SWIFT)"

clean:
	rm -rf .build output checkpoints
