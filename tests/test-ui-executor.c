/* test-ui-executor.c — the widgets of ui/ over a real executor: rows follow
 * real jobs, the cancel button stops one, a crashed worker shows as a
 * failed job, the indicator counts what runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Worker processes re-execute this program: main() registers the test jobs
 * and calls jr_init() before anything else.
 */
#include <signal.h>
#include <sys/wait.h>

#include <gtk/gtk.h>

#include "executor-jobs.h"
#include "jobrouter-ui.h"
#include "jr-job-row-private.h"
#include "jr-progress-indicator-private.h"
#include "jobrouter-test-gui.h"
#include "jr-test.h"

#define TIMEOUT (30 * G_USEC_PER_SEC)

static const char *
label_text (GtkWidget *label)
{
  return gtk_label_get_text (GTK_LABEL (label));
}

static gboolean
is_row_of (GtkWidget *widget,
           gpointer   future)
{
  return JR_IS_JOB_ROW (widget) && jr_job_row_get_future (JR_JOB_ROW (widget)) == future;
}

/* The row showing @future in @list, once the list view has made it. */
static JrJobRow *
wait_row (GtkWidget *list,
          JrFuture  *future)
{
  for (guint i = 0; i < 100; i++)
    {
      GtkWidget *row = jr_test_find_widget (list, is_row_of, future);

      if (row != NULL)
        return JR_JOB_ROW (row);
      if (!jr_test_wait_frames (list, 1, TIMEOUT))
        return NULL;
    }

  jr_test_fail ("no row for future %p (%s) after 100 frames",
                future, jr_future_get_job_name (future));
  return NULL;
}

static JrExecutor *
new_executor (JrTransport transport,
              guint       max_workers)
{
  JrExecutor *executor = jr_executor_new (transport, max_workers);

  /* A job deaf to cancellation is killed soon, not after the default. */
  jr_executor_set_cancel_grace (executor, G_USEC_PER_SEC);
  return executor;
}

/* A progress job runs to the end: its row ends complete, with the last
 * progress text (flushed by the state change). */
static void
test_row_follows_job (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;
  GtkWidget *list = jr_job_list_new (executor);
  GtkWidget *window = jr_test_show_in_window (list);
  GtkWidget *bar;
  JrJobRow *row;

  g_test_message ("transport: %s", jr_test_transport_name (transport));

  future = jr_executor_submit_progress (executor, "progress", g_variant_new ("(u)", 200), &error);
  g_assert_no_error (error);
  jr_future_set_title (future, "Counting to 200");

  row = wait_row (list, future);
  if (row == NULL)
    goto out;
  g_assert_cmpstr (label_text (jr_job_row_get_title_label (row)), ==, "Counting to 200");

  if (!jr_test_wait_done (future, TIMEOUT))
    goto out;
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpstr (label_text (jr_job_row_get_state_label (row)), ==, "Done");
  bar = jr_job_row_get_progress_bar (row);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)), ==, 1.0);
  g_assert_cmpstr (label_text (jr_job_row_get_progress_label (row)), ==, "200/200");
  g_assert_false (gtk_widget_get_sensitive (jr_job_row_get_cancel_button (row)));
  g_test_message ("%u progress applications for 200 reports",
                  jr_job_row_get_n_progress_updates (row));

  /* The executor is done with it; the list keeps it. */
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (jr_job_list_get_model (JR_JOB_LIST (list))), ==, 1);

out:
  jr_test_destroy_window (window);
  jr_test_shutdown_executor (executor);
}

/* The row's cancel button stops a running job. */
static void
test_cancel_button (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;
  GtkWidget *list = jr_job_list_new (executor);
  GtkWidget *window = jr_test_show_in_window (list);
  GtkWidget *button;
  JrJobRow *row;

  g_test_message ("transport: %s", jr_test_transport_name (transport));

  future = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 60000), &error);
  g_assert_no_error (error);

  row = wait_row (list, future);
  if (row == NULL || !jr_test_wait_state (future, JR_FUTURE_STATE_EXECUTING, TIMEOUT))
    goto out;
  g_assert_cmpstr (label_text (jr_job_row_get_state_label (row)), ==, "Running");

  button = jr_job_row_get_cancel_button (row);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_sensitive (button));

  if (!jr_test_wait_state (future, JR_FUTURE_STATE_CANCELLED, TIMEOUT))
    goto out;
  g_assert_cmpstr (label_text (jr_job_row_get_state_label (row)), ==, "Cancelled");
  g_assert_false (gtk_widget_get_sensitive (button));

out:
  jr_test_destroy_window (window);
  jr_test_shutdown_executor (executor);
}

/* A job that fails shows its error; one whose worker dies shows that, and
 * the next job still runs. */
static void
test_failures (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) failing = NULL;
  g_autoptr(JrFuture) crashing = NULL;
  g_autoptr(JrFuture) after = NULL;
  GtkWidget *list = jr_job_list_new (executor);
  GtkWidget *window = jr_test_show_in_window (list);
  JrJobRow *row;

  failing = jr_executor_submit_call (executor, "fail",
                                     g_variant_new ("(sis)", EXECUTOR_TEST_ERROR_DOMAIN, 7,
                                                    "the disk is full of cats"),
                                     &error);
  g_assert_no_error (error);
  crashing = jr_executor_submit_call (executor, "crash", g_variant_new ("(s)", "segv"), &error);
  g_assert_no_error (error);
  after = jr_executor_submit_call (executor, "trivial", NULL, &error);
  g_assert_no_error (error);

  if (!jr_test_wait_done (failing, TIMEOUT) ||
      !jr_test_wait_done (crashing, TIMEOUT) ||
      !jr_test_wait_done (after, TIMEOUT))
    goto out;

  row = wait_row (list, failing);
  if (row == NULL)
    goto out;
  g_assert_cmpstr (label_text (jr_job_row_get_state_label (row)), ==, "Failed");
  g_assert_true (gtk_widget_get_visible (jr_job_row_get_error_label (row)));
  g_assert_cmpstr (label_text (jr_job_row_get_error_label (row)), ==, "the disk is full of cats");

  g_assert_error (jr_future_get_error (crashing), JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED);
  row = wait_row (list, crashing);
  if (row == NULL)
    goto out;
  g_assert_cmpstr (label_text (jr_job_row_get_state_label (row)), ==, "Failed");
  g_assert_cmpstr (label_text (jr_job_row_get_error_label (row)), ==,
                   jr_future_get_error (crashing)->message);

  g_assert_cmpint (jr_future_get_state (after), ==, JR_FUTURE_STATE_COMPLETED);
  row = wait_row (list, after);
  if (row == NULL)
    goto out;
  g_assert_cmpstr (label_text (jr_job_row_get_state_label (row)), ==, "Done");

out:
  jr_test_destroy_window (window);
  jr_test_shutdown_executor (executor);
}

static gboolean
n_running_is (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  return jr_progress_indicator_get_n_running (JR_PROGRESS_INDICATOR (object)) ==
         GPOINTER_TO_UINT (user_data);
}

/* The indicator counts the executing jobs of its executor, and its popover
 * lists them. */
static void
test_indicator (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) first = NULL;
  g_autoptr(JrFuture) second = NULL;
  g_autoptr(JrFuture) queued = NULL;
  GtkWidget *indicator = jr_progress_indicator_new (executor);
  GtkWidget *window = jr_test_show_in_window (indicator);
  GtkWidget *popover_list = jr_progress_indicator_get_job_list (JR_PROGRESS_INDICATOR (indicator));

  first = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 60000), &error);
  g_assert_no_error (error);
  second = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 60000), &error);
  g_assert_no_error (error);
  /* Two workers: the third waits. */
  queued = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 60000), &error);
  g_assert_no_error (error);

  if (!jr_test_wait_property (G_OBJECT (indicator), "n-running", n_running_is,
                              GUINT_TO_POINTER (2), TIMEOUT))
    goto out;
  g_assert_cmpint (jr_future_get_state (queued), ==, JR_FUTURE_STATE_WAITING);
  g_assert_cmpfloat (jr_progress_indicator_get_fraction (JR_PROGRESS_INDICATOR (indicator)), ==, -1.0);
  g_assert_cmpuint (g_list_model_get_n_items (jr_job_list_get_model (JR_JOB_LIST (popover_list))), ==, 3);

  g_assert_true (jr_future_cancel (first));
  g_assert_true (jr_future_cancel (second));
  g_assert_true (jr_future_cancel (queued));
  if (!jr_test_wait_done (first, TIMEOUT) ||
      !jr_test_wait_done (second, TIMEOUT) ||
      !jr_test_wait_done (queued, TIMEOUT))
    goto out;
  if (!jr_test_wait_property (G_OBJECT (indicator), "n-running", n_running_is,
                              GUINT_TO_POINTER (0), TIMEOUT))
    goto out;

out:
  jr_test_destroy_window (window);
  jr_test_shutdown_executor (executor);
}

/* ---- the harness itself: it must catch what it claims to catch ---- */

static void
test_harness_run_until_timeout (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_THREADS, 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(JrFuture) future = NULL;

      future = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 60000), &error);
      g_assert_no_error (error);
      g_assert_false (jr_test_wait_state (future, JR_FUTURE_STATE_COMPLETED, G_USEC_PER_SEC / 5));
      jr_future_cancel (future);
      jr_test_shutdown_executor (executor);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*JrFuture*'state'*0.2 s*JR_FUTURE_STATE_*");
}

static gboolean
leaky_thread_wait (gpointer data)
{
  return g_atomic_int_get ((int *) data) != 0;
}

static gpointer
leaky_thread (gpointer data)
{
  while (!leaky_thread_wait (data))
    g_usleep (1000);
  return NULL;
}

static void
test_harness_thread_left (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_THREADS, 1);
      int stop = 0;
      GThread *thread = g_thread_new ("leaky", leaky_thread, &stop);

      jr_test_shutdown_executor (executor);
      g_atomic_int_set (&stop, 1);
      g_thread_join (thread);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*threads after shutdown*(leaky)*");
}

static void
test_harness_child_left (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_THREADS, 1);
      g_autoptr(GError) error = NULL;
      const char *argv[] = { "sleep", "60", NULL };
      GPid pid;

      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
      g_assert_no_error (error);
      jr_test_shutdown_executor (executor);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      g_spawn_close_pid (pid);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*1 child processes left after shutdown*(sleep,*");
}

int
main (int   argc,
      char *argv[])
{
  executor_test_jobs_register ();
  jr_init (&argc, &argv);

  if (!jr_test_gui_init (&argc, &argv))
    return 0;

  g_test_add_data_func ("/ui/executor/row-follows-job/threads",
                        GINT_TO_POINTER (JR_TRANSPORT_THREADS), test_row_follows_job);
  g_test_add_data_func ("/ui/executor/row-follows-job/processes",
                        GINT_TO_POINTER (JR_TRANSPORT_PROCESSES), test_row_follows_job);
  g_test_add_data_func ("/ui/executor/cancel-button/threads",
                        GINT_TO_POINTER (JR_TRANSPORT_THREADS), test_cancel_button);
  g_test_add_data_func ("/ui/executor/cancel-button/processes",
                        GINT_TO_POINTER (JR_TRANSPORT_PROCESSES), test_cancel_button);
  g_test_add_func ("/ui/executor/failures", test_failures);
  g_test_add_func ("/ui/executor/indicator", test_indicator);
  g_test_add_func ("/ui/harness/run-until-timeout", test_harness_run_until_timeout);
  g_test_add_func ("/ui/harness/thread-left", test_harness_thread_left);
  g_test_add_func ("/ui/harness/child-left", test_harness_child_left);

  return g_test_run ();
}
