/* test-launcher.c — tests of router/jr-launcher.c and of the executor's
 * groups, with no engine: workers started through commands on this
 * machine (none, `env`, a command that fails), where a job may run, a
 * group resized, a launcher that cannot start, a lost connection, and
 * what a stream worker does when its input ends; what a stream worker
 * says of itself (its host, why it gives up) and what it prints on its
 * standard error, bounded; start timeouts of any length.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is also its own worker (local and stream): the jobs are
 * registered and jr_init() is called first thing in main(). Run as
 * `test-launcher --fake-stream-worker MODE ...` it is a stream worker
 * that lies (fake_stream_worker()).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "executor-jobs.h"
#include "jr-channel-private.h"
#include "jr-executor-private.h"
#include "jr-frame-private.h"
#include "jr-job-message-private.h"
#include "jr-test.h"
#include "jr-worker-request-private.h"

#define DONE_TIMEOUT_USEC  ((gint64) 60 * G_USEC_PER_SEC)
#define SHUTDOWN_USEC      ((gint64) 30 * G_USEC_PER_SEC)
/* A test run again in a subprocess, for what would hang it: how long it
 * may take at most (a "did not hang" bound, not a measure). */
#define TRAP_USEC          ((gint64) 60 * G_USEC_PER_SEC)

#define FAKE_WORKER_ARG    "--fake-stream-worker"

/* What the worker pool keeps of what a worker says of itself:
 * WORKER_HOST_MAX, WORKER_REASON_MAX (router/jr-worker-pool-worker.c); and how
 * many lines of a command's standard error a second it echoes,
 * STDERR_ECHO_PER_SECOND (router/jr-worker-pool-stderr.c). */
#define HOST_MAX           255
#define REASON_MAX         1024
#define ECHO_PER_SECOND    50

static char *self_exe;

typedef struct {
  JrTestBaseline baseline;
  JrExecutor    *executor;
  char          *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  jr_test_baseline_take (&f->baseline);
  f->dir = jr_test_make_temp_dir ("test-launcher-XXXXXX");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->executor != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
      g_assert_no_error (error);
      g_clear_object (&f->executor);
    }
  jr_test_check_expected_warnings ();
  jr_test_baseline_assert (&f->baseline);
  jr_test_remove_temp_dir (f->dir);
  g_free (f->dir);
}

/* An executor of @local_size local workers (none: no local group). */
static JrExecutor *
new_executor (Fixture *f,
              guint    local_size)
{
  f->executor = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                              "max-workers", MAX (local_size, 1), "local-group", local_size > 0,
                              NULL);
  return f->executor;
}

static void
add_group (Fixture    *f,
           const char *name,
           JrLauncher *launcher,
           guint       size)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_executor_add_group (f->executor, name, launcher, size, &error));
  g_assert_no_error (error);
}

static JrFuture *
submit (JrExecutor *executor,
        const char *job,
        GVariant   *args)
{
  return jr_test_submit (executor, JR_JOB_KIND_CALL, job, args);
}

static void
wait_done (JrFuture *future)
{
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
}

/* The pid of the worker that ran @future, a "whoami" job. */
static gint32
worker_pid_of (JrFuture *future)
{
  gint32 pid, group;

  wait_done (future);
  jr_test_assert_completed (future);
  g_variant_get (jr_future_get_result (future), "(ii)", &pid, &group);
  return pid;
}

/* The pid of a worker of @executor, found by running a job there. */
static gint32
running_worker_pid (JrExecutor *executor)
{
  g_autoptr(JrFuture) future = submit (executor, "whoami", NULL);

  return worker_pid_of (future);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
gave_up (gpointer data)
{
  return jr_executor_get_worker_error (data) != NULL;
}

/* ---- the launcher object ---- */

static void
test_launcher_kinds (void)
{
  const char *options[] = { "-p", "2222", NULL };
  const char *srun_options[] = { "--immediate", NULL };
  const char *program[] = { "/opt/app/bin/app", "--flag", NULL };
  g_autoptr(JrLauncher) local = jr_launcher_new_local ();
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrLauncher) ssh = jr_launcher_new_ssh ("user@host", options);
  g_autoptr(JrLauncher) srun = jr_launcher_new_srun (srun_options);
  const char * const *command;
  g_autofree char *described = NULL;

  g_assert_true (jr_launcher_get_is_local (local));
  g_assert_true (jr_launcher_get_shared_paths (local));
  g_assert_null (jr_launcher_get_command (local)[0]);

  g_assert_false (jr_launcher_get_is_local (direct));
  g_assert_true (jr_launcher_get_shared_paths (direct));
  g_assert_null (jr_launcher_get_command (direct)[0]);

  command = jr_launcher_get_command (ssh);
  g_assert_cmpstr (command[0], ==, "ssh");
  g_assert_true (g_strv_contains (command, "BatchMode=yes"));
  g_assert_cmpstr (command[g_strv_length ((char **) command) - 1], ==, "user@host");
  g_assert_cmpstr (command[g_strv_length ((char **) command) - 2], ==, "--");
  /* The caller's options before the defaults they may change: ssh keeps
   * the first value of an option. */
  {
    guint n = g_strv_length ((char **) command), port = n, keepalive = n, batch = n;

    for (guint i = 0; i < n; i++)
      {
        if (g_str_equal (command[i], "2222"))
          port = i;
        else if (g_str_equal (command[i], "ServerAliveInterval=15"))
          keepalive = i;
        else if (g_str_equal (command[i], "BatchMode=yes"))
          batch = i;
      }
    g_assert_cmpuint (batch, <, port);
    g_assert_cmpuint (port, <, keepalive);
    g_assert_cmpuint (keepalive, <, n);
    g_assert_true (g_strv_contains (command, "ConnectTimeout=30"));
  }
  g_assert_true (jr_launcher_get_shell_command (ssh));
  g_assert_false (jr_launcher_get_shared_paths (ssh));
  described = jr_launcher_describe (ssh);
  g_assert_cmpstr (described, ==, "ssh user@host");

  command = jr_launcher_get_command (srun);
  g_assert_cmpstr (command[0], ==, "srun");
  g_assert_true (g_strv_contains (command, "--unbuffered"));
  g_assert_true (g_strv_contains (command, "--immediate"));
  g_assert_false (jr_launcher_get_shell_command (srun));
  g_assert_false (jr_launcher_get_shared_paths (srun));

  g_assert_null (jr_launcher_get_program (srun));
  jr_launcher_set_program (srun, program);
  g_assert_cmpstr (jr_launcher_get_program (srun)[1], ==, "--flag");
  jr_launcher_set_shared_paths (srun, TRUE);
  g_assert_true (jr_launcher_get_shared_paths (srun));
}

/* A destination that ssh would read as an option (`-oProxyCommand=…` runs
 * a command on this machine), or one with spaces or control characters,
 * is a programmer error: the caller checks what a user typed. */
static void
test_launcher_ssh_destination (void)
{
  static const char * const refused[] = {
    "-oProxyCommand=touch /tmp/owned", "-p2222", "", "host name", "host\nFailed", "host\t",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      JrLauncher *launcher;

      g_assert_false (jr_launcher_ssh_destination_is_valid (refused[i]));
      g_test_expect_message ("jobrouter", G_LOG_LEVEL_CRITICAL, "*destination_is_valid*");
      launcher = jr_launcher_new_ssh (refused[i], NULL);
      g_test_assert_expected_messages ();
      g_assert_null (launcher);
    }
  g_assert_true (jr_launcher_ssh_destination_is_valid ("user@host.example"));
  g_assert_true (jr_launcher_ssh_destination_is_valid ("box"));
}

/* ---- where a job may run ---- */

/* Jobs that read local paths run only where the paths are; the others
 * anywhere. */
static void
test_placement (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JrLauncher) elsewhere = jr_launcher_new_command (NULL);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = g_build_filename (f->dir, "file", NULL);
  guint on_elsewhere = 0;

  g_assert_true (g_file_set_contents (path, "12345", 5, NULL));
  /* As if its workers were on another machine. */
  jr_launcher_set_shared_paths (elsewhere, FALSE);
  new_executor (f, 1);
  add_group (f, "elsewhere", elsewhere, 1);

  for (guint i = 0; i < 6; i++)
    {
      g_ptr_array_add (futures, submit (f->executor, "file-size", g_variant_new ("(s)", path)));
      g_ptr_array_add (futures, submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 50)));
    }
  for (guint i = 0; i < futures->len; i++)
    {
      JrFuture *future = g_ptr_array_index (futures, i);

      wait_done (future);
      jr_test_assert_completed (future);
      if (g_str_equal (jr_future_get_job_name (future), "file-size"))
        {
          g_assert_cmpstr (jr_future_get_worker_group (future), ==, "local");
          guint64 size;

          g_variant_get (jr_future_get_result (future), "(t)", &size);
          g_assert_cmpuint (size, ==, 5);
        }
      else
        on_elsewhere += g_str_equal (jr_future_get_worker_group (future), "elsewhere");
      g_assert_cmpstr (jr_future_get_worker_host (future), ==, g_get_host_name ());
    }
  g_test_message ("%u of 6 jobs that may run anywhere ran elsewhere", on_elsewhere);
  g_assert_cmpuint (on_elsewhere, >, 0);
}

/* The arguments of @executor's worker that runs an "own-args" job. */
static char **
worker_args (JrExecutor *executor)
{
  g_autoptr(JrFuture) future = submit (executor, "own-args", NULL);
  char **args = NULL;

  wait_done (future);
  jr_test_assert_completed (future);
  g_variant_get (jr_future_get_result (future), "(^as)", &args);
  return args;
}

/* Workers are started with this program's arguments, unless it says
 * otherwise: then they show none of them in `ps` (a local worker, and one
 * through a command, which has only the stream's marker). */
static void
test_worker_arguments (void)
{
  const char *none[] = { NULL };
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrExecutor) local = NULL;
  g_autoptr(JrExecutor) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) own = NULL;
  g_auto(GStrv) local_args = NULL;
  g_auto(GStrv) stream_args = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  /* The default: the test program's own (its -p, --GTestSubprocess…). */
  local = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                        "max-workers", 1, NULL);
  own = worker_args (local);
  g_assert_true (g_strv_contains ((const char * const *) own, "--GTestSubprocess"));
  g_assert_true (jr_executor_shutdown (local, SHUTDOWN_USEC, &error));
  g_clear_object (&local);

  jr_set_worker_arguments (none);
  local = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                        "max-workers", 1, NULL);
  stream = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                         "max-workers", 1, "local-group", FALSE, NULL);
  g_assert_true (jr_executor_add_group (stream, "direct", direct, 1, &error));
  g_assert_no_error (error);

  local_args = worker_args (local);
  g_assert_cmpuint (g_strv_length (local_args), ==, 0);
  stream_args = worker_args (stream);
  g_assert_cmpuint (g_strv_length (stream_args), ==, 1);
  g_assert_true (g_str_has_prefix (stream_args[0], "--"));
  g_assert_false (g_strv_contains ((const char * const *) stream_args, "--GTestSubprocess"));

  g_assert_true (jr_executor_shutdown (local, SHUTDOWN_USEC, &error));
  g_assert_true (jr_executor_shutdown (stream, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
}

/* No group may run it: refused at once, saying why; shared paths make it
 * welcome. */
static void
test_placement_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) elsewhere = jr_launcher_new_command (NULL);
  g_autoptr(JrLauncher) shared = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) future = NULL;

  jr_launcher_set_shared_paths (elsewhere, FALSE);
  new_executor (f, 0);
  add_group (f, "elsewhere", elsewhere, 1);
  future = jr_executor_submit_call (f->executor, "file-size", g_variant_new ("(s)", "/etc/hostname"),
                                    &error);
  g_assert_null (future);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_assert_nonnull (strstr (error->message, "local paths"));
  g_clear_error (&error);

  add_group (f, "shared", shared, 1);
  future = submit (f->executor, "file-size", g_variant_new ("(s)", "/etc/hostname"));
  wait_done (future);
  jr_test_assert_completed (future);
  g_assert_cmpstr (jr_future_get_worker_group (future), ==, "shared");
}

/* No group has workers at all (the local one resized to 0): said so, not
 * blamed on the paths. */
static void
test_placement_no_workers (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;

  new_executor (f, 1);
  g_assert_true (jr_executor_set_group_size (f->executor, "local", 0, &error));
  g_assert_no_error (error);
  future = jr_executor_submit_call (f->executor, "file-size", g_variant_new ("(s)", "/etc/hostname"),
                                    &error);
  g_assert_null (future);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_assert_nonnull (strstr (error->message, "No group of the executor has workers"));
  g_assert_null (strstr (error->message, "local paths"));
}

/* ---- groups ---- */

static gboolean
n_workers_is (gpointer data)
{
  JrExecutor *executor = ((gpointer *) data)[0];

  return jr_executor_get_n_workers (executor) == GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

static void
wait_n_workers (JrExecutor *executor,
                guint       n)
{
  gpointer data[2] = { executor, GUINT_TO_POINTER (n) };

  jr_test_run_until (n_workers_is, data, DONE_TIMEOUT_USEC, "the group's new size");
}

/* A pool that gave up on some of its workers while one had started (a
 * node busy for a moment, a flaky launcher): when that one is lost, the
 * pool tries again, and the job that waited runs, instead of failing with
 * the old reason. */
static void
test_gave_up_with_one_live (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *count = g_build_filename (f->dir, "calls", NULL);
  /* Its 1st call starts the worker, the 2nd to 4th fail, the rest work. */
  g_autofree char *script = g_strdup_printf (
    "n=$(( $(cat '%s' 2>/dev/null || echo 0) + 1 )); echo $n > '%s';"
    "if [ $n -ge 2 ] && [ $n -le 4 ]; then echo busy >&2; exit 1; fi; exec \"$@\"",
    count, count);
  const char *flaky[] = { "/bin/sh", "-c", script, "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (flaky);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(JrFuture) waiting = NULL;
  gint32 pid;

  jr_test_allow_warnings ("No worker of group “flaky”*");
  new_executor (f, 0);
  add_group (f, "flaky", launcher, 1);
  /* Up and working, then the group grows, and the pool gives up on the
   * next three starts. */
  pid = running_worker_pid (f->executor);
  g_assert_true (jr_executor_set_group_size (f->executor, "flaky", 2, &error));
  g_assert_no_error (error);
  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the group to give up");
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 1);

  running = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 600000));
  jr_test_run_until (jr_test_future_started, running, DONE_TIMEOUT_USEC, "a job to start");
  waiting = submit (f->executor, "whoami", NULL);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);

  wait_done (running);
  g_assert_cmpint (jr_future_get_state (running), ==, JR_FUTURE_STATE_FAILED);
  g_assert_cmpint (worker_pid_of (waiting), !=, pid);
  g_assert_null (jr_executor_get_worker_error (f->executor));
}

static gint
compare_pids (gconstpointer a,
              gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* The worker processes now, in order. */
static GArray *
sorted_children (void)
{
  GArray *pids = jr_test_list_children (FALSE);

  g_array_sort (pids, compare_pids);
  return pids;
}

/* A group shrunk while its workers are busy, then grown back before they
 * finished: it keeps them (no worker ended and started again), and they
 * count as its workers all along. */
static void
test_group_grow_back (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JrFuture) a = NULL;
  g_autoptr(JrFuture) b = NULL;
  g_autoptr(JrFuture) after = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) now = NULL;
  g_autoptr(GError) error = NULL;

  new_executor (f, 2);
  a = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 500));
  b = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 500));
  jr_test_run_until (jr_test_future_started, a, DONE_TIMEOUT_USEC, "a job to start");
  jr_test_run_until (jr_test_future_started, b, DONE_TIMEOUT_USEC, "a job to start");
  before = sorted_children ();
  g_assert_cmpuint (before->len, ==, 2);

  g_assert_true (jr_executor_set_group_size (f->executor, "local", 0, &error));
  g_assert_true (jr_executor_set_group_size (f->executor, "local", 2, &error));
  g_assert_no_error (error);
  wait_done (a);
  wait_done (b);
  after = submit (f->executor, "whoami", NULL);
  wait_done (after);
  jr_test_run_for (200);

  now = sorted_children ();
  g_assert_cmpuint (now->len, ==, 2);
  g_assert_cmpint (g_array_index (now, int, 0), ==, g_array_index (before, int, 0));
  g_assert_cmpint (g_array_index (now, int, 1), ==, g_array_index (before, int, 1));
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 2);
}

/* A worker whose command never gets as far as the worker (a host that
 * does not answer, srun waiting in its queue): a shutdown ends it at
 * once, not after its start timeout, which a shutdown's own loop would
 * not even run. */
static void
test_shutdown_while_starting (Fixture       *f,
                              gconstpointer  data)
{
  const char *hung[] = { "/bin/sh", "-c", "exec sleep 600", "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (hung);
  g_autoptr(GError) error = NULL;

  new_executor (f, 0);
  add_group (f, "hung", launcher, 1);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 1);
  g_assert_true (jr_executor_shutdown (f->executor, 10 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
}

/* Beside it, a local worker: the hung command's worker takes no job while
 * it is not up. Every job runs on the local one (none waits behind the
 * hung worker for its start timeout), a job cancelled while it waits ends
 * at the next dispatch, and the shutdown does not wait either. */
static void
test_starting_takes_no_job (Fixture       *f,
                            gconstpointer  data)
{
  const char *hung[] = { "/bin/sh", "-c", "exec sleep 600", "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (hung);
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) busy = NULL;
  g_autoptr(JrFuture) waiting = NULL;
  JrFuture *quick[4];

  /* Longer than the tests wait: a job given to it would never end. */
  jr_launcher_set_start_timeout (launcher, 10 * DONE_TIMEOUT_USEC);
  jr_launcher_set_shared_paths (launcher, TRUE);
  new_executor (f, 1);
  add_group (f, "hung", launcher, 1);
  for (guint i = 0; i < G_N_ELEMENTS (quick); i++)
    quick[i] = submit (f->executor, "echo", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (quick); i++)
    {
      wait_done (quick[i]);
      jr_test_assert_completed (quick[i]);
      g_object_unref (quick[i]);
    }

  busy = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 60000));
  jr_test_run_until (jr_test_future_started, busy, DONE_TIMEOUT_USEC, "a job to start");
  waiting = submit (f->executor, "echo", NULL);
  jr_test_run_for (50);
  g_assert_cmpint (jr_future_get_state (waiting), ==, JR_FUTURE_STATE_WAITING);
  g_assert_true (jr_future_cancel (waiting));
  jr_test_drain_main_context ();
  g_assert_cmpint (jr_future_get_state (waiting), ==, JR_FUTURE_STATE_CANCELLED);

  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
}

/* Workers that come up a moment after their group shrank to none, or was
 * removed: they are ended, take no job, and leave nothing behind. */
static void
test_shrunk_while_starting (Fixture       *f,
                            gconstpointer  data)
{
  const char *slow[] = { "/bin/sh", "-c", "sleep 0.5; exec \"$0\" \"$@\"", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (slow);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  new_executor (f, 0);
  add_group (f, "slow", launcher, 2);
  if (g_str_equal (data, "resize"))
    g_assert_true (jr_executor_set_group_size (f->executor, "slow", 0, &error));
  else
    g_assert_true (jr_executor_remove_group (f->executor, "slow", &error));
  g_assert_no_error (error);

  /* Long enough for them to have come up. */
  jr_test_run_for (1500);
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 0);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
  names = jr_executor_dup_group_names (f->executor);
  g_assert_cmpuint (g_strv_length (names), ==, g_str_equal (data, "resize") ? 1 : 0);
  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
}

static void
test_group_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrExecutor) threads = jr_executor_new (JR_TRANSPORT_THREADS, 1);
  g_auto(GStrv) names = NULL;

  new_executor (f, 1);
  g_assert_false (jr_executor_add_group (f->executor, "local", direct, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (jr_executor_add_group (f->executor, "", direct, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (jr_executor_set_group_size (f->executor, "nowhere", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (jr_executor_remove_group (f->executor, "nowhere", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (jr_executor_get_group_launcher (f->executor, "nowhere"));
  g_assert_false (jr_executor_add_group (threads, "direct", direct, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_true (jr_executor_shutdown (threads, SHUTDOWN_USEC, &error));

  add_group (f, "direct", direct, 2);
  names = jr_executor_dup_group_names (f->executor);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "local");
  g_assert_cmpstr (names[1], ==, "direct");
  g_assert_cmpuint (jr_executor_get_group_size (f->executor, "direct"), ==, 2);
  g_assert_cmpuint (jr_executor_get_group_size (f->executor, "nowhere"), ==, 0);
}

/* A group shrinks: its idle workers go at once, a busy one after its job;
 * it grows again. */
static void
test_group_resize (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) busy = NULL;
  g_autoptr(JrFuture) after = NULL;

  new_executor (f, 0);
  add_group (f, "direct", direct, 3);
  wait_n_workers (f->executor, 3);
  busy = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 500));
  jr_test_run_until (jr_test_future_started, busy, DONE_TIMEOUT_USEC, "a job to start");

  g_assert_true (jr_executor_set_group_size (f->executor, "direct", 0, &error));
  g_assert_no_error (error);
  wait_n_workers (f->executor, 0);
  /* The busy one finished its job first. */
  wait_done (busy);
  jr_test_assert_completed (busy);

  g_assert_true (jr_executor_set_group_size (f->executor, "direct", 1, &error));
  after = submit (f->executor, "echo", g_variant_new ("(u)", 1u));
  wait_done (after);
  jr_test_assert_completed (after);
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 1);
}

/* A group is removed while one of its workers runs a job: the job still
 * completes there; the name is free at once, for a group whose paths are
 * shared; a job that reads paths then runs on it. */
static void
test_group_remove (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) elsewhere = jr_launcher_new_command (NULL);
  g_autoptr(JrLauncher) shared = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) busy = NULL;
  g_autoptr(JrFuture) reads = NULL;
  g_auto(GStrv) names = NULL;

  jr_launcher_set_shared_paths (elsewhere, FALSE);
  new_executor (f, 0);
  add_group (f, "direct", elsewhere, 2);
  wait_n_workers (f->executor, 2);
  busy = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 300));
  jr_test_run_until (jr_test_future_started, busy, DONE_TIMEOUT_USEC, "a job to start");

  g_assert_true (jr_executor_remove_group (f->executor, "direct", &error));
  g_assert_no_error (error);
  names = jr_executor_dup_group_names (f->executor);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_assert_null (jr_executor_get_group_launcher (f->executor, "direct"));
  g_assert_cmpuint (jr_executor_get_group_size (f->executor, "direct"), ==, 0);
  /* The idle worker went; the busy one stays for its job, but takes no
   * other: none counts. */
  wait_n_workers (f->executor, 0);
  g_assert_false (jr_future_get_done (busy));

  add_group (f, "direct", shared, 1);
  g_assert_true (jr_executor_get_group_launcher (f->executor, "direct") == shared);
  reads = submit (f->executor, "file-size", g_variant_new ("(s)", "/etc/hostname"));
  wait_done (busy);
  jr_test_assert_completed (busy);
  wait_done (reads);
  jr_test_assert_completed (reads);
  g_assert_cmpstr (jr_future_get_worker_group (reads), ==, "direct");
  wait_n_workers (f->executor, 1);

  /* Removed again once the first is gone for good: nothing is left of
   * either, and the name comes back once more. */
  g_assert_true (jr_executor_remove_group (f->executor, "direct", &error));
  wait_n_workers (f->executor, 0);
  add_group (f, "direct", elsewhere, 1);
  g_clear_object (&reads);
  reads = jr_executor_submit_call (f->executor, "file-size", g_variant_new ("(s)", "/etc/hostname"),
                                   &error);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_assert_null (reads);
}

/* A handler of a future that ends as the last worker of a removed group
 * dies (killed after the grace) adds a group and runs the main loop:
 * nothing of the removed group may go while the pool's callback is on
 * the stack. */
typedef struct {
  JrExecutor *executor;
  JrLauncher *launcher;
  guint       calls;
} AddOnDone;

static void
add_group_on_done (JrFuture   *future,
                   GParamSpec *pspec,
                   gpointer    data)
{
  AddOnDone *add = data;
  g_autoptr(GError) error = NULL;

  if (!jr_future_get_done (future) || add->calls++ > 0)
    return;
  g_assert_true (jr_executor_add_group (add->executor, "other", add->launcher, 0, &error));
  g_assert_no_error (error);
  /* A main loop inside the callback: the removed group, whose last worker
   * this is, is not freed under it. */
  jr_test_run_for (50);
}

static void
test_group_remove_in_handler (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (NULL);
  g_autoptr(JrLauncher) other = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) busy = NULL;
  AddOnDone add = { NULL, NULL, 0 };

  new_executor (f, 0);
  jr_executor_set_cancel_grace (f->executor, 100 * 1000);
  add_group (f, "direct", launcher, 1);
  busy = submit (f->executor, "ignore-cancel", g_variant_new ("(t)", (guint64) 5000));
  jr_test_run_until (jr_test_future_started, busy, DONE_TIMEOUT_USEC, "a job to start");
  g_assert_true (jr_executor_remove_group (f->executor, "direct", &error));
  g_assert_no_error (error);

  add.executor = f->executor;
  add.launcher = other;
  g_signal_connect (busy, "notify::done", G_CALLBACK (add_group_on_done), &add);
  jr_future_cancel (busy);
  wait_done (busy);
  g_assert_cmpuint (add.calls, ==, 1);
  g_assert_cmpint (jr_future_get_state (busy), ==, JR_FUTURE_STATE_CANCELLED);
  wait_n_workers (f->executor, 0);
  /* Removed again, and added back, with the pool long gone. */
  g_assert_true (jr_executor_remove_group (f->executor, "other", &error));
  add_group (f, "direct", launcher, 1);
  g_clear_object (&busy);
  busy = submit (f->executor, "echo", NULL);
  wait_done (busy);
  jr_test_assert_completed (busy);
}

/* A job that waits to try again when its only group goes fails then,
 * saying why, instead of waiting for ever. */
static void
test_group_remove_retry (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (NULL);
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  g_autofree char *counter = g_build_filename (f->dir, "runs", NULL);
  g_autoptr(JrFuture) flaky = NULL;

  new_executor (f, 0);
  add_group (f, "direct", launcher, 1);
  jr_job_options_set_retries (options, 3, 300 * 1000);
  /* Fails once (asking to be tried again), then would complete. */
  flaky = jr_executor_submit_full (f->executor, "flaky", g_variant_new ("(su)", counter, 1),
                                   options, &error);
  g_assert_no_error (error);
  jr_test_run_until (jr_test_future_started, flaky, DONE_TIMEOUT_USEC, "a job to start");
  jr_test_run_until (file_exists, counter, DONE_TIMEOUT_USEC, "the first run");
  jr_test_run_for (100);
  g_assert_false (jr_future_get_done (flaky));
  g_assert_true (jr_executor_remove_group (f->executor, "direct", &error));
  wait_done (flaky);
  g_assert_error (jr_future_get_error (flaky), JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
}

/* worker-error's notify, inside jr_executor_remove_group(), already sees
 * the group gone; a handler that removes it once more is told it is not
 * there. */
typedef struct {
  gboolean listed;
  gboolean has_launcher;
  guint    calls;
  GError  *again;
} ErrorNotify;

static void
on_worker_error (JrExecutor *executor,
                 GParamSpec *pspec,
                 gpointer    data)
{
  ErrorNotify *seen = data;
  g_auto(GStrv) names = jr_executor_dup_group_names (executor);

  seen->calls++;
  seen->listed = g_strv_contains ((const char * const *) names, "failing");
  seen->has_launcher = jr_executor_get_group_launcher (executor, "failing") != NULL;
  g_assert_false (jr_executor_remove_group (executor, "failing", &seen->again));
}

static void
test_group_remove_error_notify (Fixture       *f,
                                gconstpointer  data)
{
  const char *command[] = { "sh", "-c", "exit 3", "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (command);
  g_autoptr(JrFuture) first = NULL;
  ErrorNotify seen = { FALSE, FALSE, 0, NULL };

  jr_test_allow_warnings ("No worker of group “failing”*");
  new_executor (f, 0);
  add_group (f, "failing", launcher, 1);
  first = submit (f->executor, "echo", NULL);
  wait_done (first);
  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the executor's worker-error");
  g_signal_connect (f->executor, "notify::worker-error", G_CALLBACK (on_worker_error), &seen);
  g_assert_true (jr_executor_remove_group (f->executor, "failing", NULL));
  g_signal_handlers_disconnect_by_data (f->executor, &seen);
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_false (seen.listed);
  g_assert_false (seen.has_launcher);
  g_assert_error (seen.again, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&seen.again);
  g_assert_null (jr_executor_get_worker_error (f->executor));
}

/* A removed group whose workers were still starting gives up for nobody:
 * worker-error stays empty. */
static void
test_group_remove_while_starting (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *starts = g_build_filename (f->dir, "starts", NULL);
  /* Each start says so in a file: counting children every few ms missed
   * one that lived 0.3 s on a loaded machine. */
  const char *command[] = { "sh", "-c", "echo start >> \"$1\"; sleep 0.3; exit 3", "sh", starts, NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (command);
  g_autoptr(JrFuture) job = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DONE_TIMEOUT_USEC;

  jr_test_allow_warnings ("No worker of group “failing”*");
  new_executor (f, 0);
  add_group (f, "failing", launcher, 1);
  /* Its third start, after two that failed: the one that gives up. (A
   * start is its command running: a worker counts in n-workers only
   * once it is up.) */
  for (;;)
    {
      g_autofree char *said = NULL;
      guint n_starts = 0;

      if (g_file_get_contents (starts, &said, NULL, NULL))
        for (const char *line = said; (line = strstr (line, "start\n")) != NULL; line++)
          n_starts++;
      if (n_starts >= 3)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      jr_test_run_for (5);
    }
  job = submit (f->executor, "echo", NULL);
  g_assert_true (jr_executor_remove_group (f->executor, "failing", &error));
  g_assert_no_error (error);
  wait_done (job);
  g_assert_error (jr_future_get_error (job), JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  jr_test_run_for (600);
  g_assert_null (jr_executor_get_worker_error (f->executor));
}

/* Jobs held ahead of time by the busy worker of a group that is replaced
 * run on the new group's workers; none fails in between. */
static void
test_group_replace_held (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) old = jr_launcher_new_command (NULL);
  g_autoptr(JrLauncher) replacement = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) busy = NULL;
  JrFuture *held[3];
  gint32 old_pid;

  new_executor (f, 0);
  add_group (f, "direct", old, 1);
  old_pid = running_worker_pid (f->executor);
  busy = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 300));
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = submit (f->executor, "whoami", NULL);
  jr_test_run_until (jr_test_future_started, busy, DONE_TIMEOUT_USEC, "a job to start");
  g_assert_true (jr_executor_remove_group (f->executor, "direct", &error));
  add_group (f, "direct", replacement, 2);

  wait_done (busy);
  jr_test_assert_completed (busy);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      g_assert_cmpint (worker_pid_of (held[i]), !=, old_pid);
      g_object_unref (held[i]);
    }
}

/* A group that gave up comes back when a job may need it (the job's
 * enqueue refills it); a handler of the worker-error that this clears
 * shuts the executor down, which ends the job: nothing may touch the job
 * after. Via a dependency, a retry and a submit. */
typedef struct {
  gboolean armed;
  gboolean shut;
} ShutOnClear;

static void
shut_down_on_clear (JrExecutor *executor,
                    GParamSpec *pspec,
                    gpointer    data)
{
  ShutOnClear *shut = data;

  if (shut->armed && jr_executor_get_worker_error (executor) == NULL)
    {
      shut->armed = FALSE;
      shut->shut = jr_executor_shutdown (executor, SHUTDOWN_USEC, NULL);
    }
}

/* An executor with a group "good" and a group "bad" (whose launcher
 * fails, and which takes jobs that read paths) that has given up. */
static void
new_executor_with_failed_group (Fixture *f)
{
  const char *command[] = { "sh", "-c", "exit 3", "sh", NULL };
  g_autoptr(JrLauncher) bad = jr_launcher_new_command (command);
  g_autoptr(JrLauncher) good = jr_launcher_new_command (NULL);

  jr_test_allow_warnings ("No worker of group “bad”*");
  jr_launcher_set_shared_paths (bad, TRUE);
  new_executor (f, 0);
  add_group (f, "good", good, 1);
  add_group (f, "bad", bad, 1);
  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the group to give up");
}

static void
test_shutdown_in_refill_dependency (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) first = NULL;
  g_autoptr(JrFuture) after = NULL;
  ShutOnClear shut = { FALSE, FALSE };

  new_executor_with_failed_group (f);
  first = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 300));
  jr_test_run_until (jr_test_future_started, first, DONE_TIMEOUT_USEC, "a job to start");
  jr_job_options_add_dependency (options, first);
  after = jr_executor_submit_full (f->executor, "echo", NULL, options, &error);
  g_assert_no_error (error);
  g_assert_true (jr_executor_remove_group (f->executor, "good", &error));
  g_signal_connect (f->executor, "notify::worker-error", G_CALLBACK (shut_down_on_clear), &shut);
  shut.armed = TRUE;
  wait_done (after);
  g_signal_handlers_disconnect_by_data (f->executor, &shut);
  g_assert_true (shut.shut);
  g_assert_cmpint (jr_future_get_state (first), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpint (jr_future_get_state (after), ==, JR_FUTURE_STATE_CANCELLED);
}

static void
test_shutdown_in_refill_retry (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  g_autofree char *counter = g_build_filename (f->dir, "runs", NULL);
  g_autoptr(JrFuture) flaky = NULL;
  ShutOnClear shut = { FALSE, FALSE };

  new_executor_with_failed_group (f);
  jr_job_options_set_retries (options, 3, 300 * 1000);
  flaky = jr_executor_submit_full (f->executor, "flaky", g_variant_new ("(su)", counter, 1),
                                   options, &error);
  g_assert_no_error (error);
  jr_test_run_until (file_exists, counter, DONE_TIMEOUT_USEC, "the first run");
  jr_test_run_for (100);
  g_assert_false (jr_future_get_done (flaky));
  g_assert_true (jr_executor_remove_group (f->executor, "good", &error));
  g_signal_connect (f->executor, "notify::worker-error", G_CALLBACK (shut_down_on_clear), &shut);
  shut.armed = TRUE;
  wait_done (flaky);
  g_signal_handlers_disconnect_by_data (f->executor, &shut);
  g_assert_true (shut.shut);
  g_assert_cmpint (jr_future_get_state (flaky), ==, JR_FUTURE_STATE_CANCELLED);
}

static void
test_shutdown_in_refill_submit (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = NULL;
  ShutOnClear shut = { FALSE, FALSE };

  new_executor_with_failed_group (f);
  g_assert_true (jr_executor_remove_group (f->executor, "good", &error));
  /* Past its window of restarts: the next one starts at once. */
  jr_test_run_for (1100);
  g_signal_connect (f->executor, "notify::worker-error", G_CALLBACK (shut_down_on_clear), &shut);
  shut.armed = TRUE;
  /* Only "bad" may run it: it tries again. */
  future = submit (f->executor, "file-size", g_variant_new ("(s)", "/etc/hostname"));
  g_assert_nonnull (future);
  g_signal_handlers_disconnect_by_data (f->executor, &shut);
  g_assert_true (shut.shut);
  wait_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
}

/* ---- a launcher that cannot start ---- */

typedef struct {
  const char *name;
  const char *command[6];
  const char *expect;
} Failing;

static const Failing failing[] = {
  { "exits", { "sh", "-c", "echo refused by the test >&2; exit 3", "sh", NULL },
    "“sh” exited with status 3, saying: refused by the test" },
  { "no-such-command", { "/nonexistent/launcher", NULL }, "/nonexistent/launcher" },
  /* A login banner on standard output before the worker: its stream is
   * closed as corrupt (with a warning) while the command runs on. */
  { "banner", { "sh", "-c", "echo Welcome to the cluster; sleep 0.5; exit 1", "sh", NULL },
    "did something print on standard output before the worker, such as a login banner?" },
  /* The same, the command still there past the start timeout: the cut
   * stream says why, not the timeout (under load the 0.5 s above did so). */
  { "banner-lingers", { "sh", "-c", "echo Welcome to the cluster; sleep 3; exit 1", "sh", NULL },
    "did something print on standard output before the worker, such as a login banner?" },
  { "never-ready", { "sh", "-c", "exec sleep 600", "sh", NULL },
    "did not start within 1 s: “sh” was still running, and no worker had spoken through it" },
  /* What it says goes into a message, which is UTF-8: from another
   * locale, and cut where it is too long. */
  { "latin1", { "sh", "-c", "printf 'refus\\351 par le test\\n' >&2; exit 3", "sh", NULL },
    "“sh” exited with status 3, saying: refus\xef\xbf\xbd par le test" },
  { "long-line", { "sh", "-c", "i=0; while [ $i -lt 400 ]; do printf '\\342\\202\\254' >&2; "
                   "i=$((i + 1)); done; exit 3", "sh", NULL },
    "“sh” exited with status 3, saying: \xe2\x82\xac\xe2\x82\xac" },
};

/* It tries 3 times, says why on the future and the executor, and stops
 * trying; a new job makes it try again, as often. */
static void
test_cannot_start (Fixture       *f,
                   gconstpointer  data)
{
  const Failing *how = data;
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (how->command);
  g_autoptr(JrFuture) first = NULL;
  g_autoptr(JrFuture) second = NULL;
  const GError *error;

  jr_launcher_set_start_timeout (launcher, G_USEC_PER_SEC);
  jr_test_allow_warnings ("No worker of group “failing”*");
  jr_test_allow_warnings ("Worker queue *: closed after a corrupt frame*");
  new_executor (f, 0);
  add_group (f, "failing", launcher, 1);
  first = submit (f->executor, "echo", NULL);
  wait_done (first);
  g_assert_cmpint (jr_future_get_state (first), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (first);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "group “failing”"));
  g_assert_nonnull (strstr (error->message, "3 tries"));
  g_assert_nonnull (strstr (error->message, how->expect));
  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the executor's worker-error");

  /* No loop. */
  jr_test_run_for (1000);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);

  second = submit (f->executor, "echo", NULL);
  wait_done (second);
  g_assert_error (jr_future_get_error (second), JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);

  /* The user gives up on the group too: its error goes with it. */
  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the executor's worker-error");
  g_assert_true (jr_executor_remove_group (f->executor, "failing", NULL));
  g_assert_null (jr_executor_get_worker_error (f->executor));
}

/* Each new job after the group gave up makes it try again with the same
 * pauses as the first time: its tries in a row do not count across give-
 * ups (before, each round waited longer, up to 30 s between tries, and a
 * third job waited 50 s to fail). The command notes when each try came. */
static void
test_cannot_start_same_pauses (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *tries_path = g_build_filename (f->dir, "tries", NULL);
  g_autofree char *script = g_strdup_printf ("date +%%s%%N >> '%s'; exit 3", tries_path);
  const char *command[] = { "sh", "-c", script, "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (command);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 first_round_max = 0;

  jr_test_allow_warnings ("No worker of group “failing”*");
  new_executor (f, 0);
  add_group (f, "failing", launcher, 1);
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(JrFuture) job = submit (f->executor, "echo", NULL);

      wait_done (job);
      g_assert_error (jr_future_get_error (job), JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
      jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the group to give up");
    }

  g_assert_true (g_file_get_contents (tries_path, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 9);
  for (guint round = 0; round < 3; round++)
    for (guint i = 1; i < 3; i++)
      {
        gint64 gap = (g_ascii_strtoll (lines[3 * round + i], NULL, 10) -
                      g_ascii_strtoll (lines[3 * round + i - 1], NULL, 10)) / 1000000;

        g_test_message ("round %u, pause %u: %" G_GINT64_FORMAT " ms", round + 1, i, gap);
        if (round == 0)
          first_round_max = MAX (first_round_max, gap);
        else
          g_assert_cmpint (gap, <=, 2 * first_round_max + 500);
      }
}

/* ---- connections lost ---- */

/* Through a command (`env`, which becomes the worker), a worker that goes
 * away fails its running job with JR_JOB_ERROR_WORKER_LOST naming the
 * group and what its command said; the job it held runs on the next
 * worker. */
static void
test_connection_lost (Fixture       *f,
                      gconstpointer  data)
{
  const char *command[] = { "env", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (command);
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(JrFuture) held = NULL;
  g_autoptr(JrFuture) waiting = NULL;
  const GError *error;
  int pid;

  new_executor (f, 0);
  add_group (f, "through-env", launcher, 1);
  pid = running_worker_pid (f->executor);
  running = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 600000));
  held = submit (f->executor, "echo", g_variant_new ("(u)", 1u));
  waiting = submit (f->executor, "echo", g_variant_new ("(u)", 2u));
  jr_test_run_until (jr_test_future_started, running, DONE_TIMEOUT_USEC, "a job to start");

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  wait_done (running);
  error = jr_future_get_error (running);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_WORKER_LOST);
  g_assert_nonnull (strstr (error->message, "group “through-env”"));
  g_assert_nonnull (strstr (error->message, "killed by SIGKILL"));

  wait_done (held);
  wait_done (waiting);
  jr_test_assert_completed (held);
  jr_test_assert_completed (waiting);
  g_assert_cmpint (running_worker_pid (f->executor), !=, pid);
}

/* ---- a stream worker on its own ---- */

/* A job that prints on standard output or reads standard input touches
 * neither of the worker's streams. */
static void
test_stdio_moved (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) print = NULL;
  g_autoptr(JrFuture) read = NULL;
  g_autoptr(JrFuture) after = NULL;

  new_executor (f, 0);
  add_group (f, "direct", direct, 1);
  /* A whole frame's worth of bytes that would break the stream. */
  print = submit (f->executor, "print", g_variant_new ("(s)", "JRJRJRJRJRJRJRJRJRJRJRJR\n"));
  read = submit (f->executor, "read-stdin", NULL);
  after = submit (f->executor, "echo", g_variant_new ("(s)", "fine"));
  wait_done (print);
  wait_done (read);
  wait_done (after);
  jr_test_assert_completed (print);
  jr_test_assert_completed (read);
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (read)), ==, 0);
  jr_test_assert_completed (after);
}

static void
write_request (int                 fd,
               JrWorkerRequestKind kind,
               guint64             job_id,
               const char         *name,
               GVariant           *args)
{
  gsize size;
  g_autofree guint8 *frame = jr_worker_request_encode (kind, job_id, name, args, &size);

  g_assert_cmpint (write (fd, frame, size), ==, (gssize) size);
}

static gboolean
child_exited (gpointer data)
{
  return *(gboolean *) data;
}

/* A request the worker drops from its header alone (a type no request
 * has), written in two parts: the worker must drop the rest of it as it
 * comes, and read the requests after it. */
static void
write_bad_request_in_parts (int fd)
{
  gsize type_size = strlen ("zz") + 1;
  gsize size = jr_frame_size_for (type_size, 100);
  gsize head = jr_frame_data_offset (type_size);
  g_autofree guint8 *frame = g_malloc0 (size);

  jr_frame_write_header (frame, 1, "zz", 100);
  g_assert_cmpint (write (fd, frame, head), ==, (gssize) head);
  g_usleep (100 * 1000);
  g_assert_cmpint (write (fd, frame + head, size - head), ==, (gssize) (size - head));
}

/* The end of a stream worker's input is the end of its executor: it kills
 * its jobs' processes and exits at once, without a QUIT. With @data, a
 * request it must drop comes first. */
static void
test_input_ends (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) spawner = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) worker = NULL;
  g_autofree char *marker = g_strdup_printf (JR_STREAM_WORKER_ARG "%u", JR_STREAM_PROTOCOL_VERSION);
  g_autofree char *pid_file = g_build_filename (f->dir, "sleeper", NULL);
  g_autofree char *contents = NULL;
  GVariantDict setup;
  gboolean exited = FALSE;
  int in_pair[2], out_pair[2];
  int sleeper;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair), ==, 0);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out_pair), ==, 0);
  g_subprocess_launcher_take_stdin_fd (spawner, in_pair[1]);
  g_subprocess_launcher_take_stdout_fd (spawner, out_pair[1]);
  worker = g_subprocess_launcher_spawn (spawner, &error, self_exe, marker, NULL);
  g_assert_no_error (error);
  g_clear_object (&spawner);

  g_variant_dict_init (&setup, NULL);
  g_variant_dict_insert (&setup, "version", "u", (guint32) JR_STREAM_PROTOCOL_VERSION);
  g_variant_dict_insert (&setup, "pipe", "t", (guint64) 7);
  write_request (in_pair[0], JR_WORKER_REQUEST_HELLO, 0, NULL, g_variant_dict_end (&setup));
  if (data != NULL)
    write_bad_request_in_parts (in_pair[0]);
  write_request (in_pair[0], JR_WORKER_REQUEST_RUN, 1, "spawn-sleeper",
                 g_variant_new ("(s)", pid_file));
  for (int i = 0; i < 5000 && !g_file_get_contents (pid_file, &contents, NULL, NULL); i++)
    g_usleep (1000);
  g_assert_nonnull (contents);
  sleeper = atoi (contents);
  g_assert_cmpint (sleeper, >, 0);

  /* The executor is gone. */
  close (in_pair[0]);
  g_subprocess_wait_async (worker, NULL, jr_test_on_subprocess_exited, &exited);
  jr_test_run_until (child_exited, &exited, DONE_TIMEOUT_USEC, "the worker to exit");
  g_assert_false (g_subprocess_get_if_exited (worker) && g_subprocess_get_exit_status (worker) == 0);
  for (int i = 0; i < 5000 && !jr_test_process_is_gone (sleeper); i++)
    g_usleep (1000);
  g_assert_true (jr_test_process_is_gone (sleeper));
  close (out_pair[0]);
}

/* A worker of another protocol version refuses, saying so on stderr. */
static void
test_version_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = g_strdup_printf (JR_STREAM_WORKER_ARG "%u", JR_STREAM_PROTOCOL_VERSION + 1);
  const char *argv[] = { self_exe, marker, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "protocol version"));
  g_assert_cmpstr (out, ==, "");
}


/* ---- what a stream worker says of itself ---- */

/* A stream worker that lies: it reads its HELLO as a real one does, then,
 * by @mode, sends a READY whose "host" is crafted ("host-lines": lines
 * and control characters, "host-huge": 1 MiB, "host-blank": control
 * characters only) and runs every job as "echo" does; or ("fatal-huge")
 * sends a FATAL whose reason is 1 MiB of lines, and exits. */
static const char *
fake_host (const char *mode)
{
  static char *huge;

  if (g_str_equal (mode, "host-lines"))
    return "node1\nFailed: job 7 on node2\r\033[2J\t";
  if (g_str_equal (mode, "host-blank"))
    return "\n\t\r\033";
  if (g_str_equal (mode, "host-huge"))
    {
      if (huge == NULL)
        {
          /* "é" is two bytes: a cut at 255 must not split one. */
          GString *text = g_string_new (NULL);

          while (text->len < 1024 * 1024)
            g_string_append (text, "é");
          huge = g_string_free (text, FALSE);
        }
      return huge;
    }
  return NULL;
}

#define FAKE_REASON_START "cannot start here\nFailed: a line it forged"

static char *
fake_reason (void)
{
  GString *reason = g_string_new (FAKE_REASON_START);

  while (reason->len < 1024 * 1024)
    g_string_append (reason, "\nmore reasons, ");
  return g_string_free (reason, FALSE);
}

static void G_GNUC_NORETURN
fake_fail (const char   *what,
           const GError *error)
{
  g_printerr ("fake stream worker: %s: %s\n", what, error != NULL ? error->message : "failed");
  _exit (1);
}

/* The next request on standard input, read into @buffer; FALSE at its
 * end. */
static gboolean
fake_read_request (GByteArray      *buffer,
                   JrWorkerRequest *request)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gsize frame_size = 0, old = buffer->len;
      JrFrameStatus status = jr_worker_request_decode (buffer->data, buffer->len, request,
                                                       &frame_size, &error);
      ssize_t n;

      if (status == JR_FRAME_OK)
        {
          g_byte_array_remove_range (buffer, 0, (guint) frame_size);
          return TRUE;
        }
      if (status == JR_FRAME_SKIP)
        {
          g_byte_array_remove_range (buffer, 0, (guint) frame_size);
          continue;
        }
      if (status != JR_FRAME_NEED_MORE)
        fake_fail ("a request", error);
      g_byte_array_set_size (buffer, old + 4096);
      n = read (STDIN_FILENO, buffer->data + old, 4096);
      g_byte_array_set_size (buffer, old + (n > 0 ? (gsize) n : 0));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
    }
}

static int
fake_stream_worker (const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autoptr(JrSender) sender = NULL;
  JrWorkerRequest request;
  guint64 pipe_id = 0;
  int out_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);

  /* The stream on a descriptor of its own, standard output on standard
   * error, as a real stream worker has them. */
  if (out_fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    fake_fail ("moving the stream", NULL);
  if (!jr_channel_set_parent_stream (out_fd, NULL, NULL, &error))
    fake_fail ("the stream", error);

  if (!fake_read_request (buffer, &request) || request.kind != JR_WORKER_REQUEST_HELLO ||
      request.args == NULL || !g_variant_lookup (request.args, "pipe", "t", &pipe_id))
    fake_fail ("no HELLO", NULL);
  jr_worker_request_clear (&request);
  sender = jr_sender_new_for_parent (pipe_id, &error);
  if (sender == NULL || !jr_sender_start (sender, &error))
    fake_fail ("its pipe", error);

  if (g_str_equal (mode, "fatal-huge"))
    {
      g_autofree char *reason = fake_reason ();

      if (!jr_job_message_send_value (sender, 0, JR_JOB_MSG_FATAL, g_variant_new_string (reason),
                                      &error) ||
          !jr_channel_flush (jr_channel_get_for_parent (NULL), &error))
        fake_fail ("FATAL", error);
      return 3;
    }
  else
    {
      GVariantDict info;

      if (fake_host (mode) == NULL)
        fake_fail ("no such mode", NULL);
      g_variant_dict_init (&info, NULL);
      g_variant_dict_insert (&info, "host", "s", fake_host (mode));
      g_variant_dict_insert (&info, "pid", "i", (gint32) getpid ());
      if (!jr_job_message_send_value (sender, 0, JR_JOB_MSG_READY, g_variant_dict_end (&info),
                                      &error))
        fake_fail ("READY", error);
    }

  while (fake_read_request (buffer, &request))
    {
      JrWorkerRequestKind kind = request.kind;

      if (kind == JR_WORKER_REQUEST_RUN &&
          (!jr_job_message_send_tag (sender, request.job_id, JR_JOB_MSG_STARTED, &error) ||
           !jr_job_message_send_value (sender, request.job_id, JR_JOB_MSG_RESULT,
                                       request.args != NULL ? request.args
                                                            : g_variant_new ("()"),
                                       &error)))
        fake_fail ("a job's messages", error);
      jr_worker_request_clear (&request);
      if (kind == JR_WORKER_REQUEST_QUIT)
        break;
    }
  if (!jr_channel_flush (jr_channel_get_for_parent (NULL), &error))
    fake_fail ("flushing", error);
  return 0;
}

static JrLauncher *
new_fake_launcher (const char *mode)
{
  const char *command[] = { self_exe, FAKE_WORKER_ARG, mode, NULL };

  return jr_launcher_new_command (command);
}

static void
assert_one_line (const char *text,
                 gsize       max)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), <=, max);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    if (g_unichar_iscntrl (g_utf8_get_char (c)))
      g_error ("a control character (U+%04X) at byte %d of “%s”", g_utf8_get_char (c),
               (int) (c - text), text);
}

/* The host a stream worker reports in its READY is one line of at most
 * 255 bytes of valid UTF-8 with no control characters (as spaces), or,
 * with nothing printable, this machine's name: it ends up in labels and
 * messages, where a hostile worker must not forge lines or put megabytes. */
static void
test_stream_host (Fixture       *f,
                  gconstpointer  data)
{
  const char *mode = data;
  g_autoptr(JrLauncher) fake = new_fake_launcher (mode);
  g_autoptr(JrFuture) future = NULL;
  const char *host;

  new_executor (f, 0);
  add_group (f, "fake", fake, 1);
  future = submit (f->executor, "echo", g_variant_new ("(u)", 7u));
  wait_done (future);
  jr_test_assert_completed (future);
  host = jr_future_get_worker_host (future);
  g_test_message ("host: “%.300s” (%zu bytes)", host, host != NULL ? strlen (host) : 0);
  assert_one_line (host, HOST_MAX);

  if (g_str_equal (mode, "host-lines"))
    g_assert_cmpstr (host, ==, "node1 Failed: job 7 on node2  [2J");
  else if (g_str_equal (mode, "host-blank"))
    g_assert_cmpstr (host, ==, g_get_host_name ());
  else
    {
      /* The most whole characters that fit. */
      g_assert_cmpuint (strlen (host), ==, HOST_MAX - 1);
      g_assert_true (g_str_has_prefix (fake_host (mode), host));
    }
}

/* The reason a stream worker gives for not starting (FATAL) ends up cut
 * to about 1 KiB, one line, in the job's error and the executor's. */
static void
test_stream_fatal_reason (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JrLauncher) fake = new_fake_launcher ("fatal-huge");
  g_autoptr(JrFuture) future = NULL;
  g_autofree char *reason = fake_reason ();
  g_autofree char *expected = g_strdelimit (g_strndup (FAKE_REASON_START, strlen (FAKE_REASON_START)),
                                            "\n", ' ');
  const GError *error;

  jr_test_allow_warnings ("No worker of group “fake”*");
  new_executor (f, 0);
  add_group (f, "fake", fake, 1);
  future = submit (f->executor, "echo", NULL);
  wait_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (future);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_test_message ("%.1200s (%zu bytes)", error->message, strlen (error->message));
  /* Its reason, the rest of the message around it. */
  g_assert_nonnull (strstr (error->message, expected));
  assert_one_line (error->message, REASON_MAX + 512);

  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the executor's worker-error");
  error = jr_executor_get_worker_error (f->executor);
  g_assert_nonnull (strstr (error->message, expected));
  assert_one_line (error->message, REASON_MAX + 512);
}

/* ---- what a stream worker prints on its standard error ---- */

/* Inside the subprocess of a flood test: how long a step may take at
 * most ("did not hang" bounds). */
#define FLOOD_STEP_USEC    ((gint64) 30 * G_USEC_PER_SEC)

static gboolean
tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

typedef struct {
  guint *count;
  guint  at_least;
} Count;

static gboolean
count_reached (gpointer data)
{
  Count *count = data;

  return *count->count >= count->at_least;
}

/* Points our standard error at @path (a new file), or at /dev/null; gives
 * back what it was, for stderr_restore(). */
static int
stderr_redirect (const char *path)
{
  int saved = dup (STDERR_FILENO);
  int fd = path != NULL ? open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                        : open ("/dev/null", O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (saved, >=, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (dup2 (fd, STDERR_FILENO), ==, STDERR_FILENO);
  close (fd);
  return saved;
}

static void
stderr_restore (int saved)
{
  g_assert_cmpint (dup2 (saved, STDERR_FILENO), ==, STDERR_FILENO);
  close (saved);
}

/* A job of a stream worker floods its standard error without end (and
 * its pipe holds 1 MiB, so a reader slower than it never finds it empty).
 * Our standard error meanwhile goes to /dev/null: before the fix, every
 * line was echoed there. With @jobs, jobs on the group's other worker
 * must complete while it floods; without, a timeout on the main context
 * must fire again and again. Then the flood is cancelled. */
static void
flood_in_subprocess (Fixture  *f,
                     gboolean  jobs)
{
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) flood = NULL;
  g_autoptr(GSource) ticker = NULL;
  g_autofree char *marker = g_build_filename (f->dir, "flooding", NULL);
  guint ticks = 0;
  Count twenty_ticks = { &ticks, 20 };
  int saved_stderr = stderr_redirect (NULL);

  new_executor (f, 0);
  add_group (f, "flood", direct, 2);
  wait_n_workers (f->executor, 2);
  flood = submit (f->executor, "flood-stderr", g_variant_new ("(ts)", (guint64) 0, marker));
  /* Seen through the file system: the router's messages may wait. */
  jr_test_run_until (file_exists, marker, FLOOD_STEP_USEC, "the flood to start");

  if (jobs)
    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(JrFuture) echo = submit (f->executor, "echo", g_variant_new ("(u)", i));

        jr_test_run_until_done (echo, FLOOD_STEP_USEC);
        jr_test_assert_completed (echo);
      }
  else
    {
      ticker = g_timeout_source_new (10);
      g_source_set_callback (ticker, tick, &ticks, NULL);
      g_source_attach (ticker, NULL);
      jr_test_run_until (count_reached, &twenty_ticks, FLOOD_STEP_USEC, "20 ticks of a timeout");
      g_source_destroy (ticker);
    }
  /* All that time it flooded: it ends only when cancelled. */
  g_assert_false (jr_future_get_done (flood));

  g_assert_true (jr_future_cancel (flood));
  jr_test_run_until_done (flood, FLOOD_STEP_USEC);
  g_assert_cmpint (jr_future_get_state (flood), ==, JR_FUTURE_STATE_CANCELLED);

  stderr_restore (saved_stderr);
}

/* A stream worker's job that floods its standard error without end does
 * not hold the thread of the executor's main context: the router reads at
 * most 64 KiB of it per dispatch, and a timeout there fires again and
 * again meanwhile. Before the fix it read until the pipe was empty, which
 * it never is: the test, in a subprocess, would hang. */
static void
test_stderr_flood_timeouts (Fixture       *f,
                            gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      flood_in_subprocess (f, FALSE);
      return;
    }
  g_test_trap_subprocess (NULL, TRAP_USEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The same, and jobs of the group's other worker complete meanwhile: the
 * stderr watch is below the router's messages (a pipe that never empties
 * kept them waiting 20 s when it was above). */
static void
test_stderr_flood_jobs (Fixture       *f,
                        gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      flood_in_subprocess (f, TRUE);
      return;
    }
  g_test_trap_subprocess (NULL, TRAP_USEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static guint64
count_lines_echoed (const char *text,
                    const char *group,
                    const char *line,
                    guint64    *not_shown,
                    guint      *not_shown_lines)
{
  g_autofree char *prefix = g_strdup_printf ("jobrouter worker (%s): ", group);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint64 echoed = 0;

  *not_shown = 0;
  *not_shown_lines = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *rest;
      guint64 n;
      char *end;

      if (!g_str_has_prefix (lines[i], prefix))
        continue;
      rest = lines[i] + strlen (prefix);
      if (g_str_equal (rest, line))
        {
          echoed++;
          continue;
        }
      n = g_ascii_strtoull (rest, &end, 10);
      if (end != rest && (g_str_equal (end, " more lines not shown") ||
                          g_str_equal (end, " more line not shown")))
        {
          *not_shown += n;
          (*not_shown_lines)++;
        }
    }
  return echoed;
}

/* Runs a "flood-stderr" job of @lines lines on a stream worker started
 * without a command, in group @group, our standard error into a file, and
 * counts what was echoed (returned) and said to be not shown. With
 * @ready_late, the router's messages are dispatched after everything else
 * and nothing is dispatched while the worker starts and runs the job: its
 * READY and what the job printed wait together. */
static guint64
flood_stderr (Fixture    *f,
              const char *group,
              guint64     lines,
              gboolean    ready_late,
              guint64    *not_shown,
              guint      *not_shown_lines,
              gint64     *elapsed)
{
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) flood = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "stderr", NULL);
  g_autofree char *echoed_text = NULL;
  gint64 start = g_get_monotonic_time ();
  guint64 echoed;
  int saved_stderr;

  saved_stderr = stderr_redirect (path);
  new_executor (f, 0);
  if (ready_late)
    g_object_set (jr_executor_get_router (f->executor), "priority", G_PRIORITY_LOW + 100, NULL);
  add_group (f, group, direct, 1);
  flood = submit (f->executor, "flood-stderr", g_variant_new ("(ts)", lines, ""));
  if (ready_late)
    g_usleep (G_USEC_PER_SEC / 2);
  wait_done (flood);
  /* Its end is the end of its standard error: all of it read. */
  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
  g_clear_object (&f->executor);
  *elapsed = g_get_monotonic_time () - start;
  stderr_restore (saved_stderr);

  jr_test_assert_completed (flood);
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (flood)), ==, lines);
  g_assert_true (g_file_get_contents (path, &echoed_text, NULL, &error));
  g_assert_no_error (error);
  echoed = count_lines_echoed (echoed_text, group, "x", not_shown, not_shown_lines);
  g_test_message ("%" G_GUINT64_FORMAT " lines echoed, %" G_GUINT64_FORMAT " counted in %u "
                  "lines, in %.1f s", echoed, *not_shown, *not_shown_lines,
                  *elapsed / (double) G_USEC_PER_SEC);
  return echoed;
}

/* What a stream worker's job prints on standard error is echoed on ours,
 * at most 50 lines a second, and then how many were not shown: every
 * line is either shown or counted. Before, every line was echoed. */
static void
test_stderr_flood_echo (Fixture       *f,
                        gconstpointer  data)
{
  const guint64 lines = 20000;
  guint64 echoed, not_shown, windows;
  guint not_shown_lines;
  gint64 elapsed;

  echoed = flood_stderr (f, "flood", lines, FALSE, &not_shown, &not_shown_lines, &elapsed);
  /* The limit holds per second from a line's arrival: as many seconds as
   * the test took, and one begun. */
  windows = (guint64) (elapsed / G_USEC_PER_SEC) + 2;
  g_assert_cmpuint (echoed, >=, 1);
  g_assert_cmpuint (echoed, <=, ECHO_PER_SECOND * windows);
  g_assert_cmpuint (not_shown_lines, >=, 1);
  g_assert_cmpuint (echoed + not_shown, ==, lines);
}

/* A worker started without a command takes its first job from its input
 * at once, so what the job prints may be read before the worker's READY is
 * dispatched. It is still the job's, echoed and counted as such: it was
 * taken for what a starting worker says (each distinct line shown once,
 * the rest neither shown nor counted), which happened in CI under load.
 * The router's dispatch after our standard error's watch does what the
 * load did by chance. */
static void
test_stderr_before_ready (Fixture       *f,
                          gconstpointer  data)
{
  const guint64 lines = 200;
  guint64 echoed, not_shown;
  guint not_shown_lines;
  gint64 elapsed;

  echoed = flood_stderr (f, "early", lines, TRUE, &not_shown, &not_shown_lines, &elapsed);
  g_assert_cmpuint (echoed, ==, ECHO_PER_SECOND);
  g_assert_cmpuint (echoed + not_shown, ==, lines);
}

static gboolean
file_has_line (gpointer data)
{
  const char *const *wanted = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (wanted[0], &text, NULL, NULL) && strstr (text, wanted[1]) != NULL;
}

/* A command still starting when the executor stops gets SIGTERM, and
 * srun then says "STEP … CANCELLED" and "task 0: Killed". What it said
 * before is echoed on our standard error; what it says about our signal
 * is not: after a run that went well it read as an error. */
static void
test_stderr_after_stop (Fixture       *f,
                        gconstpointer  data)
{
  const char *script =
    "trap 'echo \"srun: error: task 0: Killed\" >&2; exit 143' TERM\n"
    "echo 'srun: job queued and waiting for resources' >&2\n"
    "while :; do sleep 0.05; done\n";
  const char *argv[] = { "/bin/sh", "-c", script, "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (argv);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "stderr", NULL);
  g_autofree char *text = NULL;
  const char *queued[] = { path, "jobrouter worker (queued): srun: job queued", NULL };
  int saved_stderr = stderr_redirect (path);

  new_executor (f, 0);
  add_group (f, "queued", launcher, 1);
  jr_test_run_until (file_has_line, queued, DONE_TIMEOUT_USEC, "the command's first line");
  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
  g_clear_object (&f->executor);

  stderr_restore (saved_stderr);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("our standard error: %s", text);
  g_assert_nonnull (strstr (text, "srun: job queued"));
  g_assert_null (strstr (text, "Killed"));
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
}

/* A command that ends while something it started holds its stream open
 * (a wrapper script's background process): the stop ends it, SIGTERM then
 * SIGKILL, and then takes its worker for gone rather than wait for the
 * stream to end (before, it waited for as long as that process lived). */
static void
test_stream_held_open (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *pid_path = g_build_filename (f->dir, "holder.pid", NULL);
  g_autofree char *script = g_strdup_printf ("sleep 600 & echo $! > '%s'; wait", pid_path);
  const char *argv[] = { "/bin/sh", "-c", script, "sh", NULL };
  g_autoptr(JrLauncher) launcher = jr_launcher_new_command (argv);
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_text = NULL;
  const char *written[] = { pid_path, "\n", NULL };
  gboolean stopped;

  new_executor (f, 0);
  add_group (f, "held", launcher, 1);
  jr_test_run_until (file_has_line, written, DONE_TIMEOUT_USEC, "the holder's pid");
  stopped = jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error);

  /* Our own mess first: the holder. */
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  kill ((pid_t) g_ascii_strtoll (pid_text, NULL, 10), SIGKILL);
  g_assert_no_error (error);
  g_assert_true (stopped);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
}

/* ---- how long a worker may take to start ---- */

/* A worker that said READY in time is not ended as late because this
 * thread was busy past its start timeout: the READY waiting among the
 * router's messages is heard first (the timer, at a higher priority than
 * the router's dispatch, ran before it). */
static void
test_start_timeout_ready_waiting (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(JrLauncher) direct = jr_launcher_new_command (NULL);
  g_autoptr(JrFuture) job = NULL;
  g_autoptr(GError) error = NULL;

  jr_launcher_set_start_timeout (direct, G_USEC_PER_SEC);
  new_executor (f, 0);
  add_group (f, "direct", direct, 1);
  job = submit (f->executor, "sleep", g_variant_new ("(t)", (guint64) 2000));
  /* Its READY comes within 1 s; this thread is busy for 1.5 s. */
  g_usleep (1500 * 1000);
  wait_done (job);
  jr_test_assert_completed (job);
  g_assert_null (jr_executor_get_worker_error (f->executor));
  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
}

/* A start timeout of G_MAXINT64 µs is "no limit", and one past 2^32 ms is
 * long too: the group's worker is not ended as late at once, and its job
 * runs, for a local launcher as for a command (before, the ms were cast
 * to a guint for local workers, and 2^32 + 1 ms became 1 ms). Each group
 * alone in its executor, so that its job runs there or nowhere. */
static void
test_start_timeout_long (Fixture       *f,
                         gconstpointer  data)
{
  const gint64 timeouts[] = { G_MAXINT64, ((gint64) G_MAXUINT + 2) * 1000 };

  for (guint local = 0; local < 2; local++)
    for (guint t = 0; t < G_N_ELEMENTS (timeouts); t++)
      {
        g_autoptr(JrLauncher) launcher = local ? jr_launcher_new_local ()
                                               : jr_launcher_new_command (NULL);
        g_autoptr(JrFuture) future = NULL;
        g_autoptr(GError) error = NULL;

        g_test_message ("%s launcher, start timeout %" G_GINT64_FORMAT " µs",
                        local ? "local" : "command", timeouts[t]);
        jr_launcher_set_start_timeout (launcher, timeouts[t]);
        g_assert_cmpint (jr_launcher_get_start_timeout (launcher), ==, timeouts[t]);
        new_executor (f, 0);
        add_group (f, "patient", launcher, 1);
        future = submit (f->executor, "whoami", NULL);
        wait_done (future);
        jr_test_assert_completed (future);
        g_assert_cmpstr (jr_future_get_worker_group (future), ==, "patient");
        g_assert_null (jr_executor_get_worker_error (f->executor));

        g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
        g_assert_no_error (error);
        g_clear_object (&f->executor);
      }
}

int
main (int    argc,
      char **argv)
{
  executor_test_jobs_register ();
  /* A stream worker that lies, started by the tests below. */
  if (argc >= 3 && g_str_equal (argv[1], FAKE_WORKER_ARG))
    return fake_stream_worker (argv[2]);
  jr_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  jr_test_init (&argc, &argv);
  jr_test_warm_child_watch ();

#define ADD(path, func) \
  g_test_add ("/launcher/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  g_test_add_func ("/launcher/kinds", test_launcher_kinds);
  ADD ("groups/shutdown-while-starting", test_shutdown_while_starting);
  ADD ("groups/starting-takes-no-job", test_starting_takes_no_job);
  g_test_add ("/launcher/groups/shrunk-while-starting", Fixture, "resize", fixture_setup,
              test_shrunk_while_starting, fixture_teardown);
  g_test_add ("/launcher/groups/removed-while-starting", Fixture, "remove", fixture_setup,
              test_shrunk_while_starting, fixture_teardown);
  ADD ("groups/gave-up-with-one-live", test_gave_up_with_one_live);
  g_test_add_func ("/launcher/ssh-destination", test_launcher_ssh_destination);
  g_test_add_func ("/launcher/worker-arguments", test_worker_arguments);
  ADD ("placement/by-paths", test_placement);
  ADD ("placement/refused", test_placement_refused);
  ADD ("placement/no-workers", test_placement_no_workers);
  ADD ("groups/errors", test_group_errors);
  ADD ("groups/resize", test_group_resize);
  ADD ("groups/grow-back", test_group_grow_back);
  ADD ("groups/remove", test_group_remove);
  ADD ("groups/remove/in-handler", test_group_remove_in_handler);
  ADD ("groups/remove/retry", test_group_remove_retry);
  ADD ("groups/remove/error-notify", test_group_remove_error_notify);
  ADD ("groups/remove/while-starting", test_group_remove_while_starting);
  ADD ("groups/replace/held", test_group_replace_held);
  ADD ("shutdown-in-refill/dependency", test_shutdown_in_refill_dependency);
  ADD ("shutdown-in-refill/retry", test_shutdown_in_refill_retry);
  ADD ("shutdown-in-refill/submit", test_shutdown_in_refill_submit);
  ADD ("lost/connection", test_connection_lost);
  ADD ("stream/stdio-moved", test_stdio_moved);
  ADD ("stream/input-ends", test_input_ends);
  g_test_add ("/launcher/stream/bad-request-in-parts", Fixture, "bad request", fixture_setup,
              test_input_ends, fixture_teardown);
  ADD ("stream/version-refused", test_version_refused);
  g_test_add ("/launcher/stream/host/lines", Fixture, "host-lines", fixture_setup,
              test_stream_host, fixture_teardown);
  g_test_add ("/launcher/stream/host/huge", Fixture, "host-huge", fixture_setup,
              test_stream_host, fixture_teardown);
  g_test_add ("/launcher/stream/host/blank", Fixture, "host-blank", fixture_setup,
              test_stream_host, fixture_teardown);
  ADD ("stream/fatal-reason", test_stream_fatal_reason);
  ADD ("stream/stderr-flood/timeouts", test_stderr_flood_timeouts);
  ADD ("stream/stderr-flood/jobs", test_stderr_flood_jobs);
  ADD ("stream/stderr-flood/echo", test_stderr_flood_echo);
  ADD ("stream/stderr-flood/before-ready", test_stderr_before_ready);
  ADD ("stream/stderr-after-stop", test_stderr_after_stop);
  ADD ("stream/held-open", test_stream_held_open);
  ADD ("start-timeout/long", test_start_timeout_long);
  ADD ("start-timeout/ready-waiting", test_start_timeout_ready_waiting);
  for (gsize i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autofree char *path = g_strdup_printf ("/launcher/cannot-start/%s", failing[i].name);

      g_test_add (path, Fixture, &failing[i], fixture_setup, test_cannot_start, fixture_teardown);
    }
  ADD ("cannot-start/same-pauses-again", test_cannot_start_same_pauses);
#undef ADD

  return g_test_run ();
}
