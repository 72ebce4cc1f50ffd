#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the guest kernel once and cache it.
#
#   tests/vm/build-kernel.sh            print the path of a bzImage built from
#                                       Debian's linux-source-6.12 with
#                                       tinyconfig + tests/vm/kernel.config
#   tests/vm/build-kernel.sh --key      print only the cache key
#
# The cache (tests/vm/cache/, or $P2PDMA_VM_CACHE) is keyed by a hash of the
# config fragment, the kernel source package version and RECIPE below, so a
# cached kernel is reused until one of those changes.  The build runs under
# `nice -n 10` because it takes every core for several minutes.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${P2PDMA_VM_CACHE:-$HERE/cache}
KSRC_PKG=linux-source-6.12
KSRC_TAR=${P2PDMA_VM_KSRC:-/usr/src/$KSRC_PKG.tar.xz}
FRAGMENT=$HERE/kernel.config
# Bump when the way the kernel is configured or built changes.
RECIPE=1

die() {
	echo "build-kernel: $*" >&2
	exit 1
}

src_version() {
	v=$(dpkg-query -W -f='${Version}' "$KSRC_PKG" 2>/dev/null || true)
	if [ -z "$v" ]; then
		# Not from the package: name the tarball by its contents.
		v=$(sha256sum "$KSRC_TAR" | cut -c1-16)
	fi
	echo "$v"
}

cache_key() {
	{
		echo "recipe $RECIPE"
		echo "source $(src_version)"
		cat "$FRAGMENT"
	} | sha256sum | cut -c1-16
}

# Options of the fragment, as "NAME" or "NAME=VALUE"; $1 = "" or "again: ".
fragment_options() {
	sed -n "s/^$1\\([A-Z0-9_][A-Z0-9_=]*\\)\$/\\1/p" "$FRAGMENT"
}

set_options() {
	obj=$1
	shift
	for opt in "$@"; do
		case $opt in
		*=*) "$SRC/scripts/config" --file "$obj/.config" \
			--set-val "${opt%%=*}" "${opt#*=}" ;;
		*) "$SRC/scripts/config" --file "$obj/.config" --enable "$opt" ;;
		esac
	done
}

configure() {
	obj=$1
	make -s -C "$SRC" O="$obj" tinyconfig >/dev/null
	# shellcheck disable=SC2046
	set_options "$obj" $(fragment_options "")
	make -s -C "$SRC" O="$obj" olddefconfig >/dev/null
	# shellcheck disable=SC2046
	set_options "$obj" $(fragment_options "again: ")
	make -s -C "$SRC" O="$obj" olddefconfig >/dev/null
	missing=""
	for opt in $(fragment_options "") $(fragment_options "again: "); do
		case $opt in
		*=*) want="CONFIG_$opt" ;;
		*) want="CONFIG_$opt=y" ;;
		esac
		grep -qx "$want" "$obj/.config" || missing="$missing $want"
	done
	if ! grep -qx 'CONFIG_PCI_P2PDMA=y' "$obj/.config"; then
		die "CONFIG_PCI_P2PDMA=y did not survive olddefconfig (see $obj/.config)"
	fi
	if [ -n "$missing" ]; then
		die "options dropped by olddefconfig:$missing (see $obj/.config)"
	fi
}

unpack() {
	SRC=$CACHE/src-$(src_version | tr -c 'A-Za-z0-9.+\n' '_')
	if [ ! -f "$SRC/.unpacked" ]; then
		echo "build-kernel: unpacking $KSRC_TAR" >&2
		rm -rf "$SRC"
		mkdir -p "$SRC"
		tar -xJf "$KSRC_TAR" -C "$SRC" --strip-components=1
		touch "$SRC/.unpacked"
	fi
}

build() {
	dir=$1
	obj=$dir/obj
	rm -rf "$obj"
	mkdir -p "$obj"
	configure "$obj"
	echo "build-kernel: building bzImage in $obj (nice -n 10, -j$(nproc))" >&2
	start=$(date +%s)
	if ! nice -n 10 make -C "$SRC" O="$obj" -j"$(nproc)" bzImage \
		>"$dir/build.log" 2>&1; then
		tail -n 30 "$dir/build.log" >&2
		die "kernel build failed; whole log in $dir/build.log"
	fi
	end=$(date +%s)
	cp "$obj/arch/x86/boot/bzImage" "$dir/bzImage.tmp"
	cp "$obj/.config" "$dir/config"
	echo "$((end - start))" >"$dir/build-seconds"
	mv "$dir/bzImage.tmp" "$dir/bzImage"
	echo "build-kernel: built in $((end - start)) s" >&2
}

main() {
	[ -f "$FRAGMENT" ] || die "$FRAGMENT is missing"
	[ -f "$KSRC_TAR" ] || die "$KSRC_TAR not found: install $KSRC_PKG from bookworm-backports (./build.sh deps)"
	key=$(cache_key)
	if [ "${1:-}" = "--key" ]; then
		echo "$key"
		return
	fi
	dir=$CACHE/kernel-$key
	if [ ! -f "$dir/bzImage" ]; then
		for tool in make gcc flex bison bc; do
			command -v $tool >/dev/null || die "$tool is missing (./build.sh deps)"
		done
		mkdir -p "$dir"
		# One builder at a time; a second caller waits and then reuses it.
		exec 9>"$CACHE/kernel.lock"
		flock 9
		if [ ! -f "$dir/bzImage" ]; then
			unpack
			build "$dir"
		fi
	fi
	[ -f "$dir/source-version" ] || echo "$KSRC_PKG $(src_version)" >"$dir/source-version"
	echo "$dir/bzImage"
}

main "$@"
