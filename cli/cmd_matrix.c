// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real matrix command. */
#include "cli.h"

int cmd_matrix(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("matrix is not implemented yet");
}
