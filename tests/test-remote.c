/* test-remote.c — workers on another machine, through the real engines:
 * OpenSSH (test-remote-ssh) and Slurm's srun (test-remote-slurm), both
 * reaching this machine (tests/remote-engines.sh starts them).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built once per engine (REMOTE_ENGINE). What the issue lists, through
 * each: a call, progress, an iteration, a cancel, a kill after the grace
 * period, a worker crash, the connection killed mid-job (the ssh client
 * killed; the task scancel'ed), a launcher that cannot start (host
 * unreachable or login refused; srun refused with --immediate), the
 * parent killed (nothing left on the far side), and a hostile stream
 * (garbage, truncated and oversize frames, foreign connection ids).
 *
 * This program is also its own worker: the launcher runs it on the far
 * side as `test-remote-X --worker-token TOKEN --jobrouter-stream-worker=N`
 * (TOKEN: to find its processes), and jr_init() takes over. Run as
 * `test-remote-X --parent DIR`, it is the parent that
 * /remote/X/parent-killed kills.
 *
 * Without its engine (not root, no packages and no network) every test
 * is skipped, saying why.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "executor-jobs.h"
#include "remote-fixture.h"

#ifndef REMOTE_ENGINE
#error "Build with -DREMOTE_ENGINE=REMOTE_SSH or REMOTE_SLURM"
#endif

#define DONE_TIMEOUT_USEC  ((gint64) 60 * G_USEC_PER_SEC)
#define GONE_TIMEOUT_USEC  ((gint64) 20 * G_USEC_PER_SEC)
#define SHUTDOWN_USEC      ((gint64) 30 * G_USEC_PER_SEC)

static char *self_exe;
static const char *engine_name;   /* "ssh" or "slurm": also the group's name */

/* ---- processes, wherever the engine put them (this machine) ---- */

/* Whether a process (not a zombie) runs whose command line holds @needle. */
static gboolean
process_with_arg_runs (const char *needle)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length;
      int pid = atoi (name);

      if (pid <= 0 || pid == getpid ())
        continue;
      path = g_strdup_printf ("/proc/%d/cmdline", pid);
      if (!g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, needle) != NULL && !jr_test_process_is_gone (pid))
        return TRUE;
    }
  return FALSE;
}

static gboolean
token_gone (gpointer token)
{
  return !process_with_arg_runs (token);
}

static gboolean
pid_gone (gpointer pid)
{
  return jr_test_process_is_gone (GPOINTER_TO_INT (pid));
}

static void
wait_pid_gone (int         pid,
               const char *what)
{
  jr_test_run_until (pid_gone, GINT_TO_POINTER (pid), GONE_TIMEOUT_USEC, what);
}

/* Our own children named @comm (the ssh client, srun). */
static GArray *
children_named (const char *comm)
{
  g_autoptr(GArray) children = jr_test_list_children (FALSE);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < children->len; i++)
    {
      JrTestProcStat *child = &g_array_index (children, JrTestProcStat, i);

      if (g_str_equal (child->name, comm))
        g_array_append_val (pids, child->pid);
    }
  return pids;
}

/* ---- the fixture: an executor whose one group is through the engine ---- */

typedef struct {
  gboolean        skipped;
  JrTestBaseline  baseline;
  JrExecutor     *executor;
  char           *token;
  char           *dir;       /* writable by the test user of ssh */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *reason = NULL;

  if (!remote_engine_up (REMOTE_ENGINE, &reason))
    {
      f->skipped = TRUE;
      g_test_skip (reason);
      return;
    }
  jr_test_baseline_take (&f->baseline);
  f->token = g_strdup_printf ("jrtoken-%d-%u", (int) getpid (), g_random_int ());
  f->dir = jr_test_make_temp_dir ("test-remote-XXXXXX");
  g_assert_cmpint (g_chmod (f->dir, 0777), ==, 0);
}

/* A launcher through the engine running this program with the fixture's
 * token. */
static JrLauncher *
fixture_launcher (Fixture *f)
{
  const char *program[] = { self_exe, "--worker-token", f->token, NULL };

  return remote_launcher_new (REMOTE_ENGINE, program);
}

/* An executor with no local worker and one group, named after the
 * engine, of @size workers started with @launcher. */
static JrExecutor *
fixture_executor (Fixture    *f,
                  JrLauncher *launcher,
                  guint       size)
{
  g_autoptr(GError) error = NULL;

  f->executor = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                              "local-group", FALSE, NULL);
  g_assert_true (jr_executor_add_group (f->executor, engine_name, launcher, size, &error));
  g_assert_no_error (error);
  return f->executor;
}

/* The usual start: an executor of one worker through the engine. */
static void
fixture_start (Fixture *f)
{
  g_autoptr(JrLauncher) launcher = fixture_launcher (f);

  fixture_executor (f, launcher, 1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->skipped)
    return;
  if (f->executor != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
      g_assert_no_error (error);
      g_clear_object (&f->executor);
    }
  /* Nothing of this test on the far side either. */
  jr_test_run_until (token_gone, f->token, GONE_TIMEOUT_USEC, "the test's remote processes to end");
  jr_test_check_expected_warnings ();
  jr_test_baseline_assert (&f->baseline);
  jr_test_remove_temp_dir (f->dir);
  g_free (f->dir);
  g_free (f->token);
}

static void
wait_done (JrFuture *future)
{
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
}

/* The job ran on the engine's group, on this machine (the engine's far
 * side is this machine). */
static void
assert_ran_remotely (JrFuture *future)
{
  g_assert_cmpstr (jr_future_get_worker_group (future), ==, engine_name);
  g_assert_cmpstr (jr_future_get_worker_host (future), ==, g_get_host_name ());
}

/* The worker's pid (the "whoami" job), on the far side. */
static int
worker_pid (JrExecutor *executor)
{
  g_autoptr(JrFuture) future = jr_test_submit (executor, JR_JOB_KIND_CALL, "whoami", NULL);
  gint32 pid, group;

  wait_done (future);
  jr_test_assert_completed (future);
  g_variant_get (jr_future_get_result (future), "(ii)", &pid, &group);
  g_assert_cmpint (pid, ==, group);   /* it leads its own process group */
  return pid;
}

static void
wait_started (JrFuture *future)
{
  jr_test_run_until (jr_test_future_started, future, DONE_TIMEOUT_USEC, "a job to start");
  g_assert_false (jr_future_get_done (future));
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static int
read_pid_file (const char *path)
{
  g_autofree char *contents = NULL;

  jr_test_run_until (file_exists, (gpointer) path, DONE_TIMEOUT_USEC, path);
  /* Written whole, but maybe a moment ago. */
  for (int i = 0; i < 100; i++)
    {
      g_clear_pointer (&contents, g_free);
      if (g_file_get_contents (path, &contents, NULL, NULL) && strchr (contents, '\n') != NULL)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_nonnull (contents);
  return atoi (contents);
}

/* ---- the jobs a remote worker runs ---- */

static void
test_call (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GVariant) expected = g_variant_ref_sink (g_variant_new ("(sx)", "far", (gint64) -7));

  if (f->skipped)
    return;
  fixture_start (f);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(sx)", "far", (gint64) -7));
  wait_done (future);
  jr_test_assert_completed (future);
  g_assert_true (g_variant_equal (jr_future_get_result (future), expected));
  assert_ran_remotely (future);
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 1);
}

/* The worker runs in the folder this program started in, where that
 * exists on the far side (the far side is this machine here), as a local
 * worker does and srun's do: a relative path means the same file. */
static void
test_same_folder (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  g_autofree char *here = g_get_current_dir ();
  const char *there = NULL;

  if (f->skipped)
    return;
  fixture_start (f);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "cwd", NULL);
  wait_done (future);
  jr_test_assert_completed (future);
  g_variant_get (jr_future_get_result (future), "(&s)", &there);
  g_assert_cmpstr (there, ==, here);
  assert_ran_remotely (future);
}

/* The program's JOBROUTER_… variables reach its workers there, which ssh
 * would not pass (an application's settings for its jobs). */
static void
test_carried_environment (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  const char *there = NULL;

  if (f->skipped)
    return;
  g_setenv ("JOBROUTER_TEST_CARRIED", "carried to the far side", TRUE);
  fixture_start (f);
  g_unsetenv ("JOBROUTER_TEST_CARRIED");
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "getenv",
                           g_variant_new ("(s)", "JOBROUTER_TEST_CARRIED"));
  wait_done (future);
  jr_test_assert_completed (future);
  g_variant_get (jr_future_get_result (future), "(m&s)", &there);
  g_assert_cmpstr (there, ==, "carried to the far side");
  assert_ran_remotely (future);
}

static void
on_progress (JrFuture   *future,
             GParamSpec *pspec,
             gpointer    data)
{
  double *last = data;
  double now = jr_future_get_progress (future);

  g_assert_cmpfloat (now, >=, *last);
  *last = now;
}

static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  double last = -1;

  if (f->skipped)
    return;
  fixture_start (f);
  future = jr_test_submit (f->executor, JR_JOB_KIND_PROGRESS, "progress", g_variant_new ("(u)", 500u));
  g_signal_connect (future, "notify::progress", G_CALLBACK (on_progress), &last);
  wait_done (future);
  jr_test_assert_completed (future);
  g_assert_cmpfloat (jr_future_get_progress (future), ==, 1.0);
  g_assert_cmpstr (jr_future_get_progress_text (future), ==, "500/500");
  g_assert_cmpuint (g_variant_get_uint32 (jr_future_get_result (future)), ==, 500);
  assert_ran_remotely (future);
}

static void
on_yielded (JrFuture *future,
            GVariant *value,
            gpointer  data)
{
  GArray *values = data;
  guint32 n = g_variant_get_uint32 (value);

  g_array_append_val (values, n);
}

static void
test_iteration (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint32));

  if (f->skipped)
    return;
  fixture_start (f);
  future = jr_test_submit (f->executor, JR_JOB_KIND_ITERATION, "iterate", g_variant_new ("(u)", 1000u));
  g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), values);
  wait_done (future);
  jr_test_assert_completed (future);
  g_assert_cmpuint (values->len, ==, 1000);
  for (guint i = 0; i < values->len; i++)
    g_assert_cmpuint (g_array_index (values, guint32, i), ==, i);
}

/* A cancel reaches the job on the far side; its worker stays. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) after = NULL;
  int before;
  gint64 cancelled_at;

  if (f->skipped)
    return;
  fixture_start (f);
  before = worker_pid (f->executor);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "sleep", g_variant_new ("(t)", (guint64) 600000));
  wait_started (future);
  cancelled_at = g_get_monotonic_time ();
  g_assert_true (jr_future_cancel (future));
  wait_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  /* The job stopped itself: well within the grace period. */
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (worker_pid (f->executor), ==, before);
  after = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(b)", TRUE));
  wait_done (after);
  jr_test_assert_completed (after);
}

/* A job deaf to its cancel: after the grace period its connection is
 * closed, and the far side dies with it, the job's own child included. */
static void
test_kill_after_grace (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JrLauncher) launcher = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autofree char *pid_file = g_build_filename (f->dir, "sleeper", NULL);
  int worker, sleeper;

  if (f->skipped)
    return;
  launcher = fixture_launcher (f);
  /* The far side is this machine: its paths are ours. */
  jr_launcher_set_shared_paths (launcher, TRUE);
  fixture_executor (f, launcher, 1);
  jr_executor_set_cancel_grace (f->executor, 300 * 1000);
  worker = worker_pid (f->executor);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "spawn-sleeper", g_variant_new ("(s)", pid_file));
  sleeper = read_pid_file (pid_file);
  g_assert_true (jr_future_cancel (future));
  wait_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
  wait_pid_gone (worker, "the remote worker to be killed");
  wait_pid_gone (sleeper, "the remote job's child to be killed");
  /* Replaced. */
  g_assert_cmpint (worker_pid (f->executor), !=, worker);
}

/* A job leaves a child that ignores SIGTERM and holds the session's
 * output open: the orderly end still ends, and takes the child along. */
static void
test_orderly_end (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JrLauncher) launcher = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_file = g_build_filename (f->dir, "stubborn", NULL);
  int child;

  if (f->skipped)
    return;
  launcher = fixture_launcher (f);
  /* The far side is this machine: its paths are ours. */
  jr_launcher_set_shared_paths (launcher, TRUE);
  fixture_executor (f, launcher, 1);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "leave-stubborn-child",
                           g_variant_new ("(s)", pid_file));
  wait_done (future);
  jr_test_assert_completed (future);
  child = read_pid_file (pid_file);

  g_assert_true (jr_executor_shutdown (f->executor, SHUTDOWN_USEC, &error));
  g_assert_no_error (error);
  wait_pid_gone (child, "the job's child to be killed");
}

/* The worker dies on the far side: only its job fails, saying so; the
 * group goes on. */
static void
test_worker_crash (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) after = NULL;
  const GError *error;
  int worker;

  if (f->skipped)
    return;
  fixture_start (f);
  worker = worker_pid (f->executor);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "crash", g_variant_new ("(s)", "segv"));
  wait_done (future);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (future);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_WORKER_LOST);
  g_assert_nonnull (strstr (error->message, engine_name));
  /* Behind ssh, all its status says is 255: the worker says what killed
   * it on its standard error, which the message quotes. srun says it
   * itself, and the worker dies of it there (the step's end takes its
   * jobs' processes). */
  if (REMOTE_ENGINE == REMOTE_SSH)
    g_assert_nonnull (strstr (error->message, "killed by SIGSEGV"));
  else
    g_assert_nonnull (strstr (error->message, "task 0: Segmentation fault"));
  wait_pid_gone (worker, "the crashed worker");
  after = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", 3u));
  wait_done (after);
  jr_test_assert_completed (after);
  assert_ran_remotely (after);
}

/* Cuts the connection of the running worker as a network or an operator
 * would: the ssh client killed, the task scancel'ed. */
static void
cut_connection (void)
{
  if (REMOTE_ENGINE == REMOTE_SSH)
    {
      g_autoptr(GArray) clients = children_named ("ssh");

      g_assert_cmpuint (clients->len, ==, 1);
      g_assert_cmpint (kill (g_array_index (clients, int, 0), SIGKILL), ==, 0);
    }
  else
    {
      g_autofree char *name = g_path_get_basename (self_exe);
      const char *argv[] = { "scancel", "--quiet", "--name", name, NULL };
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                   G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                                   NULL, NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
}

/* The connection killed mid-job: the running job fails with the group and
 * the reason; the ones its worker held go to the next worker. */
static void
test_connection_killed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JrFuture) running = NULL;
  g_autoptr(JrFuture) held = NULL;
  g_autoptr(JrFuture) waiting = NULL;
  const GError *error;
  int worker;

  if (f->skipped)
    return;
  fixture_start (f);
  worker = worker_pid (f->executor);
  running = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "sleep", g_variant_new ("(t)", (guint64) 600000));
  held = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", 1u));
  waiting = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "echo", g_variant_new ("(u)", 2u));
  wait_started (running);

  cut_connection ();
  wait_done (running);
  g_assert_cmpint (jr_future_get_state (running), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (running);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_WORKER_LOST);
  g_assert_nonnull (strstr (error->message, engine_name));
  wait_pid_gone (worker, "the remote worker to die with its connection");

  wait_done (held);
  wait_done (waiting);
  jr_test_assert_completed (held);
  jr_test_assert_completed (waiting);
  assert_ran_remotely (held);
}

/* ---- a launcher that cannot start ---- */

/* What makes the engine refuse, and the words of its refusal. */
typedef struct {
  const char *name;
  const char *host;           /* ssh */
  const char *port;           /* ssh, NULL: the server's */
  const char *expect;
} Refusal;

static const Refusal refusals[] = {
  { "unreachable", "jr-ssh", "1", "Connection refused" },
  { "login-refused", "jr-ssh-refused", NULL, "Permission denied" },
  { "immediate-busy", NULL, NULL, "busy" },
};

static gboolean
gave_up (gpointer data)
{
  return jr_executor_get_worker_error (data) != NULL;
}

/* srun: a job that holds every CPU of the node, so that --immediate is
 * refused. */
static GSubprocess *
occupy_node (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) spawner = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *name = g_strdup_printf ("--job-name=jr-occupy-%d", (int) getpid ());
  GSubprocess *blocker;
  char line[16];

  g_subprocess_launcher_set_stdin_file_path (spawner, "/dev/null");
  blocker = g_subprocess_launcher_spawn (spawner, &error, "srun", "--quiet", "--unbuffered",
                                         "--nodes=1", "--exclusive", name, "sh", "-c",
                                         "echo up; exec sleep 600", NULL);
  g_assert_no_error (error);
  /* Once it says so, it has the node. */
  g_assert_cmpint (g_input_stream_read (g_subprocess_get_stdout_pipe (blocker), line, 3, NULL, &error),
                   ==, 3);
  g_assert_no_error (error);
  return blocker;
}

static void
release_node (GSubprocess *blocker)
{
  gboolean exited = FALSE;

  /* srun cancels its step on SIGTERM. */
  g_subprocess_send_signal (blocker, SIGTERM);
  g_subprocess_wait_async (blocker, NULL, jr_test_on_subprocess_exited, &exited);
  jr_test_run_until (jr_test_flag_is_set, &exited, DONE_TIMEOUT_USEC, "the node's blocker to end");
}

static void
test_cannot_start (Fixture       *f,
                   gconstpointer  data)
{
  const Refusal *refusal = data;
  g_autoptr(JrLauncher) launcher = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GSubprocess) blocker = NULL;
  const GError *error;
  const char *program[] = { self_exe, "--worker-token", NULL, NULL };

  if (f->skipped)
    return;
  program[2] = f->token;
  if (REMOTE_ENGINE == REMOTE_SSH)
    {
      const char *options[] = { "-F", remote_ssh_config (), "-p", refusal->port, NULL };

      if (refusal->port == NULL)
        options[2] = NULL;
      launcher = jr_launcher_new_ssh (refusal->host, options);
    }
  else
    {
      const char *options[] = { "--immediate", NULL };

      blocker = occupy_node ();
      launcher = jr_launcher_new_srun (options);
    }
  jr_launcher_set_program (launcher, program);
  jr_test_allow_warnings ("No worker of group*");
  fixture_executor (f, launcher, 1);
  future = jr_test_submit (f->executor, JR_JOB_KIND_CALL, "echo", NULL);
  wait_done (future);

  /* The future and the executor say why, once. */
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (future);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
  g_assert_nonnull (strstr (error->message, engine_name));
  g_assert_nonnull (strstr (error->message, "3 tries"));
  g_assert_nonnull (strstr (error->message, refusal->expect));
  jr_test_run_until (gave_up, f->executor, DONE_TIMEOUT_USEC, "the executor's worker-error");
  g_assert_cmpstr (jr_executor_get_worker_error (f->executor)->message, ==, error->message);

  /* It gave up: no more tries until a job needs one. */
  jr_test_run_for (1500);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, blocker != NULL ? 1 : 0);
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 0);
  if (blocker != NULL)
    release_node (blocker);
}

/* ---- the parent killed ---- */

/* `test-remote-X --parent DIR`: a parent with one remote worker running a
 * job that started `sleep 600`; writes the worker's pid to DIR/worker and
 * the sleeper's to DIR/sleeper, then waits to be killed. */
static int
parent_main (const char *dir,
             const char *token)
{
  g_autofree char *pid_file = g_build_filename (dir, "sleeper", NULL);
  g_autofree char *worker_file = g_build_filename (dir, "worker", NULL);
  const char *program[] = { self_exe, "--worker-token", token, NULL };
  g_autoptr(JrLauncher) launcher = NULL;
  g_autoptr(JrFuture) whoami = NULL;
  g_autoptr(JrFuture) sleeper = NULL;
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;
  JrExecutor *executor;
  gint32 pid, group;

  if (!remote_engine_up (REMOTE_ENGINE, &reason))
    g_error ("%s", reason);
  launcher = remote_launcher_new (REMOTE_ENGINE, program);
  jr_launcher_set_shared_paths (launcher, TRUE);
  executor = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES, "local-group", FALSE,
                           NULL);
  g_assert_true (jr_executor_add_group (executor, engine_name, launcher, 1, NULL));
  whoami = jr_test_submit (executor, JR_JOB_KIND_CALL, "whoami", NULL);
  wait_done (whoami);
  jr_test_assert_completed (whoami);
  g_variant_get (jr_future_get_result (whoami), "(ii)", &pid, &group);
  text = g_strdup_printf ("%d\n", pid);
  g_assert_true (g_file_set_contents (worker_file, text, -1, NULL));
  sleeper = jr_test_submit (executor, JR_JOB_KIND_CALL, "spawn-sleeper", g_variant_new ("(s)", pid_file));
  /* Until killed. */
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

static void
test_parent_killed (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) parent = NULL;
  g_autofree char *worker_file = NULL;
  g_autofree char *sleeper_file = NULL;
  gboolean exited = FALSE;
  int worker, sleeper;

  if (f->skipped)
    return;
  worker_file = g_build_filename (f->dir, "worker", NULL);
  sleeper_file = g_build_filename (f->dir, "sleeper", NULL);
  parent = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_exe, "--parent", f->dir, f->token,
                             NULL);
  g_assert_no_error (error);
  worker = read_pid_file (worker_file);
  sleeper = read_pid_file (sleeper_file);
  g_assert_false (pid_gone (GINT_TO_POINTER (worker)));
  g_assert_false (pid_gone (GINT_TO_POINTER (sleeper)));

  g_subprocess_force_exit (parent);
  g_subprocess_wait_async (parent, NULL, jr_test_on_subprocess_exited, &exited);
  jr_test_run_until (jr_test_flag_is_set, &exited, DONE_TIMEOUT_USEC, "the parent to die");

  /* Its remote worker and the job's child go with it, and so do its
   * launchers (the teardown looks for the token). */
  wait_pid_gone (worker, "the orphaned remote worker to die");
  wait_pid_gone (sleeper, "the orphaned remote job's child to die");
}

/* ---- a hostile stream through the engine ---- */

typedef struct {
  JrReceiver *receiver;
  guint       received;
} Count;

static void
on_count_message (JrReceiver *receiver,
                  GVariant   *message,
                  gpointer    data)
{
  ((Count *) data)->received++;
}

static gboolean
channel_closed (gpointer data)
{
  return *(guint64 *) data == 0;
}

static void
on_channel_closed (JrRouter *router,
                   guint64   channel_id,
                   gpointer  data)
{
  guint64 *waiting = data;

  if (*waiting == channel_id)
    *waiting = 0;
}

/* Runs `PROGRAM --stream MODE ARGS…` through the engine, its stdout read
 * by @router as a stream; waits until that stream has closed. */
static void
run_hostile (JrRouter           *router,
             const char         *program,
             const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) spawner = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) command = NULL;
  g_autofree char *dir = g_path_get_dirname (self_exe);
  /* Absolute: the far side starts elsewhere. */
  g_autofree char *path = g_build_filename (dir, program, NULL);
  gboolean exited = FALSE;
  guint64 waiting;
  gulong handler;
  int fds[2];

  g_strv_builder_add_many (builder, path, "--stream", NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  command = remote_command_argv (REMOTE_ENGINE, (const char * const *) argv);

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_subprocess_launcher_take_stdout_fd (spawner, fds[1]);
  g_subprocess_launcher_set_stdin_file_path (spawner, "/dev/null");
  waiting = jr_router_add_stream (router, fds[0], &error);
  g_assert_no_error (error);
  handler = g_signal_connect (router, "channel-closed", G_CALLBACK (on_channel_closed), &waiting);
  child = g_subprocess_launcher_spawnv (spawner, (const char * const *) command, &error);
  g_assert_no_error (error);
  g_clear_object (&spawner);
  jr_test_run_until (channel_closed, &waiting, DONE_TIMEOUT_USEC, "the hostile stream to close");
  g_signal_handler_disconnect (router, handler);
  g_subprocess_wait_async (child, NULL, jr_test_on_subprocess_exited, &exited);
  jr_test_run_until (jr_test_flag_is_set, &exited, DONE_TIMEOUT_USEC, "the hostile child to exit");
}

static gboolean
count_reached (gpointer data)
{
  Count *count = data;

  return count->received >= 1;
}

/* A pipe of its own for each stream: the first queue that sends on a
 * pipe claims it. */
static Count *
count_new (JrRouter *router)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  Count *count = g_new0 (Count, 1);

  g_assert_true (jr_router_pipe (router, &sender, &count->receiver, &error));
  g_assert_no_error (error);
  g_signal_connect (count->receiver, "message", G_CALLBACK (on_count_message), count);
  return count;
}

static char *
count_id (Count *count)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, jr_receiver_get_connection_id (count->receiver));
}

static void
count_free (JrRouter *router,
            Count    *count)
{
  g_assert_true (jr_router_close_pipe (router, count->receiver, NULL));
  g_object_unref (count->receiver);
  g_free (count);
}

/* What a stream carries through the engine is checked as a local
 * stream's is: bad frames are dropped with a few warnings, lost framing
 * and another pipe's id close the stream, the rest comes through. */
static void
test_hostile_stream (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrRouter) router = NULL;

  if (f->skipped)
    return;
  router = jr_router_new (JR_TRANSPORT_PROCESSES, NULL);
  g_assert_true (jr_router_start (router, &error));
  g_assert_no_error (error);

  /* Frames that router-child gets wrong ("bad"), each after a good one:
   * garbage closes the stream as corrupt there; a frame cut short by the
   * end of the stream; an oversize frame, whole, is skipped and the
   * stream goes on. */
  {
    static const struct {
      const char *kind;
      const char *warning;
      guint       received;
    } bad[] = {
      { "garbage", "Worker queue *closed after a corrupt frame*", 1 },
      { "truncated", "Worker queue *went away in the middle of a message*", 1 },
      { "oversize", "Worker queue *dropped a message*", 2 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        Count *count = count_new (router);
        g_autofree char *id = count_id (count);
        const char *args[] = { "bad", bad[i].kind, id, NULL };

        jr_test_expect_warning (bad[i].warning);
        run_hostile (router, "router-child", args);
        g_assert_cmpuint (count->received, ==, bad[i].received);
        count_free (router, count);
      }
  }
  /* Another stream's pipe: closed as corrupt at that frame. */
  {
    Count *victim = count_new (router);
    Count *own = count_new (router);
    g_autofree char *victim_id = count_id (victim);
    g_autofree char *own_id = count_id (own);
    const char *claimer[] = { "send", victim_id, "1", NULL };
    const char *forger[] = { "forge-id", own_id, victim_id, NULL };

    run_hostile (router, "hostile-child", claimer);
    g_assert_cmpuint (victim->received, ==, 1);
    jr_test_expect_warning ("Worker queue *is not one of its pipes*");
    run_hostile (router, "hostile-child", forger);
    g_assert_cmpuint (own->received, ==, 1);
    g_assert_cmpuint (victim->received, ==, 1);
    count_free (router, victim);
    count_free (router, own);
  }
  /* A flood of bad frames: a handful of warnings, then a good one (the
   * few said in full match "dropped a message" above). */
  {
    Count *count = count_new (router);
    g_autofree char *id = count_id (count);
    const char *args[] = { "bad-frames", id, "20000", NULL };

    jr_test_expect_warning ("Worker queue *more warnings*");
    run_hostile (router, "hostile-child", args);
    jr_test_run_until (count_reached, count, DONE_TIMEOUT_USEC, "the good frame after the flood");
    g_assert_cmpuint (count->received, ==, 1);
    count_free (router, count);
  }

  g_assert_true (jr_router_stop (router, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  int status;

  executor_test_jobs_register ();
  jr_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  engine_name = remote_engine_name (REMOTE_ENGINE);
  if (argc == 4 && g_str_equal (argv[1], "--parent"))
    return parent_main (argv[2], argv[3]);

  jr_test_init (&argc, &argv);
  /* What GLib makes once per process (the thread that watches children)
   * exists before a fixture takes its baseline. */
  jr_test_warm_child_watch ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  {
    g_autofree char *prefix = g_strdup_printf ("/remote/%s/", engine_name);
    const struct {
      const char *name;
      void (*func) (Fixture *, gconstpointer);
    } tests[] = {
      { "call", test_call },
      { "same-folder", test_same_folder },
      { "carried-environment", test_carried_environment },
      { "progress", test_progress },
      { "iteration", test_iteration },
      { "cancel", test_cancel },
      { "kill-after-grace", test_kill_after_grace },
      { "orderly-end", test_orderly_end },
      { "worker-crash", test_worker_crash },
      { "connection-killed", test_connection_killed },
      { "parent-killed", test_parent_killed },
      { "hostile-stream", test_hostile_stream },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (tests); i++)
      {
        g_autofree char *path = g_strconcat (prefix, tests[i].name, NULL);

        ADD (path, tests[i].func);
      }
    for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
      {
        g_autofree char *path = NULL;

        /* ssh: a host that does not answer, a login refused; srun: a
         * node that is busy, with --immediate. */
        if ((REMOTE_ENGINE == REMOTE_SSH) != (refusals[i].host != NULL))
          continue;
        path = g_strconcat (prefix, "cannot-start/", refusals[i].name, NULL);
        g_test_add (path, Fixture, &refusals[i], fixture_setup, test_cannot_start, fixture_teardown);
      }
  }
#undef ADD

  status = g_test_run ();
  remote_engines_stop ();
  g_free (self_exe);
  return status;
}
