/* jr-cli-display.c — progress of running jobs on a terminal or as lines.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-cli-display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#define BAR_WIDTH          24
#define LABEL_WIDTH_MAX    20
#define REDRAW_INTERVAL_MS 50                           /* 20 Hz */
#define PLAIN_INTERVAL_US  (250 * G_TIME_SPAN_MILLISECOND)
/* Yielded lines wait for the next redraw, unless there are this many bytes
 * of them: a chatty command must not grow memory between two frames. */
#define PENDING_MAX        (64 * 1024)

typedef struct {
  JrCliDisplay *display;
  JrFuture     *future;
  char         *label;
  guint64       n_yields;
  int           last_percent;
  gint64        last_print_usec;
} Row;

struct _JrCliDisplay {
  FILE      *err;          /* progress and states */
  FILE      *out;          /* what jobs print */
  gboolean   tty;          /* err is a terminal: bars redrawn in place */
  gboolean   quiet;
  GPtrArray *rows;
  guint      label_width;
  guint      n_drawn;      /* lines of bars on screen, below the cursor's line */
  gboolean   dirty;
  guint      timer_id;
  GString   *pending;      /* yielded lines not yet printed (terminal) */
};

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
terminal_columns (FILE *out)
{
  struct winsize size;

  if (ioctl (fileno (out), TIOCGWINSZ, &size) == 0 && size.ws_col > 10)
    return size.ws_col;
  return 80;
}

/* Appends @text to @line, control characters replaced, without going past
 * @max_chars characters in @line: a wrapped line would break the cursor
 * arithmetic of the redraw. */
static void
append_clipped (GString    *line,
                const char *text,
                guint       max_chars)
{
  guint n = g_utf8_strlen (line->str, -1);

  for (const char *p = text; *p && n < max_chars; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (line, '?');
      else
        g_string_append_unichar (line, c);
    }
}

static char *
status_text (Row *row)
{
  JrFuture *future = row->future;
  const char *text = jr_future_get_progress_text (future);
  const GError *error;

  switch (jr_future_get_state (future))
    {
    case JR_FUTURE_STATE_WAITING:
      return g_strdup ("waiting");
    case JR_FUTURE_STATE_EXECUTING:
      if (text != NULL)
        return g_strdup (text);
      if (jr_future_get_kind (future) == JR_JOB_KIND_ITERATION)
        return g_strdup_printf ("running, %" G_GUINT64_FORMAT " lines", row->n_yields);
      return g_strdup ("running");
    case JR_FUTURE_STATE_CANCELLING:
      return g_strdup ("cancelling…");
    case JR_FUTURE_STATE_COMPLETED:
      return g_strdup ("done");
    case JR_FUTURE_STATE_FAILED:
      error = jr_future_get_error (future);
      return g_strdup_printf ("failed: %s", error ? error->message : "unknown error");
    case JR_FUTURE_STATE_CANCELLED:
      return g_strdup ("cancelled");
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

  if (jr_future_get_state (row->future) == JR_FUTURE_STATE_COMPLETED)
    progress = 1.0;

  g_string_append_printf (line, "%-*.*s [", self->label_width, LABEL_WIDTH_MAX, row->label);
  if (progress >= 0)
    {
      guint filled = (guint) (progress * BAR_WIDTH + 0.5);

      for (guint i = 0; i < BAR_WIDTH; i++)
        g_string_append_c (line, i < filled ? '#' : '-');
      g_string_append_printf (line, "] %3d%% ", (int) (progress * 100));
    }
  else
    {
      for (guint i = 0; i < BAR_WIDTH; i++)
        g_string_append_c (line, ' ');
      g_string_append (line, "]      ");
    }

  append_clipped (line, status, columns - 1);
  g_string_append (out, "\033[K");
  g_string_append_len (out, line->str, line->len);
  g_string_append_c (out, '\n');
}

static void
draw (JrCliDisplay *self)
{
  g_autoptr(GString) bars = g_string_new (NULL);
  guint columns = terminal_columns (self->err);

  /* Back to the first line of the bars, and wipe them; then what the jobs
   * printed goes to stdout, where the bars were if stdout is the same
   * terminal; then the bars again, below. */
  if (self->n_drawn > 0)
    {
      fprintf (self->err, "\r\033[%uA\033[J", self->n_drawn);
      fflush (self->err);
    }

  if (self->pending->len > 0)
    {
      fwrite (self->pending->str, 1, self->pending->len, self->out);
      fflush (self->out);
      g_string_truncate (self->pending, 0);
    }

  for (guint i = 0; i < self->rows->len; i++)
    format_row (self, g_ptr_array_index (self->rows, i), bars, columns);
  self->n_drawn = self->rows->len;
  self->dirty = FALSE;

  fputs (bars->str, self->err);
  fflush (self->err);
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
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (row->display->err, "%s: %s\n", row->label, text);
  fflush (row->display->err);
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
    print_plain (row, "started");
  else
    print_plain (row, "%s", status);
}

static void
on_yielded (JrFuture *future,
            GVariant *value,
            Row      *row)
{
  JrCliDisplay *self = row->display;
  g_autofree char *printed = NULL;
  const char *text;

  row->n_yields++;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    text = g_variant_get_string (value, NULL);
  else
    text = printed = g_variant_print (value, FALSE);

  /* With several jobs, say whose line it is. */
  if (!self->tty || self->quiet)
    {
      if (self->rows->len > 1)
        fprintf (self->out, "%s| ", row->label);
      fputs (text, self->out);
      fputc ('\n', self->out);
      /* Live, even into a pipe: `jobrouter run run-command … | grep`. */
      fflush (self->out);
      return;
    }

  if (self->rows->len > 1)
    g_string_append_printf (self->pending, "%s| ", row->label);
  g_string_append (self->pending, text);
  g_string_append_c (self->pending, '\n');
  self->dirty = TRUE;
  if (self->pending->len > PENDING_MAX)
    draw (self);
}

/**
 * jr_cli_display_new:
 * @err: where progress goes (stderr): bars if it is a terminal, lines
 *   otherwise
 * @out: where what the jobs yield goes (stdout)
 * @quiet: print what jobs yield, but no progress
 *
 * Returns: (transfer full): a display with no job yet
 */
JrCliDisplay *
jr_cli_display_new (FILE     *err,
                    FILE     *out,
                    gboolean  quiet)
{
  JrCliDisplay *self = g_new0 (JrCliDisplay, 1);

  self->err = err;
  self->out = out;
  self->tty = isatty (fileno (err));
  self->quiet = quiet;
  self->rows = g_ptr_array_new_with_free_func (row_free);
  self->pending = g_string_new (NULL);
  return self;
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
  fflush (self->out);
  fflush (self->err);
}

void
jr_cli_display_free (JrCliDisplay *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_ptr_array_unref (self->rows);
  g_string_free (self->pending, TRUE);
  g_free (self);
}
