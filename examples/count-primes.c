/* count-primes.c — a job that reports its progress, run to its end once,
 * then cancelled midway: traits-futures' "prime counting" example, on
 * jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   count-primes [LIMIT [CANCEL_AT]]   (default: 5000000 0.5)
 *
 * The job counts the primes below a limit, deliberately slowly (trial
 * division), in chunks, reporting after each chunk how far it is and how
 * many primes it has found. The program follows it on its main loop:
 * every change of the future's progress text is printed, and the outcome
 * comes through jr_future_wait_async(). First it counts the primes below
 * 10000 to the end; then it counts those below LIMIT and cancels the job
 * once it is CANCEL_AT of the way:
 *
 *   There are 1229 primes smaller than 10000
 *   3 of 20 chunks processed, 41538 primes found
 *   ...
 *   Run cancelled after 10 of 20 chunks, 176302 primes found
 *
 * The job sees the cancel at its next jr_job_progress(), which then fails
 * with G_IO_ERROR_CANCELLED, and stops.
 */
#include <stdlib.h>

#include <jobrouter.h>

#define N_CHUNKS 20

static gboolean
is_prime (guint32 n)
{
  if (n < 2)
    return FALSE;
  for (guint32 d = 2; (guint64) d * d <= n; d++)
    if (n % d == 0)
      return FALSE;
  return TRUE;
}

/* Runs in a worker process. Arguments (uu): the limit and the number of
 * chunks; result u: how many primes there are below the limit. */
static GVariant *
count_primes (JrJob     *job,
              GVariant  *args,
              GError   **error)
{
  guint32 limit, n_chunks, count = 0;

  g_variant_get (args, "(uu)", &limit, &n_chunks);
  for (guint32 chunk = 0; chunk < n_chunks; chunk++)
    {
      guint32 start = (guint32) ((guint64) limit * chunk / n_chunks);
      guint32 end = (guint32) ((guint64) limit * (chunk + 1) / n_chunks);
      g_autofree char *text = g_strdup_printf ("%u of %u chunks processed, %u primes found",
                                               chunk, n_chunks, count);

      /* FALSE once the job is cancelled: stop there. */
      if (!jr_job_progress (job, (double) chunk / n_chunks, text, error))
        return NULL;
      for (guint32 n = start; n < end; n++)
        count += is_prime (n);
    }
  return g_variant_new_uint32 (count);
}

typedef struct {
  GMainLoop *loop;
  guint32    limit;
  double     cancel_at;   /* > 1: never */
} Run;

static void
on_progress_text (JrFuture   *future,
                  GParamSpec *pspec,
                  Run        *run)
{
  const char *text = jr_future_get_progress_text (future);

  if (text != NULL)
    g_print ("%s\n", text);
  if (jr_future_get_progress (future) >= run->cancel_at && jr_future_get_cancellable_now (future))
    {
      g_print ("Cancelling at %.0f %%\n", jr_future_get_progress (future) * 100);
      jr_future_cancel (future);
    }
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  JrFuture *future = JR_FUTURE (source);
  Run *run = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) count = jr_future_wait_finish (future, result, &error);

  if (count != NULL)
    g_print ("There are %u primes smaller than %u\n", g_variant_get_uint32 (count), run->limit);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_print ("Run cancelled after %s\n",
             /* "N of M chunks processed, K primes found": what it had done */
             jr_future_get_progress_text (future));
  else
    g_print ("Run failed: %s\n", error->message);
  g_main_loop_quit (run->loop);
}

static void
count_below (JrExecutor *executor,
             guint32     limit,
             double      cancel_at)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { loop, limit, cancel_at };

  g_print ("Counting the primes below %u\n", limit);
  future = jr_executor_submit_progress (executor, "count-primes",
                                        g_variant_new ("(uu)", limit, (guint32) N_CHUNKS),
                                        &error);
  if (future == NULL)
    g_error ("Could not submit: %s", error->message);
  g_signal_connect (future, "notify::progress-text", G_CALLBACK (on_progress_text), &run);
  jr_future_wait_async (future, NULL, on_done, &run);
  g_main_loop_run (loop);
  g_signal_handlers_disconnect_by_data (future, &run);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(GError) error = NULL;
  guint32 limit = 5000000;
  double cancel_at = 0.5;

  jr_register_job_full ("count-primes", count_primes, G_VARIANT_TYPE ("(uu)"), NULL);
  jr_init (&argc, &argv);   /* a worker process never returns from here */

  if (argc > 1)
    limit = (guint32) strtoul (argv[1], NULL, 10);
  if (argc > 2)
    cancel_at = g_ascii_strtod (argv[2], NULL);

  executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 1);
  count_below (executor, 10000, 2.0);
  count_below (executor, limit, cancel_at);

  if (!jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, &error))
    g_error ("Could not shut the executor down: %s", error->message);
  return 0;
}
