/* jr-cli-display.c — progress of running jobs on a terminal or as lines.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-cli-display.h"
#include "jr-app-jobs.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#define BAR_WIDTH          24
#define BAR_WIDTH_MIN      4    /* narrower says nothing: no bar at all */
#define STATUS_WIDTH_MIN   12   /* the bar shrinks to leave the status this */
#define LABEL_WIDTH_MAX    20
#define REDRAW_INTERVAL_MS 50                           /* 20 Hz */
#define PLAIN_INTERVAL_US  (250 * G_TIME_SPAN_MILLISECOND)
/* Yielded lines wait for the next redraw, unless there are this many bytes
 * of them: a chatty command must not grow memory between two frames. */
#define PENDING_MAX        (64 * 1024)
/* Written bytes are cut off the front of a writer's buffer only past this:
 * not one memmove per chunk. */
#define WRITTEN_COMPACT    (64 * 1024)

/* One output descriptor, written without blocking the main loop. */
typedef struct {
  JrCliDisplay *display;
  int           fd;
  GString      *buf;       /* waiting for the descriptor, from @start */
  gsize         start;
  guint         watch_id;  /* writes @buf when @fd becomes writable */
  int           error;     /* errno of a failed write: all is dropped since */
  gboolean      used;      /* something was given to it */
} Writer;

typedef struct {
  JrCliDisplay *display;
  JrFuture     *future;
  char         *label;
  guint64       n_yields;
  int           last_percent;
  gint64        last_print_usec;
} Row;

struct _JrCliDisplay {
  Writer     out_writer;
  Writer     err_writer;
  Writer    *out;          /* what jobs print, results */
  Writer    *err;          /* progress, states, messages; out itself when
                            * both are the same file, to keep their order */
  int        interrupt_fd; /* readable once a signal came: no more waiting */
  gboolean   no_wait;      /* interrupted: write what goes, drop the rest */
  gboolean   tty;          /* err is a terminal: bars redrawn in place */
  gboolean   quiet;
  gboolean   finished;     /* the final bars are drawn: they stay */
  GPtrArray *rows;
  guint      label_width;
  guint      n_drawn;      /* lines of bars on screen, below the cursor's line */
  gboolean   dirty;
  guint      timer_id;
  GString   *pending;      /* yielded lines not yet printed (terminal) */
  JrCliDisplayErrorFunc error_func;
  gpointer   error_data;
  guint      error_idle_id;
};

static void writer_append (Writer     *w,
                           const char *data,
                           gssize      len);

static gboolean
report_error_idle (gpointer user_data)
{
  JrCliDisplay *self = user_data;

  self->error_idle_id = 0;
  if (self->error_func != NULL)
    self->error_func (self->out->error, self->error_data);
  return G_SOURCE_REMOVE;
}

static void
writer_init (Writer       *w,
             JrCliDisplay *display,
             int           fd)
{
  w->display = display;
  w->fd = fd;
  w->buf = g_string_new (NULL);
}

static void
writer_clear (Writer *w)
{
  g_clear_handle_id (&w->watch_id, g_source_remove);
  if (w->buf != NULL)
    g_string_free (g_steal_pointer (&w->buf), TRUE);
}

static gsize
writer_pending (Writer *w)
{
  return w->buf->len - w->start;
}

static void
writer_fail (Writer *w,
             int     errsv)
{
  JrCliDisplay *self = w->display;

  w->error = errsv;
  g_string_truncate (w->buf, 0);
  w->start = 0;
  g_clear_handle_id (&w->watch_id, g_source_remove);

  /* Said from an idle: the owner may cancel jobs and shut the executor
   * down, which it should not do from inside a draw. */
  if (w == self->out && self->error_idle_id == 0)
    self->error_idle_id = g_idle_add_full (G_PRIORITY_HIGH, report_error_idle, self, NULL);
}

/* Writes what the descriptor takes now, without blocking: a pipe that
 * poll() finds writable takes PIPE_BUF bytes whole. (No O_NONBLOCK: the
 * open file may be shared with the shell and the other programs of a
 * pipeline.) */
static void
writer_write_ready (Writer *w)
{
  while (w->error == 0 && writer_pending (w) > 0)
    {
      struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };
      gssize n;
      int ready = poll (&pfd, 1, 0);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0)
        {
          writer_fail (w, errno);
          break;
        }
      if (ready == 0)
        break;
      if (pfd.revents & POLLNVAL)
        {
          writer_fail (w, EBADF);
          break;
        }

      /* POLLOUT, or POLLERR/POLLHUP: then write() says what went wrong. */
      n = write (w->fd, w->buf->str + w->start, MIN (writer_pending (w), PIPE_BUF));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n < 0)
        {
          writer_fail (w, errno);
          break;
        }
      w->start += (gsize) n;
    }

  if (writer_pending (w) == 0)
    {
      g_string_truncate (w->buf, 0);
      w->start = 0;
    }
  else if (w->start >= WRITTEN_COMPACT)
    {
      g_string_erase (w->buf, 0, (gssize) w->start);
      w->start = 0;
    }
}

/* Blocks until @w's descriptor takes more: FALSE, at once, when a signal
 * came (the interrupt descriptor is readable) or came before. */
static gboolean
writer_wait (Writer *w)
{
  JrCliDisplay *self = w->display;
  struct pollfd pfds[2] = {
    { .fd = w->fd, .events = POLLOUT },
    { .fd = self->interrupt_fd, .events = POLLIN },
  };

  while (!self->no_wait)
    {
      int ready = poll (pfds, self->interrupt_fd >= 0 ? 2 : 1, -1);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0 || (self->interrupt_fd >= 0 && pfds[1].revents != 0))
        return FALSE;
      if (pfds[0].revents != 0)
        return TRUE;
    }
  return FALSE;
}

/* Everything @w holds, waiting for the reader unless interrupted. */
static void
writer_drain (Writer *w)
{
  writer_write_ready (w);
  while (w->error == 0 && writer_pending (w) > 0 && writer_wait (w))
    writer_write_ready (w);
}

static gboolean
on_writable (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  Writer *w = user_data;
  guint id = w->watch_id;

  /* This source ends here unless there is more to write. */
  w->watch_id = 0;
  writer_write_ready (w);
  if (w->error != 0 || writer_pending (w) == 0)
    return G_SOURCE_REMOVE;
  w->watch_id = id;
  return G_SOURCE_CONTINUE;
}

static void
writer_append (Writer     *w,
               const char *data,
               gssize      len)
{
  JrCliDisplay *self = w->display;

  if (len < 0)
    len = (gssize) strlen (data);
  if (len > 0)
    w->used = TRUE;
  if (w->error != 0 || len == 0)
    return;
  /* Interrupted with a reader that does not read: nothing more to keep. */
  if (self->no_wait && writer_pending (w) >= JR_CLI_DISPLAY_BUFFER_MAX)
    return;

  g_string_append_len (w->buf, data, len);
  writer_write_ready (w);

  /* Past the bound, take no more until the reader took some: the main
   * loop waits here, and the jobs' yields in the router's bounds. A
   * signal ends the wait. */
  while (w->error == 0 && writer_pending (w) > JR_CLI_DISPLAY_BUFFER_MAX && writer_wait (w))
    writer_write_ready (w);

  if (w->error == 0 && writer_pending (w) > 0 && w->watch_id == 0)
    w->watch_id = g_unix_fd_add (w->fd, G_IO_OUT, on_writable, w);
}

static void
row_free (gpointer data)
{
  Row *row = data;

  g_signal_handlers_disconnect_by_data (row->future, row);
  g_object_unref (row->future);
  g_free (row->label);
  g_free (row);
}

static guint
terminal_columns (int fd)
{
  struct winsize size;

  if (ioctl (fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  return 80;
}

/* @text with control characters replaced, cut to @max_columns columns of
 * a terminal (wide characters take two): a wrapped line would break the
 * cursor arithmetic of the redraw. */
static void
append_clipped (GString    *line,
                const char *text,
                guint       max_columns)
{
  guint n = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint width = g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;

      if (n + width > max_columns)
        break;
      n += width;
      if (g_unichar_iscntrl (c))
        g_string_append_c (line, '?');
      else
        g_string_append_unichar (line, c);
    }
}

/* What a job's line says after its bar, as `jobrouter run` prints it on
 * stderr: lower case. */
static char *
status_text (Row *row)
{
  JrFuture *future = row->future;
  const char *text = jr_future_get_progress_text (future);
  const GError *error;

  switch (jr_future_get_state (future))
    {
    case JR_FUTURE_STATE_WAITING:
      /* Translators: the state of a job that waits for a worker, on the
       * command line (lower case there). */
      return g_strdup (_("waiting"));
    case JR_FUTURE_STATE_EXECUTING:
      if (text != NULL)
        return g_strdup (text);
      if (jr_future_get_kind (future) == JR_JOB_KIND_ITERATION)
        {
          g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, row->n_yields);

          /* Translators: the state of a running command, on the command
           * line; %s is how many lines it printed so far. */
          return g_strdup_printf (g_dngettext (NULL, "running, %s line", "running, %s lines",
                                               jr_app_plural_n (row->n_yields)),
                                  count);
        }
      /* Translators: the state of a job that runs, on the command line. */
      return g_strdup (_("running"));
    case JR_FUTURE_STATE_CANCELLING:
      /* Translators: the state of a job being cancelled, on the command
       * line. */
      return g_strdup (_("cancelling…"));
    case JR_FUTURE_STATE_COMPLETED:
      /* Translators: the state of a job that completed, on the command
       * line. */
      return g_strdup (_("done"));
    case JR_FUTURE_STATE_FAILED:
      error = jr_future_get_error (future);
      /* Translators: the state of a job that failed, on the command line;
       * %s is its error. */
      return g_strdup_printf (_("failed: %s"), error ? error->message : _("unknown error"));
    case JR_FUTURE_STATE_CANCELLED:
      /* Translators: the state of a job that was cancelled, on the command
       * line. */
      return g_strdup (_("cancelled"));
    default:
      return g_strdup ("?");
    }
}

static void
format_row (JrCliDisplay *self,
            Row          *row,
            GString      *out,
            guint         columns)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *status = status_text (row);
  double progress = jr_future_get_progress (row->future);
  /* A line as wide as the terminal wraps on some: one column short. */
  guint width = columns - 1;
  /* "label [bar] 100% status": the bar shrinks first, to leave the status
   * some room, then goes; the whole line is cut to the width. */
  guint fixed = self->label_width + strlen (" [") + strlen ("] 100% ");
  guint bar = width > fixed + STATUS_WIDTH_MIN
              ? MIN (BAR_WIDTH, width - fixed - STATUS_WIDTH_MIN) : 0;

  if (jr_future_get_state (row->future) == JR_FUTURE_STATE_COMPLETED)
    progress = 1.0;
  if (bar < BAR_WIDTH_MIN)
    bar = 0;

  g_string_append_printf (line, "%-*.*s ", self->label_width, LABEL_WIDTH_MAX, row->label);
  if (bar > 0)
    {
      guint filled = progress >= 0 ? (guint) (progress * bar + 0.5) : 0;

      g_string_append_c (line, '[');
      for (guint i = 0; i < bar; i++)
        g_string_append_c (line, progress < 0 ? ' ' : i < filled ? '#' : '-');
      g_string_append (line, "] ");
    }
  if (progress >= 0)
    g_string_append_printf (line, "%3d%% ", (int) (progress * 100));
  else if (bar > 0)
    g_string_append (line, "     ");
  g_string_append (line, status);

  g_string_append (out, "\033[K");
  append_clipped (out, line->str, width);
  g_string_append_c (out, '\n');
}

/* Back to the first line of the bars, and wipe them. */
static void
wipe (JrCliDisplay *self)
{
  g_autofree char *up = NULL;

  if (self->n_drawn == 0)
    return;
  up = g_strdup_printf ("\r\033[%uA\033[J", self->n_drawn);
  writer_append (self->err, up, -1);
  self->n_drawn = 0;
}

/* The yielded lines that waited for a redraw, onto the output. */
static void
print_pending (JrCliDisplay *self)
{
  if (self->pending->len > 0)
    {
      writer_append (self->out, self->pending->str, (gssize) self->pending->len);
      g_string_truncate (self->pending, 0);
    }
}

static void
draw (JrCliDisplay *self)
{
  g_autoptr(GString) bars = g_string_new (NULL);
  guint columns = terminal_columns (self->err->fd);

  /* Wipe the bars; then what the jobs printed goes to stdout, where the
   * bars were if stdout is the same terminal; then the bars again, below. */
  wipe (self);
  print_pending (self);

  for (guint i = 0; i < self->rows->len; i++)
    format_row (self, g_ptr_array_index (self->rows, i), bars, columns);
  self->n_drawn = self->rows->len;
  self->dirty = FALSE;

  writer_append (self->err, bars->str, (gssize) bars->len);
}

static gboolean
on_tick (gpointer user_data)
{
  JrCliDisplay *self = user_data;

  if (self->dirty)
    draw (self);
  return G_SOURCE_CONTINUE;
}

static void
print_plain (Row        *row,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
print_plain (Row        *row,
             const char *format,
             ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  line = g_strdup_printf ("%s: %s\n", row->label, text);
  writer_append (row->display->err, line, -1);
  row->last_print_usec = g_get_monotonic_time ();
}

static void
on_progress (JrFuture   *future,
             GParamSpec *pspec,
             Row        *row)
{
  JrCliDisplay *self = row->display;
  double progress = jr_future_get_progress (future);
  const char *text = jr_future_get_progress_text (future);
  int percent;

  if (self->quiet)
    return;
  if (self->tty)
    {
      self->dirty = TRUE;
      return;
    }

  percent = (int) (progress * 100);
  if (progress < 0 || percent == row->last_percent ||
      g_get_monotonic_time () - row->last_print_usec < PLAIN_INTERVAL_US)
    return;

  row->last_percent = percent;
  print_plain (row, "%d%% %s", percent, text ? text : "");
}

static void
on_state (JrFuture   *future,
          GParamSpec *pspec,
          Row        *row)
{
  JrCliDisplay *self = row->display;
  g_autofree char *status = NULL;

  if (self->quiet)
    return;
  if (self->tty)
    {
      self->dirty = TRUE;
      return;
    }

  status = status_text (row);
  if (jr_future_get_state (future) == JR_FUTURE_STATE_EXECUTING)
    /* Translators: a job started, on the command line: “checksum: started”. */
    print_plain (row, "%s", _("started"));
  else
    print_plain (row, "%s", status);
}

static void
on_yielded (JrFuture *future,
            GVariant *value,
            Row      *row)
{
  JrCliDisplay *self = row->display;
  g_autofree char *text = NULL;
  gsize length;
  GString *lines;

  row->n_yields++;

  /* The bytes as the command printed them (`> file` keeps them). */
  text = jr_app_yield_dup_text (value, &length);

  /* Live, even into a pipe (`jobrouter run run-command … | grep`); on a
   * terminal with bars, at the next redraw. */
  lines = self->tty && !self->quiet ? self->pending : g_string_new (NULL);

  /* With several jobs, say whose line it is. */
  if (self->rows->len > 1)
    g_string_append_printf (lines, "%s| ", row->label);
  g_string_append_len (lines, text, (gssize) length);
  g_string_append_c (lines, '\n');

  if (lines != self->pending)
    {
      writer_append (self->out, lines->str, (gssize) lines->len);
      g_string_free (lines, TRUE);
      return;
    }

  self->dirty = TRUE;
  if (self->pending->len > PENDING_MAX)
    draw (self);
}

static gboolean
same_file (int fd1,
           int fd2)
{
  struct stat st1, st2;

  return fstat (fd1, &st1) == 0 && fstat (fd2, &st2) == 0 &&
         st1.st_dev == st2.st_dev && st1.st_ino == st2.st_ino;
}

/**
 * jr_cli_display_new:
 * @err_fd: where progress goes (stderr): bars if it is a terminal, lines
 *   otherwise
 * @out_fd: where what the jobs yield goes (stdout)
 * @quiet: print what jobs yield, but no progress
 *
 * Returns: (transfer full): a display with no job yet
 */
JrCliDisplay *
jr_cli_display_new (int      err_fd,
                    int      out_fd,
                    gboolean quiet)
{
  JrCliDisplay *self = g_new0 (JrCliDisplay, 1);

  writer_init (&self->out_writer, self, out_fd);
  writer_init (&self->err_writer, self, err_fd);
  self->out = &self->out_writer;
  /* `2>&1`, or one terminal: one queue, or the bars and the lines would
   * come out of order when the reader is slow. */
  self->err = same_file (err_fd, out_fd) ? &self->out_writer : &self->err_writer;
  self->interrupt_fd = -1;
  self->tty = isatty (err_fd);
  self->quiet = quiet;
  self->rows = g_ptr_array_new_with_free_func (row_free);
  self->pending = g_string_new (NULL);
  return self;
}

/**
 * jr_cli_display_set_interrupt_fd:
 * @self: a display
 * @fd: a descriptor that becomes readable when the program is
 *   interrupted (the read end of a signal handler's pipe), or -1
 *
 * A wait for a reader that does not read ends when @fd is readable.
 */
void
jr_cli_display_set_interrupt_fd (JrCliDisplay *self,
                                 int           fd)
{
  self->interrupt_fd = fd;
}

/**
 * jr_cli_display_set_error_func:
 * @self: a display
 * @func: (nullable): called once when writing the output failed
 * @user_data: for @func
 */
void
jr_cli_display_set_error_func (JrCliDisplay          *self,
                               JrCliDisplayErrorFunc  func,
                               gpointer               user_data)
{
  self->error_func = func;
  self->error_data = user_data;
}

/**
 * jr_cli_display_add:
 * @self: a display
 * @future: a submitted job
 * @label: how to call it, short
 *
 * Shows the progress and the yields of @future from now on.
 */
void
jr_cli_display_add (JrCliDisplay *self,
                    JrFuture     *future,
                    const char   *label)
{
  Row *row = g_new0 (Row, 1);

  row->display = self;
  row->future = g_object_ref (future);
  row->label = g_strdup (label);
  row->last_percent = -1;
  g_ptr_array_add (self->rows, row);
  self->label_width = MIN (LABEL_WIDTH_MAX, MAX (self->label_width, strlen (label)));

  g_signal_connect (future, "notify::progress", G_CALLBACK (on_progress), row);
  g_signal_connect (future, "notify::progress-text", G_CALLBACK (on_progress), row);
  g_signal_connect (future, "notify::state", G_CALLBACK (on_state), row);
  g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), row);

  if (self->tty && !self->quiet)
    {
      self->dirty = TRUE;
      if (self->timer_id == 0)
        self->timer_id = g_timeout_add (REDRAW_INTERVAL_MS, on_tick, self);
    }
}

/**
 * jr_cli_display_print:
 * @self: a display
 * @text: what to print on the output (stdout), as it is
 *
 * Prints a result: above the bars while they are redrawn, below them
 * after jr_cli_display_finish().
 */
void
jr_cli_display_print (JrCliDisplay *self,
                      const char   *text)
{
  if (self->tty && !self->quiet && !self->finished)
    {
      g_string_append (self->pending, text);
      self->dirty = TRUE;
      return;
    }
  writer_append (self->out, text, -1);
}

/**
 * jr_cli_display_message:
 * @self: a display
 * @format: a printf() format: a message for stderr, without the final
 *   newline
 * @...: its arguments
 *
 * Prints a message on stderr, above the bars: they are wiped, and redrawn
 * below it. Leading newlines (to get past a "^C" the terminal echoed) are
 * kept only where that echo is: on a terminal with no bars.
 */
void
jr_cli_display_message (JrCliDisplay *self,
                        const char   *format,
                        ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  const char *start;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  start = text;
  if (!self->tty || (self->n_drawn > 0 && !self->finished))
    start += strspn (text, "\n");

  if (self->n_drawn > 0 && !self->finished)
    {
      wipe (self);
      self->dirty = TRUE;
    }
  line = g_strconcat (start, "\n", NULL);
  writer_append (self->err, line, -1);
}

/**
 * jr_cli_display_stop_waiting:
 * @self: a display
 *
 * From now on writes what the descriptors take at once and drops the
 * rest: the program ends, interrupted, and must not wait for a reader.
 */
void
jr_cli_display_stop_waiting (JrCliDisplay *self)
{
  self->no_wait = TRUE;
}

/**
 * jr_cli_display_finish:
 * @self: a display
 *
 * Stops redrawing and prints the final state of every bar, and whatever
 * yielded lines wait, so that what follows goes below.
 */
void
jr_cli_display_finish (JrCliDisplay *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);

  if (self->tty && !self->quiet)
    draw (self);
  self->finished = TRUE;
}

/**
 * jr_cli_display_flush:
 * @self: a display
 *
 * Writes everything that waits, blocking until the readers took it (or
 * the program is interrupted, or the reader is gone).
 *
 * Returns: 0, or the errno of a failed write to the output (stdout)
 */
int
jr_cli_display_flush (JrCliDisplay *self)
{
  print_pending (self);
  writer_drain (self->out);
  writer_drain (self->err);
  return self->out->error;
}

/**
 * jr_cli_display_wrote_output:
 * @self: a display
 *
 * Returns: whether anything was given to stdout (job output, results)
 */
gboolean
jr_cli_display_wrote_output (JrCliDisplay *self)
{
  return self->out_writer.used;
}

void
jr_cli_display_free (JrCliDisplay *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->error_idle_id, g_source_remove);
  g_ptr_array_unref (self->rows);
  g_string_free (self->pending, TRUE);
  writer_clear (&self->out_writer);
  writer_clear (&self->err_writer);
  g_free (self);
}
