/* slow-squares.c — call jobs that return a result or fail, in worker
 * processes: traits-futures' "slow squares" example, on jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   slow-squares [N...]      (default: 0 to 9)
 *
 * Each N is squared by a job that takes longer the larger N is; one that
 * would take longer than its time limit gives up and fails. The program
 * submits them all at once to a pool of worker processes, then waits for
 * each in turn with the blocking jr_future_wait() (a command-line tool has
 * no main loop of its own) and prints its result or its error:
 *
 *   square(3) = 9
 *   square(8) failed: Calculation took too long
 *
 * Worker processes are this program run again: main() registers the jobs
 * and calls jr_init() before anything else, and in a worker jr_init()
 * never returns.
 */
#include <stdlib.h>

#include <jobrouter.h>

/* How long squaring N takes: (N + 1) steps. A job gives up after
 * TIME_LIMIT_STEPS. */
#define STEP_MSEC        20
#define TIME_LIMIT_STEPS 7

#define SLOW_SQUARES_ERROR (g_quark_from_static_string ("slow-squares-error-quark"))

/* Runs in a worker process: sleeps in steps, so that a cancel stops it
 * at once, and fails past its time limit. */
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
          /* The domain travels by name: the parent gets it back. */
          g_set_error_literal (error, SLOW_SQUARES_ERROR, 1, "Calculation took too long");
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_usleep (STEP_MSEC * 1000);
    }
  return g_variant_new_uint64 ((guint64) n * n);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) inputs = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GError) error = NULL;

  jr_register_job_full ("slow-square", slow_square, G_VARIANT_TYPE_UINT32, NULL);
  jr_init (&argc, &argv);   /* a worker process never returns from here */

  for (int i = 1; i < argc; i++)
    {
      guint32 n = (guint32) strtoul (argv[i], NULL, 10);

      g_array_append_val (inputs, n);
    }
  if (inputs->len == 0)
    for (guint32 n = 0; n < 10; n++)
      g_array_append_val (inputs, n);

  executor = g_object_new (JR_TYPE_EXECUTOR,
                           "transport", JR_TRANSPORT_PROCESSES,
                           "max-workers", 4,
                           NULL);

  /* Submit everything first: the workers square in parallel. */
  for (guint i = 0; i < inputs->len; i++)
    {
      guint32 n = g_array_index (inputs, guint32, i);
      JrFuture *future = jr_executor_submit_call (executor, "slow-square",
                                                  g_variant_new_uint32 (n), &error);

      if (future == NULL)
        g_error ("Could not submit square(%u): %s", n, error->message);
      g_ptr_array_add (futures, future);
    }

  /* Then wait for each, in order. */
  for (guint i = 0; i < futures->len; i++)
    {
      guint32 n = g_array_index (inputs, guint32, i);
      g_autoptr(GVariant) result = NULL;
      g_autoptr(GError) job_error = NULL;

      result = jr_future_wait (g_ptr_array_index (futures, i), 30 * G_USEC_PER_SEC, &job_error);
      if (result != NULL)
        g_print ("square(%u) = %" G_GUINT64_FORMAT "\n", n, g_variant_get_uint64 (result));
      else
        g_print ("square(%u) failed: %s\n", n, job_error->message);
    }

  if (!jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, &error))
    g_error ("Could not shut the executor down: %s", error->message);
  return 0;
}
