// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIGINT, SIGTERM and SIGHUP remove the temporary file of a capture in
 * progress, then end the program as the signal would.
 */
#include <signal.h>
#include <string.h>

#include "cli.h"

static void on_signal(int sig)
{
	p2pdma_remove_temp();
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* Keep an ignored signal ignored (nohup, a shell's background job). */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}
