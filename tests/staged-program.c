/* staged-program.c — a program built outside this project, against an
 * installed jobrouter: test-staged-install.py compiles it with nothing but
 * `pkg-config --cflags --libs jobrouter-1 jobrouter-ui-1` and runs it with
 * the installed libraries.
 *
 * It runs one job in a worker process and one in a worker thread, then,
 * when there is a display, shows the thread executor's jobs in a JrJobList.
 * Prints TAP.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <jobrouter-ui.h>

static int n_tests;
static int n_failed;

static void
check (gboolean    passed,
       const char *name)
{
  n_tests++;
  if (!passed)
    n_failed++;
  g_print ("%s %d %s\n", passed ? "ok" : "not ok", n_tests, name);
}

static GVariant *
twice (JrJob     *job,
       GVariant  *args,
       GError   **error)
{
  if (!jr_job_progress (job, 0.5, "halfway", error))
    return NULL;
  return g_variant_new_int32 (2 * g_variant_get_int32 (args));
}

static JrExecutor *
run_twice (JrTransport  transport,
           const char  *name)
{
  g_autoptr(GError) error = NULL;
  JrExecutor *executor = jr_executor_new (transport, 1);
  g_autoptr(JrFuture) future =
    jr_executor_submit_progress (executor, "twice", g_variant_new_int32 (21), &error);
  g_autoptr(GVariant) result = NULL;
  g_autofree char *test_name = NULL;

  if (future != NULL)
    result = jr_future_wait (future, 20 * G_USEC_PER_SEC, &error);
  if (error != NULL)
    g_print ("# %s: %s\n", name, error->message);
  test_name = g_strdup_printf ("/staged/%s/job-result", name);
  check (result != NULL && g_variant_get_int32 (result) == 42, test_name);
  return executor;
}

static void
shut_down (JrExecutor *executor,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *test_name = g_strdup_printf ("/staged/%s/shutdown", name);

  check (jr_executor_shutdown (executor, 20 * G_USEC_PER_SEC, &error), test_name);
  if (error != NULL)
    g_print ("# %s: %s\n", name, error->message);
  g_object_unref (executor);
}

int
main (int    argc,
      char **argv)
{
  JrExecutor *processes;
  JrExecutor *threads;

  jr_register_job_full ("twice", twice, G_VARIANT_TYPE_INT32, NULL);
  jr_init (&argc, &argv);   /* a worker process never returns from here */

  check (JR_CHECK_VERSION (0, 2, 0) &&
         jr_get_major_version () == JR_MAJOR_VERSION &&
         jr_get_minor_version () == JR_MINOR_VERSION &&
         jr_get_micro_version () == JR_MICRO_VERSION,
         "/staged/version");

  processes = run_twice (JR_TRANSPORT_PROCESSES, "processes");
  shut_down (processes, "processes");

  threads = run_twice (JR_TRANSPORT_THREADS, "threads");
  if (gtk_init_check ())
    {
      GtkWidget *list = g_object_ref_sink (jr_job_list_new (threads));

      check (JR_IS_JOB_LIST (list) &&
             jr_job_list_get_executor (JR_JOB_LIST (list)) == threads,
             "/staged/job-list");
      g_object_unref (list);
    }
  else
    {
      n_tests++;
      g_print ("ok %d /staged/job-list # SKIP no display\n", n_tests);
    }
  shut_down (threads, "threads");

  g_print ("1..%d\n", n_tests);
  return n_failed == 0 ? 0 : 1;
}
