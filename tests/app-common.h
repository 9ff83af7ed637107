/* app-common.h — what the tests of the application's window
 * (test-app-window, test-app-machines) share: its settings from their
 * defaults, widgets found in it, waiting, and a clean end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the main thread.
 */
#pragma once

#include <gtk/gtk.h>

#include "jr-application.h"

G_BEGIN_DECLS

/* How long app_test_wait_for() waits: far above any normal run. */
#define APP_TEST_WAIT_USEC (60 * G_USEC_PER_SEC)

/* Resets every key of @settings to its default. */
void        app_test_reset_settings     (GSettings  *settings);
/* After the application quit: its executor stopped, no worker left. */
void        app_test_assert_quit_clean  (JrApplication *app);

/* For jr_test_find_widget(): a widget of the GType @type
 * (GSIZE_TO_POINTER). */
gboolean    app_test_is_of_type         (GtkWidget  *widget,
                                         gpointer    type);
/* The first mapped widget of @type at or below @root. */
GtkWidget  *app_test_find_widget        (GtkWidget  *root,
                                         GType       type);
/* For jr_test_find_widget(): a JrJobRow showing @future. */
gboolean    app_test_is_row_of          (GtkWidget  *widget,
                                         gpointer    future);

/* Iterates the main context until @check holds, or fails after
 * APP_TEST_WAIT_USEC naming @what. */
void        app_test_wait_for           (gboolean  (*check) (gpointer data),
                                         gpointer    data,
                                         const char *what);

G_END_DECLS
