#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer targets with clang (ASan+UBSan) and run them.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#       Brief runs (CI): each target for SECONDS (default 15, or
#       $P2PDMA_FUZZ_SECONDS) on its seeds and the kept corpus.  Prints one
#       line per target and, last, "PASSED FAILED" for build.sh to add up.
#   scripts/fuzz.sh --campaign HOURS [TARGET...]
#       A campaign: HOURS of fuzzing split evenly over the targets (all, or
#       those named), at nice 19.  New inputs are merged into the kept
#       corpus fuzz/corpus/TARGET (minimized: only inputs that add coverage
#       stay), and a table gives executions, executions per second,
#       coverage and findings per target.  Crashes, leaks and timeouts are
#       saved as build-fuzz/TARGET-crash-* etc.
#
# The kept corpus is in the tree so CI's brief runs start where the last
# campaign stopped.  A slow input (over 10 s) is a finding, not a wait.
set -u
cd "$(dirname "$0")/.."
B=build-fuzz
# -entropic=0: libFuzzer's entropic scheduler spent most of the time of
# the text targets counting features (5x fewer runs, measured); the plain
# scheduler finds the same coverage in the same time.
OPTS="-rss_limit_mb=2048 -timeout=10 -entropic=0 -print_final_stats=1"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1

build() {
	if [ ! -d $B ]; then
		CC=clang meson setup $B -Dfuzz=true -Dtests=false \
			-Db_sanitize=address,undefined -Db_lundef=false >/dev/null || {
			echo "fuzz: meson setup failed" >&2; return 1; }
	fi
	ninja -C $B >/dev/null || { echo "fuzz: build failed" >&2; return 1; }
}

# Tarballs are big; a text loader's mutations need no more than 16 KiB
# (32 KiB for JSON; real dumps in the seeds are cut there: a cut dump is a
# case too).
max_len() {
	case $1 in
	fuzz_tarball) echo 262144 ;;
	fuzz_json|fuzz_dot) echo 32768 ;;	# a built-in machine fits
	*) echo 16384 ;;
	esac
}

targets() {
	for x in $B/fuzz/fuzz_*; do
		[ -f "$x" ] && [ -x "$x" ] && basename "$x"
	done
}

# The working corpus: the seeds the .seeds file lists, and the kept corpus.
seed() {
	t=$1 work=$2
	mkdir -p "$work" fuzz/corpus/$t
	seeds=fuzz/$t.seeds
	[ $t = fuzz_capture ] && seeds=fuzz/fuzz_sysfs_tree.seeds
	if [ -f $seeds ]; then
		while IFS= read -r s; do
			case "$s" in ''|'#'*) continue ;; esac
			[ -f "$s" ] && cp "$s" "$work/" 2>/dev/null
		done < $seeds
	fi
}

# "EXECS EXEC_PER_SEC COV FT" from a libFuzzer log.
stats() {
	awk '/stat::number_of_executed_units/ { n = $2 }
	     /stat::average_exec_per_sec/ { r = $2 }
	     / cov: / { for (i = 1; i < NF; i++) { if ($i == "cov:") c = $(i + 1); if ($i == "ft:") f = $(i + 1) } }
	     END { printf "%s %s %s %s\n", n ? n : 0, r ? r : 0, c ? c : 0, f ? f : 0 }' "$1"
}

brief() {
	secs=$1 passed=0 failed=0
	for t in $(targets); do
		work=$B/corpus/$t
		seed $t $work
		if "$B/fuzz/$t" $OPTS -max_len=$(max_len $t) -max_total_time="$secs" -artifact_prefix="$B/$t-" \
			"$work" fuzz/corpus/$t >"$B/$t.log" 2>&1; then
			set -- $(stats "$B/$t.log")
			echo "fuzz $t: ok ($1 runs, $2/s, cov $3, ${secs}s)" >&2
			passed=$((passed + 1))
		else
			echo "fuzz $t: FAILED, see $B/$t.log:" >&2
			tail -n 30 "$B/$t.log" >&2
			failed=$((failed + 1))
		fi
	done
	echo "$passed $failed"
}

campaign() {
	hours=$1
	shift
	named="$*"
	list=${named:-$(targets)}
	n=$(echo $list | wc -w)
	secs=$(awk -v h="$hours" -v n="$n" 'BEGIN { s = int(h * 3600 / n); print s < 1 ? 1 : s }')
	echo "campaign: $n targets, ${secs}s each, nice 19 ($(nproc) cores)"
	printf '%-16s %8s %12s %8s %6s %7s %7s %s\n' target seconds execs exec/s cov ft corpus findings
	for t in $list; do
		work=$B/campaign/$t
		rm -rf "$work" fuzz/corpus/$t.new
		seed $t $work
		nice -n 19 "$B/fuzz/$t" $OPTS -max_len=$(max_len $t) -max_total_time="$secs" \
			-artifact_prefix="$B/$t-" "$work" fuzz/corpus/$t >"$B/$t.campaign.log" 2>&1
		set -- $(stats "$B/$t.campaign.log")
		# Minimize: keep only what adds coverage, the kept corpus first.
		mkdir -p fuzz/corpus/$t.new
		nice -n 19 "$B/fuzz/$t" -merge=1 $OPTS -max_len=$(max_len $t) fuzz/corpus/$t.new \
			fuzz/corpus/$t "$work" \
			>"$B/$t.merge.log" 2>&1 &&
			rm -rf fuzz/corpus/$t && mv fuzz/corpus/$t.new fuzz/corpus/$t
		found=$(ls $B/$t-crash-* $B/$t-leak-* $B/$t-timeout-* $B/$t-oom-* 2>/dev/null | wc -l)
		printf '%-16s %8s %12s %8s %6s %7s %7s %s\n' $t $secs $1 $2 $3 $4 \
			$(ls fuzz/corpus/$t | wc -l) $found
	done
	echo "command: scripts/fuzz.sh --campaign $hours${named:+ $named}"
}

build || { echo "0 1"; exit 0; }
if [ "${1:-}" = --campaign ]; then
	[ $# -ge 2 ] || { echo "usage: scripts/fuzz.sh --campaign HOURS [TARGET...]" >&2; exit 2; }
	shift
	campaign "$@"
else
	brief "${1:-${P2PDMA_FUZZ_SECONDS:-15}}"
fi
