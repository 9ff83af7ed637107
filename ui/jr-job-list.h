/* jr-job-list.h — a scrolling list of jobs, one JrJobRow each.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread only, like the executor it shows.
 */
#pragma once

#if !defined(JOBROUTER_UI_INSIDE) && !defined(JOBROUTER_UI_COMPILATION)
#error "Only <jobrouter-ui.h> can be included directly."
#endif

#include <gtk/gtk.h>

#include <jobrouter.h>

#include "jr-job-row.h"

G_BEGIN_DECLS

#define JR_TYPE_JOB_LIST (jr_job_list_get_type ())
JR_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (JrJobList, jr_job_list, JR, JOB_LIST, GtkWidget)

JR_AVAILABLE_IN_0_2
GtkWidget  *jr_job_list_new               (JrExecutor *executor);
JR_AVAILABLE_IN_0_2
JrExecutor *jr_job_list_get_executor      (JrJobList  *self);
JR_AVAILABLE_IN_0_2
void        jr_job_list_set_executor      (JrJobList  *self,
                                           JrExecutor *executor);
JR_AVAILABLE_IN_0_2
gboolean    jr_job_list_get_keep_finished (JrJobList  *self);
JR_AVAILABLE_IN_0_2
void        jr_job_list_set_keep_finished (JrJobList  *self,
                                           gboolean    keep_finished);
JR_AVAILABLE_IN_0_2
void        jr_job_list_clear_finished    (JrJobList  *self);
JR_AVAILABLE_IN_0_2
void        jr_job_list_add_future        (JrJobList  *self,
                                           JrFuture   *future);
JR_AVAILABLE_IN_0_2
GListModel *jr_job_list_get_model         (JrJobList  *self);
JR_AVAILABLE_IN_0_2
void        jr_job_list_set_result_func   (JrJobList       *self,
                                           JrJobResultFunc  func,
                                           gpointer         user_data,
                                           GDestroyNotify   destroy);
JR_AVAILABLE_IN_0_2
void        jr_job_list_set_placeholder   (JrJobList  *self,
                                           GtkWidget  *placeholder);

G_END_DECLS
