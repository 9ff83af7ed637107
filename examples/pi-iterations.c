/* pi-iterations.c — a job that yields partial results: successive
 * approximations of pi by the Monte Carlo method, traits-futures'
 * "pi iterations" example, on jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   pi-iterations [N_APPROXIMATIONS [CHUNK_SIZE]]   (default: 10 1000000)
 *
 * The job draws random points in the unit square, CHUNK_SIZE at a time,
 * counts those inside the quarter circle, and after each chunk yields an
 * approximation with a 95 % confidence interval: (points, approximation,
 * error). The program prints each one as it arrives, on its main loop,
 * from the future's "yielded" signal:
 *
 *   1000000 points: pi = 3.141988 +- 0.003219
 *   2000000 points: pi = 3.141292 +- 0.002276
 *   ...
 *   Done: 10 approximations
 *
 * The random numbers come from a fixed seed: every run prints the same.
 */
#include <math.h>
#include <stdlib.h>

#include <jobrouter.h>

#define SEED 1729

/* Runs in a worker process. Arguments (uu): how many approximations, and
 * the points per approximation. Yields (tdd) after each chunk; the result
 * is the last one. */
static GVariant *
pi_iterations (JrJob     *job,
               GVariant  *args,
               GError   **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  guint32 n_approximations, chunk_size;
  guint64 n_samples = 0, n_inside = 0;
  GVariant *last = NULL;

  g_variant_get (args, "(uu)", &n_approximations, &chunk_size);
  for (guint32 i = 0; i < n_approximations; i++)
    {
      double approximation, error_bound;

      for (guint32 j = 0; j < chunk_size; j++)
        {
          double x = g_rand_double (rand), y = g_rand_double (rand);

          n_inside += x * x + y * y <= 1.0;
        }
      n_samples += chunk_size;

      /* A normal approximation interval for the binomial proportion. */
      approximation = 4.0 * n_inside / n_samples;
      error_bound = 7.839856 * sqrt ((double) n_inside * (n_samples - n_inside) /
                                     ((double) n_samples * n_samples * n_samples));
      g_clear_pointer (&last, g_variant_unref);
      last = g_variant_ref_sink (g_variant_new ("(tdd)", n_samples, approximation, error_bound));
      /* FALSE once the job is cancelled. Not floating: the job keeps it. */
      if (!jr_job_yield (job, last, error))
        {
          g_variant_unref (last);
          return NULL;
        }
    }
  return last != NULL ? last : g_variant_new ("(tdd)", (guint64) 0, 0.0, 0.0);
}

static void
on_yielded (JrFuture *future,
            GVariant *value,
            guint    *n_yielded)
{
  guint64 n_samples;
  double approximation, error_bound;

  g_variant_get (value, "(tdd)", &n_samples, &approximation, &error_bound);
  g_print ("%" G_GUINT64_FORMAT " points: pi = %.6f +- %.6f\n",
           n_samples, approximation, error_bound);
  (*n_yielded)++;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      loop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) last = jr_future_wait_finish (JR_FUTURE (source), result, &error);

  if (last == NULL)
    g_printerr ("The approximations failed: %s\n", error->message);
  g_main_loop_quit (loop);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint32 n_approximations = 10, chunk_size = 1000000;
  guint n_yielded = 0;

  jr_register_job_full ("pi-iterations", pi_iterations, G_VARIANT_TYPE ("(uu)"), NULL);
  jr_init (&argc, &argv);   /* a worker process never returns from here */

  if (argc > 1)
    n_approximations = (guint32) strtoul (argv[1], NULL, 10);
  if (argc > 2)
    chunk_size = (guint32) strtoul (argv[2], NULL, 10);

  executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 1);
  loop = g_main_loop_new (NULL, FALSE);
  future = jr_executor_submit_iteration (executor, "pi-iterations",
                                         g_variant_new ("(uu)", n_approximations, chunk_size),
                                         &error);
  if (future == NULL)
    g_error ("Could not submit: %s", error->message);
  g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), &n_yielded);
  jr_future_wait_async (future, NULL, on_done, loop);
  g_main_loop_run (loop);

  if (jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED)
    g_print ("Done: %u approximations\n", n_yielded);

  if (!jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, &error))
    g_error ("Could not shut the executor down: %s", error->message);
  return jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED ? 0 : 1;
}
