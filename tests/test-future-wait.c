/* test-future-wait.c — tests of router/jr-future-wait.c: waiting for a
 * future with jr_future_wait_async()/_finish() and the blocking
 * jr_future_wait(), on futures driven by hand and on real jobs of both
 * transports; and jobs registered with jr_register_job_with_data().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is also its own worker: the jobs are registered and
 * jr_init() is called first thing in main().
 */
#include <string.h>

#include "executor-jobs.h"
#include "jr-future-private.h"
#include "jr-test.h"

#define SHUTDOWN_TIMEOUT_USEC (60 * G_USEC_PER_SEC)
#define JOB_TIMEOUT_USEC      (60 * G_USEC_PER_SEC)
/* A job that no test waits out. */
#define LONG_SLEEP_MS G_GUINT64_CONSTANT (600000)

/* The data of the "with-data" job, and how often its destroy ran. */
static const char with_data_payload[] = "the job's own data";
static guint destroy_calls;
static gpointer destroyed_data;

static GVariant *
job_with_data (JrJob     *job,
               GVariant  *args,
               gpointer   user_data,
               GError   **error)
{
  return g_variant_new_string (user_data);
}

static void
count_destroy (gpointer data)
{
  destroy_calls++;
  destroyed_data = data;
}

/* ------------------------------------------------------------------ */
/* What a wait_async() callback gets                                    */
/* ------------------------------------------------------------------ */

typedef struct {
  gboolean  called;
  GThread  *thread;
  GVariant *value;
  GError   *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->value, g_variant_unref);
  g_clear_error (&outcome->error);
}

static void
on_wait_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Outcome *outcome = data;

  g_assert_false (outcome->called);
  outcome->called = TRUE;
  outcome->thread = g_thread_self ();
  outcome->value = jr_future_wait_finish (JR_FUTURE (source), result, &outcome->error);
  g_assert_true (outcome->value == NULL || outcome->error == NULL);
}

/* wait_async() on @future, then runs the default context until the
 * callback: never from inside the call itself. */
static void
wait_async (JrFuture     *future,
            GCancellable *cancellable,
            Outcome      *outcome)
{
  jr_future_wait_async (future, cancellable, on_wait_done, outcome);
  g_assert_false (outcome->called);
  jr_test_run_until (jr_test_flag_is_set, &outcome->called, JOB_TIMEOUT_USEC,
                     "the wait_async callback");
  g_assert_true (outcome->thread == g_thread_self ());
}

/* ------------------------------------------------------------------ */
/* Futures driven by hand                                               */
/* ------------------------------------------------------------------ */

static JrFuture *
new_started (void)
{
  JrFuture *future = jr_future_new ("sum", JR_JOB_KIND_CALL);

  g_assert_true (jr_future_mark_started (future));
  return future;
}

static gboolean
complete_with_7 (gpointer future)
{
  jr_future_complete (future, g_variant_new_int32 (7));
  return G_SOURCE_REMOVE;
}

static void
test_sync_completed (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;

  /* Done later, by the context the wait runs. */
  g_timeout_add (20, complete_with_7, future);
  value = jr_future_wait (future, JOB_TIMEOUT_USEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (value), ==, 7);

  /* Done already: at once, even with no time to wait. */
  g_clear_pointer (&value, g_variant_unref);
  value = jr_future_wait (future, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (value), ==, 7);
}

static void
test_sync_completed_no_value (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GError) error = NULL;
  GVariant *value;

  g_assert_true (jr_future_complete (future, NULL));
  value = jr_future_wait (future, JOB_TIMEOUT_USEC, &error);
  g_assert_null (value);
  g_assert_no_error (error);
}

static void
test_sync_failed (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GError) failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_future_fail (future, failure));
  g_assert_null (jr_future_wait (future, JOB_TIMEOUT_USEC, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "gone");
}

static void
test_sync_cancelled (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_future_cancel (future));
  g_assert_true (jr_future_mark_cancelled (future));
  g_assert_null (jr_future_wait (future, JOB_TIMEOUT_USEC, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_sync_timeout (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 took;

  g_assert_null (jr_future_wait (future, 50 * 1000, &error));
  took = g_get_monotonic_time () - start;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "sum"));
  g_assert_cmpint (took, >=, 45 * 1000);
  g_assert_cmpint (took, <, 5 * G_USEC_PER_SEC);
  /* Waiting changed nothing. */
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_EXECUTING);

  /* No time at all: at once. */
  g_clear_error (&error);
  g_assert_null (jr_future_wait (future, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* The wait's timer is gone: nothing fires later. */
  jr_test_drain_main_context ();
  g_assert_true (jr_future_complete (future, NULL));
}

/* A future of another context: jr_future_wait() runs that one, not the
 * default one. */
static void
test_sync_own_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GSource) source = g_timeout_source_new (20);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;
  gboolean default_ran = FALSE;

  g_main_context_push_thread_default (context);
  future = new_started ();
  g_main_context_pop_thread_default (context);
  g_source_set_callback (source, complete_with_7, future, NULL);
  g_source_attach (source, context);
  g_idle_add (jr_test_set_flag, &default_ran);

  value = jr_future_wait (future, JOB_TIMEOUT_USEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (value), ==, 7);
  g_assert_false (default_ran);
  jr_test_drain_main_context ();
  g_assert_true (default_ran);
}

static void
test_async_completed (void)
{
  g_autoptr(JrFuture) future = new_started ();
  Outcome outcome = { 0 };

  g_timeout_add (20, complete_with_7, future);
  wait_async (future, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (g_variant_get_int32 (outcome.value), ==, 7);
  outcome_clear (&outcome);

  /* Done already: the callback still comes from the main context. */
  outcome = (Outcome) { 0 };
  wait_async (future, NULL, &outcome);
  g_assert_cmpint (g_variant_get_int32 (outcome.value), ==, 7);
  outcome_clear (&outcome);
}

static void
test_async_completed_no_value (void)
{
  g_autoptr(JrFuture) future = new_started ();
  Outcome outcome = { 0 };

  g_assert_true (jr_future_complete (future, NULL));
  wait_async (future, NULL, &outcome);
  g_assert_null (outcome.value);
  g_assert_no_error (outcome.error);
}

static gboolean
fail_not_found (gpointer future)
{
  g_autoptr(GError) failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");

  jr_future_fail (future, failure);
  return G_SOURCE_REMOVE;
}

static void
test_async_failed (void)
{
  g_autoptr(JrFuture) future = new_started ();
  Outcome outcome = { 0 };

  g_timeout_add (20, fail_not_found, future);
  wait_async (future, NULL, &outcome);
  g_assert_null (outcome.value);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (outcome.error->message, ==, "gone");
  outcome_clear (&outcome);
}

static gboolean
cancel_and_end (gpointer future)
{
  jr_future_cancel (future);
  jr_future_mark_cancelled (future);
  return G_SOURCE_REMOVE;
}

static void
test_async_job_cancelled (void)
{
  g_autoptr(JrFuture) future = new_started ();
  Outcome outcome = { 0 };

  g_timeout_add (20, cancel_and_end, future);
  wait_async (future, NULL, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  outcome_clear (&outcome);
}

static gboolean
cancel_cancellable (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelling the wait gives up waiting: the future is untouched, and its
 * end later calls nobody. */
static void
test_async_wait_cancelled (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  g_timeout_add (20, cancel_cancellable, cancellable);
  wait_async (future, cancellable, &outcome);
  g_assert_null (outcome.value);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_EXECUTING);
  g_assert_false (g_cancellable_is_cancelled (jr_future_get_cancellable (future)));

  /* on_wait_done() asserts it is called once. */
  g_assert_true (jr_future_complete (future, g_variant_new_int32 (1)));
  jr_test_run_for (20);
  outcome_clear (&outcome);
}

static void
test_async_wait_cancelled_before (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  g_cancellable_cancel (cancellable);
  wait_async (future, cancellable, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (jr_future_get_done (future));
  outcome_clear (&outcome);
}

/* The wait's cancellable may fire on any thread; the callback still comes
 * on the waiting one. */
static gpointer
cancel_in_thread (gpointer cancellable)
{
  g_usleep (20 * 1000);
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
test_async_wait_cancelled_from_thread (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };
  GThread *thread;

  thread = g_thread_new ("cancel-wait", cancel_in_thread, cancellable);
  wait_async (future, cancellable, &outcome);
  g_thread_join (thread);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&outcome);
}

/* A wait whose future completed with 7 as its cancellable fired: GTask
 * checks the cancellable as it returns, so either outcome is right, but
 * only one of them, once (on_wait_done() asserts once). */
static void
assert_cancelled_or_seven (const Outcome *outcome)
{
  g_assert_true (outcome->called);
  if (outcome->error != NULL)
    g_assert_error (outcome->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_cmpint (g_variant_get_int32 (outcome->value), ==, 7);
}

/* The wait's cancellable is cancelled on another thread, and an earlier
 * handler of the application's holds that emission while the future is
 * done, the wait called back and its task freed: nothing of the wait may
 * run on that thread afterwards. */
typedef struct {
  GCancellable *cancellable;
  gint          in_handler;
  gint          go_on;
} SlowCancel;

static void
hold_cancel (GCancellable *cancellable,
             SlowCancel   *slow)
{
  g_atomic_int_set (&slow->in_handler, TRUE);
  while (!g_atomic_int_get (&slow->go_on))
    g_usleep (1000);
}

static gpointer
cancel_slowly (gpointer data)
{
  SlowCancel *slow = data;

  g_cancellable_cancel (slow->cancellable);
  return NULL;
}

static void
test_async_cancelled_while_done (void)
{
  JrFuture *future = new_started ();
  SlowCancel slow = { g_cancellable_new (), FALSE, FALSE };
  Outcome outcome = { 0 };
  GThread *thread;

  g_signal_connect (slow.cancellable, "cancelled", G_CALLBACK (hold_cancel), &slow);
  jr_future_wait_async (future, slow.cancellable, on_wait_done, &outcome);
  thread = g_thread_new ("cancel-slowly", cancel_slowly, &slow);
  while (!g_atomic_int_get (&slow.in_handler))
    g_usleep (1000);

  jr_future_complete (future, g_variant_new_int32 (7));
  jr_test_run_until (jr_test_flag_is_set, &outcome.called, JOB_TIMEOUT_USEC,
                     "the wait_async callback");
  g_object_unref (future);
  jr_test_run_for (20);

  g_atomic_int_set (&slow.go_on, TRUE);
  g_thread_join (thread);
  jr_test_run_for (20);
  assert_cancelled_or_seven (&outcome);
  outcome_clear (&outcome);
  g_object_unref (slow.cancellable);
}

/* Whichever comes first wins: the future done and the wait cancelled in
 * one turn of the loop call back once. */
static gboolean
complete_and_cancel (gpointer data)
{
  gpointer *both = data;

  jr_future_complete (both[0], g_variant_new_int32 (7));
  g_cancellable_cancel (both[1]);
  return G_SOURCE_REMOVE;
}

static void
test_async_done_and_cancelled (void)
{
  g_autoptr(JrFuture) future = new_started ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gpointer both[] = { future, cancellable };
  Outcome outcome = { 0 };

  g_timeout_add (20, complete_and_cancel, both);
  wait_async (future, cancellable, &outcome);
  jr_test_run_for (20);
  assert_cancelled_or_seven (&outcome);
  outcome_clear (&outcome);
}

/* The waiting holds the future: dropping every other reference is fine. */
static void
test_async_holds_future (void)
{
  JrFuture *future = new_started ();
  Outcome outcome = { 0 };

  jr_future_wait_async (future, NULL, on_wait_done, &outcome);
  g_object_add_weak_pointer (G_OBJECT (future), (gpointer *) &future);
  g_object_unref (future);
  g_assert_nonnull (future);
  g_assert_true (jr_future_complete (future, g_variant_new_int32 (2)));
  jr_test_run_until (jr_test_flag_is_set, &outcome.called, JOB_TIMEOUT_USEC,
                     "the wait_async callback");
  g_assert_cmpint (g_variant_get_int32 (outcome.value), ==, 2);
  outcome_clear (&outcome);
  jr_test_drain_main_context ();
  g_assert_null (future);
}

/* ------------------------------------------------------------------ */
/* Real jobs, on both transports                                        */
/* ------------------------------------------------------------------ */

typedef struct {
  JrExecutor *executor;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->executor = g_object_new (JR_TYPE_EXECUTOR,
                              "transport", GPOINTER_TO_INT (data),
                              "max-workers", 2,
                              NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_TIMEOUT_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 0);
  g_clear_object (&f->executor);
}

static JrFuture *
submit (Fixture    *f,
        const char *job,
        GVariant   *args)
{
  g_autoptr(GError) error = NULL;
  JrFuture *future = jr_executor_submit_call (f->executor, job, args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (future);
  return future;
}

static void
test_job_result (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JrFuture) future = submit (f, "sleep", g_variant_new ("(t)", (guint64) 10));
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = jr_future_wait (future, JOB_TIMEOUT_USEC, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint64 (value), ==, 10);
}

static void
test_job_failed (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JrFuture) future =
    submit (f, "fail", g_variant_new ("(sis)", EXECUTOR_TEST_ERROR_DOMAIN, 5, "it broke"));
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };

  g_assert_null (jr_future_wait (future, JOB_TIMEOUT_USEC, &error));
  g_assert_error (error, g_quark_from_static_string (EXECUTOR_TEST_ERROR_DOMAIN), 5);
  g_assert_cmpstr (error->message, ==, "it broke");

  wait_async (future, NULL, &outcome);
  g_assert_error (outcome.error, g_quark_from_static_string (EXECUTOR_TEST_ERROR_DOMAIN), 5);
  outcome_clear (&outcome);
}

/* A timed-out wait leaves the job running; cancelling the job ends it. */
static void
test_job_timeout_then_cancel (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(JrFuture) future = submit (f, "sleep", g_variant_new ("(t)", LONG_SLEEP_MS));
  g_autoptr(GError) error = NULL;

  g_assert_null (jr_future_wait (future, 100 * 1000, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (jr_future_get_done (future));

  g_clear_error (&error);
  g_assert_true (jr_future_cancel (future));
  g_assert_null (jr_future_wait (future, JOB_TIMEOUT_USEC, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
}

/* Cancelling the wait is not cancelling the job. */
static void
test_job_cancel_wait (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JrFuture) future = submit (f, "sleep", g_variant_new ("(t)", LONG_SLEEP_MS));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  g_timeout_add (50, cancel_cancellable, cancellable);
  wait_async (future, cancellable, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (jr_future_get_done (future));
  g_assert_true (jr_future_get_cancellable_now (future));
  outcome_clear (&outcome);

  /* Now the job itself: a new wait sees it end. */
  outcome = (Outcome) { 0 };
  g_timeout_add (20, cancel_cancellable, jr_future_get_cancellable (future));
  wait_async (future, NULL, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  outcome_clear (&outcome);
}

static void
test_job_with_data (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JrFuture) future = submit (f, "with-data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = jr_future_wait (future, JOB_TIMEOUT_USEC, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, with_data_payload);
}

/* Registering a name again frees the old kind's data. */
static void
test_register_replace (void)
{
  static char first[] = "first", second[] = "second";

  destroy_calls = 0;
  destroyed_data = NULL;
  jr_register_job_with_data ("replaced", job_with_data, first, count_destroy, NULL, NULL);
  g_assert_cmpuint (destroy_calls, ==, 0);
  jr_register_job_with_data ("replaced", job_with_data, second, count_destroy,
                             G_VARIANT_TYPE_UNIT, NULL);
  g_assert_cmpuint (destroy_calls, ==, 1);
  g_assert_true (destroyed_data == first);
}

static void
add_for_both (const char                 *path,
              void (*func) (Fixture *, gconstpointer))
{
  static const JrTransport transports[] = { JR_TRANSPORT_THREADS, JR_TRANSPORT_PROCESSES };

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      g_autofree char *full = g_strdup_printf ("/future-wait/%s/%s",
                                               jr_test_transport_name (transports[i]), path);

      g_test_add (full, Fixture, GINT_TO_POINTER (transports[i]),
                  fixture_setup, func, fixture_teardown);
    }
}

int
main (int    argc,
      char **argv)
{
  executor_test_jobs_register ();
  jr_register_job_with_data ("with-data", job_with_data, (gpointer) with_data_payload, NULL,
                             NULL, NULL);
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);

  g_test_add_func ("/future-wait/sync/completed", test_sync_completed);
  g_test_add_func ("/future-wait/sync/completed-no-value", test_sync_completed_no_value);
  g_test_add_func ("/future-wait/sync/failed", test_sync_failed);
  g_test_add_func ("/future-wait/sync/cancelled", test_sync_cancelled);
  g_test_add_func ("/future-wait/sync/timeout", test_sync_timeout);
  g_test_add_func ("/future-wait/sync/own-context", test_sync_own_context);
  g_test_add_func ("/future-wait/async/completed", test_async_completed);
  g_test_add_func ("/future-wait/async/cancelled-while-done", test_async_cancelled_while_done);
  g_test_add_func ("/future-wait/async/completed-no-value", test_async_completed_no_value);
  g_test_add_func ("/future-wait/async/failed", test_async_failed);
  g_test_add_func ("/future-wait/async/job-cancelled", test_async_job_cancelled);
  g_test_add_func ("/future-wait/async/wait-cancelled", test_async_wait_cancelled);
  g_test_add_func ("/future-wait/async/wait-cancelled-before", test_async_wait_cancelled_before);
  g_test_add_func ("/future-wait/async/wait-cancelled-from-thread",
                   test_async_wait_cancelled_from_thread);
  g_test_add_func ("/future-wait/async/done-and-cancelled", test_async_done_and_cancelled);
  g_test_add_func ("/future-wait/async/holds-future", test_async_holds_future);
  g_test_add_func ("/future-wait/register/replace", test_register_replace);
  add_for_both ("job/result", test_job_result);
  add_for_both ("job/failed", test_job_failed);
  add_for_both ("job/timeout-then-cancel", test_job_timeout_then_cancel);
  add_for_both ("job/cancel-wait", test_job_cancel_wait);
  add_for_both ("job/with-data", test_job_with_data);

  return g_test_run ();
}
