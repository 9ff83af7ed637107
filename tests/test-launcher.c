/* test-launcher.c — tests of router/jr-launcher.c and of the executor's
 * groups, with no engine: workers started through commands on this
 * machine (none, `env`, a command that fails), where a job may run, a
 * group resized, a launcher that cannot start, a lost connection, and
 * what a stream worker does when its input ends.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is also its own worker (local and stream): the jobs are
 * registered and jr_init() is called first thing in main().
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "executor-jobs.h"
#include "jr-test.h"
#include "jr-worker-request-private.h"

#define DONE_TIMEOUT_USEC  ((gint64) 60 * G_USEC_PER_SEC)
#define SHUTDOWN_USEC      ((gint64) 30 * G_USEC_PER_SEC)

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
  g_autoptr(GError) error = NULL;
  JrFuture *future = jr_executor_submit_call (executor, job, args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (future);
  return future;
}

static void
wait_done (JrFuture *future)
{
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
}

static void
assert_completed (JrFuture *future)
{
  const GError *error = jr_future_get_error (future);

  if (error != NULL)
    g_error ("job %s failed: %s", jr_future_get_job_name (future), error->message);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
}

static gboolean
future_started (gpointer data)
{
  return jr_future_get_start_time (data) != 0 || jr_future_get_done (data);
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
  g_assert_cmpstr (command[g_strv_length ((char **) command) - 3], ==, "2222");
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
      assert_completed (future);
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
  assert_completed (future);
  g_assert_cmpstr (jr_future_get_worker_group (future), ==, "shared");
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
  g_assert_false (jr_executor_set_group_size (f->executor, "nowhere", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
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
  jr_test_run_until (future_started, busy, DONE_TIMEOUT_USEC, "a job to start");

  g_assert_true (jr_executor_set_group_size (f->executor, "direct", 0, &error));
  g_assert_no_error (error);
  wait_n_workers (f->executor, 0);
  /* The busy one finished its job first. */
  wait_done (busy);
  assert_completed (busy);

  g_assert_true (jr_executor_set_group_size (f->executor, "direct", 1, &error));
  after = submit (f->executor, "echo", g_variant_new ("(u)", 1u));
  wait_done (after);
  assert_completed (after);
  g_assert_cmpuint (jr_executor_get_n_workers (f->executor), ==, 1);
}

/* ---- a launcher that cannot start ---- */

static gboolean
gave_up (gpointer data)
{
  return jr_executor_get_worker_error (data) != NULL;
}

typedef struct {
  const char *name;
  const char *command[6];
  const char *expect;
} Failing;

static const Failing failing[] = {
  { "exits", { "sh", "-c", "echo refused by the test >&2; exit 3", "sh", NULL },
    "“sh” exited with status 3, saying: refused by the test" },
  { "no-such-command", { "/nonexistent/launcher", NULL }, "/nonexistent/launcher" },
  { "never-ready", { "sh", "-c", "exec sleep 600", "sh", NULL }, "did not start within 1 s" },
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
  new_executor (f, 0);
  add_group (f, "failing", launcher, 1);
  first = submit (f->executor, "echo", NULL);
  wait_done (first);
  g_assert_cmpint (jr_future_get_state (first), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (first);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
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
}

/* ---- connections lost ---- */

static int
running_worker_pid (JrExecutor *executor)
{
  g_autoptr(JrFuture) future = submit (executor, "whoami", NULL);
  gint32 pid, group;

  wait_done (future);
  assert_completed (future);
  g_variant_get (jr_future_get_result (future), "(ii)", &pid, &group);
  return pid;
}

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
  jr_test_run_until (future_started, running, DONE_TIMEOUT_USEC, "a job to start");

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  wait_done (running);
  error = jr_future_get_error (running);
  g_test_message ("%s", error->message);
  g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_WORKER_LOST);
  g_assert_nonnull (strstr (error->message, "group “through-env”"));
  g_assert_nonnull (strstr (error->message, "killed by SIGKILL"));

  wait_done (held);
  wait_done (waiting);
  assert_completed (held);
  assert_completed (waiting);
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
  assert_completed (print);
  assert_completed (read);
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (read)), ==, 0);
  assert_completed (after);
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

/* The end of a stream worker's input is the end of its executor: it kills
 * its jobs' processes and exits at once, without a QUIT. */
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

int
main (int    argc,
      char **argv)
{
  executor_test_jobs_register ();
  jr_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  jr_test_init (&argc, &argv);
  {
    g_autoptr(GSubprocess) warm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "true", NULL);
    gboolean exited = FALSE;

    g_subprocess_wait_async (warm, NULL, jr_test_on_subprocess_exited, &exited);
    jr_test_run_until (jr_test_flag_is_set, &exited, DONE_TIMEOUT_USEC, "a first child");
  }

#define ADD(path, func) \
  g_test_add ("/launcher/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  g_test_add_func ("/launcher/kinds", test_launcher_kinds);
  g_test_add_func ("/launcher/ssh-destination", test_launcher_ssh_destination);
  ADD ("placement/by-paths", test_placement);
  ADD ("placement/refused", test_placement_refused);
  ADD ("groups/errors", test_group_errors);
  ADD ("groups/resize", test_group_resize);
  ADD ("lost/connection", test_connection_lost);
  ADD ("stream/stdio-moved", test_stdio_moved);
  ADD ("stream/input-ends", test_input_ends);
  ADD ("stream/version-refused", test_version_refused);
  for (gsize i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autofree char *path = g_strdup_printf ("/launcher/cannot-start/%s", failing[i].name);

      g_test_add (path, Fixture, &failing[i], fixture_setup, test_cannot_start, fixture_teardown);
    }
#undef ADD

  return g_test_run ();
}
