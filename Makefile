# ibplane — the two commands of the README are `make demo` and `make test`.
SWIFT        ?= swift
PYTHON       ?= python3
APT_PACKAGES := libgsl-dev libopenblas-dev liblapacke-dev zlib1g-dev libisal-dev
CONFIG       ?= release
BIN           = .build/$(CONFIG)/ibplane

.PHONY: deps pydeps build demo test bench clean

# Installs the native libraries when missing (as root), or prints the exact command.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

# numpy is used only by test oracles and benchmark peers under Tests/ and bench/, never at run time.
pydeps:
	@$(PYTHON) -c "import numpy" 2>/dev/null || $(PYTHON) -m pip install --quiet numpy

build: deps
	$(SWIFT) build -c $(CONFIG) --product ibplane

# The main job on the bundled default data.
demo: build
	@./scripts/demo.sh $(BIN)

# Every test: unit, ground truth, round trip, bad input, end to end; then 20 s of libFuzzer on
# each reader of user files (scripts/fuzz: activations.bin, .npy, .npz, .npy folders; a crash,
# hang, oversized allocation or failed harness property fails the target).
test: deps pydeps
	$(SWIFT) build -c $(CONFIG) --product ibplane
	$(SWIFT) test -c $(CONFIG)
	./scripts/fuzz --all 20

# Release-mode benchmarks; each prints ratios against a reference run in the same process or script.
bench: deps pydeps
	$(SWIFT) build -c release --product ibplane-bench
	.build/release/ibplane-bench
	$(SWIFT) build -c release --product ibplane
	$(PYTHON) bench/gaussian_estimator.py .build/release/ibplane
	$(PYTHON) bench/bench_binning_kde.py --snapshots 274 --idnns-snapshots 6 --kde-snapshots 2
	$(PYTHON) bench/plane_binning_vs_idnns.py .build/release/ibplane

clean:
	rm -rf .build
