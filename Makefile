# Entry points for people; CMake and CTest do the work.
#   make demo   install what is missing, build, record a 10 s harvest from the simulator
#   make test   install what is missing, build normal, ASan+UBSan and fuzz (clang), the armhf
#               build, the matrix and the packages (make deb); run all tests in the first two
#               (the packages' install test among them), the armhf ones under qemu-arm and a
#               short run of each fuzzer
#   make fuzz   the fuzzers for longer: make fuzz FUZZ_SECONDS=600
#   make bench  performance figures (see bench/README.md); make bench-profile: the profile alone;
#               make bench-twin: the PRU twin and `shepherd-sheep simulate` alone (~20 s)
#   make armhf  cross build for the BeagleBone (armhf); make test-armhf: its tests under qemu-arm
#   make deb    Debian packages shepherd-sheep and shepherd-pru-sim for amd64 and armhf, checked
#               by lintian, into build-deb/ (scripts/deb.sh; part of make test)
#   make matrix build all targets with gcc and clang in Release, RelWithDebInfo, Debug and with
#               Debian's dpkg-buildflags, into build-matrix/<compiler>-<type> (part of make test)
#
# These builds treat warnings as errors (-DSHEEP_WERROR=ON); a plain cmake build does not.

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
BUILD_ARMHF ?= build-armhf
BUILD_MATRIX ?= build-matrix
BUILD_DEB  ?= build-deb
FUZZ_SECONDS ?= 20
JOBS       ?= $(shell nproc)
MAKEFLAGS  += --no-print-directory

.PHONY: all deps deps-armhf build build-asan build-fuzz armhf matrix demo test test-fast test-armhf \
	fuzz bench bench-profile bench-twin format clean deb

all: build

deps:
	@./scripts/install-deps.sh

deps-armhf:
	@./scripts/install-deps.sh --armhf

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHEEP_WERROR=ON > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DSHEEP_SANITIZE=ON -DSHEEP_WERROR=ON \
		-DSHEEP_MAN_PAGES=OFF > /dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS)

build-fuzz: deps
	@CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHEEP_FUZZ=ON \
		-DSHEEP_WERROR=ON -DFUZZ_SECONDS=$(FUZZ_SECONDS) -DSHEEP_MAN_PAGES=OFF > /dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS)

# armhf binaries and tests; the e2e tests under qemu-arm use the native simulator and tools
armhf: deps-armhf build
	@cmake -S . -B $(BUILD_ARMHF) --no-warn-unused-cli \
		-DCMAKE_TOOLCHAIN_FILE=cmake/armhf-toolchain.cmake \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHEEP_WERROR=ON -DSHEEP_HOST_TOOLS=$(abspath $(BUILD)) \
		> /dev/null
	@cmake --build $(BUILD_ARMHF) -j $(JOBS)

# 2 compilers x 4 build types, builds only (see scripts/matrix.sh); about 25 s from scratch on
# 2 cores, 1 s when up to date
matrix: deps
	@JOBS=$(JOBS) ./scripts/matrix.sh $(BUILD_MATRIX)

# both architectures' packages, from a copy of the tree (scripts/deb.sh)
deb: deps-armhf
	@JOBS=$(JOBS) ./scripts/deb.sh $(BUILD_DEB)

demo: build
	@./scripts/demo.sh $(BUILD)

test: build build-asan build-fuzz armhf matrix deb
	@echo "== tests, release build =="
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@echo "== tests, ASan+UBSan build =="
	@ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS)
	@echo "== tests, armhf build under qemu-arm -cpu cortex-a8 =="
	@ctest --test-dir $(BUILD_ARMHF) --output-on-failure -j $(JOBS)
	@echo "== fuzzers, $(FUZZ_SECONDS) s each =="
	@ctest --test-dir $(BUILD_FUZZ) --output-on-failure -j $(JOBS)

test-armhf: armhf
	@ctest --test-dir $(BUILD_ARMHF) --output-on-failure -j $(JOBS)

fuzz: build-fuzz
	@ctest --test-dir $(BUILD_FUZZ) --output-on-failure -j $(JOBS)

# release build only, for a quick round while working
test-fast: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build armhf
	@/usr/bin/python3 bench/bench.py --build $(BUILD) --arm-build $(BUILD_ARMHF) --update-readme
	@/usr/bin/python3 bench/twin_bench.py --build $(BUILD) --update-readme

# where the sheep spends its instructions, one 60 s recording under callgrind (~20 s)
bench-profile: build
	@/usr/bin/python3 bench/bench.py --build $(BUILD) --profile-only

# the twin's speed and its harvesters' fidelity, `simulate` end to end (bench/twin_bench.py)
bench-twin: build
	@/usr/bin/python3 bench/twin_bench.py --build $(BUILD) --update-readme

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_ARMHF) $(BUILD_MATRIX) $(BUILD_DEB)
