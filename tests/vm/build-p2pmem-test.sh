#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build p2pmem-test (GPL-2.0, the P2PDMA authors' own copy tool) statically
# for the guests, so `p2pdma copy` is compared with it in the same guest:
#
#   tests/vm/build-p2pmem-test.sh BUILD_DIR OUT_BINARY
#
# The source lives outside this tree (P2PDMA_P2PMEM_TEST_SRC, default
# ../shared/peers/p2pmem-test beside the checkout) and may be read-only, so
# it is copied into BUILD_DIR/p2pmem-test first and never into our sources.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "build-p2pmem-test: $*" >&2
	exit 1
}

[ $# = 2 ] || die "usage: build-p2pmem-test.sh BUILD_DIR OUT_BINARY"
SRC=${P2PDMA_P2PMEM_TEST_SRC:-$HERE/../../../shared/peers/p2pmem-test}
WORK=$1/p2pmem-test
CC=${CC:-gcc}

[ -f "$SRC/src/main.c" ] || die "no p2pmem-test source at $SRC (set P2PDMA_P2PMEM_TEST_SRC)"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -R "$SRC/." "$WORK/"
chmod -R u+w "$WORK"
mkdir -p "$WORK/build"
# Its VERSION-GEN asks git; the copy has no history, so name it here.
echo '#define VERSION "p2pdma-vm"' >"$WORK/build/version.h"
# Its own Makefile builds libargconfig.a and links dynamically; one static
# command does both (-lm for libargconfig's stats).
$CC -static -std=gnu99 -O2 -D_GNU_SOURCE -w \
	-I"$WORK/libargconfig/inc" -I"$WORK/libargconfig/inc/argconfig" -I"$WORK/build" \
	-o "$2" "$WORK/src/main.c" "$WORK"/libargconfig/src/*.c -lpthread -lm
