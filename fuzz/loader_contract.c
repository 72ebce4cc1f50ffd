// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "loader_contract.h"

bool fuzz_loader_contract(struct p2pdma_fabric *f, int ret, const char *name,
			  struct p2pdma_error *e)
{
	char *dot = NULL;

	if (!ret) {
		/*
		 * The model's own checks (every address one owner, no BDF
		 * twice): p2pdma_fabric_load() puts the file name in front.
		 */
		ret = p2pdma_fabric_finalize(f, e);
		if (ret && (ret > 0 || !e->reason[0] || strchr(e->reason, '\n')))
			abort();
		if (ret)
			return false;
	}
	if (ret) {
		if (ret > 0 || strncmp(e->reason, name, strlen(name)) || strchr(e->reason, '\n'))
			abort();
		return false;
	}
	if (p2pdma_fabric_write_dot(f, NULL, &dot, e))
		abort();
	free(dot);
	return true;
}

void fuzz_load_checked(fuzz_load_buf_fn load, const uint8_t *data, size_t size,
		       const char *name)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };

	if (!f)
		return;
	fuzz_loader_contract(f, load(f, (const char *)data, size, name, NULL, &e), name, &e);
	p2pdma_fabric_free(f);
}
