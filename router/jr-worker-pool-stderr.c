/* jr-worker-pool-stderr.c — a command's standard error: echoed on ours,
 * its last lines kept.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A stream worker's standard error goes to a pipe of ours, whose last
 * lines say why a worker could not start or went away (jr-worker-pool-ending.c
 * puts them into the error its end becomes).
 */
#include "jr-worker-pool-parts-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

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
   * keeps it for a message about its end. A worker handed a job is past
   * that, though its READY may not be dispatched yet (a worker started
   * without a command takes its first job from its input at once): what
   * it prints is its jobs'. */
  if (worker->kill_signal == 0 &&
      (worker->ready || worker->handed_job || !said_while_starting (worker->pool, line)) &&
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
gboolean
jr_pool_worker_stderr_read (JrPoolWorker *worker)
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

  if (jr_pool_worker_stderr_read (worker))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&worker->stderr_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Reads what @worker prints on its standard error (stderr_fd), from now
 * on, as the router's main context dispatches. */
void
jr_pool_worker_watch_stderr (JrPoolWorker *worker)
{
  worker->stderr_line = g_string_new (NULL);
  worker->stderr_tail = g_string_new (NULL);
  worker->stderr_watch = g_unix_fd_source_new (worker->stderr_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (worker->stderr_watch, G_SOURCE_FUNC (on_stderr_readable), worker, NULL);
  g_source_set_static_name (worker->stderr_watch, "[jobrouter] worker stderr");
  /* Below the router's messages and the GUI's redraws: a pipe that never
   * empties must not make them wait (its writer waits instead). */
  g_source_set_priority (worker->stderr_watch, G_PRIORITY_LOW);
  g_source_attach (worker->stderr_watch, jr_router_get_context (worker->pool->router));
}

/* Everything it printed before it ended, for the message about its end. */
void
jr_pool_worker_stderr_drain (JrPoolWorker *worker)
{
  if (worker->stderr_fd < 0)
    return;
  jr_clear_source (&worker->stderr_watch);
  jr_pool_worker_stderr_read (worker);
}
