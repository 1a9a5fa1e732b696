# stepbox — one Makefile for every step, the rootfs, the tests and lint.
#
#   make              build every step present (stepNN-name/run)
#   make step03       build one step (also: make step03-pid)
#   make demo         set up and open a shell in the most complete step (root)
#   make test         set up and run every test that can run here (root)
#   make doctor       what will and will not work on this machine (any user)
#   make exercise STEP=05   a lesson to write yourself, its core (FULL=1: all of it;
#                           then: make check-exercise STEP=05)
#   make bench        what each step costs, against runc, crun and bwrap (root)
#   make lint         clang-format, clang-tidy, cppcheck, check-steps
#
# CC, CFLAGS and LDFLAGS may be overridden: make CC=clang CFLAGS=-O0
# (STATIC= links the steps dynamically; see below)

CC      ?= cc
CFLAGS  ?= -O2 -g
# The steps are linked statically, as runc is: a dynamic one spends about
# 0.3 ms of every start in ld.so (three libraries mapped, their symbols
# resolved), and the bigger address space makes the clone dearer; a start
# is 4-5 ms in all (make bench). libc.a and libseccomp.a come with
# libc6-dev and libseccomp-dev.
STATIC  ?= -static
LDFLAGS ?=
LDLIBS  := -lm
STD_FLAGS := -std=gnu11 -Wall -Wextra -Werror -Icommon

STEPS      := $(sort $(wildcard step[0-9][0-9]-*))
BINARIES   := $(STEPS:%=%/run)
LAST_STEP  := $(lastword $(STEPS))
COMMON_SRC := $(wildcard common/*.c)
COMMON_HDR := $(wildcard common/*.h)
BUILD      := build
ROOTFS     ?= $(BUILD)/rootfs

.PHONY: all clean diff cleanup deps deps-demo deps-vm test-scripts probe breakout rootfs rootfs-user demo test test-unit test-sanitize test-bats test-vm test-vm-all \
	check-lessons check-lessons-vm \
	lint format check-steps $(STEPS) $(foreach s,$(STEPS),$(firstword $(subst -, ,$(s))))

all: $(BINARIES)

# Libraries one step needs beyond LDLIBS: STEP_LIBS_<step directory>.
# step10's seccomp filter is written with libseccomp (libseccomp-dev); its
# OCI runtime reads config.json with json-c (libjson-c-dev).
STEP_LIBS_step10-exec := -lseccomp -ljson-c

# json-c's static archive: Debian's libjson-c-dev ships libjson-c.a,
# Fedora's json-c-devel does not (nor does any other Fedora package).
# Where the compiler cannot find it (-print-file-name then answers the bare
# name), step10 alone is linked dynamically: a static libc cannot sit
# beside a shared libjson-c. The other steps stay static.
JSONC_A := $(shell $(CC) -print-file-name=libjson-c.a 2>/dev/null)
DYNAMIC_STEPS := $(if $(filter /%,$(JSONC_A)),,step10-exec)
# $(call step_static,STEP): how STEP links, $(STATIC) or dynamically.
step_static = $(if $(filter $(1),$(DYNAMIC_STEPS)),,$(STATIC))

# stepNN-name/run from that step's own .c files and common/.
.SECONDEXPANSION:
%/run: $$(wildcard $$*/*.c) $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) $(STD_FLAGS) -DSTEPBOX_ROOTFS='"$(abspath $(ROOTFS))"' -o $@ $(wildcard $*/*.c) $(COMMON_SRC) $(call step_static,$*) $(LDFLAGS) $(LDLIBS) $(STEP_LIBS_$*)

# `make step03` and `make step03-pid` both build step03-pid/run.
define step_alias
$(1): $(1)/run
$(firstword $(subst -, ,$(1))): $(1)/run
endef
$(foreach s,$(STEPS),$(eval $(call step_alias,$(s))))

# What each target needs, installed when missing (scripts/deps.sh).
deps:
	scripts/deps.sh test

deps-demo:
	scripts/deps.sh demo

deps-vm:
	scripts/deps.sh vm

deps-bench:
	scripts/deps.sh bench

deps-oci:
	scripts/deps.sh oci

PROBE := $(BUILD)/probe/stepbox-probe

# The tests' helper, static so that it runs in any root filesystem.
probe: $(PROBE)

$(PROBE): tests/probe/stepbox-probe.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(STD_FLAGS) -static -o $@ $<

BREAKOUT := $(BUILD)/breakout/breakout
NSCLONE := $(BUILD)/bench/nsclone

# step08's lesson: out of a chroot jail (static, for the rootfs).
breakout: $(BREAKOUT)

$(BREAKOUT): tests/breakout/breakout.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(STD_FLAGS) -static -o $@ $<

# Built as root, the rootfs belongs to 100000, the container's root with
# the default map (mkrootfs.sh). rootfs-user: a copy of your own, for
# rootless runs (their default when it exists), build/rootfs-UID.
rootfs: $(ROOTFS)/bin/busybox

$(ROOTFS)/bin/busybox: scripts/mkrootfs.sh $(PROBE) $(BREAKOUT)
	scripts/mkrootfs.sh $(ROOTFS) $(PROBE) $(BREAKOUT)

rootfs-user: $(PROBE) $(BREAKOUT)
	ROOTFS_OWNER=$$(id -u):$$(id -g) scripts/mkrootfs.sh $(ROOTFS)-$$(id -u) $(PROBE) $(BREAKOUT)

demo: deps-demo all rootfs
	@echo "Starting $(LAST_STEP): a shell inside the container; 'exit' leaves it."
	./$(LAST_STEP)/run -v --rootfs $(ROOTFS)

# --- tests ---------------------------------------------------------------

UNIT_SRC := $(wildcard common/tests/test_*.c)
UNIT_BIN := $(UNIT_SRC:common/tests/%.c=$(BUILD)/unit/%)
SAN_BIN  := $(UNIT_SRC:common/tests/%.c=$(BUILD)/unit-san/%)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

$(BUILD)/unit/%: common/tests/%.c $(COMMON_SRC) $(COMMON_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(STD_FLAGS) -o $@ $< $(COMMON_SRC) $(LDFLAGS) -lcmocka

$(BUILD)/unit-san/%: common/tests/%.c $(COMMON_SRC) $(COMMON_HDR)
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SAN_FLAGS) $(STD_FLAGS) -o $@ $< $(COMMON_SRC) $(LDFLAGS) -lcmocka

test-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

test-sanitize: $(SAN_BIN)
	@set -e; for t in $(SAN_BIN); do $$t; done

# Every step built with AddressSanitizer and UBSan (dynamically: ASan
# does not link statically), in build/asan/STEP/run, and the whole suite
# run against them (tests/run with STEP_BUILD). A sanitizer's report goes
# to build/asan/logs, never into the container's output that the tests
# compare, and any report fails the run. Leak checks stay off here: the
# runtime's memory at exit is the kernel's to take back, and LeakSanitizer
# cannot stop a process in another PID namespace to look; the unit tests
# check leaks (test-sanitize, test-valgrind).
ASAN_DIR      := $(BUILD)/asan
ASAN_BINARIES := $(STEPS:%=$(ASAN_DIR)/%/run)

# Built with clang: GCC 12's UBSan runtime ignores log_path next to ASan's
# and would print its reports into the container's output.
ASAN_CC ?= clang
$(ASAN_DIR)/%/run: $$(wildcard $$*/*.c) $(COMMON_SRC) $(COMMON_HDR)
	@mkdir -p $(@D)
	$(ASAN_CC) -O1 -g $(SAN_FLAGS) $(STD_FLAGS) -DSTEPBOX_ROOTFS='"$(abspath $(ROOTFS))"' -o $@ $(wildcard $*/*.c) $(COMMON_SRC) $(LDFLAGS) $(LDLIBS) $(STEP_LIBS_$*)

.PHONY: test-asan
test-asan: $(ASAN_BINARIES) rootfs
	@rm -rf $(ASAN_DIR)/logs && mkdir -p $(ASAN_DIR)/logs
	STEP_BUILD=$(abspath $(ASAN_DIR)) \
	ASAN_OPTIONS=log_path=$(abspath $(ASAN_DIR)/logs)/asan:detect_leaks=0:abort_on_error=0 \
	UBSAN_OPTIONS=log_path=$(abspath $(ASAN_DIR)/logs)/ubsan:print_stacktrace=1:halt_on_error=1 \
		tests/run $(ASAN_STEPS)
	@if [ -n "$$(ls -A $(ASAN_DIR)/logs)" ]; then \
		echo "test-asan: sanitizer reports:" >&2; head -n 40 $(ASAN_DIR)/logs/* >&2; exit 1; \
	fi; echo "test-asan: no sanitizer report"

# The unit tests under valgrind: no invalid access, no definite or indirect
# leak. valgrind cannot follow clone() with namespace flags, nor clone3:
# those tests skip here (STEPBOX_VALGRIND) and run in test-sanitize.
.PHONY: test-valgrind
test-valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		STEPBOX_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect $$t; \
	done

# libFuzzer targets, one per parser of common/parse.c (common/fuzz/);
# make fuzz runs each FUZZ_SECONDS (60), make test each 5 s. A crash is
# written to build/fuzz/crash-*; the corpus grows in build/fuzz/corpus-*.
FUZZ_PARSERS := size millicpus u64_range pid_list id_list path_rate access
FUZZ_BIN     := $(FUZZ_PARSERS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang

$(BUILD)/fuzz/fuzz_%: common/fuzz/fuzz_parse.c common/parse.c $(COMMON_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(STD_FLAGS) -DFUZZ_PARSER=$* -o $@ $< common/parse.c

.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	@set -e; for p in $(FUZZ_PARSERS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$p; \
		echo "fuzz: $$p, $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$p -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$p- \
			$(BUILD)/fuzz/corpus-$$p common/fuzz/seeds/$$p 2>$(BUILD)/fuzz/$$p.log || \
			{ tail -n 30 $(BUILD)/fuzz/$$p.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/$$p.log; \
	done

test-bats: all rootfs
	tests/run

# step10 as the runtime of podman and containerd (tests/oci-clients.bats),
# what their users type, with runc and with step10 (oci-battery.bats), and
# a Kubernetes pod through containerd's CRI (oci-cri.bats); -vm: the same
# in the cgroup v2 VM.
.PHONY: deps-oci test-oci test-oci-vm
test-oci: deps-oci all rootfs
	bats tests/oci-clients.bats tests/oci-battery.bats tests/oci-cri.bats

test-oci-vm: deps-vm deps-oci all rootfs
	VM_NAME=oci VM_CMD='bats tests/oci-clients.bats tests/oci-battery.bats tests/oci-cri.bats' scripts/vm-test.sh

# The lessons' commands, run and compared with their transcripts
# (scripts/check-lessons.sh); -vm: the same in the cgroup v2 VM.
check-lessons: all rootfs
	scripts/check-lessons.sh

check-lessons-vm: deps-vm all rootfs
	VM_NAME=lessons scripts/check-lessons.sh --vm

# The suite on pure cgroup v2, in a qemu VM (scripts/vm-test.sh): the
# newest step with every mechanism's tests; test-vm-all: every step.
# VM_JOBS guests side by side, each with a share of the test files.
VM_JOBS ?= 2
test-vm: deps-vm all rootfs
	VM_JOBS=$(VM_JOBS) scripts/vm-test.sh $(LAST_STEP)

test-vm-all: deps-vm all rootfs
	VM_JOBS=$(VM_JOBS) scripts/vm-test.sh

# Before a workshop: what will and will not work on this machine
# (scripts/doctor.sh; it only reads). test-doctor: its tests, on
# made-up hosts.
.PHONY: doctor test-doctor
doctor:
	@ROOTFS=$(ROOTFS) scripts/doctor.sh

test-doctor:
	bats tests/doctor.bats

# The project's own scripts (deps.sh, doctor.sh, make diff), with faked
# inputs where they read the machine.
test-scripts: all rootfs $(NSCLONE)
	bats tests/deps.bats tests/make.bats tests/doctor.bats tests/check-refs.bats tests/exercise.bats tests/test-all.bats \
		tests/check-lessons.bats tests/bench.bats

# For maintainers, not in `make test`: do the lessons' runc and crun
# functions exist? REFS names git checkouts of the runtimes, DIR@TAG
# for the versions the lessons name (scripts/check-refs.sh says more).
.PHONY: check-refs
check-refs:
	@[ -n "$(REFS)" ] || { echo "make check-refs REFS='/src/runc@v1.5.1 /src/crun@1.29.1 ...'" >&2; exit 2; }
	scripts/check-refs.sh $(REFS)

# For maintainers, not in `make test` (the source is not here and CI has
# no network to get it): the runtime-spec's own validation suite
# (opencontainers/runtime-tools) against step 10, or OCI_RUNTIME=...,
# as root; COMPARE=/usr/sbin/runc runs that first and prints where the
# two differ (scripts/oci-validate.sh says more; VALIDATE_ARGS='-v -t RE').
OCI_RUNTIME ?= $(LAST_STEP)/run
.PHONY: validate-oci
validate-oci: $(LAST_STEP)/run
	@[ -n "$(RUNTIME_TOOLS_SRC)" ] || { echo "make validate-oci RUNTIME_TOOLS_SRC=/src/runtime-tools [COMPARE=/usr/sbin/runc] [OCI_RUNTIME=...]" >&2; exit 2; }
	RUNTIME_TOOLS_SRC='$(RUNTIME_TOOLS_SRC)' scripts/oci-validate.sh $(VALIDATE_ARGS) \
		$(if $(COMPARE),--compare '$(COMPARE)') '$(OCI_RUNTIME)'

# Every stage below, each run to its end, with one line per stage at the
# end and the first failing test of each (scripts/test-all.sh; the VM's
# stages run beside the host's). make test STAGES='bats vm' runs some.
test: deps deps-vm deps-bench deps-oci
	scripts/test-all.sh $(STAGES)

# The script and bats suites on a host that has nothing a test may take
# for granted: no stdin, tty, HOME, TERM or /lib/modules, a German LANG,
# a /tmp only root may write (scripts/hostile-env.sh). make test runs
# these two stages this way.
.PHONY: test-hostile-env
test-hostile-env: all rootfs $(NSCLONE)
	scripts/hostile-env.sh $(MAKE) --no-print-directory test-scripts test-bats

# --- bench ---------------------------------------------------------------

# What a container costs: every step, runc, crun and bubblewrap side by
# side (scripts/bench.sh; BENCH_ARGS, e.g. --runs 20). Results, tables and
# the plot go to build/bench/DATE.
$(NSCLONE): bench/nsclone.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(STD_FLAGS) -o $@ $<

.PHONY: bench deps-bench
bench: deps-bench all rootfs $(NSCLONE)
	scripts/bench.sh $(BENCH_ARGS)

# --- lint ----------------------------------------------------------------

C_FILES := $(wildcard step*/*.c common/*.c common/*.h common/tests/*.c common/fuzz/*.c tests/probe/*.c \
	tests/breakout/*.c bench/*.c docs/demos/*.c)

lint: check-steps
	scripts/exercise.sh --check
	clang-format --dry-run --Werror $(C_FILES)
	clang-tidy --quiet $(filter %.c,$(C_FILES)) -- $(STD_FLAGS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Icommon $(filter-out common/tests/%,$(C_FILES))

format:
	clang-format -i $(C_FILES)

check-steps:
	scripts/check-steps.sh $(STEPS)
	scripts/call-graph.sh --check $(STEPS)

clean:
	rm -rf $(BINARIES) $(BUILD)

# make diff STEP=05: the code of step 05's lesson, step 04 -> 05.
diff:
	@step=$$(ls -d step$(STEP)-* 2>/dev/null | head -n1); \
	prev=$$(ls -d step$$(printf %02d $$(expr "$(STEP)" - 1 2>/dev/null))-* 2>/dev/null | head -n1); \
	if [ -z "$$step" ] || [ -z "$$prev" ]; then \
		echo "make diff: STEP=NN names a step after the first, e.g. STEP=05" >&2; exit 2; \
	fi; \
	diff -ruN -x run -x README.md -x HINTS -x CORE "$$prev" "$$step" | $${PAGER:-cat}; true

# Workshop exercises (scripts/exercise.sh): make exercise STEP=05 puts
# step 05's code in workshop/step05-net/ with the few functions that are
# the lesson left to write (stepNN/CORE); FULL=1 puts step 04's code
# there instead, with a TODO and a hint where lesson 05 adds code
# (FORCE=1 to make either anew over your edits);
# make check-exercise STEP=05 builds it and runs step 05's tests, and
# every earlier step's, against it (as root).
WORKSHOP ?= workshop
EX_NN  = $(shell n=$$(expr "$(STEP)" + 0 2>/dev/null) && printf %02d "$$n")
EX_DIR = $(firstword $(wildcard $(WORKSHOP)/step$(EX_NN)-*))
EX_STEP = $(notdir $(EX_DIR))
# A copy of the rootfs for the participant's build: an overlay not yet
# written lets the tests' writes reach the image, and build/rootfs is
# every step's.
EX_ROOTFS = $(BUILD)/exercise-rootfs
# A core exercise's blanks leave helpers and tables that only they use:
# the compiler says so, as a warning, not an error.
EX_WARN = -Wno-error=unused-function -Wno-error=unused-const-variable

.PHONY: exercise check-exercise
exercise:
	@WORKSHOP=$(WORKSHOP) FULL=$(FULL) scripts/exercise.sh "$(STEP)"

check-exercise: all rootfs
	@[ -n "$(EX_DIR)" ] || { echo "make check-exercise: no work area for STEP=$(STEP): make exercise STEP=NN first" >&2; exit 2; }
	$(CC) $(CFLAGS) $(STD_FLAGS) $(EX_WARN) -DSTEPBOX_ROOTFS='"$(abspath $(EX_ROOTFS))"' -o $(EX_DIR)/run $(wildcard $(EX_DIR)/*.c) $(COMMON_SRC) $(call step_static,$(EX_STEP)) $(LDFLAGS) $(LDLIBS) $(STEP_LIBS_$(EX_STEP))
	rm -rf $(EX_ROOTFS) $(EX_ROOTFS)-*
	cp -a $(ROOTFS) $(EX_ROOTFS)
	STEP_BIN=$(abspath $(EX_DIR))/run STEP_ROOTFS=$(abspath $(EX_ROOTFS)) tests/run $(EX_STEP); \
		status=$$?; rm -rf $(EX_ROOTFS) $(EX_ROOTFS)-*; exit $$status

# make soak (as root): step 10 with every mechanism SOAK_RUNS times in a
# row (default 1000), then the host must be as it was (scripts/soak.sh;
# the suite runs 50 in tests/10-soak.bats).
SOAK_RUNS ?= 1000
.PHONY: soak
soak: $(LAST_STEP)/run rootfs
	scripts/soak.sh $(SOAK_RUNS)

# make cleanup (as root): what runs killed with -9 left behind, by the
# newest step's --cleanup (cgroups and state whose lock nobody holds).
cleanup: $(LAST_STEP)/run
	./$(LAST_STEP)/run --cleanup
