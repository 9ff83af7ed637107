/* ui-common.h — what the tests of ui/'s widgets (test-ui-widgets,
 * test-ui-job-items) share: futures driven by hand, and a stand-in for an
 * executor's list of jobs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the main thread.
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter.h"

G_BEGIN_DECLS

/* The text of a GtkLabel. */
const char *ui_test_label_text      (GtkWidget  *label);
/* A new future of @name and @kind, marked started (jr-future-private.h). */
JrFuture   *ui_test_new_running     (const char *name,
                                     JrJobKind   kind);
/* A hand-driven stand-in for jr_executor_get_jobs(): appends @future to
 * @jobs, which drops it when it becomes done, as the executor does. */
void        ui_test_fake_jobs_add   (GListStore *jobs,
                                     JrFuture   *future);

G_END_DECLS
