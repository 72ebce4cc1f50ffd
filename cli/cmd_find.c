// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real find command. */
#include "cli.h"

int cmd_find(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("find is not implemented yet");
}
