/* test-executor-dispose.c — an executor whose last reference goes on
 * another thread than its own: a job's thread (Python's garbage collector
 * runs wherever memory is allocated) or any other thread of the program.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Its teardown joins its worker threads and cancels its futures: done on
 * the thread that dropped it, it joined a job's thread to itself (GLib
 * aborts, "Resource deadlock avoided") and moved futures to CANCELLING off
 * their thread. It happens on the executor's own thread instead, when its
 * main context next dispatches.
 *
 * This program is also its own worker: the jobs are registered and
 * jr_init() is called first thing in main().
 */
#include "executor-jobs.h"
#include "jr-test.h"

#define DONE_TIMEOUT_USEC ((gint64) 60 * G_USEC_PER_SEC)
/* A job that no test waits out: it must be cancelled. */
#define LONG_SLEEP_MS G_GUINT64_CONSTANT (600000)

/* The executor the "drop-executor" job drops: the test's only reference,
 * handed over. */
static JrExecutor *executor_to_drop;

/* Drops the executor that runs it, from its worker thread, once the test
 * hands it over; then waits to be cancelled. With the thread transport
 * only. */
static GVariant *
job_drop_executor (JrJob     *job,
                   GVariant  *args,
                   GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  gint64 deadline = g_get_monotonic_time () + DONE_TIMEOUT_USEC;
  JrExecutor *executor;

  while ((executor = g_atomic_pointer_exchange (&executor_to_drop, NULL)) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_object_unref (executor);
  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < deadline)
    g_usleep (5000);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_variant_new_boolean (TRUE);
}

/* What a test saw of its futures and its executor, from any thread. */
typedef struct {
  gint      off_thread_notifies;   /* "state" notified off the main thread */
  GThread  *finalized_on;          /* set by the executor's weak reference */
  gboolean  finalized;
} Seen;

static void
on_state (JrFuture   *future,
          GParamSpec *pspec,
          Seen       *seen)
{
  if (g_thread_self () != jr_test_get_main_thread ())
    g_atomic_int_inc (&seen->off_thread_notifies);
}

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  Seen *seen = data;

  seen->finalized_on = g_thread_self ();
  g_atomic_int_set (&seen->finalized, TRUE);
}

static JrFuture *
submit_watched (JrExecutor *executor,
                const char *job,
                GVariant   *args,
                Seen       *seen)
{
  JrFuture *future = jr_test_submit (executor, JR_JOB_KIND_CALL, job, args);

  g_signal_connect (future, "notify::state", G_CALLBACK (on_state), seen);
  return future;
}

static gboolean
no_extra_threads (gpointer baseline)
{
  return jr_test_count_own_threads (NULL) <= GPOINTER_TO_UINT (baseline);
}

static gboolean
no_children (gpointer unused)
{
  return jr_test_count_children (TRUE) == 0;
}

/* Both futures end cancelled on the main thread, the executor goes there,
 * and so do its workers. */
static void
assert_dropped_cleanly (JrFuture *running,
                        JrFuture *queued,
                        Seen     *seen,
                        guint     baseline_threads)
{
  jr_test_run_until_done (running, DONE_TIMEOUT_USEC);
  jr_test_run_until_done (queued, DONE_TIMEOUT_USEC);
  g_assert_cmpint (jr_future_get_state (running), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (jr_future_get_state (queued), ==, JR_FUTURE_STATE_CANCELLED);
  jr_test_run_until (jr_test_flag_is_set, &seen->finalized, DONE_TIMEOUT_USEC,
                     "the executor to be finalized");
  g_assert_true (seen->finalized_on == jr_test_get_main_thread ());
  g_assert_cmpint (g_atomic_int_get (&seen->off_thread_notifies), ==, 0);

  jr_test_run_until (no_extra_threads, GUINT_TO_POINTER (baseline_threads), DONE_TIMEOUT_USEC,
                     "the worker threads to end");
  jr_test_run_until (no_children, NULL, DONE_TIMEOUT_USEC, "the worker processes to be reaped");
}

/* A job drops the last reference from its own worker thread. */
static void
test_dropped_in_job (void)
{
  guint baseline_threads = jr_test_count_own_threads (NULL);
  JrExecutor *executor = jr_executor_new (JR_TRANSPORT_THREADS, 1);
  Seen seen = { 0, };
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(JrFuture) queued = NULL;

  g_object_weak_ref (G_OBJECT (executor), on_finalized, &seen);
  running = submit_watched (executor, "drop-executor", NULL, &seen);
  queued = submit_watched (executor, "sleep", g_variant_new ("(t)", LONG_SLEEP_MS), &seen);
  /* The test's only reference. */
  g_atomic_pointer_set (&executor_to_drop, executor);

  assert_dropped_cleanly (running, queued, &seen, baseline_threads);
  g_assert_null (g_atomic_pointer_get (&executor_to_drop));
}

static gpointer
unref_in_thread (gpointer executor)
{
  g_object_unref (executor);
  return NULL;
}

/* A thread of the program's own drops the last reference; the main thread
 * does not iterate meanwhile. */
static void
test_dropped_in_thread (gconstpointer data)
{
  guint baseline_threads = jr_test_count_own_threads (NULL);
  JrExecutor *executor = jr_executor_new (GPOINTER_TO_INT (data), 1);
  Seen seen = { 0, };
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(JrFuture) queued = NULL;

  g_object_weak_ref (G_OBJECT (executor), on_finalized, &seen);
  running = submit_watched (executor, "sleep", g_variant_new ("(t)", LONG_SLEEP_MS), &seen);
  queued = submit_watched (executor, "sleep", g_variant_new ("(t)", LONG_SLEEP_MS), &seen);
  jr_test_run_until (jr_test_future_started, running, DONE_TIMEOUT_USEC, "a job to start");
  g_assert_false (jr_future_get_done (running));

  g_thread_join (g_thread_new ("drop-executor", unref_in_thread, executor));
  /* Nothing of it changed over there. */
  g_assert_cmpint (jr_future_get_state (running), ==, JR_FUTURE_STATE_EXECUTING);
  g_assert_cmpint (jr_future_get_state (queued), ==, JR_FUTURE_STATE_WAITING);
  g_assert_false (g_atomic_int_get (&seen.finalized));

  assert_dropped_cleanly (running, queued, &seen, baseline_threads);
}

static gpointer
new_in_thread (gpointer data)
{
  return jr_executor_new (JR_TRANSPORT_THREADS, 1);
}

static gboolean
is_finalized (gpointer data)
{
  return g_atomic_int_get (&((Seen *) data)->finalized);
}

/* Made on a thread of its own (whose main context is the global default
 * one, as this one's), then used and dropped here: it is disposed here,
 * once, and does not put its disposal off for ever. */
static void
test_made_elsewhere (void)
{
  JrExecutor *executor = g_thread_join (g_thread_new ("make-executor", new_in_thread, NULL));
  Seen seen = { 0, };
  g_autoptr(JrFuture) future = NULL;

  g_object_weak_ref (G_OBJECT (executor), on_finalized, &seen);
  future = submit_watched (executor, "trivial", NULL, &seen);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_object_unref (executor);
  jr_test_run_until (is_finalized, &seen, DONE_TIMEOUT_USEC, "the executor to be finalized");
  g_assert_true (seen.finalized_on == g_thread_self ());
}

int
main (int    argc,
      char **argv)
{
  executor_test_jobs_register ();
  jr_register_job ("drop-executor", job_drop_executor);
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);

  g_test_add_func ("/executor-dispose/threads/in-job", test_dropped_in_job);
  g_test_add_data_func ("/executor-dispose/threads/in-thread",
                        GINT_TO_POINTER (JR_TRANSPORT_THREADS), test_dropped_in_thread);
  g_test_add_data_func ("/executor-dispose/processes/in-thread",
                        GINT_TO_POINTER (JR_TRANSPORT_PROCESSES), test_dropped_in_thread);
  g_test_add_func ("/executor-dispose/threads/made-elsewhere", test_made_elsewhere);

  return g_test_run ();
}
