// SPDX-License-Identifier: LGPL-2.1-or-later
/* PLACEHOLDER: replaced by the real capture writer. */
#include <errno.h>

#include "util.h"

int p2pdma_capture(const char *root, const char *out_path,
		   p2pdma_log_fn log, void *log_arg, struct p2pdma_error *e)
{
	(void)root;
	(void)log;
	(void)log_arg;
	return p2pdma_fail(e, -EOPNOTSUPP, "%s: capture is not implemented yet", out_path);
}
