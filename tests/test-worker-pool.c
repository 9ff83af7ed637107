/* test-worker-pool.c — tests of the worker pool (router/jr-worker-pool.c
 * and the router/jr-worker-pool-*.c beside it) through its callbacks: workers
 * come up to the pool's size, run what they are given and report on
 * their pipe, go (killed, retired) with a reason, are replaced, and a
 * pool that cannot start workers gives up after a few tries instead of
 * looping. On both transports where it applies.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is its own worker: jobs registered and jr_init() first.
 */
#include <string.h>

#include "executor-jobs.h"
#include "jr-test.h"
#include "jr-worker-pool-private.h"

#define TIMEOUT_USEC (30 * G_USEC_PER_SEC)

typedef struct {
  JrRouter      *router;
  JrWorkerPool  *pool;
  GPtrArray     *workers;       /* JrPoolWorker that came and are not gone */
  GString       *messages;      /* "<job id><tag> " for each job message */
  GPtrArray     *gone_reasons;  /* char* */
  GError        *start_failure;
  guint          n_added;
} Fixture;

static void
on_added (JrPoolWorker *worker,
          gpointer      data)
{
  Fixture *f = data;

  f->n_added++;
  g_ptr_array_add (f->workers, worker);
}

static void
on_job_message (JrPoolWorker      *worker,
                GVariant          *message,
                JrJobMessageParts *parts,
                gpointer           data)
{
  Fixture *f = data;

  g_string_append_printf (f->messages, "%" G_GUINT64_FORMAT "%c ", parts->job_id, parts->tag);
}

static void
on_gone (JrPoolWorker *worker,
         const GError *reason,
         gpointer      data)
{
  Fixture *f = data;

  g_assert_true (g_ptr_array_remove (f->workers, worker));
  g_ptr_array_add (f->gone_reasons, g_strdup (reason->message));
}

static void
on_start_failed (const GError *error,
                 gpointer      data)
{
  Fixture *f = data;

  g_assert_null (f->start_failure);
  f->start_failure = g_error_copy (error);
}

static const JrWorkerPoolCallbacks callbacks = {
  .worker_added = on_added,
  .job_message = on_job_message,
  .worker_gone = on_gone,
  .start_failed = on_start_failed,
};

/* A pool of @launcher's workers (NULL: the local launcher). */
static void
fixture_setup_full (Fixture       *f,
                    JrTransport    transport,
                    JrLauncher    *launcher,
                    guint          size,
                    const char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) local = jr_launcher_new_local ();

  f->router = jr_router_new (transport, NULL);
  g_assert_true (jr_router_start (f->router, &error));
  f->workers = g_ptr_array_new ();
  f->messages = g_string_new (NULL);
  f->gone_reasons = g_ptr_array_new_with_free_func (g_free);
  f->pool = jr_worker_pool_new (f->router, transport, launcher != NULL ? launcher : local,
                                "test-group", size, argv, &callbacks, f);
}

static void
fixture_setup (Fixture       *f,
               JrTransport    transport,
               guint          size,
               const char   **argv)
{
  fixture_setup_full (f, transport, NULL, size, argv);
}

static void
fixture_teardown (Fixture *f)
{
  jr_worker_pool_free (f->pool);
  g_assert_true (jr_router_stop (f->router, NULL));
  g_object_unref (f->router);
  g_ptr_array_unref (f->workers);
  g_string_free (f->messages, TRUE);
  g_ptr_array_unref (f->gone_reasons);
  g_clear_error (&f->start_failure);
}

static void
route (Fixture         *f,
       JrConditionFunc  condition,
       const char      *what)
{
  g_autoptr(GError) error = NULL;

  if (!jr_router_route_until (f->router, condition, f, TIMEOUT_USEC, &error))
    g_error ("Waiting for %s: %s", what, error->message);
}

static gboolean
job_seven_done (gpointer data)
{
  Fixture *f = data;

  return strstr (f->messages->str, "7R") != NULL;
}

static gboolean
one_gone (gpointer data)
{
  return ((Fixture *) data)->gone_reasons->len >= 1;
}

static gboolean
pool_is_empty (gpointer data)
{
  return jr_worker_pool_is_empty (((Fixture *) data)->pool);
}

static gboolean
pool_is_full (gpointer data)
{
  Fixture *f = data;

  return f->workers->len == jr_worker_pool_get_n_workers (f->pool) && f->workers->len == 2;
}

static gboolean
start_failed (gpointer data)
{
  return ((Fixture *) data)->start_failure != NULL;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
test_run (gconstpointer data)
{
  Fixture f = { 0 };

  fixture_setup (&f, GPOINTER_TO_INT (data), 2, NULL);
  jr_worker_pool_fill (f.pool);
  g_assert_cmpuint (f.n_added, ==, 2);
  g_assert_cmpuint (jr_worker_pool_get_n_workers (f.pool), ==, 2);

  jr_pool_worker_run (f.workers->pdata[0], 7, "trivial", NULL);
  route (&f, job_seven_done, "job 7");
  g_assert_cmpstr (f.messages->str, ==, "7S 7R ");

  /* Retired: every worker ends, and says so. */
  jr_worker_pool_retire (f.pool);
  g_assert_cmpuint (jr_worker_pool_get_n_workers (f.pool), ==, 0);
  route (&f, pool_is_empty, "the pool to empty");
  g_assert_cmpuint (f.gone_reasons->len, ==, 2);
  g_assert_cmpuint (f.workers->len, ==, 0);
  fixture_teardown (&f);
}

/* A killed process goes with the reason given, and another takes its
 * place. */
static void
test_kill_process (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, JR_TRANSPORT_PROCESSES, 2, NULL);
  jr_worker_pool_fill (f.pool);
  g_assert_false (jr_pool_worker_kill (f.workers->pdata[0], "the test said so"));
  route (&f, one_gone, "the killed worker to go");
  g_assert_nonnull (strstr (f.gone_reasons->pdata[0], "the test said so"));
  route (&f, pool_is_full, "a new worker");
  g_assert_cmpuint (f.n_added, ==, 3);
  g_assert_null (f.start_failure);
  fixture_teardown (&f);
}

/* A thread cannot be killed: it is abandoned at once, its messages are
 * dropped, and another thread takes its place. Once it ends, the pool
 * says it is gone (whoever waits for the pool to empty looks again). */
static void
test_abandon_thread (void)
{
  Fixture f = { 0 };
  JrPoolWorker *stuck;

  fixture_setup (&f, JR_TRANSPORT_THREADS, 1, NULL);
  jr_worker_pool_fill (f.pool);
  stuck = f.workers->pdata[0];
  jr_pool_worker_run (stuck, 3, "ignore-cancel", g_variant_new ("(t)", (guint64) 300));
  g_assert_true (jr_pool_worker_kill (stuck, "ignored its cancel"));
  g_assert_cmpuint (f.n_added, ==, 2);
  g_assert_cmpuint (jr_worker_pool_get_n_workers (f.pool), ==, 1);
  g_assert_false (jr_worker_pool_is_empty (f.pool));

  g_assert_true (f.workers->pdata[1] != stuck);
  jr_pool_worker_run (f.workers->pdata[1], 7, "trivial", NULL);
  route (&f, job_seven_done, "job 7 on the new thread");
  jr_worker_pool_retire (f.pool);
  route (&f, pool_is_empty, "both threads to end");
  /* Nothing from job 3; both threads said gone. */
  g_assert_cmpstr (f.messages->str, ==, "7S 7R ");
  g_assert_cmpuint (f.gone_reasons->len, ==, 2);
  fixture_teardown (&f);
}

/* Workers that die before they are ready: the pool gives up after a few,
 * says why, and starts nothing more until asked. */
static void
test_start_failures (void)
{
  const char *argv[] = { "/bin/false", NULL };
  Fixture f = { 0 };
  guint n_added;

  fixture_setup (&f, JR_TRANSPORT_PROCESSES, 2, argv);
  jr_worker_pool_fill (f.pool);
  route (&f, start_failed, "the pool to give up");
  /* Said through the callback (the executor's worker-error), not as a
   * warning of its own: the fixture fails on any warning. */
  g_assert_error (f.start_failure, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_assert_true (g_str_has_prefix (f.start_failure->message, "No worker process could be started"));
  g_assert_nonnull (strstr (f.start_failure->message, "exited with status 1"));
  /* It never reached jr_init(): the error says what a worker must do. */
  g_assert_nonnull (strstr (f.start_failure->message, "before it became a worker"));
  g_assert_nonnull (strstr (f.start_failure->message, "must reach jr_init()"));
  g_assert_nonnull (jr_worker_pool_get_failure (f.pool));
  route (&f, pool_is_empty, "the last failed worker to go");
  n_added = f.n_added;
  g_assert_cmpuint (n_added, >=, 3);
  g_assert_cmpuint (n_added, <=, 4);

  /* Given up: nothing happens by itself. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (jr_router_route_until (f.router, never, NULL, 500 * 1000, &error));
    g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  }
  g_assert_cmpuint (f.n_added, ==, n_added);
  fixture_teardown (&f);
}

/* Requests to a worker that does not read them wait in its outbox: the
 * caller never blocks (16 MiB is far more than a socket buffers; were
 * the send blocking, this test would hang). */
static void
test_outbox (void)
{
  const char *argv[] = { "/bin/sleep", "30", NULL };
  g_autoptr(GVariant) big = NULL;
  Fixture f = { 0 };
  guint8 *data = g_malloc0 (4 * 1024 * 1024);

  big = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data,
                                                      4 * 1024 * 1024, TRUE, g_free, data));
  fixture_setup (&f, JR_TRANSPORT_PROCESSES, 1, argv);
  jr_worker_pool_fill (f.pool);
  for (guint i = 0; i < 4; i++)
    jr_pool_worker_run (f.workers->pdata[0], i + 1, "echo", big);
  jr_router_route_until (f.router, never, NULL, 0, NULL);
  fixture_teardown (&f);
}

int
main (int    argc,
      char **argv)
{
  executor_test_jobs_register ();
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);

  g_test_add_data_func ("/worker-pool/threads/run", GINT_TO_POINTER (JR_TRANSPORT_THREADS), test_run);
  g_test_add_data_func ("/worker-pool/processes/run", GINT_TO_POINTER (JR_TRANSPORT_PROCESSES),
                        test_run);
  g_test_add_func ("/worker-pool/processes/kill", test_kill_process);
  g_test_add_func ("/worker-pool/threads/abandon", test_abandon_thread);
  g_test_add_func ("/worker-pool/processes/start-failures", test_start_failures);
  g_test_add_func ("/worker-pool/processes/outbox", test_outbox);

  return g_test_run ();
}
