/* jr-cli-display.h — progress of running jobs on a terminal, or as plain
 * lines when the output is not a terminal.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Progress goes to stderr, what the jobs print to stdout, so that
 * `jobrouter run checksum DIR > SUMS` saves the report alone and still
 * shows the bars. When stderr is a terminal every job has a progress bar
 * there, redrawn in place at most 20 times a second; what iteration jobs
 * yield is printed above the bars. Otherwise each job prints
 * "label: 45% text" lines, at most a few a second, and its yields as they
 * come.
 *
 * Threads: main thread, the thread of the futures' executor.
 */
#pragma once

#include <stdio.h>

#include <jobrouter.h>

G_BEGIN_DECLS

typedef struct _JrCliDisplay JrCliDisplay;

JrCliDisplay *jr_cli_display_new    (FILE         *err,
                                     FILE         *out,
                                     gboolean      quiet);
void          jr_cli_display_add    (JrCliDisplay *self,
                                     JrFuture     *future,
                                     const char   *label);
void          jr_cli_display_finish (JrCliDisplay *self);
void          jr_cli_display_free   (JrCliDisplay *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JrCliDisplay, jr_cli_display_free)

G_END_DECLS
