// SPDX-License-Identifier: LGPL-2.1-or-later
/* PLACEHOLDER: replaced by the real writer. */
#include <errno.h>
#include <stddef.h>

#include "util.h"

int p2pdma_fabric_write_tree(const struct p2pdma_fabric *f, char **out, struct p2pdma_error *e)
{
	(void)f;
	*out = NULL;
	return p2pdma_fail(e, -EOPNOTSUPP, "not implemented yet");
}
