#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer targets with clang (ASan+UBSan) and run each briefly
# on a corpus seeded from the real captures.  Prints one line per target
# and, last, "PASSED FAILED" for build.sh to add up.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 20, or $P2PDMA_FUZZ_SECONDS)
set -u
cd "$(dirname "$0")/.."
SECS=${1:-${P2PDMA_FUZZ_SECONDS:-20}}
B=build-fuzz
if [ ! -d $B ]; then
	CC=clang meson setup $B -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null || {
		echo "fuzz: meson setup failed" >&2; echo "0 1"; exit 0; }
fi
ninja -C $B >/dev/null || { echo "fuzz: build failed" >&2; echo "0 1"; exit 0; }

passed=0
failed=0
for src in fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	t=$(basename "$src" .c)
	corpus=$B/corpus/$t
	mkdir -p "$corpus"
	if [ -f fuzz/$t.seeds ]; then
		while IFS= read -r seed; do
			case "$seed" in ''|'#'*) continue ;; esac
			[ -f "$seed" ] && cp "$seed" "$corpus/" 2>/dev/null
		done < fuzz/$t.seeds
	fi
	if UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		"$B/fuzz/$t" -max_total_time="$SECS" -rss_limit_mb=2048 \
		-max_len=262144 -artifact_prefix="$B/$t-" "$corpus" \
		>"$B/$t.log" 2>&1; then
		echo "fuzz $t: ok ($(grep -c . "$corpus"/* 2>/dev/null | wc -l) corpus files, ${SECS}s)" >&2
		passed=$((passed + 1))
	else
		echo "fuzz $t: FAILED, see $B/$t.log:" >&2
		tail -n 30 "$B/$t.log" >&2
		failed=$((failed + 1))
	fi
done
echo "$passed $failed"
