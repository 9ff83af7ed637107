/* jr-progress-indicator.h — a header-bar button showing how far the running
 * jobs are, opening the list of jobs.
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

G_BEGIN_DECLS

#define JR_TYPE_PROGRESS_INDICATOR (jr_progress_indicator_get_type ())
JR_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (JrProgressIndicator, jr_progress_indicator, JR, PROGRESS_INDICATOR, GtkWidget)

JR_AVAILABLE_IN_0_2
GtkWidget  *jr_progress_indicator_new           (JrExecutor          *executor);
JR_AVAILABLE_IN_0_2
JrExecutor *jr_progress_indicator_get_executor  (JrProgressIndicator *self);
JR_AVAILABLE_IN_0_2
void        jr_progress_indicator_set_executor  (JrProgressIndicator *self,
                                                 JrExecutor          *executor);
JR_AVAILABLE_IN_0_2
double      jr_progress_indicator_get_fraction  (JrProgressIndicator *self);
JR_AVAILABLE_IN_0_2
guint       jr_progress_indicator_get_n_running (JrProgressIndicator *self);

G_END_DECLS
