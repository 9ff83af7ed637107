/* test-guarantees.c — what ordinary (or careless) job code may do without
 * hanging the executor or losing a future: cancel itself, read standard
 * input, shut the executor down from a handler, cancel every job in a
 * loop over the jobs model, forget jr_init(), leave child processes
 * behind. On both transports where it applies, and again on stream
 * workers (a group whose launcher is a command of none: the worker speaks
 * on its standard input and output, as through ssh or srun).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is its own worker (jobs registered, then jr_init(), first
 * thing in main()). Run as `test-guarantees --run-sleeper PIDFILE`, it
 * starts a job that leaves a `sleep` behind, writes the sleep's pid, and
 * waits to be killed (see test_parent_killed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "executor-jobs.h"
#include "jr-test.h"

#define DONE_TIMEOUT_SEC 60
#define SHUTDOWN_TIMEOUT_USEC ((gint64) 30 * G_USEC_PER_SEC)

static char *self_exe;
static char *misuse_program;

/* ---- helpers ---- */

#define TIMEOUT_USEC ((gint64) DONE_TIMEOUT_SEC * G_USEC_PER_SEC)

static void
run_until (JrConditionFunc  condition,
           gpointer         data,
           guint            timeout_sec,
           const char      *what)
{
  jr_test_run_until (condition, data, (gint64) timeout_sec * G_USEC_PER_SEC, what);
}

static void
run_until_done (JrFuture *future)
{
  jr_test_run_until_done (future, TIMEOUT_USEC);
}

static gboolean
future_is_executing (gpointer data)
{
  return jr_future_get_state (data) == JR_FUTURE_STATE_EXECUTING;
}

/* A short job may start and end within one dispatch. */
static gboolean
future_has_started (gpointer data)
{
  return jr_future_get_start_time (data) != 0;
}

static gboolean
executor_is_stopped (gpointer data)
{
  return jr_executor_get_state (data) == JR_EXECUTOR_STATE_STOPPED;
}

static void
shutdown_executor (JrExecutor *executor)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_executor_shutdown (executor, SHUTDOWN_TIMEOUT_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 0);
}

static gboolean
pid_in_file_is_gone (gpointer data)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (data, &contents, NULL, NULL))
    return FALSE;
  return jr_test_process_is_gone (atoi (contents));
}

/* Where a test's jobs run: a transport, or stream workers. */
typedef enum {
  ON_THREADS,
  ON_PROCESSES,
  ON_STREAMS,
  N_WHERE
} Where;

static const char * const where_names[N_WHERE] = { "threads", "processes", "streams" };

/* An executor of @n workers: threads, worker processes, or stream workers
 * (the process transport's jobs in a group of stream workers only). */
static JrExecutor *
new_executor (Where where,
              guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) launcher = NULL;
  JrExecutor *executor;

  if (where != ON_STREAMS)
    return jr_executor_new (where == ON_THREADS ? JR_TRANSPORT_THREADS : JR_TRANSPORT_PROCESSES, n);

  launcher = jr_launcher_new_command (NULL);
  executor = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                           "max-workers", n, "local-group", FALSE, NULL);
  g_assert_true (jr_executor_add_group (executor, "stream", launcher, n, &error));
  g_assert_no_error (error);
  return executor;
}

static void
add_for_all (const char    *path,
             GTestDataFunc  func)
{
  for (guint i = 0; i < N_WHERE; i++)
    {
      g_autofree char *full = g_strdup_printf ("/guarantees/%s/%s", where_names[i], path);

      g_test_add_data_func (full, GINT_TO_POINTER (i), func);
    }
}

/* As add_for_all, for what only a process can do: processes and streams. */
static void
add_for_processes (const char    *path,
                   gconstpointer  data,
                   GTestDataFunc  func)
{
  for (guint i = ON_PROCESSES; i < N_WHERE; i++)
    {
      g_autofree char *full = g_strdup_printf ("/guarantees/%s/%s", where_names[i], path);

      g_test_add_data_func (full, data, func);
    }
}

/* The variant a test registered with add_for_processes runs as. */
static Where
current_where (void)
{
  return strstr (g_test_get_path (), "/streams/") != NULL ? ON_STREAMS : ON_PROCESSES;
}

/* ---- a job that cancels itself ---- */

/* Every future reaches exactly one done state: a job that fires its own
 * cancellable ends as it returns (nobody cancelled its future). */
static void
test_self_cancel_fails (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) future = jr_test_submit (executor, JR_JOB_KIND_CALL, "cancel-self",
                                               g_variant_new ("(b)", TRUE));

  run_until_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  g_assert_error (jr_future_get_error (future), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  shutdown_executor (executor);
}

static void
test_self_cancel_result (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) future = jr_test_submit (executor, JR_JOB_KIND_CALL, "cancel-self",
                                               g_variant_new ("(b)", FALSE));

  run_until_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpstr (g_variant_get_string (jr_future_get_result (future), NULL), ==,
                   "finished anyway");
  shutdown_executor (executor);
}

/* Shut down at once: the future must be done when shutdown returns. */
static void
test_self_cancel_shutdown (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) future = jr_test_submit (executor, JR_JOB_KIND_CALL, "cancel-self",
                                               g_variant_new ("(b)", TRUE));

  run_until (future_has_started, future, DONE_TIMEOUT_SEC, "cancel-self to start");
  shutdown_executor (executor);
  g_assert_true (jr_future_get_done (future));
}

/* ---- a job's cancellable: each job has its own ---- */

/* A worker may hand a job the cancellable of the job before it (GObjects
 * cost locks every thread shares): only reset, never one that job
 * cancelled, kept, or left a handler on. Each test runs its jobs on one
 * worker, one after the other. */
static void
run_to_result (JrFuture *future)
{
  run_until_done (future);
  g_assert_no_error (jr_future_get_error (future));
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
}

static GVariant *
submit_and_wait (JrExecutor *executor,
                 const char *name,
                 GVariant   *args)
{
  g_autoptr(JrFuture) future = jr_test_submit (executor, JR_JOB_KIND_CALL, name, args);

  run_to_result (future);
  return g_variant_ref (jr_future_get_result (future));
}

static void
test_cancellable_after_self_cancel (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(GVariant) done = submit_and_wait (executor, "cancel-self", g_variant_new ("(b)", FALSE));
  g_autoptr(GVariant) state = NULL;

  for (int i = 0; i < 3; i++)
    {
      gboolean cancelled;
      guint64 address;

      g_clear_pointer (&state, g_variant_unref);
      state = submit_and_wait (executor, "cancellable-state", NULL);
      g_variant_get (state, "(bt)", &cancelled, &address);
      g_assert_false (cancelled);
    }
  shutdown_executor (executor);
}

/* Runs @first, then @second, on one worker; returns @first's result and
 * what @second said of its cancellable ("cancellable-state"). */
static GVariant *
run_one_after_other (Where       where,
                     const char *first,
                     const char *second,
                     gboolean   *cancelled,
                     guint64    *address)
{
  g_autoptr(JrExecutor) executor = new_executor (where, 1);
  GVariant *first_result = submit_and_wait (executor, first, NULL);
  g_autoptr(GVariant) state = submit_and_wait (executor, second, NULL);

  g_variant_get (state, "(bt)", cancelled, address);
  shutdown_executor (executor);
  return first_result;
}

static void
test_cancellable_kept (gconstpointer data)
{
  gboolean cancelled;
  guint64 address;
  g_autoptr(GVariant) kept = run_one_after_other (GPOINTER_TO_INT (data), "keep-cancellable",
                                                  "cancellable-state", &cancelled, &address);

  g_assert_cmpuint (address, !=, g_variant_get_uint64 (kept));
}

/* A weak reference of an earlier job must not reach a later job's. */
static void
test_cancellable_weak (gconstpointer data)
{
  gboolean cancelled;
  guint64 address;
  g_autoptr(GVariant) kept = run_one_after_other (GPOINTER_TO_INT (data), "weak-cancellable",
                                                  "cancel-weak", &cancelled, &address);

  g_assert_false (cancelled);
}

static void
test_cancellable_handler_left (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(GVariant) left = submit_and_wait (executor, "leave-handler", NULL);
  g_autoptr(JrFuture) sleeper = jr_test_submit (executor, JR_JOB_KIND_CALL, "sleep",
                                                g_variant_new ("(t)", (guint64) 600000));
  g_autoptr(GVariant) calls = NULL;

  run_until (future_is_executing, sleeper, DONE_TIMEOUT_SEC, "the sleeper to start");
  jr_future_cancel (sleeper);
  run_until_done (sleeper);
  g_assert_cmpint (jr_future_get_state (sleeper), ==, JR_FUTURE_STATE_CANCELLED);
  calls = submit_and_wait (executor, "stray-handler-calls", NULL);
  g_assert_cmpuint (g_variant_get_uint32 (calls), ==, 0);
  shutdown_executor (executor);
}

/* ---- a job that reads standard input ---- */

/* A worker's standard input is /dev/null: a job's command that reads it
 * finds its end at once, and the requests the executor sends meanwhile
 * (a cancel, a recall) reach the worker. */
static void
test_stdin (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (current_where (), 1);
  g_autoptr(JrFuture) reader = jr_test_submit (executor, JR_JOB_KIND_CALL, "read-stdin", NULL);
  g_autoptr(JrFuture) cancelled = jr_test_submit (executor, JR_JOB_KIND_CALL, "sleep",
                                                  g_variant_new ("(t)", (guint64) 600000));
  g_autoptr(JrFuture) later = jr_test_submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);

  /* Requests on their way while the reader runs. */
  g_assert_true (jr_future_cancel (cancelled));
  run_until_done (reader);
  g_assert_no_error (jr_future_get_error (reader));
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (reader)), ==, 0);
  run_until_done (cancelled);
  g_assert_cmpint (jr_future_get_state (cancelled), ==, JR_FUTURE_STATE_CANCELLED);
  run_until_done (later);
  g_assert_cmpint (jr_future_get_state (later), ==, JR_FUTURE_STATE_COMPLETED);
  shutdown_executor (executor);
}

/* ---- shutting down from a handler ---- */

typedef enum {
  IN_STATE_DONE,
  IN_YIELDED,
  IN_ITEMS_CHANGED,
} HandlerKind;

typedef struct {
  Where        on;
  HandlerKind  where;
  gboolean     stop_only;      /* jr_executor_stop() instead of shutdown */
  gint64       timeout_usec;
} HandlerCase;

typedef struct {
  const HandlerCase *test;
  JrExecutor        *executor;
  gboolean           called;
  gboolean           result;
  GError            *error;
  guint              n_yielded;
} HandlerRun;

static void
stop_from_handler (HandlerRun *run)
{
  if (run->called)
    return;
  run->called = TRUE;
  if (run->test->stop_only)
    {
      jr_executor_stop (run->executor);
      run->result = TRUE;
    }
  else
    run->result = jr_executor_shutdown (run->executor, run->test->timeout_usec, &run->error);
}

static void
on_state (JrFuture   *future,
          GParamSpec *pspec,
          HandlerRun *run)
{
  if (jr_future_get_done (future))
    stop_from_handler (run);
}

static void
on_yielded (JrFuture   *future,
            GVariant   *value,
            HandlerRun *run)
{
  run->n_yielded++;
  stop_from_handler (run);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  HandlerRun *run)
{
  if (removed > 0)
    stop_from_handler (run);
}

static gboolean
handler_was_called (gpointer data)
{
  return ((HandlerRun *) data)->called;
}

static void
test_stop_in_handler (gconstpointer data)
{
  const HandlerCase *test = data;
  g_autoptr(JrExecutor) executor = new_executor (test->on, 2);
  GListModel *jobs = jr_executor_get_jobs (executor);
  g_autoptr(JrFuture) first = NULL;
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(JrFuture) waiting = NULL;
  HandlerRun run = { test, executor };

  if (test->where == IN_YIELDED)
    first = jr_test_submit (executor, JR_JOB_KIND_ITERATION, "iterate", g_variant_new ("(u)", 100000));
  else
    first = jr_test_submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);
  running = jr_test_submit (executor, JR_JOB_KIND_CALL, "sleep", g_variant_new ("(t)", (guint64) 600000));
  waiting = jr_test_submit (executor, JR_JOB_KIND_CALL, "sleep", g_variant_new ("(t)", (guint64) 600000));

  switch (test->where)
    {
    case IN_STATE_DONE:
      g_signal_connect (first, "notify::state", G_CALLBACK (on_state), &run);
      break;
    case IN_YIELDED:
      g_signal_connect (first, "yielded", G_CALLBACK (on_yielded), &run);
      break;
    case IN_ITEMS_CHANGED:
      g_signal_connect (jobs, "items-changed", G_CALLBACK (on_items_changed), &run);
      break;
    }

  run_until (handler_was_called, &run, DONE_TIMEOUT_SEC, "the handler");
  g_assert_no_error (run.error);
  g_assert_true (run.result);
  if (!test->stop_only)
    {
      /* Shut down inside the handler: everything is over already. */
      g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
      g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);
    }
  run_until (executor_is_stopped, executor, DONE_TIMEOUT_SEC, "the executor to stop");
  g_assert_true (jr_future_get_done (first));
  g_assert_cmpint (jr_future_get_state (running), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (jr_future_get_state (waiting), ==, JR_FUTURE_STATE_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);
  g_signal_handlers_disconnect_by_data (first, &run);
  g_signal_handlers_disconnect_by_data (jobs, &run);
  shutdown_executor (executor);
}

/* ---- "cancel all" over the jobs model ---- */

/* No future becomes done, and none leaves the model, inside the call that
 * cancels it: a loop by index sees every job. */
static void
test_cancel_all (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  GListModel *jobs = jr_executor_get_jobs (executor);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  for (guint i = 0; i < 11; i++)
    g_ptr_array_add (futures, jr_test_submit (executor, JR_JOB_KIND_CALL, "sleep",
                                              g_variant_new ("(t)", (guint64) 600000)));
  run_until (future_is_executing, futures->pdata[0], DONE_TIMEOUT_SEC, "the first job to start");

  n = g_list_model_get_n_items (jobs);
  g_assert_cmpuint (n, ==, futures->len);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (jobs, i);

      g_assert_true (jr_future_cancel (future));
      g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
      g_assert_false (jr_future_get_done (future));
      g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, n);
    }

  for (guint i = 0; i < futures->len; i++)
    {
      JrFuture *future = futures->pdata[i];

      run_until_done (future);
      g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
      /* Only the first ever ran. */
      if (i > 0)
        g_assert_cmpint (jr_future_get_start_time (future), ==, 0);
    }
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);
  shutdown_executor (executor);
}

/* A job whose dependency has failed fails too, but not inside submit. */
static void
test_failed_dependency_later (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) failed = jr_test_submit (executor, JR_JOB_KIND_CALL, "fail",
                                               g_variant_new ("(sis)", "g-io-error-quark", 1, "no"));
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) dependent = NULL;
  g_autoptr(GError) error = NULL;

  run_until_done (failed);
  jr_job_options_add_dependency (options, failed);
  dependent = jr_executor_submit_full (executor, "trivial", NULL, options, &error);
  g_assert_no_error (error);
  g_assert_false (jr_future_get_done (dependent));
  g_assert_cmpuint (g_list_model_get_n_items (jr_executor_get_jobs (executor)), ==, 1);
  run_until_done (dependent);
  g_assert_error (jr_future_get_error (dependent), JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED);
  shutdown_executor (executor);
}

/* ---- a program that forgets jr_init(), or cannot start workers ---- */

typedef struct {
  const char *mode;
  const char *expected;   /* how the job ended: the start of that line */
  const char *reason;     /* in the error message */
} MisuseCase;

/* The program prints the future's end as "state domain code message". */
static void
test_misuse (gconstpointer data)
{
  const MisuseCase *test = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start = g_get_monotonic_time ();

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                            misuse_program, test->mode, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  /* Gave up, never looped: well before the program's own 60 s limit. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (out, test->expected));
  if (test->reason != NULL)
    g_assert_nonnull (strstr (out, test->reason));
}

/* ---- a job's own child processes ---- */

static gboolean
file_has_pid (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (data, &contents, NULL, NULL) && atoi (contents) > 0;
}

/* Killed after the cancel grace period: the worker's whole process group
 * goes, the job's `sleep` with it. */
static void
test_kill_group (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (current_where (), 1);
  g_autofree char *dir = jr_test_make_temp_dir ("test-guarantees-XXXXXX");
  g_autofree char *pid_file = g_build_filename (dir, "sleeper", NULL);
  g_autoptr(JrFuture) future = NULL;

  jr_executor_set_cancel_grace (executor, 100 * 1000);
  future = jr_test_submit (executor, JR_JOB_KIND_CALL, "spawn-sleeper", g_variant_new ("(s)", pid_file));
  run_until (file_has_pid, pid_file, DONE_TIMEOUT_SEC, "the sleeper to start");
  g_assert_false (pid_in_file_is_gone (pid_file));

  jr_future_cancel (future);
  run_until_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  run_until (pid_in_file_is_gone, pid_file, 10, "the job's sleep to die with its worker");
  shutdown_executor (executor);
  jr_test_remove_temp_dir (dir);
}

/* The child side of test_parent_killed: runs @job. */
static int
run_sleeper (const char *pid_file,
             const char *job)
{
  JrExecutor *executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 1);
  JrFuture *future = jr_test_submit (executor, JR_JOB_KIND_CALL, job,
                                     g_variant_new ("(s)", pid_file));

  (void) future;
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

/* SIGKILLed parent: its worker dies and takes the job's `sleep` along —
 * also when the job has taken SIGTERM over ("spawn-sleeper-deaf"), which
 * PR_SET_PDEATHSIG sends the worker. */
static void
test_parent_killed (gconstpointer data)
{
  const char *job = data;
  g_autofree char *dir = jr_test_make_temp_dir ("test-guarantees-XXXXXX");
  g_autofree char *pid_file = g_build_filename (dir, "sleeper", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) parent = NULL;

  parent = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, self_exe, "--run-sleeper",
                             pid_file, job, NULL);
  g_assert_no_error (error);
  run_until (file_has_pid, pid_file, DONE_TIMEOUT_SEC, "the sleeper to start");
  g_assert_false (pid_in_file_is_gone (pid_file));

  g_subprocess_send_signal (parent, SIGKILL);
  g_subprocess_wait (parent, NULL, &error);
  g_assert_no_error (error);
  run_until (pid_in_file_is_gone, pid_file, 10, "the job's sleep to die with the parent");
  jr_test_remove_temp_dir (dir);
}

/* ---- what a job's own doings cannot hide or break ---- */

/* A helper the job forked without exec holds whatever the worker held: its
 * worker's crash is seen all the same, at once (not when the helper ends),
 * and the pool goes on; a helper left running does not hold up a
 * shutdown. */
static void
test_forked_helper (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (current_where (), 1);
  g_autoptr(JrFuture) crasher = NULL;
  g_autoptr(JrFuture) leaver = NULL;
  g_autoptr(JrFuture) later = NULL;
  g_autoptr(GError) error = NULL;

  crasher = jr_test_submit (executor, JR_JOB_KIND_CALL, "fork-helper", g_variant_new ("(b)", TRUE));
  /* The helper sleeps 30 s: well before, or the crash was not seen. */
  run_until (jr_test_future_done, crasher, 10, "the crash to be seen");
  g_assert_error (jr_future_get_error (crasher), JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED);

  leaver = jr_test_submit (executor, JR_JOB_KIND_CALL, "fork-helper", g_variant_new ("(b)", FALSE));
  later = jr_test_submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);
  run_until (jr_test_future_done, later, 10, "the next job");
  g_assert_cmpint (jr_future_get_state (leaver), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpint (jr_future_get_state (later), ==, JR_FUTURE_STATE_COMPLETED);

  g_assert_true (jr_executor_shutdown (executor, 5 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  kill (g_variant_get_int32 (jr_future_get_result (leaver)), SIGKILL);
}

/* A value nested more deeply than GLib takes from another process fails
 * its job, saying so, instead of vanishing on its way (and the job with
 * it); within a process it arrives. */
static void
test_deep_result (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) deep = NULL;
  g_autoptr(JrFuture) later = NULL;

  deep = jr_test_submit (executor, JR_JOB_KIND_CALL, "deep-result", g_variant_new ("(u)", 200u));
  run_until (jr_test_future_done, deep, 10, "the deep result");
  if (GPOINTER_TO_INT (data) == ON_THREADS)
    g_assert_cmpint (jr_future_get_state (deep), ==, JR_FUTURE_STATE_COMPLETED);
  else
    {
      const GError *error = jr_future_get_error (deep);

      g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE);
      g_assert_nonnull (strstr (error->message, "“deep-result”"));
      g_assert_nonnull (strstr (error->message, "more deeply than GLib accepts"));
    }
  later = jr_test_submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);
  run_until_done (later);
  g_assert_cmpint (jr_future_get_state (later), ==, JR_FUTURE_STATE_COMPLETED);
  shutdown_executor (executor);
}

static void
on_progress_text (JrFuture    *future,
                  GParamSpec  *pspec,
                  char       **seen)
{
  if (jr_future_get_progress_text (future) != NULL)
    {
      g_free (*seen);
      *seen = g_strdup (jr_future_get_progress_text (future));
    }
}

/* Texts made of file names need not be UTF-8: they arrive made valid. */
static void
test_latin1_texts (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (GPOINTER_TO_INT (data), 1);
  g_autoptr(JrFuture) future = NULL;
  g_autofree char *seen = NULL;
  const GError *error;

  future = jr_executor_submit_progress (executor, "latin1-texts", NULL, NULL);
  g_assert_nonnull (future);
  g_signal_connect (future, "notify::progress-text", G_CALLBACK (on_progress_text), &seen);
  run_until_done (future);
  error = jr_future_get_error (future);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "could not open caf\xef\xbf\xbd.txt");
  g_assert_cmpstr (seen, ==, "reading caf\xef\xbf\xbd.txt");
  shutdown_executor (executor);
}

/* What the test program opened before jr_init(), as GLib's and GTK's
 * threads do: see main(). */
static int early_fd = -1;

static GVariant *
job_early_fd (JrJob     *job,
              GVariant  *args,
              GError   **error)
{
  GStatBuf by_fd, by_path;

  return g_variant_new_boolean (fstat (early_fd, &by_fd) == 0 && g_stat ("/proc/self/exe", &by_path) == 0 &&
                                by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev);
}

/* A worker closes what it inherited by mistake (test_inherited_fds), never
 * what the program itself opened before jr_init(). */
static void
test_fds_opened_before_init (gconstpointer data)
{
  g_autoptr(JrExecutor) executor = new_executor (current_where (), 1);
  g_autoptr(JrFuture) future = NULL;

  future = jr_test_submit (executor, JR_JOB_KIND_CALL, "early-fd", NULL);
  run_until_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_true (g_variant_get_boolean (jr_future_get_result (future)));
  shutdown_executor (executor);
}

/* Where a worker is: the path it was started by, and its directory. */
static GVariant *
job_where_started (JrJob     *job,
                   GVariant  *args,
                   GError   **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_get_current_dir ();

  /* Its first NUL-terminated string: argv[0]. */
  if (!g_file_get_contents ("/proc/self/cmdline", &contents, NULL, error))
    return NULL;
  return g_variant_new ("(ss)", contents, dir);
}

/* The child side of test_started_by_link: moves elsewhere, then has a
 * worker say where it is. */
static int
run_elsewhere (void)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(JrFuture) future = NULL;
  const char *program, *dir;

  g_assert_cmpint (g_chdir ("/"), ==, 0);
  executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 1);
  future = jr_test_submit (executor, JR_JOB_KIND_CALL, "where-started", NULL);
  run_until_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_variant_get (jr_future_get_result (future), "(&s&s)", &program, &dir);
  g_print ("%s\n%s\n", program, dir);
  shutdown_executor (executor);
  return 0;
}

/* A program started through a link (a virtual environment's bin/python)
 * has its workers started through the same link, not the file it names,
 * and in the directory it started in, even after it moved elsewhere (its
 * arguments may be relative to it: a Python script's). */
static void
test_started_by_link (void)
{
  g_autofree char *dir = jr_test_make_temp_dir ("test-guarantees-XXXXXX");
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (symlink (self_exe, link), ==, 0);
  g_subprocess_launcher_set_cwd (launcher, dir);
  child = g_subprocess_launcher_spawn (launcher, &error, "./link", "--run-elsewhere", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  expected = g_strdup_printf ("%s\n%s\n", link, dir);
  g_assert_cmpstr (output, ==, expected);
  g_unlink (link);
  jr_test_remove_temp_dir (dir);
}

/* ---- a hostile job cannot change another job's outcome ---- */

typedef struct {
  const char *job;
  const char *warning;    /* the warning it causes */
  const char *reason;     /* in its own future's error */
  const char *stream_reason;  /* the same on a stream worker, if other */
} HostileCase;

/* The victim runs on one worker while the hostile job, on the other,
 * lies about it: the liar's worker is killed and its job fails saying
 * why; the victim completes with its own result; the pool recovers. */
static void
test_hostile_job (gconstpointer data)
{
  const HostileCase *test = data;
  g_autoptr(JrExecutor) executor = new_executor (current_where (), 2);
  g_autoptr(JrFuture) victim = NULL;
  g_autoptr(JrFuture) liar = NULL;
  g_autoptr(JrFuture) later = NULL;
  const GError *error;

  /* The executor's job ids count submissions: the victim is job 1. */
  victim = jr_test_submit (executor, JR_JOB_KIND_CALL, "sleep", g_variant_new ("(t)", (guint64) 500));
  run_until (future_is_executing, victim, DONE_TIMEOUT_SEC, "the victim to start");
  jr_test_expect_warning (test->warning);
  liar = jr_test_submit (executor, JR_JOB_KIND_CALL, test->job,
                         g_str_equal (test->job, "forge-job-id") ? g_variant_new ("(t)", (guint64) 1) : NULL);

  run_until_done (liar);
  error = jr_future_get_error (liar);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED);
  g_assert_nonnull (strstr (error->message, current_where () == ON_STREAMS && test->stream_reason != NULL
                                            ? test->stream_reason : test->reason));
  run_until_done (victim);
  g_assert_cmpint (jr_future_get_state (victim), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (victim)), ==, 500);
  jr_test_check_expected_warnings ();

  later = jr_test_submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);
  run_until_done (later);
  g_assert_cmpint (jr_future_get_state (later), ==, JR_FUTURE_STATE_COMPLETED);
  shutdown_executor (executor);
}

/* ---- what a worker inherits ---- */

/* Workers start through posix_spawn, which leaves descriptors without
 * FD_CLOEXEC open in the child: the worker must close them, or a pipe's
 * reader would never see EOF while workers run. */
static void
test_inherited_fds (void)
{
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(JrFuture) future = NULL;
  char byte;
  int fds[2];

  /* As a careless library would make it: no O_CLOEXEC. */
  g_assert_cmpint (pipe (fds), ==, 0);
  executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 2);
  future = jr_test_submit (executor, JR_JOB_KIND_CALL, "trivial", NULL);
  run_until_done (future);
  close (fds[1]);
  /* EOF at once: no worker holds the write end. (A generous poll, so
   * that a leak fails here instead of hanging.) */
  {
    struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

    g_assert_cmpint (poll (&pfd, 1, 10 * 1000), ==, 1);
  }
  g_assert_cmpint (read (fds[0], &byte, 1), ==, 0);
  close (fds[0]);
  shutdown_executor (executor);
}

int
main (int    argc,
      char **argv)
{
  static const MisuseCase misuse_cases[] = {
    { "parent", "failed jr-job-error-quark 9 ", "did not call jr_init()" },
    { "child", "failed jr-job-error-quark 9 ", "without calling jr_init() first" },
    { "bad-argv", "failed jr-job-error-quark 9 ", "No such file or directory" },
    { "fd-limit", "completed", NULL },
  };
  static HandlerCase handler_cases[N_WHERE][6];
  static const struct { const char *name; HandlerKind where; gboolean stop_only; gint64 timeout; } kinds[] = {
    { "state-done", IN_STATE_DONE, FALSE, SHUTDOWN_TIMEOUT_USEC },
    { "state-done-no-timeout", IN_STATE_DONE, FALSE, -1 },
    { "yielded", IN_YIELDED, FALSE, SHUTDOWN_TIMEOUT_USEC },
    { "items-changed", IN_ITEMS_CHANGED, FALSE, -1 },
    { "state-done-stop", IN_STATE_DONE, TRUE, 0 },
    { "items-changed-stop", IN_ITEMS_CHANGED, TRUE, 0 },
  };
  static const HostileCase hostile_cases[] = {
    { "forge-job-id", "*it sent a message for job 1, which it was not running*",
      "which it was not running" },
    { "forge-pipes", "*not one of its pipes*", "broke the protocol of its queue",
      /* The worker sees its stream cut and kills itself and its jobs,
       * maybe before the router's closing is seen here. */
      "its stream" },
    { "garbage-message", "*it sent a message of no known shape*", "of no known shape" },
  };
  g_autofree char *dir = NULL;

  executor_test_jobs_register ();
  jr_register_job ("early-fd", job_early_fd);
  jr_register_job ("where-started", job_where_started);
  /* As GLib's threads and a log file would be: before jr_init(). */
  early_fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (early_fd, >=, 0);
  jr_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self_exe);
  if (argc == 4 && g_str_equal (argv[1], "--run-sleeper"))
    return run_sleeper (argv[2], argv[3]);
  if (argc == 2 && g_str_equal (argv[1], "--run-elsewhere"))
    return run_elsewhere ();

  jr_test_init (&argc, &argv);
  dir = g_path_get_dirname (self_exe);
  misuse_program = g_build_filename (dir, "misuse-program", NULL);

  add_for_all ("self-cancel/fails", test_self_cancel_fails);
  add_for_all ("self-cancel/result", test_self_cancel_result);
  add_for_all ("self-cancel/shutdown", test_self_cancel_shutdown);
  add_for_all ("cancellable/after-self-cancel", test_cancellable_after_self_cancel);
  add_for_all ("cancellable/kept", test_cancellable_kept);
  add_for_all ("cancellable/handler-left", test_cancellable_handler_left);
  add_for_all ("cancellable/weak", test_cancellable_weak);
  add_for_processes ("stdin", NULL, test_stdin);
  for (guint t = 0; t < N_WHERE; t++)
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
      {
        HandlerCase *test = &handler_cases[t][k];
        g_autofree char *path = NULL;

        test->on = t;
        test->where = kinds[k].where;
        test->stop_only = kinds[k].stop_only;
        test->timeout_usec = kinds[k].timeout;
        path = g_strdup_printf ("/guarantees/%s/stop-in-handler/%s",
                                where_names[t], kinds[k].name);
        g_test_add_data_func (path, test, test_stop_in_handler);
      }
  add_for_all ("cancel-all", test_cancel_all);
  add_for_all ("failed-dependency-later", test_failed_dependency_later);
  for (guint i = 0; i < G_N_ELEMENTS (misuse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/guarantees/processes/misuse/%s",
                                               misuse_cases[i].mode);

      g_test_add_data_func (path, &misuse_cases[i], test_misuse);
    }
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("hostile-job/%s", hostile_cases[i].job);

      add_for_processes (path, &hostile_cases[i], test_hostile_job);
    }
  g_test_add_func ("/guarantees/processes/inherited-fds", test_inherited_fds);
  add_for_processes ("kill-group", NULL, test_kill_group);
  g_test_add_data_func ("/guarantees/processes/parent-killed", "spawn-sleeper", test_parent_killed);
  g_test_add_data_func ("/guarantees/processes/parent-killed/sigterm-taken", "spawn-sleeper-deaf",
                        test_parent_killed);
  add_for_processes ("forked-helper", NULL, test_forked_helper);
  add_for_all ("deep-result", test_deep_result);
  add_for_all ("latin1-texts", test_latin1_texts);
  add_for_processes ("fds-opened-before-init", NULL, test_fds_opened_before_init);
  g_test_add_func ("/guarantees/processes/started-by-link", test_started_by_link);

  return g_test_run ();
}
