/* job-list-window.c — a small GTK window that binds a JrJobList to an
 * executor: the window of traits-futures' "slow squares" example, on
 * jobrouter's widgets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   job-list-window [--demo]
 *
 * Pick a number and press Square: a worker process squares it, slowly,
 * and the list shows the job waiting, running, then done with its result
 * or failed with its error (numbers from 7 up take too long). Each row
 * has its own cancel button; "Cancel all" cancels every job still
 * running. The list follows the executor's jobs by itself: nothing here
 * adds rows.
 *
 * With --demo the window squares 0 to 8 by itself, prints each job's end
 * and the number of rows the list holds, and closes once all are done
 * (the examples' test runs it so, under Xvfb).
 */
#include <gtk/gtk.h>

#include "jobrouter-ui.h"

#define STEP_MSEC        50
#define TIME_LIMIT_STEPS 7
#define N_DEMO_JOBS      9

/* Runs in a worker process; see slow-squares.c. */
static GVariant *
slow_square (JrJob     *job,
             GVariant  *args,
             GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  guint32 n = g_variant_get_uint32 (args);

  for (guint32 step = 0; step <= n; step++)
    {
      if (step == TIME_LIMIT_STEPS)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "Calculation took too long");
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_usleep (STEP_MSEC * 1000);
    }
  return g_variant_new_uint64 ((guint64) n * n);
}

typedef struct {
  GtkApplication *app;
  JrExecutor     *executor;
  GtkWidget      *window;
  GtkWidget      *list;
  GtkWidget      *input;
  gboolean        demo;
  guint           n_demo_done;
} Example;

static JrFuture *
submit_square (Example *example,
               guint32  n)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  g_autofree char *title = g_strdup_printf ("Square of %u", n);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  /* The executor and the list hold the future: the caller may drop it. */
  jr_job_options_set_title (options, title);
  future = jr_executor_submit_full (example->executor, "slow-square", g_variant_new_uint32 (n),
                                    options, &error);
  if (future == NULL)
    g_warning ("Could not submit: %s", error->message);
  return g_steal_pointer (&future);
}

static void
on_square_clicked (GtkButton *button,
                   Example   *example)
{
  g_autoptr(JrFuture) future =
    submit_square (example,
                   (guint32) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (example->input)));
}

static void
on_cancel_all_clicked (GtkButton *button,
                       Example   *example)
{
  GListModel *jobs = jr_executor_get_jobs (example->executor);

  /* Cancelling changes nothing in the model inside this loop: futures
   * leave it at the next dispatch. */
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (jobs, i);

      jr_future_cancel (future);
    }
}

/* --demo: print each job's end; close once all are. */
static void
on_demo_job_done (JrFuture   *future,
                  GParamSpec *pspec,
                  Example    *example)
{
  GListModel *rows = jr_job_list_get_model (JR_JOB_LIST (example->list));

  if (!jr_future_get_done (future))
    return;
  if (jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED)
    g_print ("%s: %" G_GUINT64_FORMAT "\n", jr_future_get_title (future),
             g_variant_get_uint64 (jr_future_get_result (future)));
  else
    g_print ("%s: failed: %s\n", jr_future_get_title (future),
             jr_future_get_error (future)->message);
  if (++example->n_demo_done == N_DEMO_JOBS)
    {
      g_print ("The list shows %u jobs\n", g_list_model_get_n_items (rows));
      gtk_window_close (GTK_WINDOW (example->window));
    }
}

static GtkWidget *
make_window (Example *example)
{
  GtkWidget *window = gtk_application_window_new (example->app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *controls = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *square = gtk_button_new_with_mnemonic ("_Square");
  GtkWidget *cancel_all = gtk_button_new_with_mnemonic ("_Cancel all");

  gtk_window_set_title (GTK_WINDOW (window), "Slow squares");
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 480);

  example->input = gtk_spin_button_new_with_range (0, 100, 1);
  gtk_widget_set_tooltip_text (example->input, "The number to square");
  g_signal_connect (square, "clicked", G_CALLBACK (on_square_clicked), example);
  g_signal_connect (cancel_all, "clicked", G_CALLBACK (on_cancel_all_clicked), example);
  gtk_box_append (GTK_BOX (controls), example->input);
  gtk_box_append (GTK_BOX (controls), square);
  gtk_box_append (GTK_BOX (controls), cancel_all);

  /* The list binds itself to the executor's jobs model; finished jobs
   * stay until cleared, so that their results can be read. */
  example->list = jr_job_list_new (example->executor);
  jr_job_list_set_keep_finished (JR_JOB_LIST (example->list), TRUE);
  gtk_widget_set_vexpand (example->list, TRUE);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), controls);
  gtk_box_append (GTK_BOX (box), example->list);
  gtk_window_set_child (GTK_WINDOW (window), box);
  return window;
}

static void
on_activate (GtkApplication *app,
             Example        *example)
{
  if (example->window != NULL)
    {
      gtk_window_present (GTK_WINDOW (example->window));
      return;
    }
  example->window = make_window (example);
  gtk_window_present (GTK_WINDOW (example->window));

  if (example->demo)
    for (guint32 n = 0; n < N_DEMO_JOBS; n++)
      {
        g_autoptr(JrFuture) future = submit_square (example, n);

        if (future != NULL)
          g_signal_connect (future, "notify::done", G_CALLBACK (on_demo_job_done), example);
      }
}

/* The last window is closed: no job outlives the program. */
static void
on_shutdown (GApplication *app,
             Example      *example)
{
  g_autoptr(GError) error = NULL;

  if (!jr_executor_shutdown (example->executor, 10 * G_USEC_PER_SEC, &error))
    g_warning ("Could not shut the executor down: %s", error->message);
}

int
main (int    argc,
      char **argv)
{
  Example example = { 0 };
  int status;

  jr_register_job_full ("slow-square", slow_square, G_VARIANT_TYPE_UINT32, NULL);
  jr_init (&argc, &argv);   /* a worker process never returns from here */

  example.demo = argc > 1 && g_str_equal (argv[1], "--demo");

  example.executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 4);
  example.app = gtk_application_new ("org.jobrouter.examples.JobListWindow",
                                     G_APPLICATION_NON_UNIQUE);
  g_signal_connect (example.app, "activate", G_CALLBACK (on_activate), &example);
  g_signal_connect (example.app, "shutdown", G_CALLBACK (on_shutdown), &example);
  /* GApplication has no --demo option: it gets the program name only. */
  status = g_application_run (G_APPLICATION (example.app), example.demo ? 1 : argc, argv);

  g_object_unref (example.app);
  g_object_unref (example.executor);
  return status;
}
