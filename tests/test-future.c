/* test-future.c — tests of router/jr-future.c: the state machine, its
 * notifications and cancellation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include "jobrouter.h"
#include "jr-future-private.h"
#include "jr-test.h"

/* Records every notification of a future, by property name, in order. */
typedef struct {
  GPtrArray *names;             /* (element-type utf8) */
} NotifyLog;

static void
on_notify_log (GObject    *object,
               GParamSpec *pspec,
               NotifyLog  *log)
{
  g_ptr_array_add (log->names, g_strdup (g_param_spec_get_name (pspec)));
}

static void
notify_log_init (NotifyLog *log,
                 JrFuture  *future)
{
  log->names = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (future, "notify", G_CALLBACK (on_notify_log), log);
}

static guint
notify_log_count (NotifyLog  *log,
                  const char *name)
{
  guint n = 0;

  for (guint i = 0; i < log->names->len; i++)
    if (g_str_equal (g_ptr_array_index (log->names, i), name))
      n++;
  return n;
}

static void
notify_log_clear (NotifyLog *log)
{
  g_ptr_array_set_size (log->names, 0);
}

static void
notify_log_free (NotifyLog *log,
                 JrFuture  *future)
{
  g_signal_handlers_disconnect_by_data (future, log);
  g_ptr_array_unref (log->names);
}

static GError *
make_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "it broke");
}

static void
test_initial (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("sleep", JR_JOB_KIND_PROGRESS);
  g_autoptr(GCancellable) cancellable = NULL;
  JrFutureState state;
  gboolean done, cancellable_now;
  double progress;

  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_WAITING);
  g_assert_false (jr_future_get_done (future));
  g_assert_true (jr_future_get_cancellable_now (future));
  g_assert_cmpint (jr_future_get_kind (future), ==, JR_JOB_KIND_PROGRESS);
  g_assert_cmpstr (jr_future_get_job_name (future), ==, "sleep");
  g_assert_cmpstr (jr_future_get_title (future), ==, "sleep");
  g_assert_cmpfloat (jr_future_get_progress (future), ==, -1.0);
  g_assert_null (jr_future_get_progress_text (future));
  g_assert_null (jr_future_get_result (future));
  g_assert_null (jr_future_get_error (future));
  g_assert_cmpint (jr_future_get_queued_time (future), >, 0);
  g_assert_cmpint (jr_future_get_queued_time (future), <=, g_get_monotonic_time ());
  g_assert_cmpint (jr_future_get_start_time (future), ==, 0);
  g_assert_cmpint (jr_future_get_end_time (future), ==, 0);
  g_assert_true (G_IS_CANCELLABLE (jr_future_get_cancellable (future)));
  g_assert_false (g_cancellable_is_cancelled (jr_future_get_cancellable (future)));

  /* The same through properties. */
  g_object_get (future,
                "state", &state,
                "done", &done,
                "cancellable-now", &cancellable_now,
                "progress", &progress,
                "cancellable", &cancellable,
                NULL);
  g_assert_cmpint (state, ==, JR_FUTURE_STATE_WAITING);
  g_assert_false (done);
  g_assert_true (cancellable_now);
  g_assert_cmpfloat (progress, ==, -1.0);
  g_assert_true (cancellable == jr_future_get_cancellable (future));
}

static void
test_enum_types (void)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (JR_TYPE_FUTURE_STATE);
  g_autoptr(GEnumClass) kinds = g_type_class_ref (JR_TYPE_JOB_KIND);

  g_assert_cmpuint (states->n_values, ==, 6);
  g_assert_cmpstr (g_enum_get_value (states, JR_FUTURE_STATE_CANCELLING)->value_nick, ==, "cancelling");
  g_assert_cmpuint (kinds->n_values, ==, 3);
  g_assert_cmpstr (g_enum_get_value (kinds, JR_JOB_KIND_ITERATION)->value_nick, ==, "iteration");
}

static void
test_complete (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("add", JR_JOB_KIND_CALL);
  g_autoptr(GVariant) result = NULL;
  gint64 before;

  before = g_get_monotonic_time ();
  g_assert_true (jr_future_mark_started (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_EXECUTING);
  g_assert_cmpint (jr_future_get_start_time (future), >=, before);
  g_assert_true (jr_future_get_cancellable_now (future));
  g_assert_false (jr_future_get_done (future));

  g_assert_true (jr_future_complete (future, g_variant_new_int32 (42)));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_true (jr_future_get_done (future));
  g_assert_false (jr_future_get_cancellable_now (future));
  g_assert_cmpint (jr_future_get_end_time (future), >=, jr_future_get_start_time (future));
  g_assert_cmpint (g_variant_get_int32 (jr_future_get_result (future)), ==, 42);
  g_assert_null (jr_future_get_error (future));

  g_object_get (future, "result", &result, NULL);
  g_assert_cmpint (g_variant_get_int32 (result), ==, 42);
}

static void
test_fail (void)
{
  g_autoptr(JrFuture) executing = jr_future_new ("add", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) waiting = jr_future_new ("add", JR_JOB_KIND_CALL);
  g_autoptr(GError) error = make_error ();
  g_autoptr(GError) prop_error = NULL;

  g_assert_true (jr_future_mark_started (executing));
  g_assert_true (jr_future_fail (executing, error));
  g_assert_cmpint (jr_future_get_state (executing), ==, JR_FUTURE_STATE_FAILED);
  g_assert_true (jr_future_get_done (executing));
  g_assert_error (jr_future_get_error (executing), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (jr_future_get_error (executing)->message, ==, "it broke");
  g_assert_true (jr_future_get_error (executing) != error);     /* a copy */
  g_assert_null (jr_future_get_result (executing));
  g_assert_cmpint (jr_future_get_end_time (executing), >, 0);

  g_object_get (executing, "error", &prop_error, NULL);
  g_assert_error (prop_error, G_IO_ERROR, G_IO_ERROR_FAILED);

  /* From WAITING too: e.g. an unknown job or a failed dependency. */
  g_assert_true (jr_future_fail (waiting, error));
  g_assert_cmpint (jr_future_get_state (waiting), ==, JR_FUTURE_STATE_FAILED);
  g_assert_cmpint (jr_future_get_start_time (waiting), ==, 0);
  g_assert_cmpint (jr_future_get_end_time (waiting), >, 0);
}

/* Every message that does not fit the state is refused and changes nothing. */
static void
test_refused (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) call = jr_future_new ("add", JR_JOB_KIND_CALL);
  g_autoptr(GError) error = make_error ();
  NotifyLog log;

  notify_log_init (&log, future);

  /* Before start: no progress, yield or result. */
  g_assert_false (jr_future_set_progress (future, 0.5, "half"));
  g_assert_false (jr_future_complete (future, g_variant_new_int32 (1)));
  g_assert_cmpuint (log.names->len, ==, 0);
  g_assert_cmpfloat (jr_future_get_progress (future), ==, -1.0);

  g_assert_true (jr_future_mark_started (future));
  g_assert_false (jr_future_mark_started (future));
  /* A progress future does not yield. */
  g_assert_false (jr_future_emit_yielded (future, g_variant_new_int32 (1)));
  /* Not cancelling: nothing to mark cancelled. */
  g_assert_false (jr_future_mark_cancelled (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_EXECUTING);

  g_assert_true (jr_future_complete (future, NULL));
  g_assert_null (jr_future_get_result (future));
  notify_log_clear (&log);

  /* Done: everything is refused. */
  g_assert_false (jr_future_mark_started (future));
  g_assert_false (jr_future_set_progress (future, 0.5, NULL));
  g_assert_false (jr_future_complete (future, g_variant_new_int32 (2)));
  g_assert_false (jr_future_fail (future, error));
  g_assert_false (jr_future_mark_cancelled (future));
  g_assert_false (jr_future_cancel (future));
  g_assert_false (g_cancellable_is_cancelled (jr_future_get_cancellable (future)));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_null (jr_future_get_error (future));
  g_assert_null (jr_future_get_result (future));
  g_assert_cmpuint (log.names->len, ==, 0);

  /* A plain call takes no progress. */
  g_assert_true (jr_future_mark_started (call));
  g_assert_false (jr_future_set_progress (call, 0.5, NULL));
  g_assert_cmpfloat (jr_future_get_progress (call), ==, -1.0);

  notify_log_free (&log, future);
}

static void
test_progress (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  NotifyLog log;

  g_assert_true (jr_future_mark_started (future));
  notify_log_init (&log, future);

  g_assert_true (jr_future_set_progress (future, 0.25, "one quarter"));
  g_assert_cmpfloat (jr_future_get_progress (future), ==, 0.25);
  g_assert_cmpstr (jr_future_get_progress_text (future), ==, "one quarter");
  g_assert_cmpuint (notify_log_count (&log, "progress"), ==, 1);
  g_assert_cmpuint (notify_log_count (&log, "progress-text"), ==, 1);

  /* Same again: accepted, but no notification. */
  g_assert_true (jr_future_set_progress (future, 0.25, "one quarter"));
  g_assert_cmpuint (notify_log_count (&log, "progress"), ==, 1);
  g_assert_cmpuint (notify_log_count (&log, "progress-text"), ==, 1);

  /* Only the text changes. */
  g_assert_true (jr_future_set_progress (future, 0.25, NULL));
  g_assert_null (jr_future_get_progress_text (future));
  g_assert_cmpuint (notify_log_count (&log, "progress"), ==, 1);
  g_assert_cmpuint (notify_log_count (&log, "progress-text"), ==, 2);

  /* Clamping. */
  g_assert_true (jr_future_set_progress (future, 1.5, NULL));
  g_assert_cmpfloat (jr_future_get_progress (future), ==, 1.0);
  g_assert_true (jr_future_set_progress (future, -0.3, NULL));
  g_assert_cmpfloat (jr_future_get_progress (future), ==, -1.0);
  g_assert_true (jr_future_set_progress (future, 0.5, NULL));
  g_assert_true (jr_future_set_progress (future, NAN, NULL));
  g_assert_cmpfloat (jr_future_get_progress (future), ==, -1.0);
  g_assert_true (jr_future_set_progress (future, -7, NULL));
  g_assert_cmpuint (notify_log_count (&log, "progress"), ==, 5);

  /* Progress does not touch the state. */
  g_assert_cmpuint (notify_log_count (&log, "state"), ==, 0);

  notify_log_free (&log, future);
}

static void
on_yielded (JrFuture  *future,
            GVariant  *value,
            GPtrArray *values)
{
  g_ptr_array_add (values, g_variant_ref (value));
}

static void
test_yield (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("range", JR_JOB_KIND_ITERATION);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

  g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), values);

  g_assert_false (jr_future_emit_yielded (future, g_variant_new_int32 (0)));
  g_assert_true (jr_future_mark_started (future));
  g_assert_true (jr_future_emit_yielded (future, g_variant_new_int32 (1)));
  g_assert_true (jr_future_emit_yielded (future, g_variant_new_int32 (2)));
  /* An iteration future takes no progress. */
  g_assert_false (jr_future_set_progress (future, 0.5, NULL));

  g_assert_cmpuint (values->len, ==, 2);
  g_assert_cmpint (g_variant_get_int32 (g_ptr_array_index (values, 0)), ==, 1);
  g_assert_cmpint (g_variant_get_int32 (g_ptr_array_index (values, 1)), ==, 2);

  g_assert_true (jr_future_cancel (future));
  g_assert_false (jr_future_emit_yielded (future, g_variant_new_int32 (3)));
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_true (jr_future_mark_cancelled (future));
  g_assert_false (jr_future_emit_yielded (future, g_variant_new_int32 (4)));
  g_assert_cmpuint (values->len, ==, 2);
}

static void
test_title (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("sleep", JR_JOB_KIND_CALL);
  g_autofree char *title = NULL;
  NotifyLog log;

  notify_log_init (&log, future);

  /* Setting what is already shown changes nothing. */
  jr_future_set_title (future, "sleep");
  g_assert_cmpuint (notify_log_count (&log, "title"), ==, 0);
  jr_future_set_title (future, NULL);
  g_assert_cmpuint (notify_log_count (&log, "title"), ==, 0);

  g_object_set (future, "title", "Sleeping", NULL);
  g_assert_cmpstr (jr_future_get_title (future), ==, "Sleeping");
  g_assert_cmpuint (notify_log_count (&log, "title"), ==, 1);
  jr_future_set_title (future, "Sleeping");
  g_assert_cmpuint (notify_log_count (&log, "title"), ==, 1);

  g_object_get (future, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Sleeping");

  jr_future_set_title (future, NULL);
  g_assert_cmpstr (jr_future_get_title (future), ==, "sleep");
  g_assert_cmpuint (notify_log_count (&log, "title"), ==, 2);

  notify_log_free (&log, future);
}

static void
test_notify_consistent (void)
{
  g_autoptr(JrFuture) completed = jr_future_new ("a", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) failed = jr_future_new ("b", JR_JOB_KIND_CALL);
  g_autoptr(GError) error = make_error ();
  JrTestStateLog log1, log2;
  NotifyLog notes;

  jr_test_state_log_init (&log1, completed, JR_TEST_STATE_LOG_CHECK_CONSISTENT);
  notify_log_init (&notes, completed);
  jr_future_mark_started (completed);
  /* Leaving WAITING for EXECUTING does not change done or cancellable-now. */
  g_assert_cmpuint (notify_log_count (&notes, "done"), ==, 0);
  g_assert_cmpuint (notify_log_count (&notes, "cancellable-now"), ==, 0);
  g_assert_cmpuint (notify_log_count (&notes, "start-time"), ==, 1);
  jr_future_complete (completed, g_variant_new_string ("ok"));
  jr_test_state_log_assert (&log1, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_COMPLETED, -1);
  g_assert_cmpuint (notify_log_count (&notes, "state"), ==, 2);
  g_assert_cmpuint (notify_log_count (&notes, "done"), ==, 1);
  g_assert_cmpuint (notify_log_count (&notes, "cancellable-now"), ==, 1);
  g_assert_cmpuint (notify_log_count (&notes, "end-time"), ==, 1);
  g_assert_cmpuint (notify_log_count (&notes, "result"), ==, 1);
  g_assert_cmpuint (notify_log_count (&notes, "error"), ==, 0);
  notify_log_free (&notes, completed);
  jr_test_state_log_clear (&log1);

  jr_test_state_log_init (&log2, failed, JR_TEST_STATE_LOG_CHECK_CONSISTENT);
  jr_future_fail (failed, error);
  jr_test_state_log_assert (&log2, JR_FUTURE_STATE_FAILED, -1);
  jr_test_state_log_clear (&log2);
}

static void
test_cancel_waiting (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  g_autoptr(GError) error = make_error ();
  GCancellable *cancellable = jr_future_get_cancellable (future);
  JrTestStateLog log;

  jr_test_state_log_init (&log, future, JR_TEST_STATE_LOG_CHECK_CONSISTENT);

  g_assert_true (jr_future_cancel (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_false (jr_future_get_done (future));
  g_assert_false (jr_future_get_cancellable_now (future));
  g_assert_cmpint (jr_future_get_end_time (future), ==, 0);

  /* Cancelling twice does nothing. */
  g_assert_false (jr_future_cancel (future));

  /* A cancelled job may not start, report, finish or fail. */
  g_assert_false (jr_future_mark_started (future));
  g_assert_false (jr_future_set_progress (future, 0.5, NULL));
  g_assert_false (jr_future_complete (future, g_variant_new_int32 (1)));
  g_assert_false (jr_future_fail (future, error));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_null (jr_future_get_error (future));

  g_assert_true (jr_future_mark_cancelled (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_true (jr_future_get_done (future));
  g_assert_cmpint (jr_future_get_end_time (future), >, 0);
  g_assert_false (jr_future_mark_cancelled (future));

  jr_test_state_log_assert (&log, JR_FUTURE_STATE_CANCELLING, JR_FUTURE_STATE_CANCELLED, -1);
  jr_test_state_log_clear (&log);
}

static void
test_cancel_executing (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  JrTestStateLog log;

  jr_future_mark_started (future);
  jr_future_set_progress (future, 0.5, "half");
  jr_test_state_log_init (&log, future, JR_TEST_STATE_LOG_CHECK_CONSISTENT);

  g_assert_true (jr_future_cancel (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_false (jr_future_set_progress (future, 0.75, "more"));
  g_assert_cmpfloat (jr_future_get_progress (future), ==, 0.5);
  g_assert_cmpstr (jr_future_get_progress_text (future), ==, "half");
  g_assert_false (jr_future_complete (future, g_variant_new_int32 (1)));
  g_assert_null (jr_future_get_result (future));

  g_assert_true (jr_future_mark_cancelled (future));
  jr_test_state_log_assert (&log, JR_FUTURE_STATE_CANCELLING, JR_FUTURE_STATE_CANCELLED, -1);
  g_assert_false (jr_future_cancel (future));
  jr_test_state_log_clear (&log);
}

/* Handlers connected to the cancellable after the future see it CANCELLING:
 * that is how the executor learns of a cancel. */
static void
on_cancelled_after (GCancellable *cancellable,
                    JrFuture     *future)
{
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_object_set_data (G_OBJECT (future), "seen", GINT_TO_POINTER (1));
}

static void
test_cancel_via_cancellable (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  GCancellable *cancellable = jr_future_get_cancellable (future);

  g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancelled_after), future);
  jr_future_mark_started (future);

  g_cancellable_cancel (cancellable);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_nonnull (g_object_get_data (G_OBJECT (future), "seen"));
  g_assert_false (jr_future_cancel (future));

  g_signal_handlers_disconnect_by_func (cancellable, on_cancelled_after, future);
}

/* Cancelling the cancellable of a finished future changes nothing. */
static void
test_cancel_after_done (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("add", JR_JOB_KIND_CALL);
  NotifyLog log;

  jr_future_mark_started (future);
  jr_future_complete (future, g_variant_new_int32 (3));
  notify_log_init (&log, future);

  g_assert_false (jr_future_cancel (future));
  g_cancellable_cancel (jr_future_get_cancellable (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (log.names->len, ==, 0);

  notify_log_free (&log, future);
}

/* A job dropped before it ran passes through CANCELLING, and its
 * cancellable is cancelled only once it is done. */
static void
on_cancelled_sees_done (GCancellable *cancellable,
                        JrFuture     *future)
{
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  g_object_set_data (G_OBJECT (future), "seen", GINT_TO_POINTER (1));
}

static void
test_mark_cancelled_from_waiting (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  GCancellable *cancellable = jr_future_get_cancellable (future);
  NotifyLog notes;
  JrTestStateLog log;

  g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancelled_sees_done), future);
  jr_test_state_log_init (&log, future, JR_TEST_STATE_LOG_CHECK_CONSISTENT);
  notify_log_init (&notes, future);

  g_assert_true (jr_future_mark_cancelled (future));
  jr_test_state_log_assert (&log, JR_FUTURE_STATE_CANCELLING, JR_FUTURE_STATE_CANCELLED, -1);
  g_assert_cmpuint (notify_log_count (&notes, "done"), ==, 1);
  g_assert_cmpuint (notify_log_count (&notes, "cancellable-now"), ==, 1);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_nonnull (g_object_get_data (G_OBJECT (future), "seen"));
  g_assert_cmpint (jr_future_get_start_time (future), ==, 0);

  notify_log_free (&notes, future);
  jr_test_state_log_clear (&log);
  g_signal_handlers_disconnect_by_func (cancellable, on_cancelled_sees_done, future);
}

/* A cancel from another thread reaches the state only on the future's own
 * thread, through its main context. */
static gpointer
cancel_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JrFuture) future = NULL;
  GThread *thread;

  g_main_context_push_thread_default (context);
  future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  jr_future_mark_started (future);

  thread = g_thread_new ("canceller", cancel_thread, jr_future_get_cancellable (future));
  g_thread_join (thread);

  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_EXECUTING);
  while (jr_future_get_state (future) == JR_FUTURE_STATE_EXECUTING)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);

  g_main_context_pop_thread_default (context);
}

/* The future's cancellable may outlive it; cancelling it then is harmless. */
static void
test_cancellable_outlives (void)
{
  JrFuture *future = jr_future_new ("count", JR_JOB_KIND_PROGRESS);
  g_autoptr(GCancellable) cancellable = g_object_ref (jr_future_get_cancellable (future));

  g_object_add_weak_pointer (G_OBJECT (future), (gpointer *) &future);
  g_object_unref (future);
  g_assert_null (future);
  g_cancellable_cancel (cancellable);
}

/* Where a job runs, said for people: nothing for this machine's workers. */
static void
test_place (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_CALL);
  g_autofree char *local = NULL;
  g_autofree char *group_only = NULL;
  g_autofree char *same = NULL;
  g_autofree char *both = NULL;

  g_assert_null (jr_future_dup_place (future));
  jr_future_set_worker (future, "local", "this-machine");
  local = jr_future_dup_place (future);
  g_assert_null (local);
  jr_future_set_worker (future, "cluster", NULL);
  group_only = jr_future_dup_place (future);
  g_assert_cmpstr (group_only, ==, "cluster");
  jr_future_set_worker (future, "box", "box");
  same = jr_future_dup_place (future);
  g_assert_cmpstr (same, ==, "box");
  jr_future_set_worker (future, "cluster", "node17");
  both = jr_future_dup_place (future);
  g_assert_cmpstr (both, ==, "node17 (cluster)");
}

/* Notifications are skipped only where nobody listens: a handler of one
 * property's notify::<name> sees that property, one of "notify" sees all. */
static void
on_count (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_notify_detailed (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("a", JR_JOB_KIND_CALL);
  guint state = 0, done = 0, result = 0;

  g_signal_connect (future, "notify::state", G_CALLBACK (on_count), &state);
  g_signal_connect (future, "notify::done", G_CALLBACK (on_count), &done);
  jr_future_mark_started (future);
  g_assert_cmpuint (state, ==, 1);
  g_assert_cmpuint (done, ==, 0);
  /* Connected between transitions: seen from the next one on. */
  g_signal_connect (future, "notify::result", G_CALLBACK (on_count), &result);
  jr_future_complete (future, g_variant_new_string ("ok"));
  g_assert_cmpuint (state, ==, 2);
  g_assert_cmpuint (done, ==, 1);
  g_assert_cmpuint (result, ==, 1);
}

/* A handler connected by the handler of an earlier notification of the
 * same transition sees the later ones: "result" notifies before "state",
 * "done" and "end-time"... and "end-time" before "state". */
typedef struct {
  JrFuture *future;
  guint     any;       /* by the undetailed handler connected late */
  guint     state;     /* by the notify::state handler connected late */
} LateHandlers;

static void
on_late_any (GObject    *object,
             GParamSpec *pspec,
             LateHandlers *late)
{
  late->any++;
}

static void
on_result_connects (GObject      *object,
                    GParamSpec   *pspec,
                    LateHandlers *late)
{
  g_signal_connect (late->future, "notify", G_CALLBACK (on_late_any), late);
  g_signal_connect (late->future, "notify::state", G_CALLBACK (on_count), &late->state);
}

static void
test_notify_connected_midway (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("a", JR_JOB_KIND_CALL);
  LateHandlers late = { future, 0, 0 };

  jr_future_mark_started (future);
  g_signal_connect (future, "notify::result", G_CALLBACK (on_result_connects), &late);
  jr_future_complete (future, g_variant_new_string ("ok"));
  /* After "result": end-time, state, done and cancellable-now. */
  g_assert_cmpuint (late.any, ==, 4);
  g_assert_cmpuint (late.state, ==, 1);
}

/* A binding connects notify::<name>: it follows every change. */
static void
test_notify_binding (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("a", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) mirror = jr_future_new ("b", JR_JOB_KIND_CALL);

  g_object_bind_property (future, "progress-text", mirror, "title", G_BINDING_DEFAULT);
  jr_future_mark_started (future);
  jr_future_set_progress (future, 0.5, "half way");
  g_assert_cmpstr (jr_future_get_title (mirror), ==, "half way");
  jr_future_set_progress (future, 0.75, "nearly");
  g_assert_cmpstr (jr_future_get_title (mirror), ==, "nearly");
}


int
main (int   argc,
      char *argv[])
{
  jr_test_init (&argc, &argv);

  g_test_add_func ("/future/initial", test_initial);
  g_test_add_func ("/future/enum-types", test_enum_types);
  g_test_add_func ("/future/state/complete", test_complete);
  g_test_add_func ("/future/state/fail", test_fail);
  g_test_add_func ("/future/state/refused", test_refused);
  g_test_add_func ("/future/progress", test_progress);
  g_test_add_func ("/future/yield", test_yield);
  g_test_add_func ("/future/title", test_title);
  g_test_add_func ("/future/notify/consistent", test_notify_consistent);
  g_test_add_func ("/future/notify/detailed", test_notify_detailed);
  g_test_add_func ("/future/notify/connected-midway", test_notify_connected_midway);
  g_test_add_func ("/future/notify/binding", test_notify_binding);
  g_test_add_func ("/future/cancel/waiting", test_cancel_waiting);
  g_test_add_func ("/future/cancel/executing", test_cancel_executing);
  g_test_add_func ("/future/cancel/via-cancellable", test_cancel_via_cancellable);
  g_test_add_func ("/future/cancel/after-done", test_cancel_after_done);
  g_test_add_func ("/future/cancel/mark-cancelled-from-waiting", test_mark_cancelled_from_waiting);
  g_test_add_func ("/future/cancel/from-thread", test_cancel_from_thread);
  g_test_add_func ("/future/cancel/cancellable-outlives", test_cancellable_outlives);
  g_test_add_func ("/future/place", test_place);

  return g_test_run ();
}
