#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer targets with clang (ASan+UBSan) and run them.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#       Brief runs (CI): each target for SECONDS (default 15, or
#       $P2PDMA_FUZZ_SECONDS) on its seeds and the kept corpus.  Prints one
#       line per target and, last, "PASSED FAILED" for build.sh to add up.
#   scripts/fuzz.sh --speed [SECONDS [TARGET...]]
#       Executions per CPU second of each target, SECONDS (default 20)
#       each on its seeds and kept corpus, one at a time: the figure the
#       2,000 a second goal of issue 15 is about.
#   scripts/fuzz.sh --campaign HOURS [--jobs N] [--goal EXECS] [TARGET...]
#       A campaign: HOURS of wall-clock fuzzing over the targets (all, or
#       those named, in that order), N at a time (default: one per core),
#       at nice 19.  Each target runs until the campaign's executions of it
#       reach EXECS (default 10 million) or its share of the time is up:
#       what is left of the HOURS shared among the targets not finished
#       when it starts, so time a target did not need goes to the next.
#       Targets already there are skipped.  New inputs are merged into the kept
#       corpus fuzz/corpus/TARGET (minimized: only inputs that add
#       coverage stay), each run is added to the ledger fuzz/campaigns.tsv,
#       and a table gives executions, executions per second, coverage,
#       findings and the campaign's total per target.  Crashes, leaks and
#       timeouts are saved as build-fuzz/TARGET-crash-* etc.
#
# The kept corpus is in the tree so CI's brief runs start where the last
# campaign stopped, and a later campaign goes on where one ran out of
# time: the ledger says how far each target has got, and at which commit.
# A slow input (over 10 s) is a finding, not a wait.
set -u
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."
B=build-fuzz
# -entropic=0: libFuzzer's entropic scheduler spent most of the time of
# the text targets counting features (5x fewer runs, measured); the plain
# scheduler finds the same coverage in the same time.
OPTS="-rss_limit_mb=2048 -timeout=10 -entropic=0 -print_final_stats=1"
# malloc_context_size=0: no stack is recorded at each malloc and free,
# which was a sixth of the time of the targets that allocate most
# (capture, tarball).  Every check stays (overflows, use after free,
# leaks); only a report's "allocated by"/"freed by" stacks go, so each
# finding is run again with them (full_report).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:malloc_context_size=0
FULL_ASAN=detect_leaks=1:malloc_context_size=30

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
	fuzz_route) echo 1033 ;;		# 9 + 64 DMAs of 16 bytes
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

# Seconds of CPU (user + system) this shell's children have used, from
# "times" run in this shell (in $(...) it would count the subshell's).
child_cpu() {
	times >$B/times.$$
	awk 'NR == 2 {
		for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] }
		printf "%.2f\n", s }' $B/times.$$
	rm -f $B/times.$$
}

# Executions per CPU second of each target (all, or those named) over
# SECONDS on its seeds and kept corpus, one target at a time: CPU time,
# so other load on a shared machine slows the run but not the figure.
speed() {
	secs=$1
	shift
	printf '%-16s %10s %8s %10s\n' target execs cpu_s exec/cpu_s
	for t in ${*:-$(targets)}; do
		[ -x $B/fuzz/$t ] || { echo "speed: no target $t" >&2; exit 2; }
		work=$B/speed/$t
		rm -rf "$work"
		seed $t $work
		child_cpu >$B/cpu.before
		"$B/fuzz/$t" $OPTS -max_len=$(max_len $t) -max_total_time="$secs" "$work" \
			fuzz/corpus/$t >"$B/$t.speed.log" 2>&1
		child_cpu >$B/cpu.after
		cpu=$(awk 'NR == 1 { a = $1 } NR == 2 { printf "%.2f", $1 - a }' \
			$B/cpu.before $B/cpu.after)
		awk -v t=$t -v n=$(stats "$B/$t.speed.log" | cut -d' ' -f1) -v c=$cpu 'BEGIN {
			printf "%-16s %10d %8.2f %10.0f\n", t, n, c, (c > 0 ? n / c : 0) }'
		rm -rf "$work"
	done
	echo "command: scripts/fuzz.sh --speed $secs${*:+ $*}"
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
			full_report $t
			failed=$((failed + 1))
		fi
	done
	echo "$passed $failed"
}

# Each saved finding of @1 run again with allocation stacks, into FILE.log.
full_report() {
	for f in $B/$1-crash-* $B/$1-leak-* $B/$1-timeout-* $B/$1-oom-*; do
		case $f in *'*'*|*.log) continue ;; esac
		ASAN_OPTIONS=$FULL_ASAN timeout 60 "$B/fuzz/$1" -rss_limit_mb=2048 "$f" \
			>"$f.log" 2>&1
		echo "fuzz $1: $f: full report in $f.log" >&2
	done
}

LEDGER=${P2PDMA_FUZZ_LEDGER:-fuzz/campaigns.tsv}

# Executions of @1 in the ledger so far.
ledger_total() {
	[ -f $LEDGER ] || { echo 0; return; }
	awk -F'\t' -v t="$1" '$3 == t { n += $5 } END { printf "%d\n", n }' $LEDGER
}

# Seconds for a target starting now: an equal share of what is left
# until the campaign's deadline @1 among the @2 targets of @3 jobs that
# have not finished, so a target that reached its goal early leaves its
# time to those after it.  At least a minute, never past the deadline.
share() {
	end=$1 n=$2 jobs=$3
	done=$(ls $B/campaign/*.row 2>/dev/null | wc -l)
	awk -v left=$((end - $(date +%s))) -v n=$((n - done)) -v j=$jobs 'BEGIN {
		if (n < 1) n = 1
		if (j > n) j = n
		s = int(left * j / n)
		if (s > left) s = left
		print s < 60 ? 60 : s }'
}

# One target's share of a campaign: "--one TARGET DEADLINE TARGETS JOBS
# RUNS", run by campaign() through xargs so that several go at once.
# Leaves its table row in $B/campaign/TARGET.row and its ledger line in
# TARGET.ledger.
one() {
	t=$1 runs=$5
	secs=$(share $2 $3 $4)
	work=$B/campaign/$t
	rm -rf "$work" fuzz/corpus/$t.new
	seed $t $work
	nice -n 19 "$B/fuzz/$t" $OPTS -max_len=$(max_len $t) -max_total_time="$secs" \
		-runs="$runs" -artifact_prefix="$B/$t-" "$work" fuzz/corpus/$t \
		>"$B/$t.campaign.log" 2>&1
	set -- $(stats "$B/$t.campaign.log")
	# Minimize: keep only what adds coverage, the kept corpus first.
	mkdir -p fuzz/corpus/$t.new
	nice -n 19 "$B/fuzz/$t" -merge=1 $OPTS -max_len=$(max_len $t) fuzz/corpus/$t.new \
		fuzz/corpus/$t "$work" >"$B/$t.merge.log" 2>&1 &&
		rm -rf fuzz/corpus/$t && mv fuzz/corpus/$t.new fuzz/corpus/$t
	found=$(ls $B/$t-crash-* $B/$t-leak-* $B/$t-timeout-* $B/$t-oom-* 2>/dev/null |
		grep -vc '\.log$')
	[ "$found" -gt 0 ] && full_report $t
	took=$(awk '/Done [0-9]+ runs in/ { for (i = 1; i < NF; i++) if ($i == "in") s = $(i + 1) } END { print s ? s : 0 }' \
		"$B/$t.campaign.log")
	# A run stopped by a finding prints no "Done" line: its time is its
	# executions at its average rate, not the share it was given.
	[ "$took" = 0 ] && took=$(awk -v n=$1 -v r=$2 -v s=$secs 'BEGIN { print r > 0 ? int(n / r + 0.5) : s }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
		"$(git rev-parse --short HEAD)" $t $took $1 $2 $3 $4 $found >"$work.ledger"
	printf '%-16s %8s %12s %8s %6s %7s %7s %8s' $t $took $1 $2 $3 $4 \
		$(ls fuzz/corpus/$t | wc -l) $found >"$work.row"
}

campaign() {
	hours=$1 jobs=$(nproc) goal=10000000
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--jobs) jobs=$2; shift 2 ;;
		--goal) goal=$2; shift 2 ;;
		*) break ;;
		esac
	done
	case "$hours$jobs$goal" in
	*[!0-9.]*) echo "usage: scripts/fuzz.sh --campaign HOURS [--jobs N] [--goal EXECS] [TARGET...]" >&2
		   exit 2 ;;
	esac
	named="$*"
	list=
	for t in ${named:-$(targets)}; do
		[ -x $B/fuzz/$t ] || { echo "campaign: no target $t" >&2; exit 2; }
		left=$((goal - $(ledger_total $t)))
		if [ $left -gt 0 ]; then
			list="$list $t"
			echo "$t $left" >>$B/campaign.todo.$$
		else
			echo "campaign: $t has $(ledger_total $t) executions already (goal $goal), skipped"
		fi
	done
	n=$(echo $list | wc -w)
	[ $n -gt 0 ] || { echo "campaign: every target has reached $goal executions"; return; }
	[ $jobs -gt $n ] && jobs=$n
	# Jobs x hours shared out as targets start (share() above).
	end=$(awk -v h="$hours" -v now="$(date +%s)" 'BEGIN { print int(now + h * 3600) }')
	echo "campaign: $n targets, $jobs at a time, until $(date -d @$end +%H:%M), goal $goal executions, nice 19 ($(nproc) cores)"
	mkdir -p $B/campaign
	rm -f $B/campaign/*.row $B/campaign/*.ledger
	xargs -P "$jobs" -L 1 sh -c 'exec "$0" --one "$1" '"$end $n $jobs"' "$2"' "$SELF" \
		<$B/campaign.todo.$$
	rm -f $B/campaign.todo.$$
	printf '%-16s %8s %12s %8s %6s %7s %7s %8s %12s\n' target seconds execs exec/s cov ft corpus findings total
	[ -f $LEDGER ] || printf 'date\tcommit\ttarget\tseconds\texecs\texec_per_s\tcov\tft\tfindings\n' >$LEDGER
	for t in $list; do
		[ -f $B/campaign/$t.ledger ] || { echo "$t: no result (see $B/$t.campaign.log)"; continue; }
		cat $B/campaign/$t.ledger >>$LEDGER
		printf '%s %12s\n' "$(cat $B/campaign/$t.row)" "$(ledger_total $t)"
	done
	echo "command: scripts/fuzz.sh --campaign $hours --jobs $jobs --goal $goal${named:+ $named}"
}

if [ "${1:-}" = --one ]; then
	shift
	one "$@"
	exit 0
fi
build || { echo "0 1"; exit 0; }
if [ "${1:-}" = --speed ]; then
	shift
	secs=${1:-20}
	[ $# -gt 0 ] && shift
	speed "$secs" "$@"
elif [ "${1:-}" = --campaign ]; then
	[ $# -ge 2 ] || { echo "usage: scripts/fuzz.sh --campaign HOURS [--jobs N] [--goal EXECS] [TARGET...]" >&2; exit 2; }
	shift
	campaign "$@"
else
	brief "${1:-${P2PDMA_FUZZ_SECONDS:-15}}"
fi
