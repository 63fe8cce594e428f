# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)

.PHONY: all deps build check test demo format install clean

all: build

deps:
	bash packaging/deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Formatting and clang-tidy (scripts/check.sh): part of `make test`, so of .ci/run.
check: build
	bash scripts/check.sh $(BUILD_DIR)

# After the summary: which releases of the coding CLIs the e2e tests ran (or why they were skipped).
test: build check
	@rm -f $(BUILD_DIR)/e2e-report-*.txt
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS); st=$$?; \
	  cat $(BUILD_DIR)/e2e-report-*.txt 2>/dev/null; exit $$st

demo: build
	bash scripts/demo.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
