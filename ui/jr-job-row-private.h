/* jr-job-row-private.h — what tests may look at inside a JrJobRow.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(JOBROUTER_UI_COMPILATION)
#error "This header is private to libjobrouter-ui."
#endif

#include "jr-job-row.h"

G_BEGIN_DECLS

/* How many times the row applied a progress value to its widgets: at most
 * once per frame however often the future's progress notifies. */
guint      jr_job_row_get_n_progress_updates (JrJobRow *self);

GtkWidget *jr_job_row_get_progress_bar       (JrJobRow *self);
GtkWidget *jr_job_row_get_cancel_button      (JrJobRow *self);
GtkWidget *jr_job_row_get_state_label        (JrJobRow *self);
GtkWidget *jr_job_row_get_state_icon         (JrJobRow *self);
GtkWidget *jr_job_row_get_title_label        (JrJobRow *self);
GtkWidget *jr_job_row_get_progress_label     (JrJobRow *self);
GtkWidget *jr_job_row_get_time_label         (JrJobRow *self);
GtkWidget *jr_job_row_get_error_label        (JrJobRow *self);

/* "m:ss" or "h:mm:ss", for elapsed and remaining times. */
char      *jr_format_duration                (gint64    usec) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
