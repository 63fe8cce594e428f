# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)

SAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz

.PHONY: all deps build check check-hardening fuzz test demo format install clean

all: build

deps:
	bash packaging/deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Formatting and clang-tidy (scripts/check.sh): part of `make test`, so of .ci/run.
check: build
	bash scripts/check.sh $(BUILD_DIR)

# Sanitizers and fuzzing, part of `make test` (so of .ci/run): the unit and integration tests once
# more under AddressSanitizer + UndefinedBehaviorSanitizer (one extra build at -O1; any report stops
# the process and fails its test), then every libFuzzer target for a fixed seed and number of
# inputs, so the result is the same on every run of a commit (clang; skipped
# with a reason without it). ThreadSanitizer is not run: the data plane is one thread (a test
# checks the daemon has exactly one), and what crosses threads in the tests is behind a mutex.
check-hardening: deps
	cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  "-DLWGW_SANITIZE=address;undefined" -DLWGW_E2E=OFF
	cmake --build $(SAN_DIR) -j$(JOBS) --target lwgw_tests
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(SAN_DIR) --output-on-failure -j$(JOBS) -LE "e2e|package"
	JOBS=$(JOBS) bash tests/fuzz/run.sh $(FUZZ_DIR)

# Explores beyond what CI runs: every libFuzzer target with a random seed for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz: deps
	LWGW_FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) bash tests/fuzz/run.sh $(FUZZ_DIR)

# After the summary: which releases of the coding CLIs the e2e tests ran (or why they were skipped).
test: build check
	@rm -f $(BUILD_DIR)/e2e-report-*.txt
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS); st=$$?; \
	  cat $(BUILD_DIR)/e2e-report-*.txt 2>/dev/null; exit $$st
	$(MAKE) check-hardening

demo: build
	bash scripts/demo.sh $(BUILD_DIR)

# clang-format 14 where it is installed under that name: the version scripts/check.sh checks with.
format:
	$$(command -v clang-format-14 || echo clang-format) -i $$(git ls-files '*.cpp' '*.hpp')

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(FUZZ_DIR)
