/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A machine and its simulated platform, for the cmocka suites of tests/sim. */
#ifndef P2PDMA_SIMENV_H
#define P2PDMA_SIMENV_H

#include "testutil.h"

struct env {
	struct p2pdma_fabric *f;
	struct p2pdma_sim *s;
};

/* Load @machine and make its platform with @o (NULL: the defaults); fails the test on error. */
struct env *env_new(const char *machine, const struct p2pdma_sim_opts *o);
void env_free(struct env *v);
/* The function at @bdf; fails the test when there is none. */
const struct p2pdma_function *fn(struct env *v, const char *bdf);

#endif /* P2PDMA_SIMENV_H */
