/* jr-worker-pool-spawn.c — starting a pool's workers: a thread, a local
 * process, or a stream worker through a command.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A process worker is this program run again (posix_spawn, no fork of a
 * threaded process) with JOBROUTER_WORKER saying where its requests come
 * from and which pipe is its own; it says READY once it is up.
 *
 * With a command launcher (jr-launcher.c) a worker is a stream worker: the
 * command (ssh, srun, or none) runs with its standard input on a socket
 * for the requests (the first one a HELLO with the worker's setup) and its
 * standard output on a socket that the router reads as a stream; its
 * standard error goes to a pipe of ours (jr-worker-pool-stderr.c).
 */
#include "jr-worker-pool-parts-private.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "jr-router-private.h"

/* ---- starting workers ---- */

static gboolean ready_timed_out (gpointer user_data);

/* How long a new worker has to say READY: its launcher's start timeout,
 * which may be as long as G_MAXINT64 µs ("no limit"). */
static GSource *
add_ready_timeout (JrPoolWorker *worker)
{
  gint64 usec = jr_launcher_get_start_timeout (worker->pool->launcher);

  return jr_worker_pool_add_timeout (worker->pool,
                                     (guint) CLAMP (usec / 1000, 0, (gint64) G_MAXUINT),
                                     ready_timed_out, worker);
}

/* On the worker's own thread. */
static gpointer
thread_worker_main (gpointer data)
{
  JrPoolWorker *worker = data;
  JrWorkerPool *pool = worker->pool;
  /* Its own reference (jr_worker_pool_spawn_thread_worker()): once it
   * runs a job, the pool may let the thread go (jr_pool_worker_free()),
   * and the worker and pool are not to be touched again. */
  JrWorkerRuntime *runtime = worker->runtime;

  g_mutex_lock (&pool->priority_lock);
  g_atomic_int_set (&worker->tid, jr_worker_get_tid ());
  jr_worker_set_priority (worker->tid, pool->nice, pool->idle);
  g_mutex_unlock (&pool->priority_lock);
  jr_worker_runtime_run (runtime);
  /* The runtime's sender is this thread's: the last word goes on it. */
  jr_job_message_send_tag (jr_worker_runtime_get_sender (runtime), 0, JR_JOB_MSG_EXITED, NULL);
  jr_worker_runtime_unref (runtime);
  return NULL;
}

static JrPoolWorker *
worker_new (JrWorkerPool *pool)
{
  JrPoolWorker *worker = g_new0 (JrPoolWorker, 1);

  worker->pool = pool;
  worker->state = JR_POOL_WORKER_LIVE;
  worker->request_fd = -1;
  worker->stderr_fd = -1;
  worker->stream_fd = -1;
  return worker;
}

JrPoolWorker *
jr_worker_pool_spawn_thread_worker (JrWorkerPool  *pool,
                                    GError       **error)
{
  JrPoolWorker *worker = worker_new (pool);
  g_autoptr(JrSender) sender = NULL;

  worker->ready = TRUE;
  if (!jr_pool_worker_open_pipe (worker, &sender, error) || !jr_sender_start (sender, error))
    {
      jr_pool_worker_free (worker);
      return NULL;
    }
  worker->runtime = jr_worker_runtime_new (sender, NULL, NULL);
  jr_worker_runtime_ref (worker->runtime);   /* the thread's */
  worker->thread = g_thread_try_new ("jr-worker", thread_worker_main, worker, error);
  if (worker->thread == NULL)
    {
      jr_worker_runtime_unref (worker->runtime);
      jr_pool_worker_free (worker);
      return NULL;
    }
  return worker;
}

static gboolean
ready_timed_out (gpointer data)
{
  JrPoolWorker *worker = data;

  g_autofree char *reason = NULL;

  g_clear_pointer (&worker->ready_timer, g_source_unref);
  /* This thread was busy past the timeout, and the worker's READY may be
   * among the messages waiting for it (this timer runs before the router's
   * dispatch): hear them first, once, as a cancel's grace does. */
  if (!worker->ready_waited && jr_router_has_pending (worker->pool->router))
    {
      worker->ready_waited = TRUE;
      worker->ready_timer = jr_worker_pool_add_timeout (worker->pool, 0, ready_timed_out, worker);
      g_source_set_priority (worker->ready_timer, G_PRIORITY_LOW);
      return G_SOURCE_REMOVE;
    }
  if (worker->via_command)
    {
      g_autofree char *command = jr_launcher_describe (worker->pool->launcher);
      gboolean said = worker->stderr_tail != NULL && worker->stderr_tail->len > 0;

      /* A host that does not answer, a queue that does not move, or a
       * program on the far side that is not a worker. */
      reason = g_strdup_printf ("it did not start within %" G_GINT64_FORMAT " s: “%s” was still "
                                "running, and no worker had spoken through it (a host that does "
                                "not answer, a queue that does not move, or a program on the far "
                                "side that does not become a worker: does it call jr_init()?)%s%s",
                                jr_launcher_get_start_timeout (worker->pool->launcher) / G_USEC_PER_SEC,
                                command, said ? "; it said: " : "",
                                said ? worker->stderr_tail->str : "");
    }
  else
    reason = g_strdup_printf ("it did not start within %" G_GINT64_FORMAT " s (does it call jr_init()?)",
                              jr_launcher_get_start_timeout (worker->pool->launcher) / G_USEC_PER_SEC);
  jr_pool_worker_kill (worker, reason);
  return G_SOURCE_REMOVE;
}

/* The running program, by its path (which names the worker in ps and
 * top). If its file has been replaced or removed since it started (an
 * upgrade): for this machine, the running file itself, through /proc;
 * @elsewhere, for a machine where it is installed at the same place, the
 * path all the same (/proc/self/exe names nothing there). */
static char *
self_program (gboolean elsewhere)
{
  char *path = g_file_read_link ("/proc/self/exe", NULL);
  gboolean deleted = path != NULL && g_str_has_suffix (path, " (deleted)");

  /* The path it was started by (a link into a virtual environment, say),
   * while that is still the running file. */
  if (path != NULL && !deleted && jr_worker_get_launch_program () != NULL)
    {
      g_free (path);
      return g_strdup (jr_worker_get_launch_program ());
    }
  if (path != NULL && deleted && elsewhere)
    path[strlen (path) - strlen (" (deleted)")] = '\0';
  else if (path == NULL || deleted)
    {
      g_free (path);
      return g_strdup ("/proc/self/exe");
    }
  return path;
}

/* Where workers start: where this program started (see
 * jr_worker_get_launch_dir()), so that a worker started after the program
 * moved elsewhere finds the same files as the first ones did; if that is
 * gone, here. */
static const char *
worker_dir (void)
{
  const char *dir = jr_worker_get_launch_dir ();

  return dir != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir : NULL;
}

/* The worker's command line: the given one, or this program run again
 * with its own arguments. */
static char **
worker_argv (JrWorkerPool *pool)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree char *program = NULL;

  if (pool->argv != NULL)
    return g_strdupv (pool->argv);
  builder = g_strv_builder_new ();
  program = self_program (FALSE);
  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **) pool->own_args);
  return g_strv_builder_end (builder);
}

JrPoolWorker *
jr_worker_pool_spawn_process_worker (JrWorkerPool  *pool,
                                     GError       **error)
{
  g_autoptr(JrSender) sender = NULL;
  g_autofree char *setup = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  JrChildFds child = { -1, -1, NULL };
  JrPoolWorker *worker;
  GPid pid = 0;
  int pair[2];

  if (pool->argv == NULL && !jr_worker_init_was_called ())
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                           "This program did not call jr_init() in main(): worker processes "
                           "run the program again, and take up their work in jr_init()");
      return NULL;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not create a worker's request socket: %s", g_strerror (saved));
      return NULL;
    }

  worker = worker_new (pool);
  worker->is_process = TRUE;
  worker->request_fd = pair[0];
  worker->outbox = g_byte_array_new ();
  shutdown (pair[0], SHUT_RD);
  g_unix_set_fd_nonblocking (pair[0], TRUE, NULL);

  worker->channel_id = jr_router_prepare_child (pool->router, &child, error);
  if (worker->channel_id == 0 || !jr_pool_worker_open_pipe (worker, &sender, error))
    goto fail;
  setup = g_strdup_printf ("%d:%" G_GUINT64_FORMAT ":%d", pair[1],
                           jr_sender_get_connection_id (sender), (int) getpid ());
  envp = g_get_environ ();
  envp = g_environ_setenv (envp, JR_CHANNEL_ENV, child.env, TRUE);
  envp = g_environ_setenv (envp, JR_WORKER_ENV, setup, TRUE);
  argv = worker_argv (pool);

  /* Not a GSubprocess: its launcher always closes every other fd in the
   * child, which takes GLib's fork path, and a fork costs in proportion
   * to this process's memory. With G_SPAWN_LEAVE_DESCRIPTORS_OPEN GLib
   * uses posix_spawn: about 1 ms. The worker closes whatever else it
   * inherited first thing in jr_init(). Standard input is /dev/null, so
   * that a job's commands may read it; the queue's fds and the request
   * socket keep their numbers. */
  {
    const int fds[] = { pair[1], child.mem_fd, child.bell_fd };
    GSpawnFlags flags = G_SPAWN_LEAVE_DESCRIPTORS_OPEN | G_SPAWN_DO_NOT_REAP_CHILD;

    if (strchr (argv[0], '/') == NULL)
      flags |= G_SPAWN_SEARCH_PATH;
    if (!g_spawn_async_with_pipes_and_fds (worker_dir (), (const char * const *) argv,
                                           (const char * const *) envp, flags, NULL, NULL,
                                           -1, -1, -1, fds, fds, G_N_ELEMENTS (fds), &pid,
                                           NULL, NULL, NULL, error))
      goto fail;
  }
  /* Closed now: from here on the worker's exit shows as its queue closing. */
  close (pair[1]);
  pair[1] = -1;
  jr_child_fds_clear (&child);

  worker->pid = pid;
  /* Set from here, not by the worker itself: every later change comes from
   * here too, so none can be overtaken by a worker still starting. */
  g_atomic_int_set (&worker->tid, worker->pid);
  jr_worker_set_priority (worker->pid, pool->nice, pool->idle);
  worker->ready_timer = add_ready_timeout (worker);
  return worker;

fail:
  if (pair[1] >= 0)
    close (pair[1]);
  jr_child_fds_clear (&child);
  jr_pool_worker_free (worker);
  return NULL;
}

/* ---- stream workers: through a command, maybe on another machine ---- */

/* The command, then the worker's command line and the argument that
 * makes it a stream worker; quoted for a shell on the far side if the
 * command hands it to one (ssh). */
static char **
stream_worker_argv (JrWorkerPool *pool)
{
  const char * const *command = jr_launcher_get_command (pool->launcher);
  const char * const *program = jr_launcher_get_program (pool->launcher);
  g_autoptr(GStrvBuilder) worker = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *marker = g_strdup_printf (JR_STREAM_WORKER_ARG "%u", JR_STREAM_PROTOCOL_VERSION);
  g_auto(GStrv) worker_argv = NULL;

  if (program != NULL)
    g_strv_builder_addv (worker, (const char **) program);
  else
    {
      g_autofree char *path = self_program (command[0] != NULL);

      g_strv_builder_add (worker, path);
      g_strv_builder_addv (worker, (const char **) pool->own_args);
    }
  g_strv_builder_add (worker, marker);
  worker_argv = g_strv_builder_end (worker);

  g_strv_builder_addv (builder, (const char **) command);
  if (command[0] != NULL && jr_launcher_get_shell_command (pool->launcher))
    {
      GString *line = g_string_new (NULL);
      const char *dir = worker_dir ();

      /* In the folder this program started in, where it exists there too
       * (a shared home, the same checkout), as srun and a local worker do:
       * a script's relative path, and a job's, mean the same files. */
      if (dir != NULL)
        {
          g_autofree char *quoted = g_shell_quote (dir);

          /* `command`: not a cd function of the login shell's (bash reads
           * ~/.bashrc under sshd), which may print into the stream. */
          g_string_append_printf (line, "command cd -- %s >/dev/null 2>&1; exec ", quoted);
        }
      for (guint i = 0; worker_argv[i] != NULL; i++)
        {
          g_autofree char *quoted = g_shell_quote (worker_argv[i]);

          if (i > 0)
            g_string_append_c (line, ' ');
          g_string_append (line, quoted);
        }
      g_strv_builder_add (builder, line->str);
      g_string_free (line, TRUE);
    }
  else
    g_strv_builder_addv (builder, (const char **) worker_argv);
  return g_strv_builder_end (builder);
}

/* In the command's process, between fork and exec (async-signal-safe):
 * it ends with us. ssh then closes its connection, and the worker on the
 * far side sees its input end; srun cancels its step. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* The variables of this process named JOBROUTER_… (an application's own
 * settings for its jobs), but for the worker's own: ssh passes none, so
 * the HELLO carries them, as "a{ss}". */
static GVariant *
carried_environment (void)
{
  g_auto(GStrv) environment = g_get_environ ();
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; environment[i] != NULL; i++)
    {
      const char *equals = strchr (environment[i], '=');
      g_autofree char *name = NULL;

      if (equals == NULL || !g_str_has_prefix (environment[i], JR_CARRIED_ENV_PREFIX) ||
          !g_utf8_validate (environment[i], -1, NULL))
        continue;
      name = g_strndup (environment[i], (gsize) (equals - environment[i]));
      if (g_str_equal (name, JR_WORKER_ENV) || g_str_equal (name, JR_CHANNEL_ENV))
        continue;
      g_variant_builder_add (&builder, "{ss}", name, equals + 1);
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
hello_setup (JrWorkerPool *pool,
             guint64       pipe_id)
{
  GVariantDict setup;

  g_variant_dict_init (&setup, NULL);
  g_variant_dict_insert (&setup, "version", "u", (guint32) JR_STREAM_PROTOCOL_VERSION);
  g_variant_dict_insert (&setup, "pipe", "t", pipe_id);
  g_variant_dict_insert (&setup, "group", "s", pool->group);
  g_mutex_lock (&pool->priority_lock);
  g_variant_dict_insert (&setup, "nice", "i", (gint32) pool->nice);
  g_variant_dict_insert (&setup, "idle", "b", pool->idle);
  g_mutex_unlock (&pool->priority_lock);
  g_variant_dict_insert_value (&setup, "env", carried_environment ());
  return g_variant_dict_end (&setup);
}

static void
close_fd_pair (int fds[2])
{
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  fds[0] = fds[1] = -1;
}

JrPoolWorker *
jr_worker_pool_spawn_stream_worker (JrWorkerPool  *pool,
                                    GError       **error)
{
  const char * const *command = jr_launcher_get_command (pool->launcher);
  gboolean via_command = command[0] != NULL;
  g_autoptr(JrSender) sender = NULL;
  g_auto(GStrv) argv = NULL;
  int in_pair[2] = { -1, -1 }, out_pair[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD;
  JrPoolWorker *worker;
  GPid pid = 0;

  if (jr_launcher_get_program (pool->launcher) == NULL && !jr_worker_init_was_called ())
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                           "This program did not call jr_init() in main(): worker processes "
                           "run the program again, and take up their work in jr_init()");
      return NULL;
    }
  /* Requests on its standard input, messages on its standard output: two
   * sockets (a request can always be sent without SIGPIPE), and a pipe
   * for its standard error. */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) < 0 ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out_pair) < 0 ||
      !g_unix_open_pipe (err_pipe, FD_CLOEXEC, NULL))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not create a worker's stream: %s", g_strerror (saved));
      close_fd_pair (in_pair);
      close_fd_pair (out_pair);
      close_fd_pair (err_pipe);
      return NULL;
    }

  worker = worker_new (pool);
  worker->is_process = TRUE;
  worker->stream = TRUE;
  worker->via_command = via_command;
  worker->request_fd = in_pair[0];
  worker->outbox = g_byte_array_new ();
  shutdown (in_pair[0], SHUT_RD);
  g_unix_set_fd_nonblocking (in_pair[0], TRUE, NULL);
  worker->stderr_fd = err_pipe[0];
  g_unix_set_fd_nonblocking (err_pipe[0], TRUE, NULL);
  in_pair[0] = err_pipe[0] = -1;

  shutdown (out_pair[0], SHUT_WR);
  worker->stream_fd = fcntl (out_pair[0], F_DUPFD_CLOEXEC, 3);
  /* The router takes our end, even when it fails. */
  worker->channel_id = jr_router_add_stream (pool->router, out_pair[0], error);
  out_pair[0] = -1;
  if (worker->channel_id == 0 || !jr_pool_worker_open_pipe (worker, &sender, error))
    goto fail;

  argv = stream_worker_argv (pool);
  if (strchr (argv[0], '/') == NULL)
    flags |= G_SPAWN_SEARCH_PATH;
  /* A worker started directly closes what it inherits in jr_init(), as a
   * local one does: posix_spawn (see
   * jr_worker_pool_spawn_process_worker()). A command (ssh, srun) would
   * not: GLib's fork path closes the rest, and sets it to end with us. */
  if (!via_command)
    flags |= G_SPAWN_LEAVE_DESCRIPTORS_OPEN;
  if (!g_spawn_async_with_pipes_and_fds (worker_dir (), (const char * const *) argv, NULL, flags,
                                         via_command ? die_with_parent : NULL, NULL,
                                         in_pair[1], out_pair[1], err_pipe[1], NULL, NULL, 0,
                                         &pid, NULL, NULL, NULL, error))
    goto fail;
  /* Closed now: from here on its end shows as its stream's EOF. */
  close_fd_pair (in_pair);
  close_fd_pair (out_pair);
  close_fd_pair (err_pipe);

  worker->pid = pid;
  /* The command's own priority (ssh's ciphers run here); a worker started
   * directly is ours to set, as a local one. */
  g_atomic_int_set (&worker->tid, worker->pid);
  jr_worker_set_priority (worker->pid, pool->nice, pool->idle);

  jr_pool_worker_watch_stderr (worker);

  worker->ready_timer = add_ready_timeout (worker);
  /* Its setup, the first thing it reads: no environment needed. */
  jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_HELLO, 0, NULL,
                               hello_setup (pool, jr_sender_get_connection_id (sender)));
  return worker;

fail:
  close_fd_pair (in_pair);
  close_fd_pair (out_pair);
  close_fd_pair (err_pipe);
  jr_pool_worker_free (worker);
  return NULL;
}
