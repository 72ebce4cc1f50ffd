// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real map command. */
#include "cli.h"

int cmd_map(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("map is not implemented yet");
}
