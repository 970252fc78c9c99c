# slim: every install step lives here so a fresh machine (and CI) needs nothing else.
SHELL := /bin/bash
DEB_PACKAGES := libyaml-dev libdnnl-dev zlib1g-dev libpng-dev libjpeg-dev dataset-fashion-mnist pkg-config
SWIFT ?= swift
CONFIG ?= release
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SLIM := .build/$(CONFIG)/slim
export OMP_NUM_THREADS ?= 2
# Busy machines (CI, parallel builds): OpenMP threads sleep instead of spinning while they wait.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: all deps build test demo bench clean

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

## test: install what is missing, build, run every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## demo: the whole pipeline on Fashion-MNIST, then the accuracy and speed table.
demo: build
	@if [ -f scripts/demo.sh ]; then bash scripts/demo.sh $(SLIM); else \
	  echo "demo: the train -> compress -> freeze -> eval pipeline is not built yet in this version (see CHANGELOG.md)"; \
	  $(SLIM) --help; fi

## bench: speed of slim against the peers in bench/.
bench: build
	@if [ -f bench/run.sh ]; then bash bench/run.sh $(SLIM); else \
	  echo "bench: no benchmarks yet in this version (see CHANGELOG.md)"; fi

clean:
	rm -rf .build output checkpoints
