// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whole text files for the loaders that parse from memory, and excerpts for messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"

int p2pdma_read_file(const char *path, size_t max, char **buf, size_t *len,
		     struct p2pdma_error *e)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *b;

	*buf = NULL;
	if (!fp)
		return p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	b = malloc(cap + 1);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, fp);

		n += got;
		if (n < cap)
			break;
		if (cap >= max) {
			free(b);
			fclose(fp);
			return p2pdma_fail(e, -EFBIG, "%s: larger than %zu MiB: not a machine description",
					   path, max >> 20);
		}
		cap *= 2;
		{
			char *nb = realloc(b, cap + 1);

			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (!b) {
		fclose(fp);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	if (ferror(fp)) {
		free(b);
		fclose(fp);
		return p2pdma_fail(e, -EIO, "%s: read error", path);
	}
	fclose(fp);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

char *p2pdma_excerpt(char *out, size_t outlen, const char *s, size_t n, size_t max)
{
	size_t i, k = 0;

	if (!outlen)
		return out;
	for (i = 0; i < n && i < max && k + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (i < n && k + 4 < outlen) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}
