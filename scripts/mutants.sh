#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rerun the mutation audit (../shared/audits/tests-2026-12/REPORT.md): apply
# each mutant of scripts/mutants.list to the source, one at a time, build,
# run the suites that cover its layer, record which tests fail, and put the
# file back.  Slow (about 30 s a mutant on 2 cores): not part of CI.
#
#   scripts/mutants.sh [-b BUILDDIR] [-l LIST] [-o RESULTS] [--full] [ID ...]
#
#   -b DIR    build directory (default build-mut; set up when missing)
#   -l FILE   the mutant list (default scripts/mutants.list)
#   -o FILE   results, one line a mutant (default DIR/mutants.txt)
#   --full    run the whole test suite for every mutant, not only its layer's
#   ID ...    only these mutants (default: all)
#
# Each result line is "ID RESULT SECONDS TEST,TEST,...": KILLED (the tests
# that failed or timed out follow), SURVIVED, EQUIVALENT (survived, and the
# list marks it as behaving exactly like the original), NONVIABLE (does not
# build), NOMATCH (the original text is no longer in the file: update the
# list) or NORUN (no test ran).  Equivalent and non-viable mutants are left
# out of the scores.
# A table of kills per area ends the run.  Exit 0 when every viable mutant
# was killed, 1 otherwise (also on NOMATCH or NORUN), 2 on bad usage.
set -eu
cd "$(dirname "$0")/.."

BUILD=build-mut
LIST=scripts/mutants.list
OUT=
FULL=
while [ $# -gt 0 ]; do
	case $1 in
	-b) BUILD=$2; shift 2 ;;
	-l) LIST=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	--full) FULL=1; shift ;;
	-h|--help) sed -n '4,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mutants.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
OUT=${OUT:-$BUILD/mutants.txt}
[ -r "$LIST" ] || { echo "mutants.sh: cannot read $LIST" >&2; exit 2; }

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Dbuildtype=debugoptimized >/dev/null
fi

# The suites that cover a file's layer (as the audit chose them).
suites_for() {
	[ -n "$FULL" ] && return 0
	case $1 in
	lib/policy/*) echo "--suite policy --suite dma --suite cli --suite vm" ;;
	lib/dma/*) echo "--suite dma --suite cli" ;;
	lib/mem/*) echo "--suite mem --suite dma --suite cli" ;;
	lib/fabric/cfgspace.c|lib/fabric/load_sysfs.c) ;;
	lib/fabric/*) echo "--suite fabric --suite json --suite cli --suite policy --suite lspci --suite nccl --suite dot --suite mem --suite dma --suite vm" ;;
	esac
}

# Replace the original text nearest to the line hint; exit 3 when absent.
apply() {
	python3 - "$@" <<-'EOF'
	import sys
	path, line, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
	unesc = lambda s: s.replace('\\n', '\n').replace('\\t', '\t')
	old, new = unesc(old), unesc(new)
	src = open(path).read()
	hits, at = [], src.find(old)
	while at >= 0:
	    hits.append(at)
	    at = src.find(old, at + 1)
	if not hits:
	    sys.exit(3)
	best = min(hits, key=lambda h: abs(src.count('\n', 0, h) + 1 - line))
	open(path, 'w').write(src[:best] + new + src[best + len(old):])
	EOF
}

BACKUP=
FILE=
restore() {
	if [ -n "$BACKUP" ]; then
		cp "$BACKUP" "$FILE"
		rm -f "$BACKUP"
		BACKUP=
	fi
}
trap 'restore; exit 130' INT TERM
trap 'restore' EXIT

echo "== baseline build"
nice ninja -C "$BUILD" -j2 >/dev/null
: >"$OUT"
TAB=$(printf '\t')
MUTANTS=$(mktemp)
grep -v '^#' "$LIST" | grep -v '^$' >"$MUTANTS"
while IFS="$TAB" read -r id loc old new equiv; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $id "*) ;; *) continue ;; esac
	fi
	FILE=${loc%:*}
	line=${loc##*:}
	start=$(date +%s)
	BACKUP=$(mktemp)
	cp "$FILE" "$BACKUP"
	result='' killers=''
	if ! apply "$FILE" "$line" "$old" "$new"; then
		result=NOMATCH
	elif ! nice ninja -C "$BUILD" -j2 >"$BUILD/mutant-build.log" 2>&1; then
		result=NONVIABLE
	else
		# shellcheck disable=SC2046
		log=$(nice meson test -C "$BUILD" --no-rebuild --num-processes 2 \
			$(suites_for "$FILE") 2>&1 || true)
		killers=$(printf '%s\n' "$log" |
			sed -n 's/^ *[0-9]*\/[0-9]* [^ ]* \/ \([^ ]*\) *\(FAIL\|ERROR\|TIMEOUT\).*/\1:\2/p' |
			paste -sd, -)
		if [ -n "$killers" ]; then
			result=KILLED
		elif ! printf '%s\n' "$log" | grep -q '^Ok: *[1-9]'; then
			result=NORUN
		elif [ "${equiv:-}" = equivalent ]; then
			result=EQUIVALENT
		else
			result=SURVIVED
		fi
	fi
	restore
	printf '%s %s %ss %s\n' "$id" "$result" $(($(date +%s) - start)) "$killers" |
		tee -a "$OUT"
done <"$MUTANTS"
rm -f "$MUTANTS"
nice ninja -C "$BUILD" -j2 >/dev/null

# Kills per area: lib/policy, lib/dma, lib/mem, lib/fabric.
echo
echo "| area | viable | killed | survived | score |"
echo "|---|---|---|---|---|"
export LC_ALL=C
grep -v '^#' "$LIST" | cut -f1,2 | sed 's|\tlib/\([a-z]*\)/.*| \1|' | sort >"$OUT.areas"
sort "$OUT" | join - "$OUT.areas" | awk '
	$2 == "KILLED" || $2 == "SURVIVED" {
		a = $NF; v[a]++; tv++
		if ($2 == "KILLED") { k[a]++; tk++ }
	}
	END {
		for (a in v)
			printf "| %s | %d | %d | %d | %.1f %% |\n", a, v[a], k[a], v[a] - k[a], 100 * k[a] / v[a]
		if (tv)
			printf "| total | %d | %d | %d | %.1f %% |\n", tv, tk, tv - tk, 100 * tk / tv
	}'
rm -f "$OUT.areas"
! grep -qE ' (SURVIVED|NOMATCH|NORUN) ' "$OUT"
