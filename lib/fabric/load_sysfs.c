// SPDX-License-Identifier: LGPL-2.1-or-later
/* PLACEHOLDER: replaced by the real loader. */
#include <errno.h>

#include "loaders.h"

int p2pdma_load_sysfs(struct p2pdma_fabric *f, const char *path,
	const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	(void)f;
	(void)opts;
	return p2pdma_fail(e, -EOPNOTSUPP, "%s: this input format is not implemented yet", path);
}
