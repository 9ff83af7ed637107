/* jr-progress-indicator-private.h — JrProgressIndicator internals for tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(JOBROUTER_UI_COMPILATION)
#error "This header is private to libjobrouter-ui."
#endif

#include "jr-progress-indicator.h"

G_BEGIN_DECLS

/* Follows @jobs (a model of JrFuture, like jr_executor_get_jobs()) instead
 * of an executor's, for the indicator and its popover's list. */
void       jr_progress_indicator_set_jobs_model  (JrProgressIndicator *self,
                                                  GListModel          *jobs);
GtkWidget *jr_progress_indicator_get_menu_button (JrProgressIndicator *self);
GtkWidget *jr_progress_indicator_get_job_list    (JrProgressIndicator *self);

G_END_DECLS
