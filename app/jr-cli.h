/* jr-cli.h — `jobrouter run`: run jobs from the command line, no window.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread, after jr_init().
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of `jobrouter run`. */
#define JR_CLI_EXIT_OK          0
#define JR_CLI_EXIT_JOB_FAILED  1
#define JR_CLI_EXIT_USAGE       2
#define JR_CLI_EXIT_INTERRUPTED 130  /* SIGINT, SIGTERM, SIGHUP */
#define JR_CLI_EXIT_BROKEN_PIPE 141  /* stdout's reader went away: 128 + SIGPIPE */

int  jr_cli_run  (int    argc,
                  char **argv);
int  jr_cli_demo (void);
/* The program started with its standard output closed (`>&-`; main()
 * holds /dev/null there): the results cannot be written, and `run` says so
 * (a write error, status 1), as coreutils do. */
void jr_cli_set_stdout_closed (void);

G_END_DECLS
