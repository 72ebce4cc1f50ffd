#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the guests' initramfs:
#
#   tests/vm/build-initramfs.sh BUILD_DIR OUT.cpio.gz
#
# It holds busybox-static, the guest agent (tests/vm/agent, compiled here
# statically), the project's p2pdma binary from BUILD_DIR (a normal build,
# not a sanitizer build) with every shared library ldd lists and the
# dynamic loader, and pci.ids for libpci's names.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "build-initramfs: $*" >&2
	exit 1
}

[ $# = 2 ] || die "usage: build-initramfs.sh BUILD_DIR OUT.cpio.gz"
BUILD=$1
OUT=$2
P2PDMA=$BUILD/cli/p2pdma
BUSYBOX=${P2PDMA_VM_BUSYBOX:-/bin/busybox}
PCI_IDS=/usr/share/misc/pci.ids
CC=${CC:-gcc}

[ -x "$P2PDMA" ] || die "$P2PDMA not built (meson setup $BUILD && ninja -C $BUILD)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: install busybox-static"
# busybox from the busybox package is dynamic; the guest has no libc for it.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked: install busybox-static"
fi
if ldd "$P2PDMA" | grep -q asan; then
	die "$P2PDMA is a sanitizer build; the guest needs a normal build"
fi
command -v cpio >/dev/null || die "cpio missing (./build.sh deps)"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/lib/p2pdma" "$ROOT/lib64" "$ROOT/proc" "$ROOT/sys" \
	"$ROOT/dev" "$ROOT/tmp" "$ROOT/usr/share/misc"

# The kernel opens /dev/console for init before devtmpfs is mounted.
mknod "$ROOT/dev/console" c 5 1 || die "mknod /dev/console failed (run as root)"
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$HERE/init" "$ROOT/init"
$CC -static -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-o "$ROOT/bin/p2p-agent" "$HERE"/agent/*.c
cp "$P2PDMA" "$ROOT/bin/p2pdma"
"$HERE/build-p2pmem-test.sh" "$BUILD" "$ROOT/bin/p2pmem-test"
[ -f "$PCI_IDS" ] && cp "$PCI_IDS" "$ROOT/usr/share/misc/pci.ids"

# Shared libraries: "name => /path (addr)" lines, and the loader's own line.
ldd "$P2PDMA" | awk '/=> \//{ print $3 } /^[[:space:]]*\/[^ ]*ld-linux/{ print $1 }' |
while read -r lib; do
	case $lib in
	*/ld-linux*) cp -L "$lib" "$ROOT/lib64/$(basename "$lib")" ;;
	*) cp -L "$lib" "$ROOT/lib/p2pdma/" ;;
	esac
done
[ -n "$(ls "$ROOT/lib64")" ] || die "no dynamic loader found by ldd $P2PDMA"

(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -6 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
