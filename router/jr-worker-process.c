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
 *
 * A stream worker is started through a launcher (ssh, srun, a sandbox, or
 * directly), maybe on another machine: its command line ends with
 * JR_STREAM_WORKER_ARG, and it speaks on its standard input (requests)
 * and output (messages, jr_sender_set_parent_stream()), both framed. It
 * depends on no environment variable (ssh passes none): its first request
 * says what it needs (jr-worker-request-private.h). Its standard input and
 * output are moved out of its jobs' way (they get /dev/null, and its
 * standard error for output). When its input ends, or its output breaks,
 * the executor or the connection is gone: it kills its process group,
 * its jobs' processes with it, and exits at once. A QUIT request first
 * makes that an orderly end, as for a local worker.
 */
#include "jr-worker-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jr-channel-private.h"
#include "jr-job-message-private.h"
#include "jr-request-reader-private.h"
#include "jr-sender-private.h"
#include "jr-worker-request-private.h"

/* The exit status of a worker that refuses to start. */
#define REFUSED_EXIT_STATUS 70
/* ... and of a stream worker that lost its executor (when its own
 * SIGKILL of its group does not take it first). */
#define LOST_EXIT_STATUS    71
/* Told to quit, how long what its jobs started gets to end on SIGTERM
 * before SIGKILL. */
#define QUIT_GRACE_USEC     (500 * 1000)

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
  JrRequestReader requests;
  gboolean    stream;     /* a stream worker: the end of input is the end */
  int         parent_pid; /* a local worker's executor's process */
  gboolean    unread;     /* the buffer holds requests read with the HELLO */
} Reader;

static gboolean init_called;
/* A stream worker was told to QUIT: its input ending is no loss. Read on
 * the reading thread and the stream's writing thread. */
static volatile gint quitting;

/* A stream worker's executor, or the connection to it, is gone: nobody is
 * left to work for, and no job may outlive it. Async-signal-safe. */
G_GNUC_NORETURN static void
lose_connection (void)
{
  pid_t self = getpid ();

  /* Never the parent's group: only once we lead our own, and by its id,
   * never as "this process's group": on_terminate() may move this
   * process back into the group it was born in at any moment (the
   * parent's death sends its signal as the requests end), and that group
   * holds the parent's siblings (a test program, a shell's pipeline). */
  if (getpgrp () == self)
    kill (-self, SIGKILL);
  _exit (LOST_EXIT_STATUS);
}

/* The other live members of this process's group (what its jobs
 * started), from /proc. */
static GArray *
group_members (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  pid_t self = getpid ();
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *end;
      char state;
      int ppid, pgrp;
      pid_t pid;

      if (!g_ascii_isdigit (name[0]) || (pid = (pid_t) atoi (name)) == self)
        continue;
      path = g_strconcat ("/proc/", name, "/stat", NULL);
      /* "PID (COMM) STATE PPID PGRP …", where COMM may hold anything. */
      if (g_file_get_contents (path, &stat, NULL, NULL) &&
          (end = strrchr (stat, ')')) != NULL &&
          sscanf (end + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
          pgrp == (int) self && state != 'Z')
        g_array_append_val (pids, pid);
    }
  return pids;
}

/* Ends what the jobs started, in this process's own group: SIGTERM, and
 * SIGKILL for what is left after QUIT_GRACE_USEC. Nothing may stay: a
 * process that holds the session's output open keeps a remote session
 * (ssh, srun) and so the executor waiting. This process lives on to exit
 * cleanly. */
static void
end_own_group (void)
{
  gint64 deadline = g_get_monotonic_time () + QUIT_GRACE_USEC;
  pid_t self = getpid ();

  /* Never the parent's group: only once we lead our own, and by its id
   * (see lose_connection()). */
  if (getpgrp () != self)
    return;
  signal (SIGTERM, SIG_IGN);
  kill (-self, SIGTERM);
  for (;;)
    {
      g_autoptr(GArray) left = group_members ();

      if (left->len == 0)
        return;
      if (g_get_monotonic_time () >= deadline)
        {
          for (guint i = 0; i < left->len; i++)
            kill (g_array_index (left, pid_t, i), SIGKILL);
          return;
        }
      g_usleep (10 * 1000);
    }
}

/* The stream's writing thread found it broken (jr_stream_new_writer()). */
static void
on_stream_broken (gpointer stream,
                  gpointer data)
{
  if (!g_atomic_int_get (&quitting))
    lose_connection ();
}

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
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      JrWorkerRequest request;

      switch (jr_request_reader_next (&reader->requests, &request, &error))
        {
        case JR_FRAME_NEED_MORE:
          return TRUE;
        case JR_FRAME_CORRUPT:
          g_printerr ("jobrouter worker %d: bad request stream: %s\n", (int) getpid (),
                      error->message);
          return FALSE;
        case JR_FRAME_SKIP:
          g_printerr ("jobrouter worker %d: dropped a request: %s\n", (int) getpid (),
                      error->message);
          continue;
        case JR_FRAME_OK:
        default:
          break;
        }

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
        case JR_WORKER_REQUEST_PRIORITY:
          if (request.args != NULL && g_variant_is_of_type (request.args, G_VARIANT_TYPE ("(ib)")))
            {
              gint32 nice_value;
              gboolean idle;

              g_variant_get (request.args, "(ib)", &nice_value, &idle);
              jr_worker_set_process_priority (getpid (), nice_value, idle);
            }
          break;
        case JR_WORKER_REQUEST_ACK:
          break;  /* its TCP acknowledgement was the point */
        case JR_WORKER_REQUEST_QUIT:
          /* Cancel what is queued and running, let it end, then exit:
           * what the executor sends after this is not read. */
          g_atomic_int_set (&quitting, 1);
          jr_worker_request_clear (&request);
          return FALSE;
        default:
          break;
        }
      jr_worker_request_clear (&request);
    }
}

/* Appends what one read() gives to @reader's buffer, as much as it asks
 * for. Returns what read() did, errno kept. */
static ssize_t
read_more (Reader *reader)
{
  GByteArray *buffer = reader->requests.buffer;
  gsize old = buffer->len;
  gsize want = jr_request_reader_want (&reader->requests);
  ssize_t n;
  int saved;

  g_byte_array_set_size (buffer, old + want);
  n = read (reader->fd, buffer->data + old, want);
  saved = errno;
  g_byte_array_set_size (buffer, old + (n > 0 ? (gsize) n : 0));
  errno = saved;
  return n;
}

/* One read's worth of requests (JrWorkerReadFunc). FALSE once the
 * executor has closed the socket: the worker is to end. */
static gboolean
read_requests (JrWorkerRuntime *runtime,
               gpointer         data)
{
  Reader *reader = data;

  /* Requests that came with a stream worker's HELLO go first. */
  if (reader->unread)
    {
      reader->unread = FALSE;
      return handle_requests (reader, runtime);
    }

  for (;;)
    {
      struct pollfd pfd = { .fd = reader->fd, .events = POLLIN };
      int timeout, ready, saved;
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

      n = read_more (reader);
      saved = errno;
      if (timeout < 0)
        jr_channel_watch_end (reader->channel, FALSE);
      if (n < 0 && saved == EINTR)
        continue;
      if (n <= 0 && reader->stream && !g_atomic_int_get (&quitting))
        lose_connection ();
      /* The executor closes the requests to retire a local worker, and
       * they end as well when it dies: if it has, the jobs go with this
       * worker now (PARENT_GONE_SIGNAL does that too, unless a job has
       * taken it over; and a parent's descriptors close before its
       * children are handed on, so this may see the parent still). */
      if (n <= 0 && !reader->stream && getppid () != reader->parent_pid)
        lose_connection ();
      if (n <= 0)
        return FALSE;
      return handle_requests (reader, runtime);
    }
}

/* The descriptors that connect this worker to its executor (the request
 * socket and the queue, or the stream): their end of file is how the
 * executor learns that the worker is gone. */
static int transport_fds[3] = { -1, -1, -1 };

static gboolean
is_transport (int fd)
{
  for (guint i = 0; i < G_N_ELEMENTS (transport_fds); i++)
    if (transport_fds[i] == fd)
      return TRUE;
  return FALSE;
}

/* The executor spawns workers through posix_spawn, which leaves the
 * parent's descriptors that lack FD_CLOEXEC open here. Held open, one of
 * them (a pipe's end) could keep someone else from ever seeing EOF: close
 * them, all but the standard streams and the transport. Only those: a
 * descriptor with FD_CLOEXEC was opened by this process (exec closed the
 * others), before jr_init() — GLib's threads' wake-up fds, a log file —
 * and is still in use. */
static void
close_inherited_fds (void)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  const char *name;

  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  if (dir == NULL)
    return;
  /* Listed first, closed after: the listing has an fd of its own. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      int flags;

      if (fd > 2 && !is_transport (fd) &&
          (flags = fcntl (fd, F_GETFD)) >= 0 && (flags & FD_CLOEXEC) == 0)
        g_array_append_val (fds, fd);
    }
  g_clear_pointer (&dir, g_dir_close);
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
}

/* In a child a job forks without exec (a helper process, Python's
 * multiprocessing): the connection is not the child's to hold, and held,
 * it would hide the worker's death from the executor for as long as the
 * child lives. Replaced with /dev/null rather than closed, so that no
 * file the child opens takes their numbers. Async-signal-safe. */
static void
drop_transport_in_child (void)
{
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);

  for (guint i = 0; i < G_N_ELEMENTS (transport_fds); i++)
    if (transport_fds[i] >= 0)
      {
        if (null_fd >= 0 && dup2 (null_fd, transport_fds[i]) >= 0)
          fcntl (transport_fds[i], F_SETFD, FD_CLOEXEC);
        else
          close (transport_fds[i]);
      }
  if (null_fd >= 0)
    close (null_fd);
}

/* Keeps the transport (up to three descriptors, -1 for none) and closes
 * what else was inherited. Children that exec lose the transport
 * (FD_CLOEXEC); those that only fork, through drop_transport_in_child(). */
static void
take_transport (int fd0,
                int fd1,
                int fd2)
{
  const int fds[] = { fd0, fd1, fd2 };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      transport_fds[i] = fds[i];
      if (fds[i] >= 0)
        fcntl (fds[i], F_SETFD, FD_CLOEXEC);
    }
  close_inherited_fds ();
  pthread_atfork (NULL, NULL, drop_transport_in_child);
}

/* The second runner exists before READY goes out (the priority the
 * executor sets then reaches it), but reads no request before: READY is
 * the worker's first message, before any job's. */
typedef struct {
  JrWorkerRuntime *runtime;
  GMutex           lock;
  GCond            cond;
  gboolean         open;
} Gate;

static gpointer
second_runner (gpointer data)
{
  Gate *gate = data;

  g_mutex_lock (&gate->lock);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  jr_worker_runtime_run (gate->runtime);
  return NULL;
}

/* The process group this worker was born in, before it made its own. */
static pid_t birth_group;

/* SIGKILLs the jobs' processes, in the group this worker leads.
 * Async-signal-safe. Never the parent's group: only once we lead our own,
 * and by its id (see lose_connection()). Out of it first, back into the
 * group we were born in, so that its SIGKILL spares us; where that cannot
 * be, we go with it. */
static void
kill_jobs_group (void)
{
  pid_t group = getpgrp ();

  if (group == getpid ())
    {
      if (birth_group > 0 && birth_group != group)
        setpgid (0, birth_group);
      kill (-group, SIGKILL);
    }
}

/* Raises @sig again from its handler, whose action was just changed: a
 * raised signal is blocked while its handler runs, and is delivered once
 * unblocked (a fault comes back by itself as the instruction runs again).
 * Async-signal-safe. */
static void
raise_again (int sig)
{
  sigset_t just_sig;

  raise (sig);
  sigemptyset (&just_sig);
  sigaddset (&just_sig, sig);
  pthread_sigmask (SIG_UNBLOCK, &just_sig, NULL);
}

/* The parent is gone (PARENT_GONE_SIGNAL), or someone asked us to end: take
 * the jobs' processes with us, and end by @sig, as whoever sent it expects
 * to see (a job's error names it). Async-signal-safe. */
static void
on_terminate (int sig)
{
  kill_jobs_group ();
  signal (sig, SIG_DFL);
  raise_again (sig);
  _exit (128 + sig);
}

/* What a stream worker says on its standard error as it dies of a fault:
 * behind ssh, its parent sees only "exited with status 255" otherwise.
 * Written before any fault comes: a signal handler may not format. */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static char crash_notes[G_N_ELEMENTS (crash_signals)][256];
static gsize crash_note_lengths[G_N_ELEMENTS (crash_signals)];
static struct sigaction crash_chained[G_N_ELEMENTS (crash_signals)];
static pid_t crash_pid;
/* Under srun the end of the step takes every process of it: the worker
 * need not, and dies of its own signal (srun names it; a core file). */
static gboolean crash_ends_jobs;

/* Async-signal-safe. The note; then, where nobody else will, the jobs'
 * processes (in our group: all of it, us too, when we cannot leave it);
 * then the handler that was there before (Python's faulthandler, a
 * sanitizer), or the signal's default action. A process forked from the
 * worker without exec is not the worker: only the last. */
static void
on_crash (int sig)
{
  gsize i = 0;

  while (i < G_N_ELEMENTS (crash_signals) && crash_signals[i] != sig)
    i++;
  if (i == G_N_ELEMENTS (crash_signals))
    return;
  if (getpid () == crash_pid)
    {
      ssize_t n G_GNUC_UNUSED = write (STDERR_FILENO, crash_notes[i], crash_note_lengths[i]);

      if (crash_ends_jobs)
        kill_jobs_group ();
    }
  sigaction (sig, &crash_chained[i], NULL);
  raise_again (sig);
}

static void
report_crashes (void)
{
  struct sigaction action = { .sa_handler = on_crash };

  crash_pid = getpid ();
  crash_ends_jobs = g_getenv ("SLURM_STEP_ID") == NULL;
  sigemptyset (&action.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    {
      int n = g_snprintf (crash_notes[i], sizeof crash_notes[i],
                          "jobrouter worker %d on %s: killed by %s (%s)%s\n", (int) crash_pid,
                          g_get_host_name (), jr_worker_signal_name (crash_signals[i]),
                          g_strsignal (crash_signals[i]),
                          crash_ends_jobs ? ", its jobs' processes with it" : "");

      crash_note_lengths[i] = MIN ((gsize) MAX (n, 0), sizeof crash_notes[i] - 1);
      sigaction (crash_signals[i], &action, &crash_chained[i]);
    }
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

/* Runs the worker's two runners until told to quit, then exits, taking
 * what the jobs started along. @reader is set up but for its senders. */
G_GNUC_NORETURN static void
run_worker (guint64   pipe_id,
            Reader   *reader,
            GVariant *ready_info)
{
  g_autoptr(GError) error = NULL;
  JrWorkerRuntime *runtime;
  JrSender *sender;
  GThread *runner;
  Gate gate = { NULL };

  sender = open_pipe (pipe_id, &error);
  /* The queue is open: its variable is not for the jobs' children, as
   * JR_WORKER_ENV is not (jr_init()). */
  g_unsetenv (JR_CHANNEL_ENV);
  if (sender == NULL)
    {
      g_printerr ("jobrouter worker %d: %s\n", (int) getpid (), error->message);
      _exit (REFUSED_EXIT_STATUS);
    }

  reader->channel = jr_channel_get_for_parent (NULL);
  reader->sender = open_pipe (pipe_id, NULL);
  runtime = jr_worker_runtime_new (sender, read_requests, reader);

  /* Both runners exist before the executor hears READY, so that the
   * priority it sets then reaches both; neither reads before. */
  gate.runtime = runtime;
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  runner = g_thread_new ("jr-runner", second_runner, &gate);
  if (ready_info != NULL)
    jr_job_message_send_value (sender, 0, JR_JOB_MSG_READY, ready_info, NULL);
  else
    jr_job_message_send_tag (sender, 0, JR_JOB_MSG_READY, NULL);
  jr_sender_flush (sender, NULL);
  g_mutex_lock (&gate.lock);
  gate.open = TRUE;
  g_cond_signal (&gate.cond);
  g_mutex_unlock (&gate.lock);
  jr_worker_runtime_run (runtime);
  g_thread_join (runner);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  jr_worker_runtime_unref (runtime);
  /* A stream's last messages are written out before this returns. */
  jr_sender_stop (sender, NULL);
  g_object_unref (sender);
  if (reader->sender != NULL)
    jr_sender_stop (reader->sender, NULL);
  g_clear_object (&reader->sender);
  jr_request_reader_clear (&reader->requests);
  g_free (reader);

  /* Told to quit: what the jobs started goes too. */
  end_own_group ();
  exit (0);
}

/* What the kernel sends a worker when its parent dies: a signal of its
 * own, not SIGTERM, which a job may well take over (to clean up on it) or
 * ignore, and the worker would then outlive its parent. */
#define PARENT_GONE_SIGNAL (SIGRTMAX - 3)

/* Our own process group, which jobs' commands join: out of the terminal's
 * (Ctrl-C is for the parent, which cancels and shuts down itself), and
 * one kill ends a worker and everything its job started. The worker ends
 * with its parent. */
static void
become_group_leader (void)
{
  struct sigaction action = { .sa_handler = on_terminate };

  birth_group = getpgrp ();
  setpgid (0, 0);
  sigemptyset (&action.sa_mask);
  sigaction (SIGTERM, &action, NULL);
  sigaction (PARENT_GONE_SIGNAL, &action, NULL);
  prctl (PR_SET_PDEATHSIG, PARENT_GONE_SIGNAL);
}

G_GNUC_NORETURN static void
worker_main (const WorkerSetup *setup)
{
  const char *channel = g_getenv (JR_CHANNEL_ENV);
  int mem_fd = -1, bell_fd = -1;
  Reader *reader;

  if (channel != NULL)
    sscanf (channel, "%d,%d", &mem_fd, &bell_fd);
  take_transport (setup->request_fd, mem_fd, bell_fd);
  become_group_leader ();
  /* The parent may have died before prctl(): then nobody waits. Or the
   * variable reached a program a job started, through a copy of the
   * environment made before jr_init() took it out: say so. */
  if (getppid () != setup->parent_pid)
    {
      g_printerr ("jobrouter worker %d: " JR_WORKER_ENV " is set, but this process's parent is "
                  "not the executor that set it (it has ended, or the variable reached a "
                  "program that a job started): exiting\n", (int) getpid ());
      _exit (REFUSED_EXIT_STATUS);
    }

  reader = g_new0 (Reader, 1);
  reader->fd = setup->request_fd;
  reader->parent_pid = setup->parent_pid;
  jr_request_reader_init (&reader->requests);
  run_worker (setup->pipe_id, reader, NULL);
}

/* ---- stream workers ---- */

G_GNUC_NORETURN static void G_GNUC_PRINTF (1, 2)
refuse_stream (const char *format,
               ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  /* Standard error is all a stream worker has before its HELLO: the
   * executor shows its last lines as the reason the worker did not start. */
  g_printerr ("jobrouter worker %d on %s: %s\n", (int) getpid (), g_get_host_name (), text);
  _exit (REFUSED_EXIT_STATUS);
}

/* Reads the executor's HELLO, the first frame on @fd, into @reader's
 * buffer; what came after it stays there. Returns its setup. */
static GVariant *
read_hello (Reader *reader)
{
  GByteArray *buffer = reader->requests.buffer;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      JrWorkerRequest request;
      JrFrameHeader header;
      JrFrameStatus status;
      ssize_t n;

      if (buffer->len >= JR_FRAME_HEADER_SIZE)
        {
          memcpy (&header, buffer->data, sizeof header);
          if (header.magic == GUINT16_SWAP_LE_BE (JR_FRAME_MAGIC))
            refuse_stream ("the executor's machine has the other byte order, which jobrouter "
                           "does not translate");
        }
      status = jr_request_reader_next (&reader->requests, &request, &error);
      if (status == JR_FRAME_OK)
        {
          GVariant *setup = NULL;

          if (request.kind == JR_WORKER_REQUEST_HELLO && request.args != NULL &&
              g_variant_is_of_type (request.args, G_VARIANT_TYPE_VARDICT))
            setup = g_variant_ref (request.args);
          jr_worker_request_clear (&request);
          if (setup == NULL)
            refuse_stream ("the executor's first request is not its HELLO");
          reader->unread = jr_request_reader_has_unread (&reader->requests);
          return setup;
        }
      if (status != JR_FRAME_NEED_MORE)
        refuse_stream ("the executor's first request cannot be read: %s",
                       error != NULL ? error->message : "unknown");

      n = read_more (reader);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (LOST_EXIT_STATUS);   /* nobody there: nothing to say */
    }
}

/* A descriptor out of the way of the standard ones, for the stream. */
static int
take_stdio (int fd)
{
  int taken = fcntl (fd, F_DUPFD_CLOEXEC, 3);

  if (taken < 0)
    refuse_stream ("could not take its standard input and output: %s", g_strerror (errno));
  return taken;
}

/* The executor's JOBROUTER_… variables, from its HELLO (ssh passes none):
 * set before any thread of ours starts. */
static void
set_carried_environment (GVariant *setup)
{
  g_autoptr(GVariant) env = g_variant_lookup_value (setup, "env", G_VARIANT_TYPE ("a{ss}"));
  GVariantIter iter;
  const char *name, *value;

  if (env == NULL)
    return;
  g_variant_iter_init (&iter, env);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
    if (g_str_has_prefix (name, JR_CARRIED_ENV_PREFIX) && strchr (name, '=') == NULL &&
        !g_str_equal (name, JR_WORKER_ENV) && !g_str_equal (name, JR_CHANNEL_ENV))
      g_setenv (name, value, TRUE);
}

G_GNUC_NORETURN static void
stream_worker_main (guint version)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) setup = NULL;
  struct sigaction action = { .sa_handler = on_terminate };
  guint32 their_version = 0;
  guint64 pipe_id = 0;
  gint32 nice_value = 0;
  gboolean idle = FALSE;
  GVariantDict info;
  Reader *reader;
  int in_fd, out_fd, null_fd;

  if (version != JR_STREAM_PROTOCOL_VERSION)
    refuse_stream ("started for protocol version %u, but this jobrouter speaks version %u: "
                   "install the same version on both sides", version, JR_STREAM_PROTOCOL_VERSION);

  /* The stream, out of the jobs' way: their commands get /dev/null to
   * read and print on standard error, never into the stream. */
  in_fd = take_stdio (STDIN_FILENO);
  out_fd = take_stdio (STDOUT_FILENO);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || dup2 (null_fd, STDIN_FILENO) < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    refuse_stream ("could not move its standard input and output: %s", g_strerror (errno));
  close (null_fd);
  /* Whatever the environment says (srun passes it on), this process is
   * a stream worker only. */
  g_unsetenv (JR_WORKER_ENV);
  g_unsetenv (JR_CHANNEL_ENV);
  take_transport (in_fd, out_fd, -1);
  become_group_leader ();
  report_crashes ();
  /* A hangup of a session (ssh with a terminal) ends the worker too. */
  sigemptyset (&action.sa_mask);
  sigaction (SIGHUP, &action, NULL);

  reader = g_new0 (Reader, 1);
  reader->fd = in_fd;
  jr_request_reader_init (&reader->requests);
  reader->stream = TRUE;
  setup = read_hello (reader);
  if (!g_variant_lookup (setup, "version", "u", &their_version) ||
      their_version != JR_STREAM_PROTOCOL_VERSION)
    refuse_stream ("the executor speaks protocol version %u, this jobrouter version %u: "
                   "install the same version on both sides", their_version,
                   JR_STREAM_PROTOCOL_VERSION);
  if (!g_variant_lookup (setup, "pipe", "t", &pipe_id) || pipe_id == 0)
    refuse_stream ("the executor's HELLO names no pipe");
  g_variant_lookup (setup, "nice", "i", &nice_value);
  g_variant_lookup (setup, "idle", "b", &idle);
  set_carried_environment (setup);
  /* run_worker() does not return: nothing would free it. */
  g_clear_pointer (&setup, g_variant_unref);

  if (!jr_channel_set_parent_stream (out_fd, on_stream_broken, NULL, &error))
    refuse_stream ("%s", error->message);

  /* Threads made from here on inherit it. */
  jr_worker_set_process_priority (getpid (), nice_value, idle);

  g_variant_dict_init (&info, NULL);
  g_variant_dict_insert (&info, "host", "s", g_get_host_name ());
  g_variant_dict_insert (&info, "pid", "i", (gint32) getpid ());
  run_worker (pipe_id, reader, g_variant_dict_end (&info));
}

/* The protocol version named by a stream worker's last argument, or 0
 * when @arg is not that argument. */
static guint
stream_worker_version (const char *arg)
{
  guint64 version;

  if (arg == NULL || !g_str_has_prefix (arg, JR_STREAM_WORKER_ARG))
    return 0;
  if (!g_ascii_string_to_unsigned (arg + strlen (JR_STREAM_WORKER_ARG), 10, 1, G_MAXUINT, &version,
                                   NULL))
    return G_MAXUINT;
  return (guint) version;
}

char **
jr_worker_dup_own_argv (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  gsize length = 0;

  /* NUL-separated, the last one too (and g_file_get_contents() ends what
   * it reads with one more). */
  if (g_file_get_contents ("/proc/self/cmdline", &contents, &length, NULL))
    for (gsize at = 0; at < length; at += strnlen (contents + at, length - at) + 1)
      g_strv_builder_add (argv, contents + at);
  return g_strv_builder_end (argv);
}

/* The same, for the last argument this process was started with. */
static guint
stream_worker_version_of_self (void)
{
  g_auto(GStrv) argv = jr_worker_dup_own_argv ();
  guint argc = g_strv_length (argv);

  return argc > 0 ? stream_worker_version (argv[argc - 1]) : 0;
}

gboolean
jr_worker_is_stream_process (void)
{
  return stream_worker_version_of_self () != 0;
}

gboolean
jr_worker_init_was_called (void)
{
  return init_called;
}

/* Where jr_init() found this program: see jr_worker_get_launch_program(). */
static char *launch_program;
static char *launch_dir;

/* The path this program was started by, made absolute, when it names the
 * running file: a virtual environment's bin/python is a link to the
 * system's Python, which finds the environment only when started by the
 * link's own path (/proc/self/exe has the links resolved). */
static char *
find_launch_program (void)
{
  g_auto(GStrv) argv = jr_worker_dup_own_argv ();
  g_autofree char *path = NULL;
  GStatBuf named, running;

  if (argv[0] == NULL || argv[0][0] == '\0')
    return NULL;
  if (strchr (argv[0], '/') != NULL)
    path = g_canonicalize_filename (argv[0], NULL);
  else
    path = g_find_program_in_path (argv[0]);
  if (path == NULL || g_stat (path, &named) != 0 || g_stat ("/proc/self/exe", &running) != 0 ||
      named.st_dev != running.st_dev || named.st_ino != running.st_ino)
    return NULL;
  return g_steal_pointer (&path);
}

const char *
jr_worker_get_launch_program (void)
{
  return launch_program;
}

const char *
jr_worker_get_launch_dir (void)
{
  return launch_dir;
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

/* As jr_set_worker_arguments() set them; NULL: this program's own. */
static char **worker_arguments;
G_LOCK_DEFINE_STATIC (worker_arguments);

/**
 * jr_set_worker_arguments:
 * @arguments: (array zero-terminated=1) (nullable): the arguments, or
 *   %NULL for those this program was started with
 *
 * Sets the arguments that worker processes of this program are started
 * with, after its path: local workers and those of every other group
 * ([method@Jr.Executor.add_group]) that runs this program elsewhere. By
 * default they are the arguments this program was started with, since
 * its main() may need them to reach [func@Jr.init] (a Python program's
 * script, say).
 *
 * A program whose main() gets to [func@Jr.init] without them (a C
 * program that calls it first thing) can pass an empty list: then
 * nothing it was given (a file name, a command, a password on the command
 * line) shows in the workers' command lines, which `ps` shows every user
 * of the machine, on a cluster's nodes too.
 *
 * Call from main() before making an executor. It does not change the
 * workers of executors made before, nor a group's own command line
 * ([method@Jr.Launcher.set_program], [property@Jr.Executor:worker-argv]).
 *
 * Since: 0.2
 */
void
jr_set_worker_arguments (const char * const *arguments)
{
  G_LOCK (worker_arguments);
  g_strfreev (worker_arguments);
  worker_arguments = g_strdupv ((char **) arguments);
  G_UNLOCK (worker_arguments);
}

char **
jr_worker_dup_worker_arguments (void)
{
  char **arguments;
  g_auto(GStrv) argv = NULL;

  G_LOCK (worker_arguments);
  arguments = g_strdupv (worker_arguments);
  G_UNLOCK (worker_arguments);
  if (arguments != NULL)
    return arguments;

  argv = jr_worker_dup_own_argv ();
  return g_strdupv (argv[0] != NULL ? argv + 1 : argv);
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
  guint version;

  init_called = TRUE;
  /* A stream worker: the last argument says so (its launcher passed no
   * environment). It is no argument of the program's own. */
  if (argc != NULL && argv != NULL && *argc > 1 &&
      (version = stream_worker_version ((*argv)[*argc - 1])) != 0)
    {
      (*argv)[--*argc] = NULL;
      stream_worker_main (version);
    }
  if ((argc == NULL || argv == NULL) && (version = stream_worker_version_of_self ()) != 0)
    stream_worker_main (version);
  if (env == NULL)
    {
      /* The program as it was started, for its workers: relative paths in
       * its arguments (a Python script's) hold only where it started. */
      if (launch_program == NULL)
        launch_program = find_launch_program ();
      if (launch_dir == NULL)
        launch_dir = g_get_current_dir ();
      return;
    }

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
