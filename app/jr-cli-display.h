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
 * The display writes both descriptors itself, never blocking the main
 * loop on a reader that does not read: what the descriptor does not take
 * at once waits in memory and goes out when it becomes writable. Past
 * JR_CLI_DISPLAY_BUFFER_MAX bytes waiting the display stops taking more
 * (it waits for the reader, so the jobs wait in the router's bounds), but
 * a byte on the interrupt descriptor ends every wait at once.
 *
 * Threads: main thread, the thread of the futures' executor.
 */
#pragma once

#include <jobrouter.h>

G_BEGIN_DECLS

#define JR_CLI_DISPLAY_BUFFER_MAX (256 * 1024)

typedef struct _JrCliDisplay JrCliDisplay;

/**
 * JrCliDisplayErrorFunc:
 * @errsv: the errno of the failed write to the output (EPIPE: the reader
 *   is gone)
 * @user_data: what jr_cli_display_set_error_func() was given
 *
 * Called once, from an idle of the main loop, when a write to the output
 * (stdout) failed. What is written to it from then on is dropped.
 */
typedef void (*JrCliDisplayErrorFunc) (int      errsv,
                                       gpointer user_data);

JrCliDisplay *jr_cli_display_new            (int                    err_fd,
                                             int                    out_fd,
                                             gboolean               quiet);
void          jr_cli_display_set_interrupt_fd (JrCliDisplay        *self,
                                             int                    fd);
void          jr_cli_display_set_error_func (JrCliDisplay          *self,
                                             JrCliDisplayErrorFunc  func,
                                             gpointer               user_data);
void          jr_cli_display_add            (JrCliDisplay          *self,
                                             JrFuture              *future,
                                             const char            *label);
void          jr_cli_display_print          (JrCliDisplay          *self,
                                             const char            *text);
void          jr_cli_display_message        (JrCliDisplay          *self,
                                             const char            *format,
                                             ...) G_GNUC_PRINTF (2, 3);
void          jr_cli_display_stop_waiting   (JrCliDisplay          *self);
void          jr_cli_display_finish         (JrCliDisplay          *self);
int           jr_cli_display_flush          (JrCliDisplay          *self);
gboolean      jr_cli_display_wrote_output   (JrCliDisplay          *self);
void          jr_cli_display_free           (JrCliDisplay          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JrCliDisplay, jr_cli_display_free)

G_END_DECLS
