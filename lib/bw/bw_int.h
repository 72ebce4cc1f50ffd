/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the bandwidth model: the link constants of params.c.
 */
#ifndef P2PDMA_BW_INT_H
#define P2PDMA_BW_INT_H

#include "p2pdma/bw.h"
#include "util.h"

struct bw_link_consts {
	double enc_8b10b;		/* 2.5 and 5 GT/s */
	double enc_128b130b;		/* 8 to 32 GT/s */
	double enc_flit;		/* 64 GT/s FLIT mode */
	uint32_t flit_mts;		/* from this rate on, FLIT mode */
	unsigned int req_hdr;		/* request TLP header, 64-bit address */
	unsigned int cpl_hdr;		/* completion TLP header */
	unsigned int framing;		/* framing, sequence number, LCRC per TLP */
	unsigned int framing_flit;	/* the same in FLIT mode */
};

extern const struct bw_link_consts bw_link;

#endif /* P2PDMA_BW_INT_H */
