// SPDX-License-Identifier: GPL-2.0-or-later
/* PLACEHOLDER: replaced by the real capture command. */
#include "cli.h"

int cmd_capture(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return cli_error("capture is not implemented yet");
}
