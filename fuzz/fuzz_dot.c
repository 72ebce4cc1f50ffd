// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the Graphviz DOT writer.  The input is a header
 * (a title, path labels and which functions the coloured paths pass,
 * all taken as given, quotes and control characters included) and then
 * a JSON machine description for the fabric.
 *
 * Whatever the names, the output must be DOT whose every string is closed
 * on its own line and holds no raw control character, so no name can add
 * attributes (image=, shapefile=) or break the graph; the same input must
 * give the same bytes.  Otherwise: abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 48

/* Every quoted string closes on its line; no raw control bytes anywhere. */
static void check_dot(const char *s)
{
	bool in = false;

	while (!strncmp(s, "//", 2) && strchr(s, '\n'))
		s = strchr(s, '\n') + 1;	/* the writer's own comment */
	if (strncmp(s, "digraph ", 8))
		abort();
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 && c != '\n' && c != '\t')
			abort();
		if (in && c == '\\' && s[1]) {
			s++;
			if (s[0] == '\n')
				abort();
			continue;
		}
		if (c == '"')
			in = !in;
		if (c == '\n' && in)
			abort();	/* a string ran past its line: something unescaped */
	}
	if (in)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	const struct p2pdma_function *fns[2][4];
	struct p2pdma_dot_path paths[2];
	struct p2pdma_dot_opts o = { 0 };
	struct p2pdma_error e = { 0 };
	char title[17], label[2][17], *a = NULL, *b = NULL;
	size_t i, k;

	if (!f || size < HDR) {
		p2pdma_fabric_free(f);
		return 0;
	}
	if (p2pdma_load_json_buf(f, (const char *)data + HDR, size - HDR, "fuzz.json", &e) ||
	    p2pdma_fabric_finalize(f, &e) || !f->nr_fns) {
		p2pdma_fabric_free(f);
		return 0;
	}
	memcpy(title, data, 16);
	title[16] = '\0';
	o.title = data[40] & 1 ? title : NULL;
	o.all = data[40] & 2;
	for (k = 0; k < 2; k++) {
		memcpy(label[k], data + 16 + 8 * k, 8);
		label[k][8] = '\0';
		for (i = 0; i < 4; i++)
			fns[k][i] = f->fns[data[32 + 4 * k + i] % f->nr_fns];
		paths[k] = (struct p2pdma_dot_path){ fns[k], 1 + data[41 + k] % 4,
						     (enum p2pdma_dot_color)(data[43 + k] % 3),
						     data[45 + k] & 1 ? label[k] : NULL };
	}
	o.paths = paths;
	o.nr_paths = data[47] % 3;
	if (p2pdma_fabric_write_dot(f, &o, &a, &e) || p2pdma_fabric_write_dot(f, &o, &b, &e))
		abort();
	check_dot(a);
	if (strcmp(a, b))
		abort();
	free(a);
	free(b);
	p2pdma_fabric_free(f);
	return 0;
}
