// SPDX-License-Identifier: LGPL-2.1-or-later
/* PLACEHOLDER: replaced by the real loader. */
#include <errno.h>

#include "loaders.h"

int p2pdma_load_json(struct p2pdma_fabric *f, const char *path,
		     const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	(void)f;
	(void)opts;
	return p2pdma_fail(e, -EOPNOTSUPP, "%s: JSON is not implemented yet", path);
}

int p2pdma_load_json_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			 const char *name, struct p2pdma_error *e)
{
	(void)f;
	(void)buf;
	(void)len;
	return p2pdma_fail(e, -EOPNOTSUPP, "%s: JSON is not implemented yet", name);
}
