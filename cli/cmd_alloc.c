// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real alloc command. */
#include "cli.h"

int cmd_alloc(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("alloc is not implemented yet");
}
