/* test-executor.c — tests of router/jr-executor*.c and the worker runtime:
 * the futures' state machine, messages in order, cancellation, crashes,
 * dependencies, retries, priorities, bad input and a clean shutdown, on
 * both transports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is also its own worker: the executor re-executes it with
 * JOBROUTER_WORKER set, and jr_init() then runs the worker loop and never
 * returns. So the jobs are registered and jr_init() is called first thing
 * in main(), before g_test_init().
 *
 * Run as `test-executor --exit-with-running-job TRANSPORT PIDFILE`, it
 * starts a long job, writes its worker pids to PIDFILE and returns from
 * main() without shutting the executor down (see test_exit_with_job).
 */
#define _GNU_SOURCE 1  /* SCHED_IDLE */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "executor-jobs.h"
#include "jr-test.h"

/* Far beyond what any job here takes: reaching it means a hang. Under
 * AddressSanitizer a flood of 100 000 messages alone takes 17 s on a quiet
 * machine of 2 CPUs, and more than 60 s under load. */
#if defined(__SANITIZE_ADDRESS__)
#define DONE_TIMEOUT_SEC 180
#else
#define DONE_TIMEOUT_SEC 60
#endif
#define SHUTDOWN_TIMEOUT_USEC ((gint64) 60 * G_USEC_PER_SEC)
/* A sleep that no test waits out: it must be cancelled or killed. */
#define LONG_SLEEP_MS G_GUINT64_CONSTANT (600000)

static char *self_exe;
/* The running test is the stream variant ("/executor/stream/..."): its
 * executor's workers are this program started through a command launcher
 * of no command, speaking on their standard input and output (the stream
 * transport over a pair of sockets), instead of local ones with a ring. */
static gboolean use_streams;

/* ---- the harness (jr-test.h), by the names the tests here use ---- */

#define transport_name  jr_test_transport_name
#define state_name      jr_test_future_state_name
#define on_deadline     jr_test_set_flag
#define flag_is_set     jr_test_flag_is_set
#define on_child_exited jr_test_on_subprocess_exited
#define run_for         jr_test_run_for
#define run_until(condition, data, timeout_sec, what) \
  jr_test_run_until ((condition), (data), (gint64) (timeout_sec) * G_USEC_PER_SEC, (what))
#define run_until_done(future, timeout_sec) \
  jr_test_run_until_done ((future), (gint64) (timeout_sec) * G_USEC_PER_SEC)
/* Iterates only @context, never the global default one: the executor's
 * timers and idles must be on its own context. */
#define iterate_context_until_done(context, future) \
  jr_test_run_until_done_in ((context), (future), (gint64) DONE_TIMEOUT_SEC * G_USEC_PER_SEC)

typedef JrTestStateLog StateLog;
#define state_log_init(log, future) \
  jr_test_state_log_init ((log), (future), JR_TEST_STATE_LOG_DEFAULT)
#define state_log_assert  jr_test_state_log_assert
#define state_log_clear(log, future) jr_test_state_log_clear (log)

typedef JrTestProcStat ProcStat;
#define read_proc_stat  jr_test_read_proc_stat
#define list_children   jr_test_list_children
#define count_children  jr_test_count_children
#define process_is_gone jr_test_process_is_gone
#define no_child_watch  jr_test_no_child_watch
#define count_threads   jr_test_count_threads
#define count_fds       jr_test_count_fds
#define make_temp_dir() jr_test_make_temp_dir ("test-executor-XXXXXX")
#define remove_temp_dir jr_test_remove_temp_dir

/* ---- running the main context ---- */

/* Only for jobs that run until cancelled (or far longer than any test):
 * waits until one has started, and fails at once if it ended instead. */
static void
run_until_executing (JrFuture *future)
{
  run_until (jr_test_future_started, future, DONE_TIMEOUT_SEC, "a job to start executing");
  if (jr_future_get_done (future))
    {
      const GError *error = jr_future_get_error (future);
      g_autofree char *result = jr_future_get_result (future) != NULL
                                ? g_variant_print (jr_future_get_result (future), TRUE) : NULL;

      g_error ("Job '%s' should be running but ended %s (error: %s; result: %s)",
               jr_future_get_job_name (future), state_name (jr_future_get_state (future)),
               error != NULL ? error->message : "none", result != NULL ? result : "none");
    }
}

/* ---- executors and futures ---- */

static JrExecutor *
new_executor (JrTransport transport,
              guint       max_workers)
{
  JrExecutor *executor;

  if (use_streams)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JrLauncher) launcher = jr_launcher_new_command (NULL);

      g_assert_cmpint (transport, ==, JR_TRANSPORT_PROCESSES);
      executor = g_object_new (JR_TYPE_EXECUTOR, "transport", transport, "max-workers", max_workers,
                               "local-group", FALSE, NULL);
      g_assert_true (jr_executor_add_group (executor, "stream", launcher, max_workers, &error));
      g_assert_no_error (error);
    }
  else
    executor = jr_executor_new (transport, max_workers);

  g_assert_nonnull (executor);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_RUNNING);
  g_assert_cmpint (jr_executor_get_transport (executor), ==, transport);
  g_assert_cmpuint (jr_executor_get_max_workers (executor), ==, max_workers);
  return executor;
}

static void
shutdown_executor (JrExecutor *executor)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_executor_shutdown (executor, SHUTDOWN_TIMEOUT_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
  g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);
}

/* Submits and asserts that the submission was accepted. @args is sunk. */
static JrFuture *
submit (JrExecutor *executor,
        JrJobKind   kind,
        const char *job,
        GVariant   *args)
{
  g_autoptr(GError) error = NULL;
  JrFuture *future = NULL;

  switch (kind)
    {
    case JR_JOB_KIND_CALL:
      future = jr_executor_submit_call (executor, job, args, &error);
      break;
    case JR_JOB_KIND_PROGRESS:
      future = jr_executor_submit_progress (executor, job, args, &error);
      break;
    case JR_JOB_KIND_ITERATION:
      future = jr_executor_submit_iteration (executor, job, args, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_nonnull (future);
  g_assert_cmpstr (jr_future_get_job_name (future), ==, job);
  g_assert_cmpint (jr_future_get_kind (future), ==, kind);
  return future;
}

static JrFuture *
submit_with (JrExecutor         *executor,
             const char         *job,
             GVariant           *args,
             const JrJobOptions *options)
{
  g_autoptr(GError) error = NULL;
  JrFuture *future = jr_executor_submit_full (executor, job, args, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (future);
  return future;
}

static JrFuture *
submit_sleep (JrExecutor *executor,
              guint64     ms)
{
  return submit (executor, JR_JOB_KIND_CALL, "sleep", g_variant_new ("(t)", ms));
}

static JrFuture *
submit_trivial (JrExecutor *executor)
{
  return submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);
}

static void
assert_completed (JrFuture *future)
{
  const GError *error = jr_future_get_error (future);

  if (jr_future_get_state (future) != JR_FUTURE_STATE_COMPLETED)
    g_error ("Job '%s' (%s) ended %s, not completed: %s",
             jr_future_get_job_name (future), jr_future_get_title (future),
             state_name (jr_future_get_state (future)),
             error != NULL ? error->message : "(no error)");
  g_assert_null (error);
  g_assert_true (jr_future_get_done (future));
}

static void
assert_trivial_result (JrFuture *future)
{
  GVariant *result;
  gboolean value = FALSE;

  assert_completed (future);
  result = jr_future_get_result (future);
  g_assert_nonnull (result);
  g_assert_cmpstr (g_variant_get_type_string (result), ==, "(b)");
  g_variant_get (result, "(b)", &value);
  g_assert_true (value);
}

static void
assert_failed_with (JrFuture *future,
                    GQuark    domain,
                    int       code)
{
  const GError *error = jr_future_get_error (future);

  g_assert_cmpstr (state_name (jr_future_get_state (future)), ==, "failed");
  g_assert_nonnull (error);
  g_assert_cmpstr (g_quark_to_string (error->domain), ==, g_quark_to_string (domain));
  g_assert_cmpint (error->code, ==, code);
  g_assert_null (jr_future_get_result (future));
}

/* Records, across several futures, "TITLE:STATE" for every state change. */
typedef struct {
  GPtrArray *events;            /* (element-type utf8) */
} EventLog;

static void
on_event_state (JrFuture   *future,
                GParamSpec *pspec,
                EventLog   *log)
{
  g_ptr_array_add (log->events,
                   g_strdup_printf ("%s:%s", jr_future_get_title (future),
                                    state_name (jr_future_get_state (future))));
}

static void
event_log_watch (EventLog *log,
                 JrFuture *future)
{
  g_signal_connect (future, "notify::state", G_CALLBACK (on_event_state), log);
}

static int
event_log_index (EventLog   *log,
                 const char *event)
{
  for (guint i = 0; i < log->events->len; i++)
    if (g_str_equal (g_ptr_array_index (log->events, i), event))
      return (int) i;
  return -1;
}

static char *
event_log_dump (EventLog *log)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < log->events->len; i++)
    g_string_append_printf (text, "%s ", (char *) g_ptr_array_index (log->events, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Asserts that @first happened, @second happened, and in that order. */
static void
event_log_assert_before (EventLog   *log,
                         const char *first,
                         const char *second)
{
  g_autofree char *dump = event_log_dump (log);
  int i = event_log_index (log, first);
  int j = event_log_index (log, second);

  if (i < 0 || j < 0 || i >= j)
    g_error ("Expected %s before %s; events: %s", first, second, dump);
}

/* ---- the state machine ---- */

static void
test_state_completed (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) future = NULL;
  StateLog log;

  future = submit_trivial (executor);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_WAITING);
  g_assert_false (jr_future_get_done (future));
  g_assert_cmpint (jr_future_get_queued_time (future), >, 0);
  state_log_init (&log, future);

  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_COMPLETED, -1);
  assert_trivial_result (future);
  g_assert_cmpint (jr_future_get_start_time (future), >=, jr_future_get_queued_time (future));
  g_assert_cmpint (jr_future_get_end_time (future), >=, jr_future_get_start_time (future));
  g_assert_false (jr_future_get_cancellable_now (future));
  state_log_clear (&log, future);

  shutdown_executor (executor);
}

static void
test_state_failed (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) future = NULL;
  StateLog log;

  future = submit (executor, JR_JOB_KIND_CALL, "fail",
                   g_variant_new ("(sis)", "g-io-error-quark", G_IO_ERROR_PERMISSION_DENIED, "no"));
  state_log_init (&log, future);

  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_FAILED, -1);
  assert_failed_with (future, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpint (jr_future_get_end_time (future), >=, jr_future_get_start_time (future));
  state_log_clear (&log, future);

  shutdown_executor (executor);
}

/* ---- progress and yields: all of them, in order, before done ---- */

typedef struct {
  GArray  *fractions;           /* (element-type double) */
  gboolean done;
  double   progress_at_done;
  char    *text_at_done;
} ProgressLog;

static void
on_progress_notify (JrFuture    *future,
                    GParamSpec  *pspec,
                    ProgressLog *log)
{
  double fraction = jr_future_get_progress (future);

  g_assert_false (log->done);
  g_array_append_val (log->fractions, fraction);
}

static void
on_progress_done (JrFuture    *future,
                  GParamSpec  *pspec,
                  ProgressLog *log)
{
  log->done = TRUE;
  log->progress_at_done = jr_future_get_progress (future);
  log->text_at_done = g_strdup (jr_future_get_progress_text (future));
}

static void
test_progress_order (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  const guint32 n = 1000;
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) future = NULL;
  g_autofree char *last_text = g_strdup_printf ("%u/%u", n, n);
  ProgressLog log = { g_array_new (FALSE, FALSE, sizeof (double)), FALSE, 0, NULL };
  StateLog states;
  guint32 result;

  future = submit (executor, JR_JOB_KIND_PROGRESS, "progress", g_variant_new ("(u)", n));
  state_log_init (&states, future);
  g_signal_connect (future, "notify::progress", G_CALLBACK (on_progress_notify), &log);
  g_signal_connect (future, "notify::done", G_CALLBACK (on_progress_done), &log);

  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&states, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_COMPLETED, -1);
  assert_completed (future);
  /* Updates may be coalesced, but never reordered, and the last one is
   * shown before the future is done. */
  g_assert_cmpuint (log.fractions->len, >=, 1);
  g_assert_cmpuint (log.fractions->len, <=, n);
  for (guint i = 1; i < log.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (log.fractions, double, i - 1), <,
                       g_array_index (log.fractions, double, i));
  g_assert_cmpfloat (g_array_index (log.fractions, double, 0), >, 0.0);
  g_assert_cmpfloat (log.progress_at_done, ==, 1.0);
  g_assert_cmpstr (log.text_at_done, ==, last_text);
  g_variant_get (jr_future_get_result (future), "u", &result);
  g_assert_cmpuint (result, ==, n);

  g_signal_handlers_disconnect_by_data (future, &log);
  state_log_clear (&states, future);
  g_array_unref (log.fractions);
  g_free (log.text_at_done);
  shutdown_executor (executor);
}

typedef struct {
  guint32  n_yields;
  gboolean done;
  guint32  yields_at_done;
} YieldLog;

static void
on_yielded (JrFuture *future,
            GVariant *value,
            YieldLog *log)
{
  g_assert_false (log->done);
  g_assert_cmpstr (g_variant_get_type_string (value), ==, "u");
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, log->n_yields);
  log->n_yields++;
}

static void
on_yield_done (JrFuture   *future,
               GParamSpec *pspec,
               YieldLog   *log)
{
  log->done = TRUE;
  log->yields_at_done = log->n_yields;
}

static void
test_iterate_order (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  const guint32 n = 1000;
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) future = NULL;
  YieldLog log = { 0, FALSE, 0 };
  StateLog states;

  future = submit (executor, JR_JOB_KIND_ITERATION, "iterate", g_variant_new ("(u)", n));
  state_log_init (&states, future);
  g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), &log);
  g_signal_connect (future, "notify::done", G_CALLBACK (on_yield_done), &log);

  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&states, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_COMPLETED, -1);
  assert_completed (future);
  g_assert_true (log.done);
  g_assert_cmpuint (log.yields_at_done, ==, n);
  g_assert_cmpuint (g_variant_get_uint32 (jr_future_get_result (future)), ==, n);

  g_signal_handlers_disconnect_by_data (future, &log);
  state_log_clear (&states, future);
  shutdown_executor (executor);
}

/* ---- cancellation ---- */

static guint64
read_counter (const char *path)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  return g_ascii_strtoull (contents, NULL, 10);
}

/* A job cancelled while waiting never runs: with one worker busy, a
 * "flaky" job (which counts its runs in a file) is cancelled, then the
 * worker is freed and another job runs; the file must show no run.
 * With @n_behind more jobs waiting behind it, the executor may already
 * have handed it to the busy worker: it is still waiting, all the same. */
static void
check_cancel_waiting (JrTransport transport,
                      guint       n_behind)
{
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *counter = g_build_filename (dir, "runs", NULL);
  g_autoptr(JrFuture) blocker = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) after = NULL;
  g_autoptr(GPtrArray) behind = g_ptr_array_new_with_free_func (g_object_unref);
  StateLog log;

  blocker = submit_sleep (executor, LONG_SLEEP_MS);
  run_until_executing (blocker);

  future = submit (executor, JR_JOB_KIND_CALL, "flaky", g_variant_new ("(su)", counter, 0));
  state_log_init (&log, future);
  for (guint i = 0; i < n_behind; i++)
    g_ptr_array_add (behind, submit (executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", i)));
  /* Let the executor hand out whatever it hands out. */
  run_for (50);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_WAITING);
  g_assert_true (jr_future_get_cancellable_now (future));

  g_assert_true (jr_future_cancel (future));
  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&log, JR_FUTURE_STATE_CANCELLING, JR_FUTURE_STATE_CANCELLED, -1);
  g_assert_null (jr_future_get_result (future));
  g_assert_cmpint (jr_future_get_start_time (future), ==, 0);
  g_assert_true (g_cancellable_is_cancelled (jr_future_get_cancellable (future)));
  /* Cancelling a done future does nothing. */
  g_assert_false (jr_future_cancel (future));
  /* Cancelling a waiting job touches no other job. */
  g_assert_cmpstr (state_name (jr_future_get_state (blocker)), ==, "executing");

  /* Free the worker; whatever was queued would run now. */
  g_assert_true (jr_future_cancel (blocker));
  run_until_done (blocker, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (blocker), ==, JR_FUTURE_STATE_CANCELLED);
  after = submit_trivial (executor);
  run_until_done (after, DONE_TIMEOUT_SEC);
  assert_trivial_result (after);
  for (guint i = 0; i < behind->len; i++)
    {
      JrFuture *echo = g_ptr_array_index (behind, i);

      run_until_done (echo, DONE_TIMEOUT_SEC);
      assert_completed (echo);
    }

  g_assert_cmpuint (read_counter (counter), ==, 0);
  g_assert_false (g_file_test (counter, G_FILE_TEST_EXISTS));

  state_log_clear (&log, future);
  shutdown_executor (executor);
  remove_temp_dir (dir);
}

static void
test_cancel_waiting (gconstpointer data)
{
  check_cancel_waiting (GPOINTER_TO_INT (data), 0);
}

static void
test_cancel_waiting_backlog (gconstpointer data)
{
  check_cancel_waiting (GPOINTER_TO_INT (data), 3);
}

static gboolean
executor_has_all_workers (gpointer data)
{
  JrExecutor *executor = data;

  return jr_executor_get_n_workers (executor) == jr_executor_get_max_workers (executor);
}

/* A job cancelled after it reached its worker, before it started, frees
 * its place there at once: the job behind it runs without anything else
 * happening (a thread worker gives such a job back inside the cancel). */
static void
test_cancel_unstarted_frees_worker (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);

  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the worker to start");
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(JrFuture) first = submit_trivial (executor);
      g_autoptr(JrFuture) second = submit_trivial (executor);

      jr_future_cancel (first);
      run_until_done (second, DONE_TIMEOUT_SEC);
      assert_trivial_result (second);
      run_until_done (first, DONE_TIMEOUT_SEC);
    }
  shutdown_executor (executor);
}

/* A running job is told at once: a sleep that honours cancellation ends
 * CANCELLED, with no result, long before its end — and, with a grace far
 * longer than the test, without its worker being killed. */
static void
test_cancel_executing (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) after = NULL;
  g_autoptr(GArray) workers_before = NULL;
  g_autoptr(GArray) workers_after = NULL;
  StateLog log;

  jr_executor_set_cancel_grace (executor, (gint64) 3600 * G_USEC_PER_SEC);
  future = submit_sleep (executor, LONG_SLEEP_MS);
  state_log_init (&log, future);
  run_until_executing (future);
  workers_before = list_children (FALSE);

  g_assert_true (jr_future_cancel (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_false (jr_future_get_cancellable_now (future));
  g_assert_false (jr_future_cancel (future));
  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_CANCELLING,
                    JR_FUTURE_STATE_CANCELLED, -1);
  g_assert_null (jr_future_get_result (future));

  /* The same worker runs the next job. */
  after = submit_trivial (executor);
  run_until_done (after, DONE_TIMEOUT_SEC);
  assert_trivial_result (after);
  if (transport == JR_TRANSPORT_PROCESSES)
    {
      workers_after = list_children (FALSE);
      g_assert_cmpuint (workers_before->len, ==, 1);
      g_assert_cmpuint (workers_after->len, ==, 1);
      g_assert_cmpint (g_array_index (workers_before, ProcStat, 0).pid, ==,
                       g_array_index (workers_after, ProcStat, 0).pid);
    }

  state_log_clear (&log, future);
  shutdown_executor (executor);
}

/* After a cancel, nothing more reaches the future: no yield, no progress,
 * no result — even from a job that floods them. */
typedef struct {
  guint    n_before;
  guint    n_after;
  gboolean cancelled;
} FloodLog;

static void
flood_count (JrFuture *future,
             FloodLog *log)
{
  if (log->cancelled)
    {
      log->n_after++;
      return;
    }
  log->n_before++;
  /* Cancel from the handler, as a GUI would, in the middle of the flood. */
  if (log->n_before == 10)
    {
      log->cancelled = TRUE;
      g_assert_true (jr_future_cancel (future));
    }
}

static void
on_flood_yield (JrFuture *future,
                GVariant *value,
                FloodLog *log)
{
  flood_count (future, log);
}

static void
on_flood_progress (JrFuture   *future,
                   GParamSpec *pspec,
                   FloodLog   *log)
{
  flood_count (future, log);
}

static void
on_flood_result (JrFuture   *future,
                 GParamSpec *pspec,
                 FloodLog   *log)
{
  g_error ("A cancelled job got a result");
}

static void
test_cancel_no_messages_after (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) iterate = NULL;
  g_autoptr(JrFuture) progress = NULL;
  FloodLog iterate_log = { 0, 0, FALSE };
  FloodLog progress_log = { 0, 0, FALSE };

  iterate = submit (executor, JR_JOB_KIND_ITERATION, "iterate", g_variant_new ("(u)", G_MAXUINT32));
  progress = submit (executor, JR_JOB_KIND_PROGRESS, "progress", g_variant_new ("(u)", G_MAXUINT32));
  g_signal_connect (iterate, "yielded", G_CALLBACK (on_flood_yield), &iterate_log);
  g_signal_connect (iterate, "notify::result", G_CALLBACK (on_flood_result), NULL);
  g_signal_connect (progress, "notify::progress", G_CALLBACK (on_flood_progress), &progress_log);
  g_signal_connect (progress, "notify::progress-text", G_CALLBACK (on_flood_progress), &progress_log);
  g_signal_connect (progress, "notify::result", G_CALLBACK (on_flood_result), NULL);

  run_until_done (iterate, DONE_TIMEOUT_SEC);
  run_until_done (progress, DONE_TIMEOUT_SEC);

  g_assert_true (iterate_log.cancelled);
  g_assert_true (progress_log.cancelled);
  g_assert_cmpuint (iterate_log.n_after, ==, 0);
  g_assert_cmpuint (progress_log.n_after, ==, 0);
  g_assert_cmpint (jr_future_get_state (iterate), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (jr_future_get_state (progress), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_null (jr_future_get_result (iterate));
  g_assert_null (jr_future_get_result (progress));

  /* Nothing straggles in later either. */
  run_for (100);
  g_assert_cmpuint (iterate_log.n_after, ==, 0);
  g_assert_cmpuint (progress_log.n_after, ==, 0);

  g_signal_handlers_disconnect_by_data (iterate, &iterate_log);
  g_signal_handlers_disconnect_by_data (progress, &progress_log);
  g_signal_handlers_disconnect_by_func (iterate, on_flood_result, NULL);
  g_signal_handlers_disconnect_by_func (progress, on_flood_result, NULL);
  shutdown_executor (executor);
}

/* A long job, then short ones of the same priority, on 2 workers: the
 * short ones may be handed to the long one's worker ahead of time, but
 * none waits there while the other worker idles. */
static void
test_order_behind_long_job (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 2);
  JrFuture *jobs[6];
  gint64 long_start;

  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the workers to start");
  jobs[0] = submit_sleep (executor, 2000);
  for (guint i = 1; i < G_N_ELEMENTS (jobs); i++)
    jobs[i] = submit_sleep (executor, 20);
  for (guint i = 1; i < G_N_ELEMENTS (jobs); i++)
    run_until_done (jobs[i], DONE_TIMEOUT_SEC);
  /* All of them while the long one still runs. */
  g_assert_false (jr_future_get_done (jobs[0]));
  long_start = jr_future_get_start_time (jobs[0]);
  for (guint i = 1; i < G_N_ELEMENTS (jobs); i++)
    {
      assert_completed (jobs[i]);
      g_assert_cmpint (jr_future_get_start_time (jobs[i]) - long_start, <, 1500 * 1000);
    }
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    g_object_unref (jobs[i]);
  shutdown_executor (executor);
}

/* A grace period of G_MAXINT64 ("never kill") and a retry's pause past
 * what a timeout can wait neither wrap around to "now". */
static void
test_cancel_grace_forever (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  jr_executor_set_cancel_grace (executor, G_MAXINT64);
  /* It returns by itself after 1.5 s, cancel or not. */
  future = submit (executor, JR_JOB_KIND_CALL, "ignore-cancel", g_variant_new ("(t)", (guint64) 1500));
  run_until_executing (future);
  g_assert_true (jr_future_cancel (future));
  /* Not killed, nor ended, before its job returned: a shutdown (which
   * looks at grace deadlines itself) times out. */
  g_assert_false (jr_executor_shutdown (executor, 500 * 1000, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  shutdown_executor (executor);
}

/* A job deaf to cancellation is stopped after the grace period and its
 * future ends CANCELLED; the pool, of one worker, still runs jobs. A
 * worker process is killed and replaced. */
static void
test_cancel_grace (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) after = NULL;
  g_autoptr(GArray) workers = NULL;
  /* A thread cannot be killed: it is left to finish its sleep, so keep it
   * short there. A process must really be killed. */
  guint64 ms = transport == JR_TRANSPORT_PROCESSES ? LONG_SLEEP_MS : 2000;
  StateLog log;
  int old_pid = 0;

  jr_executor_set_cancel_grace (executor, 200 * 1000);
  future = submit (executor, JR_JOB_KIND_CALL, "ignore-cancel", g_variant_new ("(t)", ms));
  state_log_init (&log, future);
  run_until_executing (future);
  workers = list_children (FALSE);
  if (transport == JR_TRANSPORT_PROCESSES)
    {
      g_assert_cmpuint (workers->len, ==, 1);
      old_pid = g_array_index (workers, ProcStat, 0).pid;
    }

  g_assert_true (jr_future_cancel (future));
  run_until_done (future, DONE_TIMEOUT_SEC);

  state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_CANCELLING,
                    JR_FUTURE_STATE_CANCELLED, -1);
  g_assert_null (jr_future_get_result (future));

  after = submit_trivial (executor);
  run_until_done (after, DONE_TIMEOUT_SEC);
  assert_trivial_result (after);

  if (transport == JR_TRANSPORT_PROCESSES)
    {
      g_autoptr(GArray) now = list_children (FALSE);

      g_assert_true (process_is_gone (old_pid));
      g_assert_cmpuint (now->len, ==, 1);
      g_assert_cmpint (g_array_index (now, ProcStat, 0).pid, !=, old_pid);
    }

  state_log_clear (&log, future);
  shutdown_executor (executor);
}

static gboolean
is_stopped (gpointer executor)
{
  return jr_executor_get_state (executor) == JR_EXECUTOR_STATE_STOPPED;
}

/* Stopped while a job deaf to its cancel runs: its future ends CANCELLED
 * after the grace period, and the executor becomes STOPPED once its worker
 * is gone — a thread's too, once its job returns in its own time. */
static void
test_stop_after_grace (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) future = NULL;
  guint64 ms = transport == JR_TRANSPORT_PROCESSES ? LONG_SLEEP_MS : 1000;

  jr_executor_set_cancel_grace (executor, 200 * 1000);
  future = submit (executor, JR_JOB_KIND_CALL, "ignore-cancel", g_variant_new ("(t)", ms));
  run_until_executing (future);

  jr_executor_stop (executor);
  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  run_until (is_stopped, executor, DONE_TIMEOUT_SEC, "the executor to be stopped");
}

/* A worker retired while this thread is busy past the time a worker has
 * to end: it ended at once, and its end waits among the router's
 * messages. It is not taken for one whose exit handler waits (a warning,
 * fatal here, and a signal to a process already gone). */
static void
test_retired_while_busy (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 1);
  g_autoptr(JrFuture) warm = submit_trivial (executor);
  g_autoptr(GError) error = NULL;

  run_until_done (warm, DONE_TIMEOUT_SEC);
  g_assert_true (jr_executor_set_group_size (executor, "local", 0, &error));
  g_assert_no_error (error);
  /* A slow handler, a loaded machine: past the 2 s a worker has. */
  g_usleep (2500 * 1000);
  run_for (500);
  g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);
  shutdown_executor (executor);
}

/* A worker process asked to end that does not (an exit handler that
 * waits for ever) is ended after a while, with a warning: the executor
 * does not stay STOPPING for ever. */
static void
test_stop_worker_stuck_at_exit (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 1);
  g_autoptr(JrFuture) future = submit (executor, JR_JOB_KIND_CALL, "hang-at-exit", NULL);
  g_autoptr(GError) error = NULL;

  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);

  jr_test_expect_warning ("*worker process * had not ended 2 s after it was asked to*");
  g_assert_true (jr_executor_shutdown (executor, 20 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  jr_test_check_expected_warnings ();
  g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);
}

/* A bytestring of @size bytes of @zeros. */
static GVariant *
bytes_of_size (GBytes *zeros,
               gsize   size)
{
  g_autoptr(GBytes) part = g_bytes_new_from_bytes (zeros, 0, size);

  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, part, TRUE);
}

/* Arguments as large as a worker takes run; larger ones (with the job's
 * name, what a worker reads) are refused on the spot, not sent to a worker
 * that would drop them. */
static void
test_args_at_the_limit (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) zeros = g_bytes_new_take (g_malloc0 (JR_MESSAGE_SIZE_MAX), JR_MESSAGE_SIZE_MAX);
  gsize largest = 0;

  /* The envelope is a few bytes: find the largest size that fits. */
  for (gsize size = JR_MESSAGE_SIZE_MAX; size > JR_MESSAGE_SIZE_MAX - 64; size--)
    {
      g_autoptr(JrFuture) refused = jr_executor_submit_call (executor, "args-size",
                                                             bytes_of_size (zeros, size), &error);

      if (refused != NULL)
        {
          jr_future_cancel (refused);
          largest = size;
          break;
        }
      g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }
  g_assert_cmpuint (largest, >, JR_MESSAGE_SIZE_MAX - 64);
  g_assert_cmpuint (largest, <, JR_MESSAGE_SIZE_MAX);

  future = jr_executor_submit_call (executor, "args-size", bytes_of_size (zeros, largest), &error);
  g_assert_no_error (error);
  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (future)), ==, largest);
}

/* Stopped while its workers are still starting, slowly: they end when
 * they find their requests closed, with no warning and no signal (the
 * 2 s for a worker asked to end count from its start). */
static void
test_stop_while_workers_start_slowly (void)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("JR_TEST_WORKER_START_DELAY_MS", "3000", TRUE);
  executor = new_executor (JR_TRANSPORT_PROCESSES, 2);
  g_unsetenv ("JR_TEST_WORKER_START_DELAY_MS");
  /* Any warning would be fatal. */
  g_assert_true (jr_executor_shutdown (executor, 20 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
}

static gboolean
no_thread_above (gpointer baseline)
{
  return jr_test_count_own_threads (NULL) <= GPOINTER_TO_UINT (baseline);
}

/* Dropping a thread executor whose job ignores its cancel does not wait
 * for that job: the caller (a window being closed) goes on, the thread
 * ends by itself once the job returns. */
static void
test_dropped_while_held (void)
{
  guint baseline = jr_test_count_own_threads (NULL);
  JrExecutor *executor = new_executor (JR_TRANSPORT_THREADS, 1);
  g_autoptr(JrFuture) future = NULL;

  future = submit (executor, JR_JOB_KIND_CALL, "held", NULL);
  run_until_executing (future);
  /* Would never return if it joined the job's thread. */
  g_object_unref (executor);
  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);

  executor_test_jobs_release_held ();
  jr_test_run_until (no_thread_above, GUINT_TO_POINTER (baseline), DONE_TIMEOUT_SEC * G_USEC_PER_SEC,
                     "the job's thread to end");
}

/* A worker that freezes before it says its job started: a cancel still
 * ends the job after the grace period (the worker is killed), instead of
 * leaving it CANCELLING for ever. */
static void
test_cancel_frozen_worker (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 1);
  g_autoptr(JrFuture) future = NULL;

  jr_executor_set_cancel_grace (executor, 200 * 1000);
  future = submit (executor, JR_JOB_KIND_CALL, "stop-self", NULL);
  /* Handed to the worker; STARTED may or may not have come out. */
  run_for (300);
  g_assert_true (jr_future_cancel (future));
  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  shutdown_executor (executor);
}

typedef struct {
  JrFuture *other;
  GVariant *result;   /* what the wait in the handler gave */
  gboolean  waited;
} NestedWait;

static void
wait_in_handler (JrFuture   *future,
                 GParamSpec *pspec,
                 NestedWait *nested)
{
  g_autoptr(GError) error = NULL;

  if (!jr_future_get_done (future) || nested->waited)
    return;
  nested->waited = TRUE;
  nested->result = jr_future_wait (nested->other, DONE_TIMEOUT_SEC * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
}

/* A handler of @executor's first job's end runs a main loop of its own (a
 * modal dialog; here a wait for @other), and sees @other go on and end. */
static void
assert_other_ends_in_handler (JrExecutor *executor,
                              JrFuture   *other)
{
  g_autoptr(JrFuture) first = submit_trivial (executor);
  NestedWait nested = { other, NULL, FALSE };

  g_signal_connect (first, "notify::done", G_CALLBACK (wait_in_handler), &nested);
  run_until_done (first, DONE_TIMEOUT_SEC);
  g_assert_true (nested.waited);
  g_assert_nonnull (nested.result);
  g_assert_true (jr_future_get_done (other));
  g_clear_pointer (&nested.result, g_variant_unref);
  g_signal_handlers_disconnect_by_data (first, &nested);
  shutdown_executor (executor);
}

static void
test_nested_loop_in_handler (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 2);
  g_autoptr(JrFuture) other = submit_sleep (executor, 200);

  assert_other_ends_in_handler (executor, other);
}

/* The same, while the other job floods messages (far more than the inbox
 * holds): the room they take is freed as the handler's loop goes. */
static void
test_nested_loop_flood (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 2);
  g_autoptr(JrFuture) other = submit (executor, JR_JOB_KIND_ITERATION, "iterate",
                                      g_variant_new ("(u)", 100000));

  assert_other_ends_in_handler (executor, other);
}

/* A cancel of a job queued on a worker behind a running one only takes it
 * back: the worker, busy but well, is not ended when the grace runs out
 * (here at once), and the running job completes. */
static void
test_cancel_queued_behind (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) warm = submit_trivial (executor);
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(GPtrArray) queued = g_ptr_array_new_with_free_func (g_object_unref);

  run_until_done (warm, DONE_TIMEOUT_SEC);
  jr_executor_set_cancel_grace (executor, 0);
  running = submit_sleep (executor, 1000);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (queued, submit_sleep (executor, 50));
  run_until_executing (running);
  run_for (100);
  for (guint i = 0; i < queued->len; i++)
    jr_future_cancel (g_ptr_array_index (queued, i));
  run_until_done (running, DONE_TIMEOUT_SEC);
  assert_completed (running);
  shutdown_executor (executor);
}

/* Dropped while a job floods the inbox full: the drop ends its worker
 * threads, which no longer wait for room that only this thread could
 * make. */
static void
test_dropped_while_flooded (void)
{
  JrExecutor *executor = new_executor (JR_TRANSPORT_THREADS, 2);
  g_autoptr(JrFuture) flood = submit (executor, JR_JOB_KIND_ITERATION, "iterate",
                                      g_variant_new ("(u)", 10000000));
  g_autoptr(JrFuture) quick = submit_trivial (executor);

  run_until_done (quick, DONE_TIMEOUT_SEC);
  run_until_executing (flood);
  /* This thread busy a moment: the flood fills the inbox. */
  g_usleep (300 * 1000);
  g_object_unref (executor);
  run_until_done (flood, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (flood), ==, JR_FUTURE_STATE_CANCELLED);
}

/* ---- threads that are not the executor's ---- */

typedef struct _OffThread OffThread;

/* A call a helper thread makes while the main loop runs, and the
 * critical that refuses it. */
typedef struct {
  void      (*call) (OffThread *off);
  gboolean    with_future;   /* a job waits for the helper to call on */
  const char *refusal;
} OffThreadCall;

struct _OffThread {
  const OffThreadCall *call;
  JrExecutor          *executor;
  JrFuture            *future;
  gboolean             done;
};

static gpointer
call_off_thread (gpointer data)
{
  OffThread *off = data;

  off->call->call (off);
  g_atomic_int_set (&off->done, TRUE);
  return NULL;
}

static gboolean
off_thread_done (gpointer data)
{
  return g_atomic_int_get (&((OffThread *) data)->done);
}

/* Runs the test again in a subprocess, which must end on a critical
 * matching @message (the refusal of a call made where it may not be). */
static void
assert_subprocess_refused (const char *message)
{
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (message);
}

/* The call runs on a helper thread while this one owns the main context
 * (as it does while its loop runs): the helper is told it may not, with a
 * critical, and nothing changed, instead of an executor changed (or a
 * context run, or waited for) behind the main thread's back. */
static void
test_call_off_thread (gconstpointer data)
{
  const OffThreadCall *call = data;

  if (g_test_subprocess ())
    {
      g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_THREADS, 1);
      g_autoptr(JrFuture) future = call->with_future ? submit_sleep (executor, LONG_SLEEP_MS) : NULL;
      OffThread off = { call, executor, future, FALSE };
      GThread *thread;

      /* The refusal's critical is logged, not fatal here: what the call
       * returns is checked too. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);

      g_main_context_acquire (g_main_context_default ());
      thread = g_thread_new ("helper", call_off_thread, &off);
      run_until (off_thread_done, &off, DONE_TIMEOUT_SEC, "the helper's call to return");
      g_thread_join (thread);
      g_main_context_release (g_main_context_default ());
      /* Done, and passed. Not through main()'s end: LeakSanitizer would
       * count this program's test registrations, which a subprocess run
       * does not free. */
      _exit (0);
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr (call->refusal);
}

/* The way of a concurrent.futures user. */
static void
submit_from (OffThread *off)
{
  off->future = jr_executor_submit_call (off->executor, "trivial", NULL, NULL);
  g_assert_null (off->future);
}

static const OffThreadCall submit_off_thread = {
  submit_from, FALSE,
  "*jr_executor_submit: called on another thread than the one that runs the executor's main "
  "context*"
};

/* It would route the main thread's context. */
static void
shutdown_from (OffThread *off)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (jr_executor_shutdown (off->executor, G_USEC_PER_SEC, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static const OffThreadCall shutdown_off_thread = {
  shutdown_from, FALSE, "*jr_executor_shutdown: called on another thread*"
};

/* A setter that reaches the workers. */
static void
set_nice_from (OffThread *off)
{
  jr_executor_set_worker_nice (off->executor, 5);
  /* Refused before it changed anything: its workers run on. */
  g_assert_cmpuint (jr_executor_get_n_workers (off->executor), ==, 1);
}

static const OffThreadCall set_nice_off_thread = {
  set_nice_from, FALSE, "*jr_executor_set_worker_nice: called on another thread*"
};

/* It could only hang, past its timeout: it says so at once. */
static void
wait_from (OffThread *off)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (jr_future_wait (off->future, G_USEC_PER_SEC, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static const OffThreadCall wait_off_thread = {
  wait_from, TRUE, "*jr_future_wait: the future's main context is run by another thread*"
};

/* A dependency on a future of another main context: refused, saying why
 * (its end would be heard on a thread that may not change the executor). */
static void
test_dependency_other_context (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_THREADS, 1);
      g_autoptr(JrExecutor) elsewhere = NULL;
      g_autoptr(JrFuture) dependency = NULL;
      g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);

      g_main_context_push_thread_default (context);
      elsewhere = new_executor (JR_TRANSPORT_THREADS, 1);
      dependency = submit_trivial (elsewhere);
      g_main_context_pop_thread_default (context);

      jr_job_options_add_dependency (options, dependency);
      g_assert_null (jr_executor_submit_full (executor, "trivial", NULL, options, NULL));
      return;
    }
  assert_subprocess_refused ("*depends on the future of*which belongs to another main context*");
}

static gpointer
cancel_off_thread (gpointer future)
{
  g_assert_true (jr_future_cancel (future));
  return NULL;
}

/* The test's thread: where the future's notifications must come. */
static GThread *test_thread;

static void
note_notify_thread (JrFuture   *future,
                    GParamSpec *pspec,
                    gboolean   *off_thread)
{
  if (g_thread_self () != test_thread)
    *off_thread = TRUE;
}

/* jr_future_cancel() from another thread (a job's, a helper's) is safe:
 * the future changes state on its own thread. */
static void
test_cancel_off_thread (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) future = submit_sleep (executor, LONG_SLEEP_MS);
  gboolean off_thread = FALSE;

  test_thread = g_thread_self ();
  g_signal_connect (future, "notify::state", G_CALLBACK (note_notify_thread), &off_thread);
  run_until_executing (future);
  g_thread_join (g_thread_new ("canceller", cancel_off_thread, future));
  run_until_done (future, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_false (off_thread);
  g_signal_handlers_disconnect_by_data (future, &off_thread);
  shutdown_executor (executor);
}

/* ---- crashes (processes only) ---- */

typedef struct {
  const char *how;
  const char *names[3];       /* any of these in the message will do */
} CrashCase;

static const CrashCase crash_cases[] = {
  { "segv", { "SIGSEGV", "Segmentation fault", NULL } },
  { "abort", { "SIGABRT", "Aborted", NULL } },
  { "kill", { "SIGKILL", "Killed", NULL } },
  /* Its jobs' processes die by SIGKILL with it, not the worker. */
  { "term", { "SIGTERM", "Terminated", NULL } },
  { "exit", { NULL } },
};

static gboolean
has_two_live_children (gpointer data)
{
  return count_children (FALSE) == 2;
}

static void
assert_crash_message (const CrashCase *crash,
                      const char      *message)
{
  if (crash->names[0] == NULL)
    {
      /* The exit status, as a number of its own. */
      g_autofree char *pattern = g_strdup_printf ("\\b%d\\b", EXECUTOR_TEST_EXIT_STATUS);

      if (!g_regex_match_simple (pattern, message, 0, 0))
        g_error ("The error of a worker that exited with status %d does not say so: '%s'",
                 EXECUTOR_TEST_EXIT_STATUS, message);
      return;
    }
  for (guint i = 0; crash->names[i] != NULL; i++)
    if (strstr (message, crash->names[i]) != NULL)
      return;
  g_error ("The error of a worker killed by %s does not name the signal: '%s'",
           crash->names[0], message);
}

/* A crash fails only its own job, with an error that says how the worker
 * died; a job running beside it completes; the pool respawns. */
static void
test_crash (gconstpointer data)
{
  const CrashCase *crash = data;
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 2);
  g_autoptr(JrFuture) sleeper = NULL;
  g_autoptr(JrFuture) crasher = NULL;
  JrFuture *after[4];
  StateLog log;

  sleeper = submit_sleep (executor, 1000);
  run_until_executing (sleeper);
  crasher = submit (executor, JR_JOB_KIND_CALL, "crash", g_variant_new ("(s)", crash->how));
  state_log_init (&log, crasher);

  run_until_done (crasher, DONE_TIMEOUT_SEC);
  state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_FAILED, -1);
  assert_failed_with (crasher, JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED);
  g_test_message ("crash '%s': %s", crash->how, jr_future_get_error (crasher)->message);
  assert_crash_message (crash, jr_future_get_error (crasher)->message);

  run_until_done (sleeper, DONE_TIMEOUT_SEC);
  assert_completed (sleeper);
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (sleeper)), ==, 1000);

  /* Respawned: new jobs run, and the pool is whole again. */
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    after[i] = submit_trivial (executor);
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    {
      run_until_done (after[i], DONE_TIMEOUT_SEC);
      assert_trivial_result (after[i]);
      g_object_unref (after[i]);
    }
  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the pool to respawn");
  run_until (has_two_live_children, NULL, DONE_TIMEOUT_SEC, "two live worker processes");

  state_log_clear (&log, crasher);
  shutdown_executor (executor);
}

/* Crash after crash on a single worker: every crash fails its own job and
 * the job after them still runs. */
static void
test_respawn (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 1);
  JrFuture *crashes[3];
  g_autoptr(JrFuture) after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (crashes); i++)
    crashes[i] = submit (executor, JR_JOB_KIND_CALL, "crash", g_variant_new ("(s)", "segv"));
  after = submit_trivial (executor);

  for (guint i = 0; i < G_N_ELEMENTS (crashes); i++)
    {
      run_until_done (crashes[i], DONE_TIMEOUT_SEC);
      assert_failed_with (crashes[i], JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED);
      g_object_unref (crashes[i]);
    }
  run_until_done (after, DONE_TIMEOUT_SEC);
  assert_trivial_result (after);
  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the pool to respawn");

  shutdown_executor (executor);
}

/* ---- workers run at a lower CPU priority ---- */

typedef struct {
  JrTransport transport;
  guint       n;
  long        parent_nice;
} NiceCheck;

/* Counts the workers — child processes, or threads of this process — whose
 * /proc stat @match accepts; *n_seen gets how many there are to look at. */
typedef gboolean (*StatMatch) (const ProcStat *st,
                               gconstpointer   data);

static guint
count_workers_matching (JrTransport   transport,
                        StatMatch     match,
                        gconstpointer data,
                        guint        *n_seen)
{
  guint n = 0;

  *n_seen = 0;
  if (transport == JR_TRANSPORT_PROCESSES)
    {
      g_autoptr(GArray) children = list_children (FALSE);

      *n_seen = children->len;
      for (guint i = 0; i < children->len; i++)
        if (match (&g_array_index (children, ProcStat, i), data))
          n++;
    }
  else
    {
      g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/stat", name);
          ProcStat st;

          (*n_seen)++;
          if (read_proc_stat (path, &st) && match (&st, data))
            n++;
        }
    }
  return n;
}

static gboolean
is_nicer (const ProcStat *st,
          gconstpointer   data)
{
  return st->nice > *(const long *) data;
}

/* Workers raise their own nice value once they run: wait for it. */
static gboolean
workers_are_nicer (gpointer data)
{
  NiceCheck *check = data;
  guint n_seen;
  guint nicer = count_workers_matching (check->transport, is_nicer, &check->parent_nice, &n_seen);

  if (check->transport == JR_TRANSPORT_PROCESSES)
    return n_seen == check->n && nicer == check->n;
  return nicer >= check->n;
}

static void
test_worker_nice (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", (int) getpid ());
  NiceCheck check = { transport, 2, 0 };
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(JrFuture) future = NULL;
  ProcStat self_stat;

  g_assert_true (read_proc_stat (path, &self_stat));
  if (self_stat.nice >= 19)
    {
      g_test_skip ("This process already runs at the lowest priority");
      return;
    }
  check.parent_nice = self_stat.nice;

  executor = new_executor (transport, check.n);
  /* Pre-started: the workers exist before any job is submitted. */
  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the workers to start");
  future = submit_trivial (executor);
  run_until_done (future, DONE_TIMEOUT_SEC);
  assert_trivial_result (future);
  run_until (workers_are_nicer, &check, DONE_TIMEOUT_SEC,
             "every worker to run at a nice value above this process's");

  /* The main thread itself keeps its priority. */
  g_assert_true (read_proc_stat (path, &self_stat));
  g_assert_cmpint (self_stat.nice, ==, check.parent_nice);

  shutdown_executor (executor);
}

/* A worker thread that runs out of jobs watches for the next one for a
 * moment, then sleeps: a job that comes at any moment of that (before,
 * as the watch ends, after it sleeps) runs. Jobs come one at a time, each
 * after the one before is done plus a pause that sweeps 0 to 100 µs. */
static void
test_paced_jobs (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);

  for (guint i = 0; i < 400; i++)
    {
      g_autoptr(JrFuture) future = NULL;
      gint64 resume = g_get_monotonic_time () + (i % 101);

      while (g_get_monotonic_time () < resume)
        ;
      future = submit_trivial (executor);
      run_until_done (future, DONE_TIMEOUT_SEC);
      assert_trivial_result (future);
    }
  shutdown_executor (executor);
}

/* SCHED_IDLE reaches workers that already run. */
typedef struct {
  JrTransport transport;
  guint       n;
} IdleCheck;

static gboolean
is_idle (const ProcStat *st,
         gconstpointer   data)
{
  return st->policy == SCHED_IDLE;
}

static gboolean
workers_are_idle (gpointer data)
{
  IdleCheck *check = data;
  guint n_seen;
  guint idle = count_workers_matching (check->transport, is_idle, NULL, &n_seen);

  /* Children of earlier tests still ending (a loaded machine, ASan) may
   * be seen too: what counts is that this executor's workers are idle. */
  return idle >= check->n;
}

static void
test_worker_idle (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", (int) getpid ());
  IdleCheck check = { transport, 2 };
  g_autoptr(JrExecutor) executor = new_executor (transport, check.n);
  g_autoptr(JrFuture) future = NULL;
  ProcStat self_stat;

  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the workers to start");
  /* Make sure every worker (thread) has started running. */
  future = submit_trivial (executor);
  run_until_done (future, DONE_TIMEOUT_SEC);

  jr_executor_set_worker_idle (executor, TRUE);
  run_until (workers_are_idle, &check, DONE_TIMEOUT_SEC,
             "every worker to run under SCHED_IDLE");

  /* Still working, and the main thread keeps its own policy. */
  g_clear_object (&future);
  future = submit_trivial (executor);
  run_until_done (future, DONE_TIMEOUT_SEC);
  assert_trivial_result (future);
  g_assert_true (read_proc_stat (path, &self_stat));
  g_assert_cmpint (self_stat.policy, ==, SCHED_OTHER);

  shutdown_executor (executor);
}

/* ---- an executor on a thread-default context of its own ---- */

static void
test_own_context (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(JrFuture) progress = NULL;
  g_autoptr(JrFuture) stubborn = NULL;

  g_main_context_push_thread_default (context);
  executor = new_executor (transport, 1);
  jr_executor_set_cancel_grace (executor, 100 * 1000);

  /* Progress is applied by an idle: it must run on this context. */
  progress = submit (executor, JR_JOB_KIND_PROGRESS, "progress", g_variant_new ("(u)", 100));
  iterate_context_until_done (context, progress);
  g_assert_cmpint (jr_future_get_state (progress), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpfloat (jr_future_get_progress (progress), ==, 1.0);

  /* The grace period is a timer: it must fire on this context too. A
   * thread cannot be killed, so there the job must end by itself soon
   * after (its future ends CANCELLED at the grace period all the same). */
  stubborn = submit (executor, JR_JOB_KIND_CALL, "ignore-cancel",
                     g_variant_new ("(t)", (guint64) (transport == JR_TRANSPORT_PROCESSES ? 60000 : 1000)));
  while (jr_future_get_start_time (stubborn) == 0)
    g_main_context_iteration (context, TRUE);
  g_assert_true (jr_future_cancel (stubborn));
  iterate_context_until_done (context, stubborn);
  g_assert_cmpint (jr_future_get_state (stubborn), ==, JR_FUTURE_STATE_CANCELLED);

  shutdown_executor (executor);
  g_main_context_pop_thread_default (context);
}

/* ---- a clean shutdown: no worker, thread or fd left behind ---- */

static void
run_mixed_jobs (JrExecutor *executor)
{
  g_autoptr(JrFuture) trivial = submit_trivial (executor);
  g_autoptr(JrFuture) failing = submit (executor, JR_JOB_KIND_CALL, "fail",
                                        g_variant_new ("(sis)", "g-io-error-quark", 1, "x"));
  g_autoptr(JrFuture) iterate = submit (executor, JR_JOB_KIND_ITERATION, "iterate",
                                        g_variant_new ("(u)", 100));
  g_autoptr(JrFuture) cancelled = submit_sleep (executor, LONG_SLEEP_MS);
  g_autoptr(JrFuture) crash = NULL;

  if (jr_executor_get_transport (executor) == JR_TRANSPORT_PROCESSES)
    crash = submit (executor, JR_JOB_KIND_CALL, "crash", g_variant_new ("(s)", "segv"));

  run_until_done (trivial, DONE_TIMEOUT_SEC);
  run_until_done (failing, DONE_TIMEOUT_SEC);
  run_until_done (iterate, DONE_TIMEOUT_SEC);
  run_until_executing (cancelled);
  jr_future_cancel (cancelled);
  run_until_done (cancelled, DONE_TIMEOUT_SEC);
  if (crash != NULL)
    run_until_done (crash, DONE_TIMEOUT_SEC);

  assert_trivial_result (trivial);
  g_assert_cmpint (jr_future_get_state (failing), ==, JR_FUTURE_STATE_FAILED);
  assert_completed (iterate);
  g_assert_cmpint (jr_future_get_state (cancelled), ==, JR_FUTURE_STATE_CANCELLED);
  if (crash != NULL)
    g_assert_cmpint (jr_future_get_state (crash), ==, JR_FUTURE_STATE_FAILED);
}

typedef struct {
  guint threads;
  guint fds;
} Baseline;

static gboolean
back_to_baseline (gpointer data)
{
  Baseline *baseline = data;

  return count_children (TRUE) == 0 &&
         count_threads () <= baseline->threads &&
         count_fds () <= baseline->fds;
}

static void
test_shutdown_clean (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) warm = NULL;
  g_autoptr(JrExecutor) executor = NULL;
  Baseline baseline;

  /* The first executor starts GLib's own helper threads (the worker
   * thread, the child watch): take the baseline after one. */
  warm = new_executor (transport, 2);
  run_mixed_jobs (warm);
  shutdown_executor (warm);
  g_clear_object (&warm);
  g_assert_cmpuint (count_children (FALSE), ==, 0);
  run_until (no_child_watch, NULL, 10, "GLib to close the pidfds of reaped workers");

  baseline.threads = count_threads ();
  baseline.fds = count_fds ();
  g_test_message ("baseline: %u threads, %u fds", baseline.threads, baseline.fds);

  executor = new_executor (transport, 2);
  run_until (executor_has_all_workers, executor, DONE_TIMEOUT_SEC, "the workers to start");
  if (transport == JR_TRANSPORT_PROCESSES)
    g_assert_cmpuint (count_children (FALSE), ==, 2);
  run_mixed_jobs (executor);
  shutdown_executor (executor);

  /* Right after shutdown no worker runs. */
  g_assert_cmpuint (count_children (FALSE), ==, 0);
  g_clear_object (&executor);

  /* Exited threads and reaped children may take a moment to vanish from
   * /proc; wait for that, then compare exactly. */
  run_until (back_to_baseline, &baseline, 10, "no worker, thread or fd left after shutdown");
  g_assert_cmpuint (count_children (TRUE), ==, 0);
  g_assert_cmpuint (count_threads (), <=, baseline.threads);
  g_assert_cmpuint (count_fds (), <=, baseline.fds);
}

/* ---- shutdown with a timeout ---- */

static void
test_shutdown_timeout (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  future = submit (executor, JR_JOB_KIND_CALL, "ignore-cancel", g_variant_new ("(t)", 1500));
  run_until_executing (future);

  g_assert_false (jr_executor_shutdown (executor, 50 * 1000, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPING);

  /* Stopping: no new job. */
  g_assert_null (jr_executor_submit_call (executor, "trivial", NULL, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED);
  g_clear_error (&error);

  shutdown_executor (executor);
  g_assert_true (jr_future_get_done (future));
}

/* ---- bad input ---- */

static void
test_unknown_job (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (jr_executor_submit_call (executor, "no-such-job", NULL, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_UNKNOWN_JOB);
  g_assert_nonnull (strstr (error->message, "no-such-job"));
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);

  shutdown_executor (executor);
}

/* Arguments a worker process would drop unread (it takes them as
 * untrusted data): not in normal form, they are sent in normal form; too
 * deep, they are refused at once. Before, the job and the jobs behind it
 * on its worker waited for ever. */
static void
test_untrusted_args (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) next = NULL;
  GVariant *deep = g_variant_new_int32 (1);
  GVariant *loose;

  /* "abc" with no nul after it, as bytes read back from a file can be. */
  loose = g_variant_new_from_data (G_VARIANT_TYPE_STRING, "abc", 3, FALSE, NULL, NULL);
  g_assert_false (g_variant_is_normal_form (loose));
  future = jr_executor_submit_call (executor, "echo", loose, &error);
  g_assert_no_error (error);
  next = jr_executor_submit_call (executor, "echo", g_variant_new_string ("next"), &error);
  g_assert_no_error (error);
  run_until_done (future, DONE_TIMEOUT_SEC);
  run_until_done (next, DONE_TIMEOUT_SEC);
  assert_completed (future);
  assert_completed (next);
  /* GLib reads such a string as empty. */
  g_assert_cmpstr (g_variant_get_string (jr_future_get_result (future), NULL), ==, "");

  /* Deep, but within what GLib takes from outside: it runs. */
  {
    GVariant *fair = g_variant_new_int32 (2);
    g_autoptr(JrFuture) deep_enough = NULL;

    for (guint i = 0; i < 110; i++)
      fair = g_variant_new_variant (fair);
    deep_enough = jr_executor_submit_call (executor, "echo", fair, &error);
    g_assert_no_error (error);
    run_until_done (deep_enough, DONE_TIMEOUT_SEC);
    assert_completed (deep_enough);
  }

  for (guint i = 0; i < 130; i++)
    deep = g_variant_new_variant (deep);
  g_assert_null (jr_executor_submit_call (executor, "echo", deep, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "nest"));
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);

  shutdown_executor (executor);
}

/* A worker that loses its requests' connection cancels the jobs queued on
 * it, which it never started and nobody cancelled: they go to another
 * worker, and never end CANCELLED (only a cancel asked for does). */
static void
test_worker_cancels_queued (void)
{
  g_autoptr(JrExecutor) executor = new_executor (JR_TRANSPORT_PROCESSES, 1);
  g_autoptr(JrFuture) warm = submit_trivial (executor);
  g_autoptr(JrFuture) cutter = NULL;
  JrFuture *queued[4];

  run_until_done (warm, DONE_TIMEOUT_SEC);
  cutter = jr_test_submit (executor, JR_JOB_KIND_CALL, "cut-requests", NULL);
  /* More than the pool holds: the worker gets some queued behind. */
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    queued[i] = submit_trivial (executor);

  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    {
      run_until_done (queued[i], DONE_TIMEOUT_SEC);
      assert_completed (queued[i]);
      g_object_unref (queued[i]);
    }
  run_until_done (cutter, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (cutter), !=, JR_FUTURE_STATE_CANCELLED);
  shutdown_executor (executor);
}

static GVariant *
registered_late (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  return g_variant_new_int32 (7);
}

/* A job registered after jr_init() is known where it is submitted, not in
 * the worker processes (this program run again, where jr_init() never
 * returns): the error says so and what to do, not that the name is
 * unknown everywhere. Threads share the registry and run it. */
static void
test_registered_after_init (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;

  jr_register_job ("registered-late", registered_late);
  future = jr_executor_submit_call (executor, "registered-late", NULL, &error);
  g_assert_no_error (error);
  run_until_done (future, DONE_TIMEOUT_SEC);
  if (transport == JR_TRANSPORT_THREADS)
    assert_completed (future);
  else
    {
      assert_failed_with (future, JR_JOB_ERROR, JR_JOB_ERROR_UNKNOWN_JOB);
      g_assert_nonnull (strstr (jr_future_get_error (future)->message,
                                "registered in the worker process"));
      g_assert_nonnull (strstr (jr_future_get_error (future)->message, "before jr_init()"));
    }
  shutdown_executor (executor);
}

static void
test_invalid_args (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;

  g_assert_null (jr_executor_submit_call (executor, "sleep", g_variant_new ("(s)", "10"), &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  g_assert_null (jr_executor_submit_call (executor, "sleep", NULL, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  g_assert_null (jr_executor_submit_iteration (executor, "iterate", g_variant_new ("(t)", 5), &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);

  /* The right type still works. */
  future = submit_sleep (executor, 1);
  run_until_done (future, DONE_TIMEOUT_SEC);
  assert_completed (future);

  shutdown_executor (executor);
}

static void
test_unavailable (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (jr_executor_submit_call (executor, "unavailable", NULL, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_UNAVAILABLE);
  /* The reason is for the user: it must reach them. */
  g_assert_nonnull (strstr (error->message, EXECUTOR_TEST_UNAVAILABLE_REASON));
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);

  shutdown_executor (executor);
}

static void
test_submit_after_stop (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);

  jr_executor_stop (executor);
  g_assert_cmpint (jr_executor_get_state (executor), !=, JR_EXECUTOR_STATE_RUNNING);

  g_assert_null (jr_executor_submit_call (executor, "trivial", NULL, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED);
  g_clear_error (&error);
  g_assert_null (jr_executor_submit_full (executor, "trivial", NULL, options, &error));
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED);
  g_clear_error (&error);

  shutdown_executor (executor);
}

static void
test_result_too_large (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(JrFuture) big = NULL;
  g_autoptr(JrFuture) fits = NULL;
  GVariant *result;
  const guint8 *bytes;
  gsize size;
  const guint64 fits_size = 1024 * 1024;

  big = submit (executor, JR_JOB_KIND_CALL, "big-result",
                g_variant_new ("(t)", (guint64) JR_MESSAGE_SIZE_MAX + 1));
  run_until_done (big, DONE_TIMEOUT_SEC);
  assert_failed_with (big, JR_JOB_ERROR, JR_JOB_ERROR_RESULT_TOO_LARGE);

  /* The worker survives it, and a result that fits arrives whole. */
  fits = submit (executor, JR_JOB_KIND_CALL, "big-result", g_variant_new ("(t)", fits_size));
  run_until_done (fits, DONE_TIMEOUT_SEC);
  assert_completed (fits);
  result = jr_future_get_result (fits);
  g_assert_cmpstr (g_variant_get_type_string (result), ==, "ay");
  bytes = g_variant_get_fixed_array (result, &size, 1);
  g_assert_cmpuint (size, ==, fits_size);
  for (gsize i = 0; i < size; i += 4093)
    g_assert_cmpuint (bytes[i], ==, (guint8) (i * 7));
  g_assert_cmpuint (bytes[size - 1], ==, (guint8) ((size - 1) * 7));

  shutdown_executor (executor);
}

/* A job's error message too large to send: the job fails all the same,
 * with the start of its message, and the worker goes on. */
static void
test_error_too_large (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) long_error = NULL;
  g_autoptr(JrFuture) next = NULL;
  const GError *error;

  long_error = submit (executor, JR_JOB_KIND_CALL, "fail-long",
                       g_variant_new ("(t)", (guint64) JR_MESSAGE_SIZE_MAX + 1));
  run_until_done (long_error, DONE_TIMEOUT_SEC);
  assert_failed_with (long_error, G_IO_ERROR, G_IO_ERROR_FAILED);
  error = jr_future_get_error (long_error);
  g_assert_true (g_str_has_prefix (error->message, "éxxx"));
  g_assert_nonnull (strstr (error->message, " more bytes cut)"));
  g_assert_cmpuint (strlen (error->message), <, 128 * 1024);

  next = submit_trivial (executor);
  run_until_done (next, DONE_TIMEOUT_SEC);
  assert_trivial_result (next);
  shutdown_executor (executor);
}

/* ---- arguments and results arrive intact under a backlog ---- */

/* Many jobs at once, so that workers get jobs queued behind their running
 * one: each must still see exactly its own arguments. */
static void
test_args_backlog (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  const guint n = 200;
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("arguments of job %04u", i);

      g_ptr_array_add (futures, submit (executor, JR_JOB_KIND_CALL, "echo",
                                        g_variant_new ("(su)", text, i)));
    }
  for (guint i = 0; i < n; i++)
    {
      JrFuture *future = g_ptr_array_index (futures, i);
      g_autofree char *expected = g_strdup_printf ("arguments of job %04u", i);
      const char *text;
      guint32 number;

      run_until_done (future, DONE_TIMEOUT_SEC);
      assert_completed (future);
      g_assert_cmpstr (g_variant_get_type_string (jr_future_get_result (future)), ==, "(su)");
      g_variant_get (jr_future_get_result (future), "(&su)", &text, &number);
      g_assert_cmpstr (text, ==, expected);
      g_assert_cmpuint (number, ==, i);
    }

  shutdown_executor (executor);
}

/* ---- errors keep their domain, code and message ---- */

static void
test_error_domains (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) io = NULL;
  g_autoptr(JrFuture) custom = NULL;
  g_autoptr(JrFuture) job_domain = NULL;
  const GError *error;

  io = submit (executor, JR_JOB_KIND_CALL, "fail",
               g_variant_new ("(sis)", g_quark_to_string (G_IO_ERROR), G_IO_ERROR_NOT_FOUND,
                              "No such thing: “ümlaut”"));
  custom = submit (executor, JR_JOB_KIND_CALL, "fail",
                   g_variant_new ("(sis)", EXECUTOR_TEST_ERROR_DOMAIN, 42, "custom failure"));
  job_domain = submit (executor, JR_JOB_KIND_CALL, "fail",
                       g_variant_new ("(sis)", g_quark_to_string (JR_JOB_ERROR),
                                      JR_JOB_ERROR_FAILED, "from the job itself"));
  run_until_done (io, DONE_TIMEOUT_SEC);
  run_until_done (custom, DONE_TIMEOUT_SEC);
  run_until_done (job_domain, DONE_TIMEOUT_SEC);

  assert_failed_with (io, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  error = jr_future_get_error (io);
  g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  g_assert_cmpstr (error->message, ==, "No such thing: “ümlaut”");

  assert_failed_with (custom, g_quark_from_static_string (EXECUTOR_TEST_ERROR_DOMAIN), 42);
  error = jr_future_get_error (custom);
  g_assert_true (g_error_matches (error, g_quark_from_static_string (EXECUTOR_TEST_ERROR_DOMAIN), 42));
  g_assert_cmpstr (error->message, ==, "custom failure");

  error = jr_future_get_error (job_domain);
  g_assert_true (g_error_matches (error, JR_JOB_ERROR, JR_JOB_ERROR_FAILED));
  g_assert_cmpstr (error->message, ==, "from the job itself");

  shutdown_executor (executor);
}

/* ---- dependencies ---- */

static JrFuture *
submit_after (JrExecutor *executor,
              const char *title,
              JrFuture   *dependency,
              const char *job,
              GVariant   *args)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);

  jr_job_options_set_title (options, title);
  if (dependency != NULL)
    jr_job_options_add_dependency (options, dependency);
  return submit_with (executor, job, args, options);
}

static void
test_dependency_order (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) a = NULL;
  g_autoptr(JrFuture) b = NULL;
  g_autoptr(JrFuture) c = NULL;
  EventLog log = { g_ptr_array_new_with_free_func (g_free) };
  guint32 echoed = 0;

  /* With two workers, B could run beside A if the dependency were
   * ignored, and would then finish first. */
  a = submit_after (executor, "A", NULL, "sleep", g_variant_new ("(t)", 300));
  event_log_watch (&log, a);
  b = submit_after (executor, "B", a, "echo", g_variant_new ("(u)", 7));
  event_log_watch (&log, b);
  g_assert_cmpstr (jr_future_get_title (b), ==, "B");

  run_until_done (b, DONE_TIMEOUT_SEC);
  assert_completed (a);
  assert_completed (b);
  event_log_assert_before (&log, "A:completed", "B:executing");
  g_variant_get (jr_future_get_result (b), "(u)", &echoed);
  g_assert_cmpuint (echoed, ==, 7);

  /* A dependency that is already complete does not hold a job back. */
  c = submit_after (executor, "C", a, "trivial", NULL);
  run_until_done (c, DONE_TIMEOUT_SEC);
  assert_trivial_result (c);

  /* Nothing of B stays on A, which lives on and may notify again. */
  g_signal_handlers_disconnect_by_data (a, &log);
  g_assert_cmpuint (g_signal_handler_find (a, G_SIGNAL_MATCH_ID, g_signal_lookup ("notify", G_TYPE_OBJECT),
                                           0, NULL, NULL, NULL), ==, 0);
  g_object_notify (G_OBJECT (a), "done");

  g_signal_handlers_disconnect_by_data (b, &log);
  g_ptr_array_unref (log.events);
  shutdown_executor (executor);
}

/* A handler of the jobs model that cancels a job as it is listed, inside
 * the submit: the job ends cancelled without ever starting. */
static void
cancel_when_listed (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    data)
{
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (model, position + i);

      g_assert_true (jr_future_cancel (future));
    }
}

static void
test_cancel_when_listed (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) cancelled = NULL;
  g_autoptr(JrFuture) after = NULL;
  gulong id;

  id = g_signal_connect (jr_executor_get_jobs (executor), "items-changed",
                         G_CALLBACK (cancel_when_listed), NULL);
  cancelled = submit_sleep (executor, LONG_SLEEP_MS);
  g_signal_handler_disconnect (jr_executor_get_jobs (executor), id);
  /* Not inside the submit. */
  g_assert_false (jr_future_get_done (cancelled));
  after = submit_trivial (executor);
  run_until_done (cancelled, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (cancelled), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_null (jr_future_get_worker_group (cancelled));
  run_until_done (after, DONE_TIMEOUT_SEC);
  assert_trivial_result (after);
  shutdown_executor (executor);
}

/* An executor dropped while its jobs run: their futures end cancelled,
 * and leave its jobs model, at the next dispatch, not inside the unref. */
static void
test_dropped_ends_later (gconstpointer data)
{
  JrExecutor *executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(GListModel) jobs = g_object_ref (jr_executor_get_jobs (executor));
  g_autoptr(JrFuture) running = submit_sleep (executor, LONG_SLEEP_MS);
  g_autoptr(JrFuture) queued = submit_sleep (executor, LONG_SLEEP_MS);

  run_until_executing (running);
  g_object_unref (executor);
  g_assert_false (jr_future_get_done (running));
  g_assert_false (jr_future_get_done (queued));
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 2);

  run_until_done (running, DONE_TIMEOUT_SEC);
  run_until_done (queued, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (running), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (jr_future_get_state (queued), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);
}

/* A handler of the jobs model that shuts the executor down as the first
 * job is listed, inside the submit. */
static void
shut_down_when_listed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gpointer    data)
{
  g_autoptr(GError) error = NULL;
  gboolean *shut_down = data;

  if (added == 0 || *shut_down)
    return;
  *shut_down = TRUE;
  g_assert_true (jr_executor_shutdown (g_object_get_data (G_OBJECT (model), "executor"),
                                       (gint64) DONE_TIMEOUT_SEC * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
}

static void
test_shutdown_when_listed (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  GListModel *jobs = jr_executor_get_jobs (executor);
  g_autoptr(JrFuture) future = NULL;
  gboolean shut_down = FALSE;

  g_object_set_data (G_OBJECT (jobs), "executor", executor);
  g_signal_connect (jobs, "items-changed", G_CALLBACK (shut_down_when_listed), &shut_down);
  future = submit_sleep (executor, LONG_SLEEP_MS);
  g_assert_true (shut_down);
  /* The job never ran; its ending took it out of the model. */
  g_assert_true (jr_future_get_done (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);
  g_signal_handlers_disconnect_by_data (jobs, &shut_down);
}

/* A handler that shuts the executor down as its future turns CANCELLING:
 * the cancel has reached the job by then (or the shutdown would wait for
 * a job that nobody told to end). */
static void
shut_down_when_cancelling (JrFuture   *future,
                           GParamSpec *pspec,
                           gpointer    data)
{
  g_autoptr(GError) error = NULL;
  guint *n_shutdowns = data;

  if (jr_future_get_state (future) != JR_FUTURE_STATE_CANCELLING || (*n_shutdowns)++ > 0)
    return;
  g_assert_true (jr_executor_shutdown (g_object_get_data (G_OBJECT (future), "executor"),
                                       5 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
}

static void
test_shutdown_when_cancelling (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 2);
  g_autoptr(JrFuture) first = submit_sleep (executor, LONG_SLEEP_MS);
  g_autoptr(JrFuture) second = submit_sleep (executor, LONG_SLEEP_MS);
  guint n_shutdowns = 0;

  run_until_executing (first);
  run_until_executing (second);
  g_object_set_data (G_OBJECT (first), "executor", executor);
  g_signal_connect (first, "notify::state", G_CALLBACK (shut_down_when_cancelling), &n_shutdowns);

  if (g_str_has_suffix (g_test_get_path (), "-in-stop"))
    {
      /* The stop cancels the first, whose handler shuts down before the
       * stop reached the second. */
      jr_executor_stop (executor);
    }
  else
    g_assert_true (jr_future_cancel (first));

  g_assert_cmpuint (n_shutdowns, ==, 1);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
  g_assert_cmpint (jr_future_get_state (first), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (jr_future_get_state (second), ==, JR_FUTURE_STATE_CANCELLED);
  g_signal_handlers_disconnect_by_data (first, &n_shutdowns);
}

static void
test_dependency_failed (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) a = NULL;
  g_autoptr(JrFuture) b = NULL;
  g_autoptr(JrFuture) c = NULL;
  StateLog log;

  a = submit_after (executor, "A", NULL, "fail",
                    g_variant_new ("(sis)", "g-io-error-quark", G_IO_ERROR_FAILED, "A broke"));
  b = submit_after (executor, "B", a, "trivial", NULL);
  state_log_init (&log, b);
  run_until_done (b, DONE_TIMEOUT_SEC);

  assert_failed_with (a, G_IO_ERROR, G_IO_ERROR_FAILED);
  assert_failed_with (b, JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED);
  state_log_assert (&log, JR_FUTURE_STATE_FAILED, -1);
  g_assert_cmpint (jr_future_get_start_time (b), ==, 0);

  /* Depending on a job that already failed fails too. */
  c = submit_after (executor, "C", a, "trivial", NULL);
  run_until_done (c, DONE_TIMEOUT_SEC);
  assert_failed_with (c, JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED);

  state_log_clear (&log, b);
  shutdown_executor (executor);
}

static void
test_dependency_cancelled (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(JrFuture) a = NULL;
  g_autoptr(JrFuture) b = NULL;
  StateLog log;

  a = submit_after (executor, "A", NULL, "sleep", g_variant_new ("(t)", LONG_SLEEP_MS));
  b = submit_after (executor, "B", a, "trivial", NULL);
  state_log_init (&log, b);
  run_until_executing (a);
  g_assert_cmpint (jr_future_get_state (b), ==, JR_FUTURE_STATE_WAITING);

  g_assert_true (jr_future_cancel (a));
  run_until_done (a, DONE_TIMEOUT_SEC);
  run_until_done (b, DONE_TIMEOUT_SEC);

  g_assert_cmpint (jr_future_get_state (a), ==, JR_FUTURE_STATE_CANCELLED);
  assert_failed_with (b, JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED);
  state_log_assert (&log, JR_FUTURE_STATE_FAILED, -1);

  state_log_clear (&log, b);
  shutdown_executor (executor);
}

/* The "notify::done" handlers on @future. */
static guint
count_done_handlers (JrFuture *future)
{
  guint notify = g_signal_lookup ("notify", G_TYPE_OBJECT);
  GSignalMatchType match = G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DETAIL | G_SIGNAL_MATCH_UNBLOCKED;
  GQuark done = g_quark_from_static_string ("done");
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gulong));
  gulong id;

  /* (g_signal_handlers_block_matched() wants a function or data.) */
  while ((id = g_signal_handler_find (future, match, notify, done, NULL, NULL, NULL)) != 0)
    {
      g_signal_handler_block (future, id);
      g_array_append_val (found, id);
    }
  for (guint i = 0; i < found->len; i++)
    g_signal_handler_unblock (future, g_array_index (found, gulong, i));
  return found->len;
}

/* However many jobs wait for one, its future carries as many handlers as
 * for one: its every notification (progress too) would otherwise walk
 * them all. Some wait twice for it, some are cancelled while they wait,
 * and the rest run once it completes. */
static void
test_dependency_many (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 2);
  g_autoptr(GPtrArray) dependents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JrFuture) gate = NULL;
  g_autoptr(JrFuture) first = NULL;
  guint with_one;

  gate = submit_after (executor, "gate", NULL, "sleep", g_variant_new ("(t)", (guint64) 300));
  first = submit_after (executor, "first", gate, "trivial", NULL);
  with_one = count_done_handlers (gate);
  g_assert_cmpuint (with_one, >, 0);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);

      jr_job_options_add_dependency (options, gate);
      if (i % 3 == 0)
        jr_job_options_add_dependency (options, gate);
      g_ptr_array_add (dependents, submit_with (executor, "trivial", NULL, options));
    }
  g_assert_cmpuint (count_done_handlers (gate), ==, with_one);

  for (guint i = 0; i < dependents->len; i += 4)
    g_assert_true (jr_future_cancel (dependents->pdata[i]));
  run_until_done (first, DONE_TIMEOUT_SEC);
  jr_test_assert_completed (first);
  for (guint i = 0; i < dependents->len; i++)
    {
      run_until_done (dependents->pdata[i], DONE_TIMEOUT_SEC);
      g_assert_cmpint (jr_future_get_state (dependents->pdata[i]), ==,
                       i % 4 == 0 ? JR_FUTURE_STATE_CANCELLED : JR_FUTURE_STATE_COMPLETED);
    }
  /* Nothing of the executor is left on it. */
  g_assert_cmpuint (count_done_handlers (gate), <, with_one);
  shutdown_executor (executor);
}

/* ---- retries ---- */

static JrFuture *
submit_flaky (JrExecutor *executor,
              const char *counter,
              guint32     k,
              int         retries)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);

  if (retries >= 0)
    jr_job_options_set_retries (options, (guint) retries, 10 * 1000);
  return submit_with (executor, "flaky", g_variant_new ("(su)", counter, k), options);
}

static void
test_retries (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *counter1 = g_build_filename (dir, "enough", NULL);
  g_autofree char *counter2 = g_build_filename (dir, "too-few", NULL);
  g_autofree char *counter3 = g_build_filename (dir, "none", NULL);
  g_autoptr(JrFuture) enough = NULL;
  g_autoptr(JrFuture) too_few = NULL;
  g_autoptr(JrFuture) none = NULL;

  /* Fails twice; three retries are enough. */
  enough = submit_flaky (executor, counter1, 2, 3);
  run_until_done (enough, DONE_TIMEOUT_SEC);
  assert_completed (enough);
  g_assert_cmpuint (g_variant_get_uint32 (jr_future_get_result (enough)), ==, 3);
  g_assert_cmpuint (read_counter (counter1), ==, 3);

  /* Fails twice; one retry is not. */
  too_few = submit_flaky (executor, counter2, 2, 1);
  run_until_done (too_few, DONE_TIMEOUT_SEC);
  assert_failed_with (too_few, JR_JOB_ERROR, JR_JOB_ERROR_TRY_LATER);
  g_assert_cmpuint (read_counter (counter2), ==, 2);

  /* No retries unless asked for. */
  none = submit_flaky (executor, counter3, 2, -1);
  run_until_done (none, DONE_TIMEOUT_SEC);
  assert_failed_with (none, JR_JOB_ERROR, JR_JOB_ERROR_TRY_LATER);
  g_assert_cmpuint (read_counter (counter3), ==, 1);

  shutdown_executor (executor);
  remove_temp_dir (dir);
}

/* ---- priority ---- */

static void
on_priority_done (JrFuture   *future,
                  GParamSpec *pspec,
                  GPtrArray  *order)
{
  g_ptr_array_add (order, g_strdup (jr_future_get_title (future)));
}

static JrFuture *
submit_prioritized (JrExecutor *executor,
                    const char *title,
                    int         priority,
                    GPtrArray  *order)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  JrFuture *future;

  jr_job_options_set_title (options, title);
  jr_job_options_set_priority (options, priority);
  future = submit_with (executor, "trivial", NULL, options);
  g_assert_cmpstr (jr_future_get_title (future), ==, title);
  g_signal_connect (future, "notify::done", G_CALLBACK (on_priority_done), order);
  return future;
}

static void
test_priority (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) blocker = NULL;
  JrFuture *futures[3];
  g_autofree char *joined = NULL;

  blocker = submit_sleep (executor, LONG_SLEEP_MS);
  run_until_executing (blocker);

  /* Submitted lowest first; they must run highest first. */
  futures[0] = submit_prioritized (executor, "low", -10, order);
  futures[1] = submit_prioritized (executor, "middle", 0, order);
  futures[2] = submit_prioritized (executor, "high", 10, order);
  run_for (50);
  g_assert_true (jr_future_cancel (blocker));

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    run_until_done (futures[i], DONE_TIMEOUT_SEC);
  run_until_done (blocker, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (blocker), ==, JR_FUTURE_STATE_CANCELLED);

  g_ptr_array_add (order, NULL);
  joined = g_strjoinv (" ", (char **) order->pdata);
  g_assert_cmpstr (joined, ==, "high middle low");

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      assert_trivial_result (futures[i]);
      g_signal_handlers_disconnect_by_data (futures[i], order);
      g_object_unref (futures[i]);
    }
  shutdown_executor (executor);
}

/* A high-priority job submitted after a backlog of equal low-priority
 * ones runs before every one of them that is still waiting. */
static void
test_priority_backlog (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) blocker = NULL;
  JrFuture *futures[4];
  g_autofree char *joined = NULL;

  blocker = submit_sleep (executor, LONG_SLEEP_MS);
  run_until_executing (blocker);

  futures[0] = submit_prioritized (executor, "low1", -10, order);
  futures[1] = submit_prioritized (executor, "low2", -10, order);
  futures[2] = submit_prioritized (executor, "low3", -10, order);
  run_for (50);
  /* All three are still waiting: none has started. */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (jr_future_get_state (futures[i]), ==, JR_FUTURE_STATE_WAITING);
  futures[3] = submit_prioritized (executor, "high", 10, order);
  run_for (50);
  g_assert_true (jr_future_cancel (blocker));

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    run_until_done (futures[i], DONE_TIMEOUT_SEC);
  run_until_done (blocker, DONE_TIMEOUT_SEC);
  g_assert_cmpint (jr_future_get_state (blocker), ==, JR_FUTURE_STATE_CANCELLED);

  g_ptr_array_add (order, NULL);
  joined = g_strjoinv (" ", (char **) order->pdata);
  g_assert_cmpstr (joined, ==, "high low1 low2 low3");

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      assert_trivial_result (futures[i]);
      g_signal_handlers_disconnect_by_data (futures[i], order);
      g_object_unref (futures[i]);
    }
  shutdown_executor (executor);
}

/* ---- the model of jobs not yet done ---- */

static void
assert_jobs_model (JrExecutor *executor,
                   JrFuture  **expected,
                   guint       n_expected)
{
  GListModel *jobs = jr_executor_get_jobs (executor);

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      g_autoptr(JrFuture) item = g_list_model_get_item (jobs, i);

      g_assert_true (item == expected[i]);
    }
}

typedef struct {
  GListModel *model;
  guint       n_items;   /* what items-changed said, applied step by step */
} ModelTracker;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ModelTracker *tracker)
{
  g_assert_cmpuint (position + removed, <=, tracker->n_items);
  tracker->n_items = tracker->n_items - removed + added;
  g_assert_cmpuint (tracker->n_items, ==, g_list_model_get_n_items (model));
}

static void
test_jobs_model (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(JrExecutor) executor = new_executor (transport, 1);
  GListModel *jobs = jr_executor_get_jobs (executor);
  ModelTracker tracker = { jobs, 0 };
  JrFuture *f[4];

  g_assert_true (g_list_model_get_item_type (jobs) == JR_TYPE_FUTURE);
  g_signal_connect (jobs, "items-changed", G_CALLBACK (on_items_changed), &tracker);
  assert_jobs_model (executor, NULL, 0);

  f[0] = submit_sleep (executor, LONG_SLEEP_MS);
  f[1] = submit (executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", 1));
  f[2] = submit (executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", 2));
  f[3] = submit (executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", 3));
  assert_jobs_model (executor, f, 4);
  g_assert_cmpuint (tracker.n_items, ==, 4);
  /* Past the end there is nothing, whatever was asked before. */
  {
    g_autoptr(JrFuture) first = g_list_model_get_item (jobs, 0);
    g_autoptr(JrFuture) past = g_list_model_get_item (jobs, G_MAXUINT);

    g_assert_true (first == f[0]);
    g_assert_null (past);
    assert_jobs_model (executor, f, 4);
  }

  /* A job cancelled while waiting leaves the model once it is done. */
  run_until_executing (f[0]);
  g_assert_true (jr_future_cancel (f[2]));
  run_until_done (f[2], DONE_TIMEOUT_SEC);
  {
    JrFuture *rest[] = { f[0], f[1], f[3] };

    assert_jobs_model (executor, rest, 3);
  }

  g_assert_true (jr_future_cancel (f[0]));
  run_until_done (f[0], DONE_TIMEOUT_SEC);
  run_until_done (f[3], DONE_TIMEOUT_SEC);
  run_until_done (f[1], DONE_TIMEOUT_SEC);
  assert_jobs_model (executor, NULL, 0);
  g_assert_cmpuint (tracker.n_items, ==, 0);

  g_signal_handlers_disconnect_by_data (jobs, &tracker);
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    g_object_unref (f[i]);
  shutdown_executor (executor);
}

/* ---- a program that exits with jobs running ---- */

/* The child side: start a long job, write the worker pids, return from
 * main() without stopping anything. */
static int
exit_with_running_job (const char *transport_arg,
                       const char *pid_file)
{
  JrTransport transport = g_str_equal (transport_arg, "processes")
                          ? JR_TRANSPORT_PROCESSES : JR_TRANSPORT_THREADS;
  JrExecutor *executor = jr_executor_new (transport, 1);
  JrFuture *future = submit_sleep (executor, LONG_SLEEP_MS);
  g_autoptr(GArray) children = NULL;
  g_autoptr(GString) pids = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  run_until_executing (future);
  children = list_children (FALSE);
  for (guint i = 0; i < children->len; i++)
    g_string_append_printf (pids, "%d\n", g_array_index (children, ProcStat, i).pid);
  if (!g_file_set_contents (pid_file, pids->str, -1, &error))
    g_error ("Could not write %s: %s", pid_file, error->message);

  /* Deliberately leaked: the point is to leave without a shutdown. */
  (void) executor;
  (void) future;
  return 0;
}

static gboolean
pids_are_gone (gpointer data)
{
  char **pids = data;

  for (guint i = 0; pids[i] != NULL; i++)
    if (pids[i][0] != '\0' && !process_is_gone (atoi (pids[i])))
      return FALSE;
  return TRUE;
}

static void
test_exit_with_job (gconstpointer data)
{
  JrTransport transport = GPOINTER_TO_INT (data);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pid_file = g_build_filename (dir, "pids", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) pids = NULL;
  gboolean exited = FALSE;
  gboolean timed_out = FALSE;
  guint deadline_id;

  /* TAP is on our stdout: keep the child's off it. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "JOBROUTER_WORKER");
  child = g_subprocess_launcher_spawn (launcher, &error, self_exe, "--exit-with-running-job",
                                       transport_name (transport), pid_file, NULL);
  g_assert_no_error (error);

  g_subprocess_wait_async (child, NULL, on_child_exited, &exited);
  deadline_id = g_timeout_add_seconds (30, on_deadline, &timed_out);
  while (!exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!exited)
    {
      g_subprocess_force_exit (child);
      run_until (flag_is_set, &exited, DONE_TIMEOUT_SEC, "the hung child to be killed");
      g_error ("A program that returned from main() with a job running did not exit within 30 s");
    }
  g_source_remove (deadline_id);

  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);

  g_assert_true (g_file_get_contents (pid_file, &contents, NULL, &error));
  g_assert_no_error (error);
  pids = g_strsplit (contents, "\n", -1);
  if (transport == JR_TRANSPORT_PROCESSES)
    g_assert_cmpuint (g_strv_length (pids), ==, 2);  /* one worker, then "" */

  /* Workers die with their parent. */
  run_until (pids_are_gone, pids, 10, "the orphaned workers to die");

  remove_temp_dir (dir);
}

/* ---- registration ---- */

typedef struct {
  GTestDataFunc func;
  JrTransport   transport;
  gboolean      stream;
} Variant;

static void
run_variant (gconstpointer data)
{
  const Variant *variant = data;

  use_streams = variant->stream;
  variant->func (GINT_TO_POINTER (variant->transport));
  use_streams = FALSE;
}

/* A test of the process transport, on stream workers instead. */
typedef struct {
  GTestDataFunc func;
  gconstpointer data;
} OnStreams;

static void
run_on_streams (gconstpointer data)
{
  const OnStreams *on = data;

  use_streams = TRUE;
  on->func (on->data);
  use_streams = FALSE;
}

static void
add_on_streams (const char    *path,
                GTestDataFunc  func,
                gconstpointer  data)
{
  OnStreams *on = g_new (OnStreams, 1);

  *on = (OnStreams) { func, data };
  g_test_add_data_func_full (path, on, run_on_streams, g_free);
}

/* As add_for_both, and again on the stream transport. */
static void
add_for_all (const char   *path,
             GTestDataFunc func)
{
  static const struct {
    JrTransport transport;
    gboolean    stream;
    const char *name;
  } variants[] = {
    { JR_TRANSPORT_THREADS, FALSE, "threads" },
    { JR_TRANSPORT_PROCESSES, FALSE, "processes" },
    { JR_TRANSPORT_PROCESSES, TRUE, "stream" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *full = g_strdup_printf ("/executor/%s/%s", variants[i].name, path);
      Variant *variant = g_new (Variant, 1);

      *variant = (Variant) { func, variants[i].transport, variants[i].stream };
      g_test_add_data_func_full (full, variant, run_variant, g_free);
    }
}

static void
add_for_both (const char     *path,
              GTestDataFunc   func)
{
  static const JrTransport transports[] = { JR_TRANSPORT_THREADS, JR_TRANSPORT_PROCESSES };

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      g_autofree char *full = g_strdup_printf ("/executor/%s/%s",
                                               transport_name (transports[i]), path);

      g_test_add_data_func (full, GINT_TO_POINTER (transports[i]), func);
    }
}

int
main (int    argc,
      char **argv)
{
  executor_test_jobs_register ();
  /* A worker slow to start (heavy imports, a busy machine). */
  if (g_getenv ("JOBROUTER_WORKER") != NULL && g_getenv ("JR_TEST_WORKER_START_DELAY_MS") != NULL)
    g_usleep (1000 * g_ascii_strtoull (g_getenv ("JR_TEST_WORKER_START_DELAY_MS"), NULL, 10));
  jr_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self_exe);

  if (argc == 4 && g_str_equal (argv[1], "--exit-with-running-job"))
    return exit_with_running_job (argv[2], argv[3]);

  jr_test_init (&argc, &argv);

  add_for_all ("state/completed", test_state_completed);
  add_for_all ("state/failed", test_state_failed);
  add_for_all ("progress/order", test_progress_order);
  add_for_all ("iterate/order", test_iterate_order);
  add_for_all ("cancel/waiting", test_cancel_waiting);
  add_for_all ("cancel/unstarted-frees-worker", test_cancel_unstarted_frees_worker);
  add_for_all ("cancel/when-listed", test_cancel_when_listed);
  add_for_all ("shutdown/when-listed", test_shutdown_when_listed);
  add_for_all ("dropped/ends-later", test_dropped_ends_later);
  add_for_all ("shutdown/when-cancelling", test_shutdown_when_cancelling);
  add_for_all ("shutdown/when-cancelling-in-stop", test_shutdown_when_cancelling);
  add_for_all ("cancel/waiting-backlog", test_cancel_waiting_backlog);
  add_for_all ("cancel/executing", test_cancel_executing);
  add_for_all ("cancel/no-messages-after", test_cancel_no_messages_after);
  add_for_all ("cancel/grace", test_cancel_grace);
  add_for_all ("stop/after-grace", test_stop_after_grace);
  add_for_all ("submit/args-at-the-limit", test_args_at_the_limit);
  g_test_add_func ("/executor/processes/stop/worker-stuck-at-exit", test_stop_worker_stuck_at_exit);
  g_test_add_func ("/executor/processes/workers/retired-while-busy", test_retired_while_busy);
  g_test_add_func ("/executor/processes/stop/while-workers-start-slowly",
                   test_stop_while_workers_start_slowly);
  add_for_all ("handlers/nested-loop", test_nested_loop_in_handler);
  add_for_all ("handlers/nested-loop-flood", test_nested_loop_flood);
  add_for_all ("cancel/queued-behind", test_cancel_queued_behind);
  add_for_all ("cancel/off-thread", test_cancel_off_thread);
  add_for_all ("errors/unknown-job", test_unknown_job);
  add_for_all ("errors/registered-after-init", test_registered_after_init);
  add_for_all ("errors/untrusted-args", test_untrusted_args);
  add_for_all ("errors/invalid-args", test_invalid_args);
  add_for_all ("errors/unavailable", test_unavailable);
  add_for_all ("errors/submit-after-stop", test_submit_after_stop);
  add_for_all ("errors/result-too-large", test_result_too_large);
  add_for_all ("errors/error-too-large", test_error_too_large);
  add_for_all ("cancel/grace-forever", test_cancel_grace_forever);
  add_for_all ("priority/not-behind-long-job", test_order_behind_long_job);
  add_for_all ("errors/domains", test_error_domains);
  add_for_all ("args/backlog", test_args_backlog);
  add_for_all ("dependencies/order", test_dependency_order);
  add_for_all ("dependencies/failed", test_dependency_failed);
  add_for_all ("dependencies/cancelled", test_dependency_cancelled);
  add_for_all ("dependencies/many", test_dependency_many);
  add_for_all ("retries", test_retries);
  add_for_all ("priority/order", test_priority);
  add_for_all ("priority/backlog", test_priority_backlog);
  add_for_all ("jobs-model", test_jobs_model);
  add_for_all ("workers/nice", test_worker_nice);
  add_for_all ("workers/idle", test_worker_idle);
  add_for_all ("workers/paced-jobs", test_paced_jobs);
  add_for_all ("context/own", test_own_context);
  add_for_all ("shutdown/timeout", test_shutdown_timeout);
  add_for_all ("shutdown/clean", test_shutdown_clean);
  add_for_both ("exit-with-running-job", test_exit_with_job);

  for (guint i = 0; i < G_N_ELEMENTS (crash_cases); i++)
    {
      char *path = g_strdup_printf ("/executor/processes/crash/%s", crash_cases[i].how);

      g_test_add_data_func (path, &crash_cases[i], test_crash);
      g_free (path);
      /* A stream worker's messages before a crash (its job's STARTED, the
       * job before's end) are written out before the job runs. */
      path = g_strdup_printf ("/executor/stream/crash/%s", crash_cases[i].how);
      add_on_streams (path, test_crash, &crash_cases[i]);
      g_free (path);
    }
  g_test_add_func ("/executor/processes/crash/respawn", test_respawn);
  g_test_add_func ("/executor/processes/crash/worker-cancels-queued", test_worker_cancels_queued);
  g_test_add_func ("/executor/threads/dropped-while-held", test_dropped_while_held);
  g_test_add_func ("/executor/threads/dropped-while-flooded", test_dropped_while_flooded);
  g_test_add_data_func ("/executor/threads/submit-off-thread", &submit_off_thread,
                        test_call_off_thread);
  g_test_add_data_func ("/executor/threads/shutdown-off-thread", &shutdown_off_thread,
                        test_call_off_thread);
  g_test_add_data_func ("/executor/threads/set-nice-off-thread", &set_nice_off_thread,
                        test_call_off_thread);
  g_test_add_data_func ("/executor/threads/wait-off-thread", &wait_off_thread,
                        test_call_off_thread);
  g_test_add_func ("/executor/threads/dependency-other-context", test_dependency_other_context);
  g_test_add_func ("/executor/processes/cancel/frozen-worker", test_cancel_frozen_worker);
  add_on_streams ("/executor/stream/crash/respawn", (GTestDataFunc) test_respawn, NULL);

  return g_test_run ();
}
