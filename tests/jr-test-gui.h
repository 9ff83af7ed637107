/* jr-test-gui.h — helpers for the GUI tests: wait for a property, end an
 * executor clean, skip without a display.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread only.
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter.h"

G_BEGIN_DECLS

/* Whether @object, whose @pspec just notified (or NULL for the first check),
 * is in the awaited state. */
typedef gboolean (*JrTestCondition) (GObject    *object,
                                     GParamSpec *pspec,
                                     gpointer    user_data);

gboolean jr_test_gui_init          (int              *argc,
                                    char           ***argv);

gboolean jr_test_run_until         (GObject          *object,
                                    const char       *property,
                                    JrTestCondition   condition,
                                    gpointer          user_data,
                                    gint64            timeout_usec);

/* Conditions on a JrFuture. jr_test_state_is: user_data is
 * GINT_TO_POINTER (JrFutureState). */
gboolean jr_test_state_is          (GObject          *object,
                                    GParamSpec       *pspec,
                                    gpointer          user_data);
gboolean jr_test_done              (GObject          *object,
                                    GParamSpec       *pspec,
                                    gpointer          user_data);

/* Shortcuts for futures. */
#define jr_test_wait_state(future, state, timeout_usec) \
  jr_test_run_until (G_OBJECT (future), "state", jr_test_state_is, \
                     GINT_TO_POINTER (state), (timeout_usec))
#define jr_test_wait_done(future, timeout_usec) \
  jr_test_run_until (G_OBJECT (future), "done", jr_test_done, NULL, (timeout_usec))

/* Iterates the main context until @widget's frame clock has painted @n_frames
 * more frames; the widget must be in a shown window. */
gboolean jr_test_wait_frames       (GtkWidget        *widget,
                                    guint             n_frames,
                                    gint64            timeout_usec);

/* Iterates the main context until nothing is pending. */
void     jr_test_drain_main_context (void);

/* A window holding @child, presented, with its first frame painted. */
GtkWidget *jr_test_show_in_window  (GtkWidget        *child);
void       jr_test_destroy_window  (GtkWidget        *window);

/* The first mapped descendant of @root (or @root) for which @match is TRUE. */
GtkWidget *jr_test_find_widget     (GtkWidget        *root,
                                    gboolean        (*match) (GtkWidget *widget,
                                                              gpointer   user_data),
                                    gpointer          user_data);

void     jr_test_shutdown_executor (JrExecutor       *executor);

G_END_DECLS
