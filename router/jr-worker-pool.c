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
 *
 * A pool is one group of an executor: a launcher and a size. With a
 * command launcher (jr-launcher.c) a worker is a stream worker: the
 * command (ssh, srun, or none) runs with its standard input on a socket
 * for the requests (the first one a HELLO with the worker's setup) and its
 * standard output on a socket that the router reads as a stream; its
 * standard error goes to a pipe of ours, whose last lines say why a
 * worker could not start or went away. The pid is then the command's:
 * ending such a worker closes its requests (the worker, maybe on another
 * machine, sees its input end and kills its jobs' processes), sends the
 * command SIGTERM (srun then cancels its step at once; its process group
 * is left alone, whose death would leave the step running) and SIGKILL
 * a moment later. Workers that go away are replaced after a pause that
 * doubles with each one lost in a row (a host that went down is not
 * hammered); one that worked for a while resets it.
 */
#include "jr-worker-pool-private.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
/* Respawn pauses after workers of a command launcher were lost in a
 * row: RESPAWN_DELAY_MS, doubling, at most BACKOFF_MAX_MS. A worker that
 * was up for BACKOFF_RESET_USEC before it went resets the count. */
#define BACKOFF_MAX_MS          (30 * 1000)
#define BACKOFF_RESET_USEC      (10 * G_USEC_PER_SEC)
/* How long a command (ssh, srun) has to end after SIGTERM before SIGKILL. */
#define COMMAND_KILL_DELAY_MS   2000
/* How long a command asked to end (its worker told to QUIT) may take
 * before it gets SIGTERM: the worker gives its jobs' processes 0.5 s. */
#define COMMAND_QUIT_DELAY_MS   5000
/* The same for a local worker process (an exit handler that waits for
 * ever would hold up the executor's stop for ever). */
#define LOCAL_QUIT_DELAY_MS     2000
/* What is kept of a command's standard error, for messages. */
#define STDERR_TAIL_MAX         1024
#define STDERR_LINE_MAX         4096
/* A job that floods its standard error (through a command, a stream
 * worker's jobs print there) must not hold the router's thread: at most
 * this much is read per dispatch, and this many lines a second echoed. */
#define STDERR_READ_BUDGET      (64 * 1024)
#define STDERR_ECHO_PER_SECOND  50
/* Distinct lines of workers still starting echoed once a round (a
 * launcher that cannot start says the same each try). */
#define START_LINES_MAX         32
/* What a worker may say of itself (where it runs, why it gave up) ends up
 * in labels and messages: bounded, one line. */
#define WORKER_HOST_MAX         255
#define WORKER_REASON_MAX       1024

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

  /* Stream workers (a command launcher). */
  gboolean         stream;
  gboolean         via_command;    /* pid is the command's (ssh, srun), not the worker's */
  int              stream_fd;      /* a copy of the router's end of its stream */
  int              stderr_fd;
  GSource         *stderr_watch;
  GString         *stderr_line;    /* the line being printed */
  GString         *stderr_tail;    /* the last lines printed */
  gint64           echo_since;     /* this second of echoed lines began */
  guint            echo_count;     /* lines echoed in it */
  guint64          echo_dropped;   /* lines not echoed since the last count */
  GSource         *kill_timer;     /* its process's next signal (kill_signal) */
  gint64           kill_due;       /* ... at this time */
  int              kill_signal;    /* SIGTERM, then SIGKILL; 0: none sent yet */
  gboolean         outlived;       /* it did not end with its stream: we ended it */
  gboolean         cut_short;      /* its stream closed before it was ready */
  GSource         *exit_watch;     /* a command whose stream ended before it did */
  gint64           last_request;   /* when a request last went to it */
  gboolean         ack_owed;       /* it spoke, and nothing went back since */
  GSource         *ack_timer;
  char            *host;           /* where it runs, as it said when ready */
  gint64           ready_time;
};

struct _JrWorkerPool {
  JrRouter              *router;
  JrTransport            transport;
  JrLauncher            *launcher;
  char                  *group;
  guint                  size;
  char                 **argv;      /* NULL: this program run again */
  char                 **own_args;  /* see jr_set_worker_arguments() */
  guint                  losses;    /* command launcher: workers lost in a row */
  GHashTable            *start_lines; /* echoed of workers still starting, this round */
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

static gboolean ready_timed_out (gpointer user_data);

/* How long a new worker has to say READY: its launcher's start timeout,
 * which may be as long as G_MAXINT64 µs ("no limit"). */
static GSource *
add_ready_timeout (JrPoolWorker *worker)
{
  gint64 usec = jr_launcher_get_start_timeout (worker->pool->launcher);

  return add_timeout (worker->pool, (guint) CLAMP (usec / 1000, 0, (gint64) G_MAXUINT),
                      ready_timed_out, worker);
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
  clear_source (&worker->ack_timer);
  if (worker->request_fd >= 0)
    close (worker->request_fd);
  worker->request_fd = -1;
}

static gboolean signal_due (gpointer data);
static void     kill_group (JrPoolWorker *worker);
static gboolean stderr_read (JrPoolWorker *worker);

/* Sends the worker's process its next signal, after @delay_ms (0: now):
 * SIGTERM first, then SIGKILL. A command (ssh, srun) gets them alone; a
 * local worker's SIGKILL goes to its jobs' commands too (its SIGTERM
 * handler sends them theirs). */
static void
signal_worker (JrPoolWorker *worker,
               guint         delay_ms)
{
  clear_source (&worker->kill_timer);
  if (worker->pid <= 0 || worker->kill_signal == SIGKILL)
    return;
  if (delay_ms == 0)
    {
      /* What it printed so far is echoed: what comes once it is
       * signalled is not (stderr_line()). */
      if (worker->kill_signal == 0 && worker->stderr_fd >= 0)
        stderr_read (worker);
      worker->kill_signal = worker->kill_signal == 0 ? SIGTERM : SIGKILL;
      if (worker->kill_signal == SIGKILL && !worker->via_command)
        {
          kill_group (worker);
          return;
        }
      kill (worker->pid, worker->kill_signal);
      /* A command SIGKILLed is given a last moment for its stream to end
       * (signal_overdue()). */
      delay_ms = COMMAND_KILL_DELAY_MS;
    }
  worker->kill_timer = add_timeout (worker->pool, delay_ms, signal_due, worker);
  worker->kill_due = g_get_monotonic_time () + (gint64) delay_ms * 1000;
}

/* Its time is up: its next signal, and the first time, a word on why. */
static void
signal_overdue (JrPoolWorker *worker)
{
  if (worker->kill_signal == SIGKILL)
    {
      /* The command is gone, but its stream is still open: a process it
       * started holds it (a wrapper script's). Ended here as if it had
       * closed: its worker is gone either way. */
      clear_source (&worker->kill_timer);
      if (worker->stream_fd >= 0)
        shutdown (worker->stream_fd, SHUT_RD);
      return;
    }
  if (worker->kill_signal == 0)
    {
      worker->outlived = TRUE;
      if (!worker->via_command)
        g_warning ("jobrouter: worker process %d (group “%s”) had not ended %d s after it was "
                   "asked to, with no job left: ending it (does an exit handler wait?)",
                   (int) worker->pid, worker->pool->group, LOCAL_QUIT_DELAY_MS / 1000);
    }
  signal_worker (worker, 0);
}

static gboolean
signal_due (gpointer data)
{
  JrPoolWorker *worker = data;

  g_clear_pointer (&worker->kill_timer, g_source_unref);
  signal_overdue (worker);
  return G_SOURCE_REMOVE;
}

/* Ends a worker started through a command (ssh, srun): its input ends,
 * so the worker on the far side kills its jobs and exits; the command
 * gets SIGTERM (srun cancels its step), and SIGKILL if it has not ended
 * a moment later. Its own process, not its group: srun's helper must
 * live to cancel the step. */
static void
end_command (JrPoolWorker *worker)
{
  close_request_fd (worker);
  if (worker->kill_signal == 0)
    signal_worker (worker, 0);
}

static void
kill_group (JrPoolWorker *worker)
{
  if (worker->pid <= 0)
    return;
  if (worker->via_command)
    {
      end_command (worker);
      return;
    }
  /* The worker leads its own group, which its jobs' commands join. It may
   * not have made the group yet: then the process itself. */
  kill (-worker->pid, SIGKILL);
  kill (worker->pid, SIGKILL);
}

/* Reaps a command at once, however it was going: SIGTERM, a moment, then
 * SIGKILL (the pool is going away). */
static void
reap_command_now (JrPoolWorker *worker)
{
  close_request_fd (worker);
  if (worker->pid <= 0)
    return;
  kill (worker->pid, SIGTERM);
  for (int i = 0; i < 50; i++)
    {
      int r = waitpid (worker->pid, &worker->wait_status, WNOHANG);

      if (r == worker->pid || (r < 0 && errno != EINTR))
        {
          worker->pid = 0;
          return;
        }
      g_usleep (10 * 1000);
    }
  kill (worker->pid, SIGKILL);
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

/* Tells every command still running (ssh, srun) to end, then gives them
 * one moment together — not one each: sixteen srun workers must not hold
 * the caller for eight seconds. Then SIGKILL for what is left. */
static void
end_commands_together (JrWorkerPool *pool)
{
  gint64 deadline = g_get_monotonic_time () + 500 * 1000;
  guint running = 0;

  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->pid > 0 && worker->via_command)
        {
          close_request_fd (worker);
          kill (worker->pid, SIGTERM);
          running++;
        }
    }
  while (running > 0 && g_get_monotonic_time () < deadline)
    {
      running = 0;
      for (guint i = 0; i < pool->workers->len; i++)
        {
          JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);
          int r;

          if (worker->pid <= 0 || !worker->via_command)
            continue;
          r = waitpid (worker->pid, &worker->wait_status, WNOHANG);
          if (r == worker->pid || (r < 0 && errno != EINTR))
            worker->pid = 0;
          else
            running++;
        }
      if (running > 0)
        g_usleep (10 * 1000);
    }
  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->pid > 0 && worker->via_command)
        {
          kill (worker->pid, SIGKILL);
          reap (worker);
        }
    }
}

static void
close_pipe (JrPoolWorker *worker)
{
  JrRouter *router = worker->pool->router;

  if (worker->receiver == NULL)
    return;
  jr_receiver_set_func (worker->receiver, NULL, NULL);
  jr_receiver_set_data_func (worker->receiver, NULL);
  if (jr_router_get_running (router))
    jr_router_close_pipe (router, worker->receiver, NULL);
  g_clear_object (&worker->receiver);
}

static void
worker_free (JrPoolWorker *worker)
{
  clear_source (&worker->exit_watch);
  if (worker->pid > 0 && worker->via_command)
    reap_command_now (worker);
  else if (worker->pid > 0)
    kill_group (worker);
  reap (worker);
  close_request_fd (worker);
  clear_source (&worker->kill_timer);
  clear_source (&worker->stderr_watch);
  if (worker->stderr_fd >= 0)
    close (worker->stderr_fd);
  if (worker->stream_fd >= 0)
    close (worker->stream_fd);
  if (worker->stderr_line != NULL)
    g_string_free (worker->stderr_line, TRUE);
  if (worker->stderr_tail != NULL)
    g_string_free (worker->stderr_tail, TRUE);
  g_free (worker->host);
  g_clear_pointer (&worker->outbox, g_byte_array_unref);
  clear_source (&worker->ready_timer);
  if (worker->thread != NULL)
    {
      jr_worker_runtime_quit (worker->runtime);
      /* A job that ignores its cancel: its thread ends in its own time,
       * holding its runtime (its messages go nowhere by then). Nobody
       * waits for it: not an executor dropped from a window being closed.
       * An idle one ends at once. */
      if (jr_worker_runtime_is_running_job (worker->runtime))
        g_thread_unref (worker->thread);
      else
        g_thread_join (worker->thread);
    }
  g_clear_pointer (&worker->runtime, jr_worker_runtime_unref);
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

/* ---- what a worker says of itself ---- */

/* @text as one line of valid UTF-8 of at most @max bytes, control
 * characters as spaces; NULL if nothing printable is left. A worker's
 * words end up in labels and messages: a hostile one must not fill them
 * with megabytes or fake lines. */
static char *
one_line_of (const char *text,
             gsize       max)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *line = g_string_sized_new (MIN (strlen (valid), max));

  for (const char *c = valid; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar ch = g_utf8_get_char (c);
      gsize len = (gsize) (g_utf8_next_char (c) - c);

      if (line->len + len > max)
        break;
      if (g_unichar_iscntrl (ch))
        g_string_append_c (line, ' ');
      else
        g_string_append_len (line, c, (gssize) len);
    }
  g_strstrip (line->str);
  if (line->str[0] == '\0')
    {
      g_string_free (line, TRUE);
      return NULL;
    }
  return g_string_free (line, FALSE);
}

/* ---- a command's standard error ---- */

/* Says how many lines were not echoed, if any. */
static void
stderr_echo_count_dropped (JrPoolWorker *worker)
{
  if (worker->echo_dropped == 0)
    return;
  g_printerr ("jobrouter worker (%s): %" G_GUINT64_FORMAT " more line%s not shown\n",
              worker->pool->group, worker->echo_dropped, worker->echo_dropped == 1 ? "" : "s");
  worker->echo_dropped = 0;
}

static gboolean
stderr_echo_admit (JrPoolWorker *worker)
{
  gint64 now = g_get_monotonic_time ();

  if (now - worker->echo_since >= G_USEC_PER_SEC)
    {
      stderr_echo_count_dropped (worker);
      worker->echo_since = now;
      worker->echo_count = 0;
    }
  if (worker->echo_count < STDERR_ECHO_PER_SECOND)
    {
      worker->echo_count++;
      return TRUE;
    }
  worker->echo_dropped++;
  return FALSE;
}

/* Whether a worker of this round said @line while it started, and if not,
 * notes it (a few dozen lines at most: past that, all are shown). */
static gboolean
said_while_starting (JrWorkerPool *pool,
                     const char   *line)
{
  if (pool->start_lines == NULL)
    pool->start_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_contains (pool->start_lines, line))
    return TRUE;
  if (g_hash_table_size (pool->start_lines) < START_LINES_MAX)
    g_hash_table_add (pool->start_lines, g_strdup (line));
  return FALSE;
}

/* One line it printed: kept for messages (the last few), and shown on our
 * own standard error, as a local worker's would be (up to
 * STDERR_ECHO_PER_SECOND lines a second). */
static void
stderr_line (JrPoolWorker *worker,
             const char   *line)
{
  GString *tail = worker->stderr_tail;
  g_autofree char *valid = NULL;

  if (*line == '\0')
    return;
  /* Once we signalled the command, what it says is about our signal (srun:
   * "STEP … CANCELLED", "task 0: Killed"): noise after a normal stop.
   * And a launcher that cannot start workers says the same each try
   * ("Permission denied (publickey)"): once is enough. The tail still
   * keeps it for a message about its end. */
  if (worker->kill_signal == 0 &&
      (worker->ready || !said_while_starting (worker->pool, line)) &&
      stderr_echo_admit (worker))
    g_printerr ("jobrouter worker (%s): %s\n", worker->pool->group, line);
  /* The tail goes into errors' messages, which are UTF-8: whatever the
   * far side's locale, and wherever a long line was cut. */
  valid = g_utf8_make_valid (line, -1);
  if (tail->len > 0)
    g_string_append (tail, "; ");
  g_string_append (tail, valid);
  if (tail->len > STDERR_TAIL_MAX)
    {
      /* Keep the end, from a line's start if there is one, else from a
       * character's. */
      const char *cut = tail->str + tail->len - STDERR_TAIL_MAX;
      const char *next = strstr (cut, "; ");

      if (next != NULL)
        cut = next + 2;
      else
        while ((*cut & 0xC0) == 0x80)
          cut++;
      g_string_erase (tail, 0, cut - tail->str);
    }
}

static void
stderr_take (JrPoolWorker *worker,
             const char   *data,
             gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' || worker->stderr_line->len >= STDERR_LINE_MAX)
        {
          stderr_line (worker, g_strchomp (worker->stderr_line->str));
          g_string_truncate (worker->stderr_line, 0);
          if (data[i] == '\n')
            continue;
        }
      g_string_append_c (worker->stderr_line, data[i]);
    }
}

/* Reads what it printed so far, up to STDERR_READ_BUDGET bytes; FALSE
 * at its end. */
static gboolean
stderr_read (JrPoolWorker *worker)
{
  char buf[4096];
  gsize taken = 0;

  while (taken < STDERR_READ_BUDGET)
    {
      ssize_t n = read (worker->stderr_fd, buf, sizeof buf);

      if (n > 0)
        {
          stderr_take (worker, buf, (gsize) n);
          taken += (gsize) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      /* The end: the last line even without its newline. */
      if (worker->stderr_line->len > 0)
        {
          stderr_line (worker, g_strchomp (worker->stderr_line->str));
          g_string_truncate (worker->stderr_line, 0);
        }
      stderr_echo_count_dropped (worker);
      return FALSE;
    }
  /* More to read: the next dispatch, after the rest of the loop's work. */
  return TRUE;
}

static gboolean
on_stderr_readable (int          fd,
                    GIOCondition condition,
                    gpointer     user_data)
{
  JrPoolWorker *worker = user_data;

  if (stderr_read (worker))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&worker->stderr_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Everything it printed before it ended, for the message about its end. */
static void
stderr_drain (JrPoolWorker *worker)
{
  if (worker->stderr_fd < 0)
    return;
  clear_source (&worker->stderr_watch);
  stderr_read (worker);
}

/* What a command's end says: "exited with status 255" or "was killed by
 * SIGKILL", and the last lines it printed. */
static char *
describe_command_end (JrPoolWorker *worker)
{
  int status = worker->wait_status;
  g_autofree char *how = NULL;
  g_autofree char *command = jr_launcher_describe (worker->pool->launcher);

  if (WIFSIGNALED (status))
    how = g_strdup_printf ("was killed by %s", jr_worker_signal_name (WTERMSIG (status)));
  else
    how = g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
  if (worker->stderr_tail != NULL && worker->stderr_tail->len > 0)
    return g_strdup_printf ("“%s” %s, saying: %s", command, how, worker->stderr_tail->str);
  return g_strdup_printf ("“%s” %s", command, how);
}

static GError *
describe_death (JrPoolWorker *worker)
{
  int status = worker->wait_status;
  const char *group = worker->pool->group;

  if (worker->stream && worker->kill_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker of group “%s”%s%s was ended: %s", group,
                        worker->host != NULL ? " on " : "", worker->host != NULL ? worker->host : "",
                        worker->kill_reason);
  if (worker->stream && worker->fatal_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker of group “%s” could not start: %s", group,
                        worker->fatal_reason);
  if (worker->via_command && !worker->ready)
    {
      g_autofree char *end = describe_command_end (worker);

      /* Its output ended, or was closed as no worker's, while the command
       * ran on: what it printed first was not a worker's HELLO. */
      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                          "The worker of group “%s” did not start: %s%s", group,
                          worker->cut_short ? "its output ended, or was not a worker's stream "
                                              "(did something print on standard output before "
                                              "the worker, such as a login banner? see any "
                                              "warning before), and then " : "",
                          end);
    }
  if (worker->via_command)
    {
      g_autofree char *end = describe_command_end (worker);

      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_LOST,
                          "The connection to the worker of group “%s”%s%s was lost: %s%s", group,
                          worker->host != NULL ? " on " : "", worker->host != NULL ? worker->host : "",
                          worker->outlived ? "its stream ended, but not its command, which was "
                                             "ended: " : "",
                          end);
    }

  if (worker->kill_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process was killed: %s", worker->kill_reason);
  if (worker->fatal_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process could not start: %s", worker->fatal_reason);
  if (WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);

      /* A stream worker whose stream was cut (closed as corrupt after a
       * warning, say) kills its own process group, itself included: no
       * job's process may outlive its connection. Its status cannot tell
       * that from a SIGKILL of another cause. */
      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                          "The worker process was killed by %s (%d, %s)%s",
                          jr_worker_signal_name (sig), sig, g_strsignal (sig),
                          worker->stream && sig == SIGKILL && worker->kill_signal == 0
                          ? "; a stream worker also kills itself so when its stream is cut "
                            "(see a warning before, if any)"
                          : "");
    }
  /* A local worker that ended on its own before it said hello never got
   * to jr_init(): the program run again took another way (a script read
   * from standard input cannot be read again, an argument parsed before
   * jr_init() made it quit). */
  if (!worker->ready)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process exited with status %d before it became a worker: "
                        "a worker runs this program again, with the arguments of "
                        "jr_set_worker_arguments() if set, and must reach jr_init() (a script "
                        "read from standard input cannot be run again)", WEXITSTATUS (status));
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
  /* Said where it belongs (the executor's worker-error, the futures it
   * fails): a warning of the library's own would say it again, on the
   * terminal of an application that already shows it. */
  g_debug ("%s", error->message);
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
  if (!jr_launcher_get_is_local (pool->launcher))
    give_up (pool, g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                                "No worker of group “%s” could be started (%u tries in a row): %s",
                                pool->group, pool->start_failures, what));
  else
    give_up (pool, g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                                "No worker %s could be started (%u tries in a row): %s",
                                pool->transport == JR_TRANSPORT_PROCESSES ? "process" : "thread",
                                pool->start_failures, what));
}

static gboolean respawn_due (gpointer data);

/* Brings the pool back to size after a worker went: at once, or, for a
 * command launcher that lost workers in a row, after a pause that doubles
 * with each (a host that went down is not called again and again). */
static void
respawn (JrWorkerPool *pool)
{
  guint delay;

  if (pool->losses == 0 || pool->respawn_timer != NULL)
    {
      top_up (pool);
      return;
    }
  delay = RESPAWN_DELAY_MS << MIN (pool->losses - 1, 10u);
  pool->respawn_timer = add_timeout (pool, MIN (delay, BACKOFF_MAX_MS), respawn_due, pool);
}

/* Takes @worker out of the pool, tells the executor, frees it. */
static void
worker_gone (JrPoolWorker *worker,
             const GError *reason)
{
  JrWorkerPool *pool = worker->pool;
  gboolean failed_to_start = !worker->ready && worker->state == WORKER_LIVE;

  /* Workers of a command that go away (or never start) in a row make the
   * next start wait longer; one that worked a while, or was retired,
   * resets that. */
  if (worker->via_command)
    {
      if (worker->state != WORKER_LIVE ||
          (worker->ready && g_get_monotonic_time () - worker->ready_time >= BACKOFF_RESET_USEC))
        pool->losses = 0;
      else if (worker->kill_reason == NULL)
        pool->losses++;
    }
  /* One that had started shows that workers can start: a pool that gave
   * up on the others (a node busy then, a flaky launcher) tries again, or
   * it would shrink for good and its jobs fail with an old reason. */
  if (worker->ready && worker->state == WORKER_LIVE && pool->gave_up && !pool->retired)
    {
      pool->gave_up = FALSE;
      pool->start_failures = 0;
      g_clear_error (&pool->failure);
    }
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
    respawn (pool);
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

/* The kernel's PF_EXITING (linux/sched.h), in /proc/PID/stat. */
#define TASK_FLAG_EXITING 0x4u

/* Whether the process is on its way out: set before it closes its files,
 * so before its queue closes, and from then on its exit status is
 * settled, whatever signal comes after. Under load the moment before it
 * is a zombie can be long; this does not wait for it. */
static gboolean
is_exiting (JrPoolWorker *worker)
{
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *fields;
  unsigned int flags = 0;

  if (worker->pid <= 0)
    return TRUE;
  path = g_strdup_printf ("/proc/%d/stat", (int) worker->pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* After the command's name, which may hold anything: state, ppid, pgrp,
   * session, tty, tpgid, then the flags. */
  fields = strrchr (stat, ')');
  return fields != NULL &&
         sscanf (fields + 1, " %*c %*d %*d %*d %*d %*d %u", &flags) == 1 &&
         (flags & TASK_FLAG_EXITING) != 0;
}

static void process_gone (JrPoolWorker *worker);

static void
on_command_exited (GPid     pid,
                   gint     status,
                   gpointer user_data)
{
  JrPoolWorker *worker = user_data;

  /* GLib reaped it. */
  g_clear_pointer (&worker->exit_watch, g_source_unref);
  worker->wait_status = status;
  worker->pid = 0;
  process_gone (worker);
}

static void
process_gone (JrPoolWorker *worker)
{
  g_autoptr(GError) reason = NULL;

  if (worker->exit_watch != NULL)
    return;   /* waiting for its command to end */

  /* Its queue closed: the process has exited (its status is set then, and
   * a kill changes nothing), or it broke its queue's protocol, the router
   * closed the queue, and the worker must go. Its jobs' commands go with
   * it. */
  if (worker->via_command && worker->pid > 0 && !has_exited (worker))
    {
      /* A command (ssh, srun) is not waited for here: it may take a moment
       * to end after its stream (ssh waits for the far side's status), or
       * its stream was closed as corrupt (a warning said so). Its input
       * ends now; it gets a moment to exit by itself, then SIGTERM and
       * SIGKILL. Ended, it comes back here (from its child watch, or
       * from jr_worker_pool_poll()). */
      close_request_fd (worker);
      if (!worker->ready)
        worker->cut_short = TRUE;
      if (worker->kill_signal == 0 && worker->kill_timer == NULL)
        signal_worker (worker, COMMAND_KILL_DELAY_MS);
      worker->exit_watch = g_child_watch_source_new (worker->pid);
      g_source_set_callback (worker->exit_watch, G_SOURCE_FUNC (on_command_exited), worker, NULL);
      g_source_set_static_name (worker->exit_watch, "[jobrouter] worker command");
      g_source_attach (worker->exit_watch, jr_router_get_context (worker->pool->router));
      return;
    }
  if (!worker->via_command && worker->kill_reason == NULL && !is_exiting (worker) &&
      !has_exited (worker))
    worker->kill_reason = g_strdup (worker->stream
                                    ? "it broke the protocol of its stream, which was closed "
                                      "(see the warning before), or it closed its output"
                                    : "it broke the protocol of its queue, which was closed "
                                      "(see the warning before)");
  kill_group (worker);
  reap (worker);
  close_request_fd (worker);
  stderr_drain (worker);
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

/* Acts on a message read into @parts (and clears them). @message is the
 * whole message, or NULL for one taken in serialized form. */
static void
handle_message (JrPoolWorker      *worker,
                GVariant          *message,
                JrJobMessageParts *parts_in)
{
  JrWorkerPool *pool = worker->pool;
  JrJobMessageParts parts = *parts_in;

  switch (parts.tag)
    {
    case JR_JOB_MSG_READY:
      if (worker->ready)
        break;  /* said twice: nothing new */
      worker->ready = TRUE;
      worker->ready_time = g_get_monotonic_time ();
      clear_source (&worker->ready_timer);
      pool->start_failures = 0;
      g_clear_pointer (&pool->start_lines, g_hash_table_unref);
      /* A stream worker says where it runs. */
      if (parts.payload != NULL && g_variant_is_of_type (parts.payload, G_VARIANT_TYPE_VARDICT) &&
          worker->host == NULL)
        {
          const char *host = NULL;

          if (g_variant_lookup (parts.payload, "host", "&s", &host))
            worker->host = one_line_of (host, WORKER_HOST_MAX);
        }
      if (worker->host == NULL)
        worker->host = g_strdup (g_get_host_name ());
      /* All its threads are there now (or, through a command, the
       * command's: the worker set its own from its HELLO). */
      if (worker->pid > 0)
        {
          g_mutex_lock (&pool->priority_lock);
          jr_worker_set_process_priority (worker->pid, pool->nice, pool->idle);
          g_mutex_unlock (&pool->priority_lock);
        }
      /* Not one being ended (its group shrank or went while it
       * connected): it said READY before it heard. */
      if (worker->via_command && worker->state == WORKER_LIVE && !pool->retired &&
          pool->callbacks.worker_added != NULL)
        pool->callbacks.worker_added (worker, pool->user_data);
      break;

    case JR_JOB_MSG_FATAL:
      if (worker->fatal_reason == NULL && g_variant_is_of_type (parts.payload, G_VARIANT_TYPE_STRING))
        worker->fatal_reason = one_line_of (g_variant_get_string (parts.payload, NULL),
                                            WORKER_REASON_MAX);
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
              /* Its jobs were settled when it was abandoned: told only
               * so that whoever waits for the pool to empty (a stopping
               * executor, a removed group) looks again. */
              if (pool->callbacks.worker_gone != NULL)
                pool->callbacks.worker_gone (worker, reason, pool->user_data);
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

static void
on_worker_message (JrReceiver *receiver,
                   GVariant   *message,
                   gpointer    user_data)
{
  JrPoolWorker *worker = user_data;
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
  handle_message (worker, message, &parts);
}

/* The tags alone ("(ty)": STARTED, CANCELLED, RETURNED, READY, EXITED,
 * two of them per job) are read where they lie, with no GVariant made of
 * them; anything else, a malformed one included, comes as a GVariant
 * (progress keeps its message for its text). */
static gboolean
on_worker_data (JrReceiver    *receiver,
                const char    *type,
                gconstpointer  data,
                gsize          size,
                gpointer       user_data)
{
  JrPoolWorker *worker = user_data;
  JrJobMessageParts parts;

  if (strcmp (type, "(ty)") != 0)
    return FALSE;
  if (worker->rejected)
    return TRUE;
  if (!jr_job_message_parse_flat (type, data, size, &parts))
    return FALSE;
  handle_message (worker, NULL, &parts);
  return TRUE;
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
  jr_receiver_set_data_func (worker->receiver, on_worker_data);
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
  worker->last_request = g_get_monotonic_time ();
  worker->ack_owed = FALSE;
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

/* ---- answering a command worker ----
 *
 * ssh and srun relay a worker's stream over TCP, and Slurm's relay keeps
 * Nagle's algorithm on: a small write waits while the one before it is
 * not acknowledged, and the other end delays its acknowledgement (40 ms
 * on Linux) unless it has data to send back. A job's STARTED and RESULT
 * are two small writes with nothing between: every trivial job through
 * srun took 40 ms. So whenever such a worker says something and no
 * request goes back to it by the end of the dispatch, an ACK does (at most
 * one a millisecond): the acknowledgement rides on it. The worker ignores
 * it. */

#define ACK_INTERVAL_USEC 1000

static gboolean
ack_due (gpointer data)
{
  JrPoolWorker *worker = data;

  g_clear_pointer (&worker->ack_timer, g_source_unref);
  /* Requests still waiting to go carry the acknowledgement when they do;
   * and a worker that reads none must not pile up ACKs here. */
  if (worker->ack_owed && worker->outbox->len == 0)
    send_request (worker, JR_WORKER_REQUEST_ACK, 0, NULL, NULL);
  return G_SOURCE_REMOVE;
}

void
jr_pool_worker_heard (JrPoolWorker *worker)
{
  gboolean recent;

  if (!worker->via_command || worker->request_fd < 0)
    return;
  worker->ack_owed = TRUE;
  if (worker->ack_timer != NULL)
    return;
  /* Never at once: what the executor does with the message may send a
   * request, which carries the acknowledgement, and an ACK just before it
   * would hold it back instead (two small writes). */
  recent = g_get_monotonic_time () - worker->last_request < ACK_INTERVAL_USEC;
  worker->ack_timer = g_timeout_source_new (recent ? 1 : 0);
  g_source_set_callback (worker->ack_timer, ack_due, worker, NULL);
  g_source_set_static_name (worker->ack_timer, "[jobrouter] worker ack");
  g_source_attach (worker->ack_timer, jr_router_get_context (worker->pool->router));
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
  if (worker->via_command)
    g_warning ("The worker of group “%s” on %s: %s; killed", worker->pool->group,
               worker->host != NULL ? worker->host : "its machine", reason);
  else
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
      /* Through a command: its connection closes, and the far side dies
       * with it. */
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
jr_pool_worker_is_ready (JrPoolWorker *worker)
{
  return worker->ready;
}

gboolean
jr_pool_worker_is_process (JrPoolWorker *worker)
{
  return worker->is_process;
}

const char *
jr_pool_worker_get_host (JrPoolWorker *worker)
{
  return worker->host;
}

JrWorkerPool *
jr_pool_worker_get_pool (JrPoolWorker *worker)
{
  return worker->pool;
}

/* Asks the worker to end (after the jobs it has, none by the executor's
 * choice): a thread's runtime quits; a local process sees its requests
 * end; a stream worker is told to QUIT, then sees them end. */
static void
ask_to_end (JrPoolWorker *worker)
{
  if (worker->runtime != NULL)
    jr_worker_runtime_quit (worker->runtime);
  else if (worker->via_command && !worker->ready && worker->pid > 0)
    {
      /* Still connecting, or waiting in srun's queue: it holds no job,
       * and may not answer for a long while (a host that is down). */
      end_command (worker);
    }
  else if (worker->request_fd >= 0 && !worker->close_after_outbox)
    {
      /* A stream worker takes the end of its input for a lost
       * connection: QUIT first says it is an orderly end. */
      if (worker->stream)
        send_request (worker, JR_WORKER_REQUEST_QUIT, 0, NULL, NULL);
      /* EOF on its requests, once it has them all: the worker ends. */
      worker->close_after_outbox = TRUE;
      if (worker->outbox_watch == NULL)
        flush_outbox (worker);
      /* A command whose far side does not end (the session held open),
       * or a local worker that does not (an exit handler that waits, or
       * a job that took its requests' socket), is ended after a while:
       * its jobs are over, only the end is left. A local worker still
       * starting has its start's own timeout: it may take longer to
       * read its requests' end than this (heavy imports, a busy
       * machine). */
      if (worker->pid > 0 && (worker->via_command || worker->ready) &&
          worker->kill_signal == 0 && worker->kill_timer == NULL)
        signal_worker (worker, worker->via_command ? COMMAND_QUIT_DELAY_MS : LOCAL_QUIT_DELAY_MS);
    }
}

void
jr_pool_worker_retire (JrPoolWorker *worker)
{
  if (worker->state == WORKER_LIVE)
    set_live (worker, WORKER_RETIRING);
  ask_to_end (worker);
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
  /* Its own reference (spawn_thread_worker()): once it runs a job, the
   * pool may let the thread go (worker_free()), and the worker and pool
   * are not to be touched again. */
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
  worker->state = WORKER_LIVE;
  worker->request_fd = -1;
  worker->stderr_fd = -1;
  worker->stream_fd = -1;
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
  jr_worker_runtime_ref (worker->runtime);   /* the thread's */
  worker->thread = g_thread_try_new ("jr-worker", thread_worker_main, worker, error);
  if (worker->thread == NULL)
    {
      jr_worker_runtime_unref (worker->runtime);
      worker_free (worker);
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
  worker_free (worker);
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

static JrPoolWorker *
spawn_stream_worker (JrWorkerPool  *pool,
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
  worker->stderr_line = g_string_new (NULL);
  worker->stderr_tail = g_string_new (NULL);
  in_pair[0] = err_pipe[0] = -1;

  shutdown (out_pair[0], SHUT_WR);
  worker->stream_fd = fcntl (out_pair[0], F_DUPFD_CLOEXEC, 3);
  /* The router takes our end, even when it fails. */
  worker->channel_id = jr_router_add_stream (pool->router, out_pair[0], error);
  out_pair[0] = -1;
  if (worker->channel_id == 0 || !open_pipe (worker, &sender, error))
    goto fail;

  argv = stream_worker_argv (pool);
  if (strchr (argv[0], '/') == NULL)
    flags |= G_SPAWN_SEARCH_PATH;
  /* A worker started directly closes what it inherits in jr_init(), as a
   * local one does: posix_spawn (see spawn_process_worker()). A command
   * (ssh, srun) would not: GLib's fork path closes the rest, and sets it
   * to end with us. */
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

  worker->stderr_watch = g_unix_fd_source_new (worker->stderr_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (worker->stderr_watch, G_SOURCE_FUNC (on_stderr_readable), worker, NULL);
  g_source_set_static_name (worker->stderr_watch, "[jobrouter] worker stderr");
  /* Below the router's messages and the GUI's redraws: a pipe that never
   * empties must not make them wait (its writer waits instead). */
  g_source_set_priority (worker->stderr_watch, G_PRIORITY_LOW);
  g_source_attach (worker->stderr_watch, jr_router_get_context (pool->router));

  worker->ready_timer = add_ready_timeout (worker);
  /* Its setup, the first thing it reads: no environment needed. */
  send_request (worker, JR_WORKER_REQUEST_HELLO, 0, NULL,
                hello_setup (pool, jr_sender_get_connection_id (sender)));
  return worker;

fail:
  close_fd_pair (in_pair);
  close_fd_pair (out_pair);
  close_fd_pair (err_pipe);
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
      if (pool->transport == JR_TRANSPORT_THREADS)
        worker = spawn_thread_worker (pool, &error);
      else if (jr_launcher_get_is_local (pool->launcher))
        worker = spawn_process_worker (pool, &error);
      else
        worker = spawn_stream_worker (pool, &error);
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
      /* One through a command (ssh to a host that does not answer, srun
       * waiting in its queue) takes jobs once it is up: given one before,
       * it would hold it while the others idle. */
      if (pool->callbacks.worker_added != NULL && !worker->via_command)
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
                    JrLauncher                  *launcher,
                    const char                  *group,
                    guint                        size,
                    const char * const          *argv,
                    const JrWorkerPoolCallbacks *callbacks,
                    gpointer                     user_data)
{
  JrWorkerPool *pool = g_new0 (JrWorkerPool, 1);

  g_return_val_if_fail (transport == JR_TRANSPORT_PROCESSES || jr_launcher_get_is_local (launcher),
                        NULL);

  pool->router = g_object_ref (router);
  pool->transport = transport;
  pool->launcher = g_object_ref (launcher);
  pool->group = g_strdup (group);
  pool->size = size;
  pool->callbacks = *callbacks;
  pool->user_data = user_data;
  pool->workers = g_ptr_array_new ();
  pool->spawn_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  pool->argv = argv != NULL ? g_strdupv ((char **) argv) : NULL;
  pool->own_args = jr_worker_dup_worker_arguments ();
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
  end_commands_together (pool);
  for (guint i = 0; i < pool->workers->len; i++)
    worker_free (g_ptr_array_index (pool->workers, i));
  g_ptr_array_unref (pool->workers);
  g_array_unref (pool->spawn_times);
  g_clear_error (&pool->failure);
  g_clear_pointer (&pool->start_lines, g_hash_table_unref);
  g_strfreev (pool->argv);
  g_strfreev (pool->own_args);
  g_mutex_clear (&pool->priority_lock);
  g_object_unref (pool->launcher);
  g_free (pool->group);
  g_object_unref (pool->router);
  g_free (pool);
}

void
jr_worker_pool_fill (JrWorkerPool *pool)
{
  if (pool->gave_up)
    {
      /* A new round, paced as the first: its pauses do not grow on from
       * the last one's. */
      pool->gave_up = FALSE;
      pool->start_failures = 0;
      pool->losses = 0;
      g_clear_pointer (&pool->start_lines, g_hash_table_unref);
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
    jr_pool_worker_retire (g_ptr_array_index (pool->workers, i));
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

      /* A stream worker sets its own, as told: after the setup its HELLO
       * gave it, which it applies as it starts (maybe after this call).
       * Through a command, the command here gets it too; started directly,
       * it is set here at once as well. */
      if (worker->stream && worker->state == WORKER_LIVE)
        send_request (worker, JR_WORKER_REQUEST_PRIORITY, 0, NULL,
                      g_variant_new ("(ib)", (gint32) nice_value, idle));
      if (tid > 0 && worker->state == WORKER_LIVE && worker->is_process)
        jr_worker_set_process_priority (tid, nice_value, idle);
      else if (tid > 0 && worker->state == WORKER_LIVE)
        jr_worker_set_priority (tid, nice_value, idle);
    }
  g_mutex_unlock (&pool->priority_lock);
}

void
jr_worker_pool_set_size (JrWorkerPool *pool,
                         guint         size)
{
  pool->size = size;
  /* Fewer: those not up yet go first, here (the executor does not know
   * them: they take jobs once up); then the executor retires those it
   * picks. The newest first: the older ones are the nearest to being up. */
  for (guint i = pool->workers->len; i > 0 && pool->n_live > size; i--)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i - 1);

      if (worker->via_command && !worker->ready && worker->state == WORKER_LIVE)
        jr_pool_worker_retire (worker);
    }
  top_up (pool);
}

guint
jr_worker_pool_get_size (JrWorkerPool *pool)
{
  return pool->size;
}

const char *
jr_worker_pool_get_group (JrWorkerPool *pool)
{
  return pool->group;
}

JrLauncher *
jr_worker_pool_get_launcher (JrWorkerPool *pool)
{
  return pool->launcher;
}

void
jr_worker_pool_poll (JrWorkerPool *pool)
{
  /* A copy: process_gone() takes workers out. */
  g_autoptr(GPtrArray) waiting = g_ptr_array_new ();

  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->exit_watch != NULL)
        g_ptr_array_add (waiting, worker);
      /* A worker asked to end that has not: its signal is due, and the
       * caller (a shutdown) runs no timers. */
      else if (worker->kill_timer != NULL && worker->kill_due <= g_get_monotonic_time ())
        signal_overdue (worker);
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (waiting, i);
      int status = 0;

      if (worker->kill_timer != NULL && worker->kill_due <= g_get_monotonic_time ())
        signal_overdue (worker);
      /* The watch goes first: GLib must not reap what we reap. */
      clear_source (&worker->exit_watch);
      if (waitpid (worker->pid, &status, WNOHANG) == worker->pid)
        {
          worker->wait_status = status;
          worker->pid = 0;
          process_gone (worker);
          continue;
        }
      worker->exit_watch = g_child_watch_source_new (worker->pid);
      g_source_set_callback (worker->exit_watch, G_SOURCE_FUNC (on_command_exited), worker, NULL);
      g_source_set_static_name (worker->exit_watch, "[jobrouter] worker command");
      g_source_attach (worker->exit_watch, jr_router_get_context (pool->router));
    }
}
