/* jr-job-list.h — a scrolling list of jobs, one JrJobRow each.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread only, like the executor it shows.
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter.h"

#include "jr-job-row.h"

G_BEGIN_DECLS

#define JR_TYPE_JOB_LIST (jr_job_list_get_type ())
G_DECLARE_FINAL_TYPE (JrJobList, jr_job_list, JR, JOB_LIST, GtkWidget)

GtkWidget  *jr_job_list_new               (JrExecutor *executor);
JrExecutor *jr_job_list_get_executor      (JrJobList  *self);
void        jr_job_list_set_executor      (JrJobList  *self,
                                           JrExecutor *executor);
gboolean    jr_job_list_get_keep_finished (JrJobList  *self);
void        jr_job_list_set_keep_finished (JrJobList  *self,
                                           gboolean    keep_finished);
void        jr_job_list_clear_finished    (JrJobList  *self);
void        jr_job_list_add_future        (JrJobList  *self,
                                           JrFuture   *future);
GListModel *jr_job_list_get_model         (JrJobList  *self);
void        jr_job_list_set_result_func   (JrJobList       *self,
                                           JrJobResultFunc  func,
                                           gpointer         user_data,
                                           GDestroyNotify   destroy);
void        jr_job_list_set_placeholder   (JrJobList  *self,
                                           GtkWidget  *placeholder);

G_END_DECLS
