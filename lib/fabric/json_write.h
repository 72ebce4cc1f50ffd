/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the JSON writer, for the library's own checks. */
#ifndef P2PDMA_JSON_WRITE_H
#define P2PDMA_JSON_WRITE_H

#include "p2pdma.h"

/*
 * Whether two finalized machines write as the same JSON document,
 * compared as the writer's json-c trees without laying out the text:
 * 1 the same, 0 not, -ENOMEM.
 */
int p2pdma_fabric_same_json(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b);

#endif /* P2PDMA_JSON_WRITE_H */
