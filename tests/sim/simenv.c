// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "simenv.h"

struct env *env_new(const char *machine, const struct p2pdma_sim_opts *o)
{
	struct p2pdma_error e = { 0 };
	struct env *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->f = tu_load(machine);
	if (p2pdma_sim_new(v->f, o, &v->s, &e))
		fail_msg("sim: %s", e.reason);
	return v;
}

void env_free(struct env *v)
{
	p2pdma_sim_free(v->s);
	p2pdma_fabric_free(v->f);
	free(v);
}

const struct p2pdma_function *fn(struct env *v, const char *bdf)
{
	struct p2pdma_function *f = NULL;
	struct p2pdma_error e;

	if (p2pdma_fabric_lookup(v->f, bdf, &f, &e))
		fail_msg("%s", e.reason);
	return f;
}
