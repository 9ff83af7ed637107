/* jr-test-gui.c — the GUI part of libjobrouter-test; see jr-test-gui.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Waiting is jr-test's: it iterates the thread-default main context, and a
 * missed deadline fails the test with what was awaited and what was there
 * instead.
 */
#include <stdio.h>

#include "jobrouter-test-gui.h"
#include "jr-test-private.h"

/**
 * jr_test_gui_init:
 * @argc: main()'s argc
 * @argv: main()'s argv
 *
 * Returns: %TRUE if the tests can run
 */
gboolean
jr_test_gui_init (int    *argc,
                  char ***argv)
{
  const char *a11y = g_getenv ("GTK_A11Y");

  jr_test_init (argc, argv);

  /* Without a session bus, GTK's test AT context still records accessible
   * names and roles, so tests can check them; a run that asked for AT-SPI
   * on purpose keeps it. */
  if (a11y == NULL || g_str_equal (a11y, "none"))
    g_setenv ("GTK_A11Y", "test", TRUE);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      fflush (stdout);
      return FALSE;
    }

  /* GTK may have started threads of its own: they stay. */
  jr_test_record_thread_baseline ();

  return TRUE;
}

static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  guint *left = user_data;

  if (*left > 0)
    (*left)--;
  return *left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
no_frames_left (gpointer left)
{
  return *(guint *) left == 0;
}

/**
 * jr_test_wait_frames:
 * @widget: a widget in a shown window
 * @n_frames: how many frames to wait for
 * @timeout_usec: how long to wait at most
 *
 * Returns: %TRUE once @n_frames frames have begun since the call, their
 *   tick callbacks run; %FALSE on timeout (the test has failed)
 */
gboolean
jr_test_wait_frames (GtkWidget *widget,
                     guint      n_frames,
                     gint64     timeout_usec)
{
  guint left = n_frames;
  guint id;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  if (n_frames == 0)
    return TRUE;

  /* A tick callback keeps the frame clock running: frames come even when
   * nothing needs drawing. */
  id = gtk_widget_add_tick_callback (widget, count_tick_cb, &left, NULL);

  if (!jr_test_iterate_until (NULL, no_frames_left, &left, timeout_usec))
    {
      gtk_widget_remove_tick_callback (widget, id);
      jr_test_fail ("%s %p: %u of %u frames still awaited after %.1f s (mapped: %d)",
                    G_OBJECT_TYPE_NAME (widget), widget, left, n_frames,
                    timeout_usec / (double) G_USEC_PER_SEC,
                    gtk_widget_get_mapped (widget));
      return FALSE;
    }

  return TRUE;
}

/**
 * jr_test_show_in_window:
 * @child: (transfer floating): the widget to show
 *
 * Returns: (transfer none): a presented window holding @child, after its
 *   first frames; destroy it with jr_test_destroy_window()
 */
GtkWidget *
jr_test_show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 400);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));

  /* Tick callbacks run once the window is realized: two frames later it
   * is mapped and painted. */
  jr_test_wait_frames (child, 2, 10 * G_USEC_PER_SEC);

  return window;
}

/**
 * jr_test_destroy_window:
 * @window: a window from jr_test_show_in_window()
 */
void
jr_test_destroy_window (GtkWidget *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  jr_test_drain_main_context ();
}

/**
 * jr_test_find_widget:
 * @root: where to search
 * @match: the test
 * @user_data: data for @match
 *
 * Returns: (transfer none) (nullable): the first mapped widget, depth
 *   first, for which @match returns %TRUE
 */
GtkWidget *
jr_test_find_widget (GtkWidget *root,
                     gboolean (*match) (GtkWidget *widget,
                                        gpointer   user_data),
                     gpointer   user_data)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (match (root, user_data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = jr_test_find_widget (child, match, user_data);

      if (found != NULL)
        return found;
    }

  return NULL;
}
