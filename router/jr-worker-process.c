/* jr-worker-process.c — jr_init(): a worker process's main loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor spawns workers by running the program again with
 * JOBROUTER_WORKER set (the "spawn" model: no fork of a threaded process).
 * Two threads take turns reading requests from their own socket and
 * running jobs, one job at a time (see jr-worker-runtime.c): the thread
 * that reads a job runs it, and the other reads meanwhile, so that a
 * cancel reaches the running job at once.
 * Standard input is /dev/null: a job's commands may read it without eating
 * requests.
 *
 * A worker leads its own process group, which a job's child processes
 * join: the executor kills the whole group when it kills the worker, and
 * the worker takes the group down when its parent dies (PR_SET_PDEATHSIG)
 * or when the executor closes the request socket.
 */
#include "jr-worker-private.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "jr-channel-private.h"
#include "jr-job-message-private.h"
#include "jr-worker-request-private.h"

/* The exit status of a worker that refuses to start. */
#define REFUSED_EXIT_STATUS 70

typedef struct {
  int      request_fd;
  guint64  pipe_id;
  int      parent_pid;
} WorkerSetup;

/* The request stream: read by whichever runner thread holds the reading
 * turn (see jr-worker-runtime.c), one at a time. */
typedef struct {
  JrSender   *sender;     /* for RETURNED: the job's own may be busy */
  JrChannel  *channel;    /* the queue to the executor */
  int         fd;
  GByteArray *buffer;     /* what was read and not yet decoded */
  gsize       want;
} Reader;

static gboolean init_called;

static gboolean
parse_setup (const char  *env,
             WorkerSetup *setup)
{
  return env != NULL &&
         sscanf (env, "%d:%" G_GUINT64_FORMAT ":%d", &setup->request_fd, &setup->pipe_id,
                 &setup->parent_pid) == 3 &&
         setup->request_fd >= 0 && setup->pipe_id > 0;
}

/* Hands each whole request in the buffer to @runtime. FALSE when the
 * stream is broken (only a broken parent would send that). */
static gboolean
handle_requests (Reader          *reader,
                 JrWorkerRuntime *runtime)
{
  GByteArray *buffer = reader->buffer;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      JrWorkerRequest request;
      gsize frame_size;
      JrFrameStatus status = jr_worker_request_decode (buffer->data, buffer->len, &request,
                                                       &frame_size, &error);

      if (status == JR_FRAME_NEED_MORE)
        {
          reader->want = frame_size > buffer->len ? frame_size - buffer->len : 4096;
          return TRUE;
        }
      if (status == JR_FRAME_CORRUPT)
        {
          g_printerr ("jobrouter worker %d: bad request stream: %s\n", (int) getpid (),
                      error->message);
          return FALSE;
        }
      if (status == JR_FRAME_OK)
        {
          switch (request.kind)
            {
            case JR_WORKER_REQUEST_RUN:
              jr_worker_runtime_push (runtime, request.job_id, request.name, request.args);
              break;
            case JR_WORKER_REQUEST_CANCEL:
              jr_worker_runtime_cancel (runtime, request.job_id);
              break;
            case JR_WORKER_REQUEST_RECALL:
              if (jr_worker_runtime_recall (runtime, request.job_id))
                jr_job_message_send_tag (reader->sender, request.job_id, JR_JOB_MSG_RETURNED, NULL);
              break;
            default:
              break;
            }
          jr_worker_request_clear (&request);
        }
      else
        g_printerr ("jobrouter worker %d: dropped a request: %s\n", (int) getpid (),
                    error->message);
      g_byte_array_remove_range (buffer, 0, (guint) frame_size);
      reader->want = 4096;
    }
}

/* One read's worth of requests (JrWorkerReadFunc). FALSE once the
 * executor has closed the socket: the worker is to end. */
static gboolean
read_requests (JrWorkerRuntime *runtime,
               gpointer         data)
{
  Reader *reader = data;
  GByteArray *buffer = reader->buffer;

  for (;;)
    {
      gsize old = buffer->len;
      struct pollfd pfd = { .fd = reader->fd, .events = POLLIN };
      int timeout, ready;
      ssize_t n;

      /* While waiting, watch that a job's deferred STARTED does not wait
       * long for its doorbell (jr_channel_write_data_deferred()): with
       * one owed, wait a moment only; with none, the runner rings at once
       * while this thread waits in read(). */
      timeout = jr_channel_watch_begin (reader->channel);
      if (timeout >= 0)
        {
          ready = poll (&pfd, 1, timeout);
          jr_channel_watch_end (reader->channel, ready == 0);
          if (ready <= 0)
            continue;
        }

      g_byte_array_set_size (buffer, old + MAX (reader->want, 4096));
      n = read (reader->fd, buffer->data + old, buffer->len - old);
      if (timeout < 0)
        jr_channel_watch_end (reader->channel, FALSE);
      g_byte_array_set_size (buffer, old + (n > 0 ? (gsize) n : 0));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      return handle_requests (reader, runtime);
    }
}

/* The executor spawns workers through posix_spawn, which leaves the
 * parent's descriptors that lack FD_CLOEXEC open here. Held open, one of
 * them (a pipe's end) could keep someone else from ever seeing EOF: close
 * all but the standard streams, the request socket and the queue. */
static void
close_inherited_fds (int request_fd)
{
  const char *channel = g_getenv (JR_CHANNEL_ENV);
  int mem_fd = -1, bell_fd = -1;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  const char *name;

  if (channel != NULL)
    sscanf (channel, "%d,%d", &mem_fd, &bell_fd);
  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  if (dir == NULL)
    return;
  /* Listed first, closed after: the listing has an fd of its own. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);

      if (fd > 2 && fd != request_fd && fd != mem_fd && fd != bell_fd)
        g_array_append_val (fds, fd);
    }
  g_clear_pointer (&dir, g_dir_close);
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
}

static gpointer
second_runner (gpointer data)
{
  jr_worker_runtime_run (data);
  return NULL;
}

/* The parent is gone (PR_SET_PDEATHSIG), or someone asked us to end: take
 * the jobs' processes with us. Async-signal-safe. */
static void
on_terminate (int sig)
{
  /* Never the parent's group: only once we lead our own. */
  if (getpgrp () == getpid ())
    kill (0, SIGKILL);
  _exit (128 + sig);
}

static JrSender *
open_pipe (guint64   pipe_id,
           GError  **error)
{
  g_autoptr(JrSender) sender = jr_sender_new_for_parent (pipe_id, error);

  if (sender == NULL || !jr_sender_start (sender, error))
    return NULL;
  return g_steal_pointer (&sender);
}

G_GNUC_NORETURN static void
worker_main (const WorkerSetup *setup)
{
  g_autoptr(GError) error = NULL;
  struct sigaction action = { .sa_handler = on_terminate };
  JrWorkerRuntime *runtime;
  JrSender *sender;
  GThread *runner;
  Reader *reader;

  close_inherited_fds (setup->request_fd);
  /* Our own process group, which jobs' commands join: out of the
   * terminal's (Ctrl-C is for the parent, which cancels and shuts down
   * itself), and one kill ends a worker and everything its job started. */
  setpgid (0, 0);
  sigemptyset (&action.sa_mask);
  sigaction (SIGTERM, &action, NULL);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* The parent may have died before the line above: then nobody waits. */
  if (getppid () != setup->parent_pid)
    _exit (REFUSED_EXIT_STATUS);

  sender = open_pipe (setup->pipe_id, &error);
  if (sender == NULL)
    {
      g_printerr ("jobrouter worker %d: %s\n", (int) getpid (), error->message);
      _exit (REFUSED_EXIT_STATUS);
    }

  reader = g_new0 (Reader, 1);
  reader->fd = setup->request_fd;
  reader->channel = jr_channel_get_for_parent (NULL);
  reader->buffer = g_byte_array_new ();
  reader->want = 4096;
  reader->sender = open_pipe (setup->pipe_id, NULL);
  runtime = jr_worker_runtime_new (sender, read_requests, reader);

  /* Both runners exist before the executor hears READY, so that the
   * priority it sets then reaches both. */
  runner = g_thread_new ("jr-runner", second_runner, runtime);
  jr_job_message_send_tag (sender, 0, JR_JOB_MSG_READY, NULL);
  jr_worker_runtime_run (runtime);
  g_thread_join (runner);
  jr_worker_runtime_free (runtime);
  jr_sender_stop (sender, NULL);
  g_object_unref (sender);
  g_clear_object (&reader->sender);
  g_byte_array_unref (reader->buffer);
  g_free (reader);

  /* Told to quit: what the jobs started goes too. SIGTERM, not SIGKILL:
   * this process must live to exit cleanly. */
  signal (SIGTERM, SIG_IGN);
  if (getpgrp () == getpid ())
    kill (0, SIGTERM);
  exit (0);
}

gboolean
jr_worker_init_was_called (void)
{
  return init_called;
}

void
jr_worker_refuse (const char *reason)
{
  WorkerSetup setup;
  g_autoptr(JrSender) sender = NULL;

  g_printerr ("jobrouter worker %d: %s\n", (int) getpid (), reason);
  if (parse_setup (g_getenv (JR_WORKER_ENV), &setup) &&
      (sender = open_pipe (setup.pipe_id, NULL)) != NULL)
    {
      jr_job_message_send_value (sender, 0, JR_JOB_MSG_FATAL, g_variant_new_string (reason), NULL);
      jr_sender_stop (sender, NULL);
    }
  _exit (REFUSED_EXIT_STATUS);
}

/**
 * jr_init:
 * @argc: (inout) (optional): the address of main()'s argc
 * @argv: (inout) (optional) (nullable) (array length=argc) (transfer none): the
 *   address of main()'s argv; neither is changed
 *
 * Call from main() after registering the job kinds and before anything
 * else. In a worker process started by an executor this runs the worker and
 * never returns; otherwise it returns at once.
 *
 * An executor with %JR_TRANSPORT_PROCESSES needs it: its workers are this
 * program run again, and jr_init() is where they take up their work.
 *
 * Since: 0.1
 */
void
jr_init (int    *argc,
         char ***argv)
{
  const char *env = g_getenv (JR_WORKER_ENV);
  WorkerSetup setup;

  init_called = TRUE;
  if (env == NULL)
    return;

  if (!parse_setup (env, &setup))
    {
      g_printerr ("jobrouter worker %d: " JR_WORKER_ENV "=%s is not a worker setup\n",
                  (int) getpid (), env);
      _exit (REFUSED_EXIT_STATUS);
    }
  /* Children of a job (a shell command, say) are not workers. */
  g_unsetenv (JR_WORKER_ENV);
  worker_main (&setup);
}
