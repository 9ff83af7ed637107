/* jr-job-list-private.h — JrJobList internals for the indicator and tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(JOBROUTER_UI_COMPILATION)
#error "This header is private to libjobrouter-ui."
#endif

#include "jr-job-list.h"

G_BEGIN_DECLS

/* Mirrors @jobs (a model of JrFuture, like jr_executor_get_jobs()) instead
 * of an executor's: tests drive futures by hand through it. Clears the
 * list, like changing the executor. */
void       jr_job_list_set_jobs_model   (JrJobList  *self,
                                         GListModel *jobs);
GtkWidget *jr_job_list_get_list_view    (JrJobList  *self);
GtkWidget *jr_job_list_get_placeholder  (JrJobList  *self);

/* For the indicator's popover: only the jobs not done yet (whatever
 * keep-finished says), those executing first, then those waiting. */
void       jr_job_list_set_unfinished_only (JrJobList *self,
                                            gboolean   unfinished_only);

G_END_DECLS
