/* jr-progress-indicator.h — a header-bar button showing how far the running
 * jobs are, opening the list of jobs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread only, like the executor it shows.
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter.h"

G_BEGIN_DECLS

#define JR_TYPE_PROGRESS_INDICATOR (jr_progress_indicator_get_type ())
G_DECLARE_FINAL_TYPE (JrProgressIndicator, jr_progress_indicator, JR, PROGRESS_INDICATOR, GtkWidget)

GtkWidget  *jr_progress_indicator_new           (JrExecutor          *executor);
JrExecutor *jr_progress_indicator_get_executor  (JrProgressIndicator *self);
void        jr_progress_indicator_set_executor  (JrProgressIndicator *self,
                                                 JrExecutor          *executor);
double      jr_progress_indicator_get_fraction  (JrProgressIndicator *self);
guint       jr_progress_indicator_get_n_running (JrProgressIndicator *self);

G_END_DECLS
