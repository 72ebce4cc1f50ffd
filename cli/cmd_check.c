// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real check command. */
#include "cli.h"

int cmd_check(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("check is not implemented yet");
}
