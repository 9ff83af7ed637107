/* misuse-program.c — a program that uses the executor wrongly, or where
 * worker processes cannot start, for test-guarantees: its job must end
 * saying why, and it must never spawn copies of itself in a loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   misuse-program parent        never calls jr_init()
 *   misuse-program child         calls it, but not in its worker processes
 *                                (a program whose path to jr_init()
 *                                differs between runs)
 *   misuse-program bad-argv      its workers' command does not exist
 *   misuse-program fd-limit      runs with RLIMIT_NOFILE at 64
 *
 * Prints how the job ended: "<state> <error domain> <code> <message>".
 */
#include <errno.h>
#include <sys/resource.h>

#include "jobrouter.h"

static GVariant *
job_trivial (JrJob     *job,
             GVariant  *args,
             GError   **error)
{
  return g_variant_new_boolean (TRUE);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE;
  const GError *job_error;

  const char *mode = argc > 1 ? argv[1] : "";

  jr_register_job ("trivial", job_trivial);
  if (!g_str_equal (mode, "parent") &&
      (!g_str_equal (mode, "child") || g_getenv ("JOBROUTER_WORKER") == NULL))
    jr_init (&argc, &argv);

  if (g_str_equal (mode, "fd-limit"))
    {
      struct rlimit limit = { 64, 64 };

      if (setrlimit (RLIMIT_NOFILE, &limit) < 0)
        g_error ("setrlimit: %s", g_strerror (errno));
    }
  if (g_str_equal (mode, "bad-argv"))
    {
      const char *worker_argv[] = { "/nonexistent/jobrouter-worker", NULL };

      executor = g_object_new (JR_TYPE_EXECUTOR, "max-workers", 2, "worker-argv", worker_argv, NULL);
    }
  else
    executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 2);
  future = jr_executor_submit_call (executor, "trivial", NULL, &error);
  g_assert_no_error (error);
  g_timeout_add_seconds (60, on_timeout, &timed_out);
  while (!jr_future_get_done (future) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  job_error = jr_future_get_error (future);
  g_print ("%s %s %d %s\n",
           jr_future_get_state (future) == JR_FUTURE_STATE_FAILED ? "failed" :
           jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED ? "completed" : "not-done",
           job_error ? g_quark_to_string (job_error->domain) : "-",
           job_error ? job_error->code : 0,
           job_error ? job_error->message : "-");
  jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, NULL);
  return 0;
}
