/* jr-test-gui.h — the GUI part of libjobrouter-test: GTK started (or the
 * program skipped without a display), frames awaited, a widget shown in a
 * window, widgets found.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Like the jr_test_wait_*() of jr-test-wait.h, what waits here marks the
 * test failed on timeout and returns FALSE, so that the test can close its
 * windows and stop its executor before it returns.
 *
 * Threads: main thread only.
 */
#pragma once

#if !defined(JOBROUTER_TEST_INSIDE) && !defined(JOBROUTER_TEST_COMPILATION)
#error "Only <jobrouter-test-gui.h> can be included directly."
#endif

#include <gtk/gtk.h>

#include "jobrouter-test.h"

G_BEGIN_DECLS

/* jr_test_init() and gtk_init_check(), with GTK's test accessibility
 * backend unless GTK_A11Y asks for another. Without a display, prints the
 * TAP line of a skipped program ("1..0 # SKIP no display": meson's TAP
 * mode counts exit status 77 as an error) and returns FALSE: main() then
 * returns 0. */
gboolean   jr_test_gui_init          (int              *argc,
                                      char           ***argv);

/* Iterates the main context until @widget's frame clock has painted @n_frames
 * more frames; the widget must be in a shown window. */
gboolean   jr_test_wait_frames       (GtkWidget        *widget,
                                      guint             n_frames,
                                      gint64            timeout_usec);

/* A window holding @child, presented, with its first frame painted. */
GtkWidget *jr_test_show_in_window    (GtkWidget        *child);
void       jr_test_destroy_window    (GtkWidget        *window);

/* The first mapped descendant of @root (or @root) for which @match is TRUE. */
GtkWidget *jr_test_find_widget       (GtkWidget        *root,
                                      gboolean        (*match) (GtkWidget *widget,
                                                                gpointer   user_data),
                                      gpointer          user_data);

G_END_DECLS
