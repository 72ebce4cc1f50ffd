#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One entry point for a fresh Debian 12 machine:
#
#   ./build.sh demo    install what is needed, build, run the main job on the
#                      built-in default machine
#   ./build.sh test    install what is needed, build with ASan+UBSan, run every
#                      test (unit, CLI, pool threads under TSan, fuzzers briefly, QEMU);
#                      the last line is "tests: N passed, M failed"
#   ./build.sh deps    only install the Debian packages (deps vm: with the
#                      QEMU kernel tests' packages)
#   ./build.sh build   only build (./build/cli/p2pdma)
#
set -eu
cd "$(dirname "$0")"

DEFAULT_MACHINE=builtin:dual-xeon-8gpu

# Everything the build, the tests and the fuzzers use, from Debian 12.
DEPS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev python3
libpci-dev pci.ids pciutils libjson-c-dev libarchive-dev libxml2-dev
liburing-dev libcmocka-dev graphviz xz-utils bzip2 gzip tar
prometheus zlib1g-dev"
# The QEMU kernel tests (tests/vm): QEMU, a static busybox for the guests, and
# Debian's 6.12 kernel source (bookworm-backports) with what building it needs.
VM_DEPS="qemu-system-x86 busybox-static linux-source-6.12 make flex bison bc
libelf-dev cpio"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# linux-source-6.12 comes from bookworm-backports: add it to apt's sources
# once, as a deb822 file, unless some source already names it.
add_backports() {
	if grep -qs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/*; then
		return 0
	fi
	echo "== adding bookworm-backports to apt's sources"
	as_root tee /etc/apt/sources.list.d/backports.sources >/dev/null <<-'EOF'
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bookworm-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

# deps [vm]: the packages to build and test; "vm" adds the QEMU tests' ones.
deps() {
	if [ -n "${P2PDMA_SKIP_DEPS:-}" ]; then return 0; fi
	pkgs=$DEPS
	if [ "${1:-}" = vm ]; then
		add_backports
		pkgs="$DEPS $VM_DEPS"
	fi
	echo "== installing Debian packages"
	as_root apt-get update -q
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs
}

build() {
	if [ ! -d build ]; then meson setup build; fi
	ninja -C build
}

demo() {
	deps
	build
	P="./build/cli/p2pdma -i $DEFAULT_MACHINE"
	# The questions the README walks through, on the built-in machine: the
	# tree, every pair's verdict, one pair explained, where a buffer for
	# two clients should live, what address each client uses for it, a
	# copy that moves the bytes, what P2P buys, and the whole-machine view.
	for args in topo matrix \
		"check 0000:b6:00.0 0000:b3:00.0 0000:1a:00.0" \
		"find 0000:b3:00.0 0000:b5:00.0 --seed 1" \
		"alloc 0000:b6:00.0 2M" \
		"map --client 0000:b3:00.0 --client 0000:1a:00.0 p2p:0000:b6:00.0:1M host:64K" \
		"copy 0000:d0:00.0 0000:b6:00.0 64M --check" \
		"simulate --workload storage-gpu" \
		doctor \
		"check --svg build/check.svg 0000:b6:00.0 0000:b3:00.0 0000:1a:00.0"; do
		echo
		echo "== p2pdma -i $DEFAULT_MACHINE $args"
		# shellcheck disable=SC2086
		$P $args || [ $? = 1 ]
	done
	echo
	echo "The picture of the last check is build/check.svg."
}

# Sum of TAP cases over every meson test; a test without TAP output counts once.
count_meson() {
	python3 - "$1" <<'PY'
import json, re, sys
passed = failed = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout") or t.get("stdo") or ""
    ok = len(re.findall(r"^ok ", out, re.M))
    bad = len(re.findall(r"^not ok ", out, re.M))
    if ok + bad == 0:
        ok, bad = (1, 0) if t["result"] == "OK" else (0, 1)
    elif t["result"] != "OK" and bad == 0:
        bad = 1        # crashed or timed out after its last TAP line
    passed += ok
    failed += bad
print(passed, failed)
PY
}

# The QEMU kernel tests (tests/vm/README.md): our P2PDMA kernel (built once,
# cached in tests/vm/cache/) boots every topology; the real kernel's results
# are compared with p2pdma check.  The guests run a normal build (./build),
# not the sanitizer one.  Its last line is "N passed, M failed"; no such line
# (a crash, a missing tool) counts as one failure, never as a skip.
test_vm() {
	echo "== QEMU guests: the real P2PDMA kernel as oracle (tests/vm)"
	if ! build; then
		echo "build of ./build failed: the guests get no p2pdma" >&2
	fi
	PYTHONUNBUFFERED=1 tests/vm/vmtest.py --build-dir build 2>&1 | tee build-ci/vmtest.log || true
	last=$(tail -n 1 build-ci/vmtest.log)
	case $last in
	*" passed, "*" failed")
		set -- $last
		PASSED=$((PASSED + $1))
		FAILED=$((FAILED + $3))
		;;
	*) FAILED=$((FAILED + 1)) ;;
	esac
}

# The p2pmem pool's thread tests again under ThreadSanitizer: a data race
# fails them even when every answer comes out right.  Only those two tests
# are built there, to keep it short.
test_tsan() {
	echo "== p2pmem pool threads under ThreadSanitizer"
	rm -rf build-tsan
	if meson setup build-tsan -Db_sanitize=thread >/dev/null &&
		ninja -C build-tsan tests/mem/test_mem_pool_props tests/mem/test_mem_pool_stress; then
		meson test -C build-tsan --no-rebuild --print-errorlogs mem-pool_props mem-pool_stress || true
		set -- $(count_meson build-tsan/meson-logs/testlog.json)
		PASSED=$((PASSED + $1))
		FAILED=$((FAILED + $2))
	else
		FAILED=$((FAILED + 1))
	fi
}

test_all() {
	deps vm
	PASSED=0
	FAILED=0
	echo "== build with AddressSanitizer + UndefinedBehaviorSanitizer"
	rm -rf build-ci
	meson setup build-ci -Db_sanitize=address,undefined >/dev/null
	ninja -C build-ci
	echo "== unit and CLI tests"
	meson test -C build-ci --print-errorlogs --num-processes 2 || true
	set -- $(count_meson build-ci/meson-logs/testlog.json)
	PASSED=$((PASSED + $1))
	FAILED=$((FAILED + $2))
	test_tsan
	test_vm
	if [ -x scripts/fuzz.sh ]; then
		echo "== fuzzers (brief runs)"
		set -- $(scripts/fuzz.sh | tail -n 1)
		PASSED=$((PASSED + $1))
		FAILED=$((FAILED + $2))
	fi
	echo "tests: $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}

case "${1:-}" in
demo) demo ;;
test) test_all ;;
deps) deps "${2:-}" ;;
build) build ;;
*)
	sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
