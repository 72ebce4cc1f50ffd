/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The known contents of every emulated NVMe namespace.  The host fills each
 * backing file with this pattern (vmtest.py, pattern_words()), so the guest
 * can tell a byte-exact peer-to-peer read from a read whose data never
 * arrived.  The pattern depends on the drive's serial number so that data
 * read from the wrong drive is caught too.
 */
#ifndef VM_PATTERN_H
#define VM_PATTERN_H

#include <stdint.h>

/* FNV-1a over the serial number: the seed of that drive's pattern. */
static inline uint64_t pattern_seed(const char *serial)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *serial; serial++) {
		h ^= (unsigned char)*serial;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The 64-bit little-endian word at byte offset 8 * @index (splitmix64). */
static inline uint64_t pattern_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif /* VM_PATTERN_H */
