/* jr-job-row.h — one job: title, progress, times, state and a cancel button.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread only, like the future it shows.
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter.h"

G_BEGIN_DECLS

#define JR_TYPE_JOB_ROW (jr_job_row_get_type ())
G_DECLARE_FINAL_TYPE (JrJobRow, jr_job_row, JR, JOB_ROW, GtkWidget)

GtkWidget *jr_job_row_new        (JrFuture *future);
JrFuture  *jr_job_row_get_future (JrJobRow *self);
void       jr_job_row_set_future (JrJobRow *self,
                                  JrFuture *future);

G_END_DECLS
