/* jr-app-window.h — the main window: start jobs, watch them, read their
 * results.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <gtk/gtk.h>

#include "jr-application.h"

G_BEGIN_DECLS

#define JR_TYPE_APP_WINDOW (jr_app_window_get_type ())
G_DECLARE_FINAL_TYPE (JrAppWindow, jr_app_window, JR, APP_WINDOW, GtkApplicationWindow)

JrAppWindow *jr_app_window_new           (JrApplication *app);
JrFuture    *jr_app_window_submit        (JrAppWindow   *self,
                                          const char    *job_name,
                                          GVariant      *args,
                                          GError       **error);
gboolean     jr_app_window_show_result   (JrAppWindow   *self,
                                          guint          result_id);
guint        jr_app_window_get_n_running (JrAppWindow   *self);

G_END_DECLS
