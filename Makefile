# ibplane — the two commands of the README are `make demo` and `make test`.
SWIFT        ?= swift
PYTHON       ?= python3
APT_PACKAGES := libgsl-dev libopenblas-dev liblapacke-dev zlib1g-dev libisal-dev
# Tools the tests need but building and `make demo` do not (`ibplane render` runs rsvg-convert).
TOOL_PACKAGES := librsvg2-bin
CONFIG       ?= release
BIN           = .build/$(CONFIG)/ibplane
# SwiftPM names the C library after its product; it is installed as libibplane.so (no SONAME is set).
LIB           = .build/$(CONFIG)/libIBPlaneC.so
PREFIX       ?= /usr/local
# Extra flags for the `pip install` of the Python package, e.g. --user or --no-build-isolation;
# PYTHON_PACKAGE=no skips it.
PIP_FLAGS    ?=
PYTHON_PACKAGE ?= yes

.PHONY: deps testdeps pydeps build lib demo test test-python test-reach install uninstall bench clean

# Installs Debian packages when missing (as root), or prints the exact command.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

# The native libraries the build links.
deps:
	$(call apt_install,$(APT_PACKAGES))

# The tools the tests run (rsvg-convert for `ibplane render`).
testdeps:
	$(call apt_install,$(TOOL_PACKAGES))

# numpy is used by test oracles and benchmark peers under Tests/ and bench/ (and is the Python
# package's one dependency); scikit-learn and scipy by the KSG and Ross oracles
# (bench/ksg_reference.py); pytest and pandas by the Python package's tests.
pydeps:
	@$(PYTHON) -c "import numpy" 2>/dev/null || $(PYTHON) -m pip install --quiet numpy
	@$(PYTHON) -c "import sklearn, scipy" 2>/dev/null || $(PYTHON) -m pip install --quiet scikit-learn scipy
	@$(PYTHON) -c "import pytest, pandas" 2>/dev/null || $(PYTHON) -m pip install --quiet pytest pandas

build: deps
	$(SWIFT) build -c $(CONFIG) --product ibplane

# The C interface, libIBPlaneC.so (header: Sources/IBPlaneC/include/ibplane.h).
lib: deps
	$(SWIFT) build -c $(CONFIG) --product IBPlaneC

# The main job on the bundled default data.
demo: build
	@./scripts/demo.sh $(BIN)

# Every test: unit, ground truth, round trip, bad input, end to end; then 20 s of libFuzzer on
# each reader of user files (scripts/fuzz: activations.bin, .npy, .npz, .npy folders; a crash,
# hang, oversized allocation or failed harness property fails the target).
# pydeps installs every test oracle, so IBPLANE_REQUIRE_ORACLES=1 turns a missing one into a
# failure (OracleGateTests; python/tests) instead of a skip; IBPLANE_PYTHON points the Swift
# tests at the interpreter pydeps installed into. `IBPLANE_REQUIRE_ORACLES=0 make test` lets them skip.
test: export IBPLANE_REQUIRE_ORACLES ?= 1
test: export IBPLANE_PYTHON ?= $(PYTHON)
test: deps testdeps pydeps
	$(SWIFT) build -c $(CONFIG) --product ibplane
	$(SWIFT) test -c $(CONFIG)
	$(MAKE) --no-print-directory test-reach
	./scripts/fuzz --all 20

# pytest over python/ against the library and CLI just built (values equal to the CLI's, bad input).
test-python: build lib pydeps
	IBPLANE_LIBRARY=$(CURDIR)/$(LIB) IBPLANE_CLI=$(CURDIR)/$(BIN) $(PYTHON) -m pytest -q python/tests

# Everything outside SwiftPM: the Python package, `make install` into a temporary prefix, and a
# client package that depends on IBPlane by URL and version.
test-reach: test-python
	PYTHON=$(PYTHON) CONFIG=$(CONFIG) ./scripts/test-install.sh
	./scripts/test-swiftpm-client.sh

# Installs under PREFIX (no root needed for a prefix you own): the CLI, libibplane.so and
# ibplane.h, the bundled data (found by the installed binary from any directory), bash/zsh/fish
# completions, and the Python package (with its own copy of the library) into $(PYTHON)'s
# environment. The binaries find the Swift runtime through the RUNPATH of the toolchain that
# built them.
install: build lib
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/share/ibplane $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ibplane
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/libibplane.so
	install -m 644 Sources/IBPlaneC/include/ibplane.h $(DESTDIR)$(PREFIX)/include/ibplane.h
	rm -rf $(DESTDIR)$(PREFIX)/share/ibplane/notebooks-data
	cp -R notebooks-data $(DESTDIR)$(PREFIX)/share/ibplane/notebooks-data
	$(BIN) --generate-completion-script bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ibplane
	$(BIN) --generate-completion-script zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ibplane
	$(BIN) --generate-completion-script fish >$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ibplane.fish
	@if [ "$(PYTHON_PACKAGE)" = yes ]; then \
	  echo "installing the Python package into $$($(PYTHON) -c 'import sys; print(sys.prefix)')"; \
	  ./scripts/install-python-package.sh $(PYTHON) $(LIB) $(PIP_FLAGS) $(if $(DESTDIR),--root $(DESTDIR)); \
	fi
	@echo "installed ibplane in $(DESTDIR)$(PREFIX); put $(PREFIX)/bin on PATH"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ibplane $(DESTDIR)$(PREFIX)/lib/libibplane.so $(DESTDIR)$(PREFIX)/include/ibplane.h \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ibplane $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ibplane \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ibplane.fish
	rm -rf $(DESTDIR)$(PREFIX)/share/ibplane
	@if [ "$(PYTHON_PACKAGE)" = yes ]; then $(PYTHON) -m pip uninstall --quiet --yes ibplane || true; fi

# Release-mode benchmarks; each prints ratios against a reference run in the same process or script.
bench: deps pydeps
	$(SWIFT) build -c release --product ibplane-bench
	.build/release/ibplane-bench
	$(SWIFT) build -c release --product ibplane
	$(PYTHON) bench/gaussian_estimator.py .build/release/ibplane
	$(PYTHON) bench/bench_binning_kde.py --snapshots 274 --idnns-snapshots 6 --kde-snapshots 2
	$(PYTHON) bench/plane_binning_vs_idnns.py .build/release/ibplane
	$(PYTHON) bench/growth.py .build/release/ibplane
	$(PYTHON) bench/estimate_startup.py .build/release/ibplane --repeats 15 --kde-repeats 5 --kde-n 4096
	IBPLANE_BENCH_SIZES=100000,300000,1000000 IBPLANE_BENCH_DIMS=1,2,5,10 .build/release/ibplane-bench ksg-growth

clean:
	rm -rf .build
