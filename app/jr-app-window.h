/* jr-app-window.h — the main window: start jobs, watch them, read their
 * results.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-app-record.h"
#include "jr-application.h"

G_BEGIN_DECLS

/* How many finished jobs the Results view keeps. */
#define JR_APP_WINDOW_RESULTS_MAX 20

#define JR_TYPE_APP_WINDOW (jr_app_window_get_type ())
G_DECLARE_FINAL_TYPE (JrAppWindow, jr_app_window, JR, APP_WINDOW, AdwApplicationWindow)

JrAppWindow *jr_app_window_new            (JrApplication *app);
JrFuture    *jr_app_window_submit         (JrAppWindow   *self,
                                           const char    *job_name,
                                           GVariant      *args,
                                           GError       **error);
gboolean     jr_app_window_show_result    (JrAppWindow   *self,
                                           guint          result_id);
JrAppRecord *jr_app_window_get_record     (JrAppWindow   *self,
                                           JrFuture      *future);
guint        jr_app_window_get_n_running  (JrAppWindow   *self);
guint        jr_app_window_get_n_waiting  (JrAppWindow   *self);
gboolean     jr_app_window_is_in_use      (JrAppWindow   *self);
GtkWidget   *jr_app_window_get_results_list (JrAppWindow *self);
void         jr_app_window_add_toast      (JrAppWindow   *self,
                                           AdwToast      *toast);

G_END_DECLS
