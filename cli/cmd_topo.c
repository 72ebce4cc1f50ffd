// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real topo command. */
#include "cli.h"

int cmd_topo(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("topo is not implemented yet");
}
