/* jr-job-row.h — one job: title, progress, times, state, result and a cancel
 * button.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread only, like the future it shows.
 */
#pragma once

#if !defined(JOBROUTER_UI_INSIDE) && !defined(JOBROUTER_UI_COMPILATION)
#error "Only <jobrouter-ui.h> can be included directly."
#endif

#include <gtk/gtk.h>

#include <jobrouter.h>

G_BEGIN_DECLS

/**
 * JrJobResultFunc:
 * @future: a completed future
 * @user_data: the data given with the function
 *
 * Says in a few words what a job gave, for its finished row: "9,592
 * primes up to 100,000".
 *
 * Returns: (transfer full) (nullable): one short line, or %NULL for none
 *
 * Since: 0.2
 */
typedef char *(*JrJobResultFunc) (JrFuture *future,
                                  gpointer  user_data);

#define JR_TYPE_JOB_ROW (jr_job_row_get_type ())
JR_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (JrJobRow, jr_job_row, JR, JOB_ROW, GtkWidget)

JR_AVAILABLE_IN_0_2
GtkWidget *jr_job_row_new             (JrFuture        *future);
JR_AVAILABLE_IN_0_2
JrFuture  *jr_job_row_get_future      (JrJobRow        *self);
JR_AVAILABLE_IN_0_2
void       jr_job_row_set_future      (JrJobRow        *self,
                                       JrFuture        *future);
JR_AVAILABLE_IN_0_2
void       jr_job_row_set_result_func (JrJobRow        *self,
                                       JrJobResultFunc  func,
                                       gpointer         user_data,
                                       GDestroyNotify   destroy);

G_END_DECLS
