/* no-init-program.c — a program that forgets jr_init(), for
 * test-guarantees: its executor must fail its job saying why, and never
 * spawn copies of itself in a loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   no-init-program parent   never calls jr_init()
 *   no-init-program child    calls it only when it has an argument, so
 *                            the worker (run with none) does not
 *
 * Prints how the job ended: "<state> <error domain> <code> <message>".
 */
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

  jr_register_job ("trivial", job_trivial);
  if (argc > 1 && g_str_equal (argv[1], "child"))
    jr_init (&argc, &argv);

  executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 2);
  future = jr_executor_submit_call (executor, "trivial", NULL, &error);
  g_assert_no_error (error);
  g_timeout_add_seconds (60, on_timeout, &timed_out);
  while (!jr_future_get_done (future) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  job_error = jr_future_get_error (future);
  g_print ("%s %s %d %s\n",
           jr_future_get_state (future) == JR_FUTURE_STATE_FAILED ? "failed" : "not-failed",
           job_error ? g_quark_to_string (job_error->domain) : "-",
           job_error ? job_error->code : 0,
           job_error ? job_error->message : "-");
  jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, NULL);
  return 0;
}
