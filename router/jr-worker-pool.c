/* jr-worker-pool.c — an executor's worker processes or threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A process worker is this program run again (posix_spawn, no fork of a
 * threaded process) with JOBROUTER_WORKER saying where its requests come
 * from and which pipe is its own; it says READY once it is up. A worker
 * that dies before that failed to start: after a few such failures in a
 * row the pool stops trying and says why, instead of spawning for ever.
 * Its death shows as the router's channel-closed, after all its messages.
 *
 * Requests go out on a non-blocking socket: a worker that stops reading
 * them can never block the main thread; what does not fit waits in the
 * worker's outbox until the socket takes it.
 */
#include "jr-worker-pool-private.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "jr-receiver-private.h"
#include "jr-router-private.h"
#include "jr-worker-private.h"
#include "jr-worker-request-private.h"

/* Spawns per second at most, as a multiple of the pool's size: a job that
 * crashes every worker must not turn the pool into a fork bomb. */
#define RESPAWN_WINDOW_USEC     G_USEC_PER_SEC
#define RESPAWNS_PER_WINDOW     2
#define RESPAWN_DELAY_MS        250
/* Workers that die before they are ready, in a row, before giving up. */
#define MAX_START_FAILURES      3
/* A worker process that is not ready by then never will be (a program
 * that does not call jr_init(), say). */
#define READY_TIMEOUT_SEC       10

typedef enum {
  WORKER_LIVE,        /* takes jobs */
  WORKER_RETIRING,    /* asked to end */
  WORKER_ABANDONED,   /* a thread whose job ignored its cancel */
} WorkerState;

struct _JrPoolWorker {
  JrWorkerPool    *pool;
  WorkerState      state;
  gboolean         ready;
  gpointer         data;
  JrReceiver      *receiver;
  char            *fatal_reason;   /* what a worker that refused to start said */
  char            *kill_reason;    /* why the pool killed it */
  gboolean         rejected;       /* it lied: nothing more it says counts */

  /* Processes. */
  guint64          channel_id;
  gboolean         is_process;
  int              pid;            /* 0 once reaped */
  int              wait_status;
  int              request_fd;
  GByteArray      *outbox;         /* requests the socket has not taken yet */
  GSource         *outbox_watch;
  gboolean         close_after_outbox;
  GSource         *ready_timer;

  /* Threads. */
  GThread         *thread;
  JrWorkerRuntime *runtime;
  int              tid;            /* atomic; 0 until the thread runs */
};

struct _JrWorkerPool {
  JrRouter              *router;
  JrTransport            transport;
  guint                  size;
  char                 **argv;      /* NULL: this program run again */
  char                 **own_args;  /* the arguments it was started with */
  JrWorkerPoolCallbacks  callbacks;
  gpointer               user_data;

  GPtrArray             *workers;   /* JrPoolWorker: every one not yet gone */
  guint                  n_live;
  gboolean               retired;
  gboolean               gave_up;
  guint                  start_failures;   /* in a row */
  GError                *failure;
  GArray                *spawn_times;
  GSource               *respawn_timer;
  gulong                 channel_closed_id;

  /* A thread worker applies its own priority as it starts, while the main
   * thread may be changing it: priority_lock orders the two, so that the
   * newer setting always wins. */
  GMutex                 priority_lock;
  int                    nice;
  gboolean               idle;
};

static void top_up (JrWorkerPool *pool);

static GSource *
add_timeout (JrWorkerPool *pool,
             guint         ms,
             GSourceFunc   func,
             gpointer      data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, "[jobrouter] worker pool");
  g_source_attach (source, jr_router_get_context (pool->router));
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* ---- ending workers ---- */

static void
close_request_fd (JrPoolWorker *worker)
{
  clear_source (&worker->outbox_watch);
  if (worker->request_fd >= 0)
    close (worker->request_fd);
  worker->request_fd = -1;
}

static void
kill_group (JrPoolWorker *worker)
{
  if (worker->pid <= 0)
    return;
  /* The worker leads its own group, which its jobs' commands join. It may
   * not have made the group yet: then the process itself. */
  kill (-worker->pid, SIGKILL);
  kill (worker->pid, SIGKILL);
}

static void
close_pipe (JrPoolWorker *worker)
{
  JrRouter *router = worker->pool->router;

  if (worker->receiver == NULL)
    return;
  jr_receiver_set_func (worker->receiver, NULL, NULL);
  if (jr_router_get_running (router))
    jr_router_close_pipe (router, worker->receiver, NULL);
  g_clear_object (&worker->receiver);
}

/* Nobody else waits for it: spawned with G_SPAWN_DO_NOT_REAP_CHILD. */
static void
reap (JrPoolWorker *worker)
{
  if (worker->pid <= 0)
    return;
  while (waitpid (worker->pid, &worker->wait_status, 0) < 0 && errno == EINTR)
    ;
  worker->pid = 0;
}

static void
worker_free (JrPoolWorker *worker)
{
  if (worker->pid > 0)
    {
      kill_group (worker);
      reap (worker);
    }
  close_request_fd (worker);
  g_clear_pointer (&worker->outbox, g_byte_array_unref);
  clear_source (&worker->ready_timer);
  if (worker->thread != NULL)
    {
      jr_worker_runtime_quit (worker->runtime);
      g_thread_join (worker->thread);
    }
  g_clear_pointer (&worker->runtime, jr_worker_runtime_free);
  close_pipe (worker);
  g_free (worker->fatal_reason);
  g_free (worker->kill_reason);
  g_free (worker);
}

static void
set_live (JrPoolWorker *worker,
          WorkerState   state)
{
  if (worker->state == WORKER_LIVE && state != WORKER_LIVE)
    worker->pool->n_live--;
  worker->state = state;
}

static const char *
signal_name (int sig)
{
  switch (sig)
    {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGBUS:  return "SIGBUS";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT:  return "SIGINT";
    default:      return "a signal";
    }
}

static GError *
describe_death (JrPoolWorker *worker)
{
  int status = worker->wait_status;

  if (worker->kill_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process was killed: %s", worker->kill_reason);
  if (worker->fatal_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process could not start: %s", worker->fatal_reason);
  if (WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);

      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                          "The worker process was killed by %s (%d, %s)",
                          signal_name (sig), sig, g_strsignal (sig));
    }
  return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                      "The worker process exited with status %d", WEXITSTATUS (status));
}

static void
give_up (JrWorkerPool *pool,
         GError       *error)
{
  pool->gave_up = TRUE;
  clear_source (&pool->respawn_timer);
  g_clear_error (&pool->failure);
  pool->failure = error;
  g_warning ("%s", error->message);
  if (pool->callbacks.start_failed != NULL)
    pool->callbacks.start_failed (error, pool->user_data);
}

/* A worker failed before it was ready (or could not be made at all). */
static void
count_start_failure (JrWorkerPool *pool,
                     const char   *what)
{
  /* Those still starting when the pool gave up count no more. */
  if (pool->gave_up || ++pool->start_failures < MAX_START_FAILURES)
    return;
  give_up (pool, g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                              "No worker %s could be started (%u tries in a row): %s",
                              pool->transport == JR_TRANSPORT_PROCESSES ? "process" : "thread",
                              pool->start_failures, what));
}

/* Takes @worker out of the pool, tells the executor, frees it. */
static void
worker_gone (JrPoolWorker *worker,
             const GError *reason)
{
  JrWorkerPool *pool = worker->pool;
  gboolean failed_to_start = !worker->ready && worker->state == WORKER_LIVE;

  set_live (worker, WORKER_RETIRING);
  g_ptr_array_remove_fast (pool->workers, worker);
  close_pipe (worker);
  if (pool->callbacks.worker_gone != NULL)
    pool->callbacks.worker_gone (worker, reason, pool->user_data);
  worker_free (worker);

  if (pool->retired)
    return;
  if (failed_to_start)
    count_start_failure (pool, reason->message);
  if (!pool->gave_up)
    top_up (pool);
}

/* Whether the process has exited, without reaping it. Its queue closes
 * as it exits, a moment before it is a zombie: give it that moment. */
static gboolean
has_exited (JrPoolWorker *worker)
{
  for (int i = 0; i < 20 && worker->pid > 0; i++)
    {
      siginfo_t info = { 0 };

      if (waitid (P_PID, (id_t) worker->pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 ||
          info.si_pid == worker->pid)
        return TRUE;
      g_usleep (1000);
    }
  return worker->pid <= 0;
}

static void
process_gone (JrPoolWorker *worker)
{
  g_autoptr(GError) reason = NULL;

  /* Its queue closed: the process has exited (its status is set then, and
   * a kill changes nothing), or it broke its queue's protocol, the router
   * closed the queue, and the worker must go. Its jobs' commands go with
   * it. */
  if (worker->kill_reason == NULL && !has_exited (worker))
    worker->kill_reason = g_strdup ("it broke the protocol of its queue, which was closed "
                                    "(see the warning before)");
  kill_group (worker);
  reap (worker);
  close_request_fd (worker);
  reason = describe_death (worker);
  worker_gone (worker, reason);
}

static void
on_channel_closed (JrRouter *router,
                   guint64   channel_id,
                   gpointer  user_data)
{
  JrWorkerPool *pool = user_data;

  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->is_process && worker->channel_id == channel_id)
        {
          process_gone (worker);
          return;
        }
    }
}

/* ---- messages ---- */

static void
on_worker_message (JrReceiver *receiver,
                   GVariant   *message,
                   gpointer    user_data)
{
  JrPoolWorker *worker = user_data;
  JrWorkerPool *pool = worker->pool;
  JrJobMessageParts parts;

  /* A worker that lied once is not believed again: its job fails when it
   * is gone, whatever it reports meanwhile. */
  if (worker->rejected)
    return;
  if (!jr_job_message_parse (message, &parts))
    {
      g_autofree char *reason = g_strdup_printf ("it sent a message of no known shape (of type %s)",
                                                 g_variant_get_type_string (message));

      jr_pool_worker_reject (worker, reason);
      return;
    }

  switch (parts.tag)
    {
    case JR_JOB_MSG_READY:
      worker->ready = TRUE;
      clear_source (&worker->ready_timer);
      pool->start_failures = 0;
      /* All its threads are there now. */
      if (worker->pid > 0)
        {
          g_mutex_lock (&pool->priority_lock);
          jr_worker_set_process_priority (worker->pid, pool->nice, pool->idle);
          g_mutex_unlock (&pool->priority_lock);
        }
      break;

    case JR_JOB_MSG_FATAL:
      if (worker->fatal_reason == NULL && g_variant_is_of_type (parts.payload, G_VARIANT_TYPE_STRING))
        worker->fatal_reason = g_variant_dup_string (parts.payload, NULL);
      break;

    case JR_JOB_MSG_EXITED:
      if (worker->thread != NULL)
        {
          g_autoptr(GError) reason = g_error_new_literal (JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                                                          "The worker thread has ended");

          /* Its last message: the thread is about to return. */
          g_thread_join (g_steal_pointer (&worker->thread));
          if (worker->state == WORKER_ABANDONED)
            {
              g_ptr_array_remove_fast (pool->workers, worker);
              worker_free (worker);
            }
          else
            worker_gone (worker, reason);
        }
      break;

    default:
      /* An abandoned thread's job: its future has ended already. */
      if (worker->state != WORKER_ABANDONED && pool->callbacks.job_message != NULL)
        pool->callbacks.job_message (worker, message, &parts, pool->user_data);
      break;
    }
  jr_job_message_parts_clear (&parts);
}

static gboolean
open_pipe (JrPoolWorker  *worker,
           JrSender     **sender,
           GError       **error)
{
  /* A process's pipe may only carry what its own queue sends: another
   * worker cannot pose as this one. */
  if (worker->channel_id != 0
        ? !jr_router_pipe_for_channel (worker->pool->router, worker->channel_id, sender,
                                       &worker->receiver, error)
        : !jr_router_pipe (worker->pool->router, sender, &worker->receiver, error))
    return FALSE;
  jr_receiver_set_func (worker->receiver, on_worker_message, worker);
  return TRUE;
}

/* ---- requests ---- */

static gboolean
flush_outbox (JrPoolWorker *worker)
{
  while (worker->outbox->len > 0)
    {
      ssize_t n = send (worker->request_fd, worker->outbox->data, worker->outbox->len,
                        MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return FALSE;
      if (n < 0)
        {
          /* The worker is dying: its queue will close, and tell. */
          g_byte_array_set_size (worker->outbox, 0);
          break;
        }
      g_byte_array_remove_range (worker->outbox, 0, (guint) n);
    }
  if (worker->close_after_outbox)
    shutdown (worker->request_fd, SHUT_WR);
  return TRUE;
}

static gboolean
on_request_fd_writable (int          fd,
                        GIOCondition condition,
                        gpointer     user_data)
{
  JrPoolWorker *worker = user_data;

  if (!flush_outbox (worker))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&worker->outbox_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
send_request (JrPoolWorker        *worker,
              JrWorkerRequestKind  kind,
              guint64              job_id,
              const char          *name,
              GVariant            *args)
{
  g_autofree guint8 *frame = NULL;
  gsize size;

  if (worker->request_fd < 0)
    return;
  frame = jr_worker_request_encode (kind, job_id, name, args, &size);
  g_byte_array_append (worker->outbox, frame, (guint) size);
  if (worker->outbox_watch != NULL || flush_outbox (worker))
    return;

  worker->outbox_watch = g_unix_fd_source_new (worker->request_fd, G_IO_OUT);
  g_source_set_callback (worker->outbox_watch, G_SOURCE_FUNC (on_request_fd_writable), worker,
                         NULL);
  g_source_set_static_name (worker->outbox_watch, "[jobrouter] worker requests");
  g_source_attach (worker->outbox_watch, jr_router_get_context (worker->pool->router));
}

void
jr_pool_worker_run (JrPoolWorker *worker,
                    guint64       job_id,
                    const char   *name,
                    GVariant     *args)
{
  if (worker->runtime != NULL)
    jr_worker_runtime_push (worker->runtime, job_id, name, args);
  else
    send_request (worker, JR_WORKER_REQUEST_RUN, job_id, name, args);
}

void
jr_pool_worker_cancel (JrPoolWorker *worker,
                       guint64       job_id)
{
  if (worker->runtime != NULL)
    jr_worker_runtime_cancel (worker->runtime, job_id);
  else
    send_request (worker, JR_WORKER_REQUEST_CANCEL, job_id, NULL, NULL);
}

gboolean
jr_pool_worker_recall (JrPoolWorker *worker,
                       guint64       job_id)
{
  if (worker->runtime != NULL)
    return jr_worker_runtime_recall (worker->runtime, job_id);
  send_request (worker, JR_WORKER_REQUEST_RECALL, job_id, NULL, NULL);
  return FALSE;
}

void
jr_pool_worker_reject (JrPoolWorker *worker,
                       const char   *reason)
{
  if (!worker->is_process)
    {
      g_warning ("A worker thread %s; ignored", reason);
      return;
    }
  /* Once: what it sends until it is gone is dropped with it. */
  if (worker->rejected)
    return;
  worker->rejected = TRUE;
  g_warning ("Worker process %d: %s; killed", worker->pid, reason);
  jr_pool_worker_kill (worker, reason);
}

gboolean
jr_pool_worker_kill (JrPoolWorker *worker,
                     const char   *reason)
{
  JrWorkerPool *pool = worker->pool;

  if (worker->is_process)
    {
      if (worker->kill_reason == NULL)
        worker->kill_reason = g_strdup (reason);
      kill_group (worker);
      return FALSE;
    }

  /* A thread cannot be killed: let it finish in its own time, its
   * messages dropped, while another takes its place. */
  if (worker->state != WORKER_ABANDONED)
    {
      set_live (worker, WORKER_ABANDONED);
      jr_worker_runtime_quit (worker->runtime);
      if (!pool->retired)
        top_up (pool);
    }
  return TRUE;
}

gboolean
jr_pool_worker_is_process (JrPoolWorker *worker)
{
  return worker->is_process;
}

void
jr_pool_worker_set_data (JrPoolWorker *worker,
                         gpointer      data)
{
  worker->data = data;
}

gpointer
jr_pool_worker_get_data (JrPoolWorker *worker)
{
  return worker->data;
}

/* ---- starting workers ---- */

static gpointer
thread_worker_main (gpointer data)
{
  JrPoolWorker *worker = data;
  JrWorkerPool *pool = worker->pool;

  g_mutex_lock (&pool->priority_lock);
  g_atomic_int_set (&worker->tid, jr_worker_get_tid ());
  jr_worker_set_priority (worker->tid, pool->nice, pool->idle);
  g_mutex_unlock (&pool->priority_lock);
  jr_worker_runtime_run (worker->runtime);
  /* The runtime's sender is this thread's: the last word goes on it. */
  jr_job_message_send_tag (jr_worker_runtime_get_sender (worker->runtime), 0,
                           JR_JOB_MSG_EXITED, NULL);
  return NULL;
}

static JrPoolWorker *
worker_new (JrWorkerPool *pool)
{
  JrPoolWorker *worker = g_new0 (JrPoolWorker, 1);

  worker->pool = pool;
  worker->state = WORKER_LIVE;
  worker->request_fd = -1;
  return worker;
}

static JrPoolWorker *
spawn_thread_worker (JrWorkerPool  *pool,
                     GError       **error)
{
  JrPoolWorker *worker = worker_new (pool);
  g_autoptr(JrSender) sender = NULL;

  worker->ready = TRUE;
  if (!open_pipe (worker, &sender, error) || !jr_sender_start (sender, error))
    {
      worker_free (worker);
      return NULL;
    }
  worker->runtime = jr_worker_runtime_new (sender, NULL, NULL);
  worker->thread = g_thread_try_new ("jr-worker", thread_worker_main, worker, error);
  if (worker->thread == NULL)
    {
      worker_free (worker);
      return NULL;
    }
  return worker;
}

static gboolean
ready_timed_out (gpointer data)
{
  JrPoolWorker *worker = data;

  g_clear_pointer (&worker->ready_timer, g_source_unref);
  jr_pool_worker_kill (worker, "it did not start within "
                               G_STRINGIFY (READY_TIMEOUT_SEC) " s (does it call jr_init()?)");
  return G_SOURCE_REMOVE;
}

/* What this process was started with, after argv[0]: a Python program's
 * script and its arguments, say. */
static char **
read_own_args (void)
{
  g_autofree char *contents = NULL;
  gsize length;
  GPtrArray *args = g_ptr_array_new ();
  gsize at;

  if (g_file_get_contents ("/proc/self/cmdline", &contents, &length, NULL))
    {
      /* NUL-separated; skip argv[0]. */
      at = strnlen (contents, length) + 1;
      while (at < length)
        {
          g_ptr_array_add (args, g_strdup (contents + at));
          at += strnlen (contents + at, length - at) + 1;
        }
    }
  g_ptr_array_add (args, NULL);
  return (char **) g_ptr_array_free (args, FALSE);
}

/* The running program, by its path (which names the worker in ps and
 * top), unless its file has been replaced or removed since it started (an
 * upgrade): then the running file itself, through /proc. */
static char *
self_program (void)
{
  char *path = g_file_read_link ("/proc/self/exe", NULL);

  if (path == NULL || g_str_has_suffix (path, " (deleted)"))
    {
      g_free (path);
      return g_strdup ("/proc/self/exe");
    }
  return path;
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
  program = self_program ();
  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **) pool->own_args);
  return g_strv_builder_end (builder);
}

static JrPoolWorker *
spawn_process_worker (JrWorkerPool  *pool,
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
  if (worker->channel_id == 0 || !open_pipe (worker, &sender, error))
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
    if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv,
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
  worker->ready_timer = add_timeout (pool, READY_TIMEOUT_SEC * 1000, ready_timed_out, worker);
  return worker;

fail:
  if (pair[1] >= 0)
    close (pair[1]);
  jr_child_fds_clear (&child);
  worker_free (worker);
  return NULL;
}

static gboolean
respawn_due (gpointer data)
{
  JrWorkerPool *pool = data;

  g_clear_pointer (&pool->respawn_timer, g_source_unref);
  top_up (pool);
  return G_SOURCE_REMOVE;
}

/* Brings the pool up to size, at most RESPAWNS_PER_WINDOW × size spawns a
 * window. */
static void
top_up (JrWorkerPool *pool)
{
  gint64 now = g_get_monotonic_time ();

  if (pool->retired || pool->gave_up || pool->respawn_timer != NULL)
    return;

  while (pool->spawn_times->len > 0 &&
         g_array_index (pool->spawn_times, gint64, 0) < now - RESPAWN_WINDOW_USEC)
    g_array_remove_index (pool->spawn_times, 0);

  while (pool->n_live < pool->size)
    {
      g_autoptr(GError) error = NULL;
      JrPoolWorker *worker;

      if (pool->spawn_times->len >= RESPAWNS_PER_WINDOW * pool->size)
        {
          pool->respawn_timer = add_timeout (pool, RESPAWN_DELAY_MS, respawn_due, pool);
          return;
        }

      g_array_append_val (pool->spawn_times, now);
      worker = pool->transport == JR_TRANSPORT_PROCESSES
                 ? spawn_process_worker (pool, &error)
                 : spawn_thread_worker (pool, &error);
      if (worker == NULL)
        {
          /* Not being able to even try is no reason to try again. */
          if (g_error_matches (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER))
            {
              give_up (pool, g_steal_pointer (&error));
              return;
            }
          count_start_failure (pool, error->message);
          if (!pool->gave_up)
            pool->respawn_timer = add_timeout (pool, RESPAWN_DELAY_MS, respawn_due, pool);
          return;
        }
      g_ptr_array_add (pool->workers, worker);
      pool->n_live++;
      if (pool->callbacks.worker_added != NULL)
        pool->callbacks.worker_added (worker, pool->user_data);
      /* The callback may have retired the pool. */
      if (pool->retired)
        return;
    }
}

/* ---- the pool ---- */

JrWorkerPool *
jr_worker_pool_new (JrRouter                    *router,
                    JrTransport                  transport,
                    guint                        size,
                    const char * const          *argv,
                    const JrWorkerPoolCallbacks *callbacks,
                    gpointer                     user_data)
{
  JrWorkerPool *pool = g_new0 (JrWorkerPool, 1);

  pool->router = g_object_ref (router);
  pool->transport = transport;
  pool->size = size;
  pool->callbacks = *callbacks;
  pool->user_data = user_data;
  pool->workers = g_ptr_array_new ();
  pool->spawn_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  pool->argv = argv != NULL ? g_strdupv ((char **) argv) : NULL;
  pool->own_args = read_own_args ();
  g_mutex_init (&pool->priority_lock);
  if (transport == JR_TRANSPORT_PROCESSES)
    pool->channel_closed_id = g_signal_connect (router, "channel-closed",
                                                G_CALLBACK (on_channel_closed), pool);
  return pool;
}

void
jr_worker_pool_free (JrWorkerPool *pool)
{
  pool->retired = TRUE;
  clear_source (&pool->respawn_timer);
  g_clear_signal_handler (&pool->channel_closed_id, pool->router);
  for (guint i = 0; i < pool->workers->len; i++)
    worker_free (g_ptr_array_index (pool->workers, i));
  g_ptr_array_unref (pool->workers);
  g_array_unref (pool->spawn_times);
  g_clear_error (&pool->failure);
  g_strfreev (pool->argv);
  g_strfreev (pool->own_args);
  g_mutex_clear (&pool->priority_lock);
  g_object_unref (pool->router);
  g_free (pool);
}

void
jr_worker_pool_fill (JrWorkerPool *pool)
{
  if (pool->gave_up)
    {
      pool->gave_up = FALSE;
      pool->start_failures = 0;
      g_clear_error (&pool->failure);
    }
  top_up (pool);
}

void
jr_worker_pool_retire (JrWorkerPool *pool)
{
  pool->retired = TRUE;
  clear_source (&pool->respawn_timer);
  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->state == WORKER_LIVE)
        set_live (worker, WORKER_RETIRING);
      if (worker->runtime != NULL)
        jr_worker_runtime_quit (worker->runtime);
      else if (worker->request_fd >= 0 && !worker->close_after_outbox)
        {
          /* EOF on its requests, once it has them all: the worker ends. */
          worker->close_after_outbox = TRUE;
          if (worker->outbox_watch == NULL)
            flush_outbox (worker);
        }
    }
}

gboolean
jr_worker_pool_is_empty (JrWorkerPool *pool)
{
  return pool->workers->len == 0;
}

guint
jr_worker_pool_get_n_workers (JrWorkerPool *pool)
{
  return pool->n_live;
}

const GError *
jr_worker_pool_get_failure (JrWorkerPool *pool)
{
  return pool->gave_up ? pool->failure : NULL;
}

void
jr_worker_pool_set_priority (JrWorkerPool *pool,
                             int           nice_value,
                             gboolean      idle)
{
  g_mutex_lock (&pool->priority_lock);
  pool->nice = nice_value;
  pool->idle = idle;
  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);
      int tid = g_atomic_int_get (&worker->tid);

      if (tid > 0 && worker->state == WORKER_LIVE && worker->is_process)
        jr_worker_set_process_priority (tid, nice_value, idle);
      else if (tid > 0 && worker->state == WORKER_LIVE)
        jr_worker_set_priority (tid, nice_value, idle);
    }
  g_mutex_unlock (&pool->priority_lock);
}
