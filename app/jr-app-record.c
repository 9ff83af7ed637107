/* jr-app-record.c — one job the window started: what it is, what it
 * printed, and its result as text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job that yields strings (run-command) has its lines kept as they come:
 * they are its output, shown live and kept whether the job completes,
 * fails or is cancelled. Past OUTPUT_MAX the first lines go, not the last
 * (the end of a long build log is where its error is), and the text says
 * how much went. "output-changed" says more came; whoever shows it decides
 * how often to look.
 */
#include "jr-app-record.h"

#include <string.h>

#include <glib/gi18n.h>

/* What a record keeps of a job's output: the last OUTPUT_MAX bytes, or up
 * to an eighth more, so that the first lines go a megabyte at a time. */
#define OUTPUT_MAX   (8 * 1024 * 1024)
#define OUTPUT_SLACK (OUTPUT_MAX / 8)

struct _JrAppRecord {
  GObject         parent_instance;

  guint           id;
  const JrAppJob *job;
  GVariant       *args;
  char           *title;
  JrFuture       *future;
  GString        *output;     /* NULL for jobs that yield nothing */
  guint64         dropped;    /* bytes of output gone from its start */
  guint64         dropped_lines;
  GFile          *saved_file; /* where the result was last saved */
};

G_DEFINE_FINAL_TYPE (JrAppRecord, jr_app_record, G_TYPE_OBJECT)

enum {
  SIGNAL_OUTPUT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * jr_app_text_tail_start:
 * @text: a text
 * @length: its length in bytes
 * @max: how many bytes of its end to keep
 *
 * Returns: where the last @max bytes of @text begin, at a line's start
 *   where one is there (the end of a long output is what matters: a
 *   build's error, a command's summary), else at a character's; 0 when
 *   @text is no longer than @max
 */
gsize
jr_app_text_tail_start (const char *text,
                        gsize       length,
                        gsize       max)
{
  const char *from, *line;

  if (length <= max)
    return 0;
  from = text + (length - max);
  line = memchr (from, '\n', length - (gsize) (from - text));
  if (line != NULL && (gsize) (line + 1 - text) < length)
    return (gsize) (line + 1 - text);
  while ((gsize) (from - text) < length && ((guchar) *from & 0xC0) == 0x80)
    from++;
  return (gsize) (from - text);
}

/* Lets the first lines go until at most OUTPUT_MAX bytes remain. */
static void
drop_oldest (JrAppRecord *self)
{
  const char *start = self->output->str;
  gsize gone = jr_app_text_tail_start (start, self->output->len, OUTPUT_MAX);

  for (const char *p = start; (p = memchr (p, '\n', gone - (gsize) (p - start))) != NULL; p++)
    self->dropped_lines++;
  g_string_erase (self->output, 0, (gssize) gone);
  self->dropped += gone;
}

static void
on_yielded (JrFuture    *future,
            GVariant    *value,
            JrAppRecord *self)
{
  gsize length;
  g_autofree char *text = jr_app_yield_dup_text (value, &length);

  /* As printed: Save writes it back as it came. */
  g_string_append_len (self->output, text, (gssize) length);
  g_string_append_c (self->output, '\n');
  if (self->output->len > OUTPUT_MAX + OUTPUT_SLACK)
    drop_oldest (self);

  g_signal_emit (self, signals[SIGNAL_OUTPUT_CHANGED], 0);
}

static void
jr_app_record_dispose (GObject *object)
{
  JrAppRecord *self = JR_APP_RECORD (object);

  if (self->future != NULL)
    g_signal_handlers_disconnect_by_data (self->future, self);
  g_clear_object (&self->future);
  g_clear_object (&self->saved_file);

  G_OBJECT_CLASS (jr_app_record_parent_class)->dispose (object);
}

static void
jr_app_record_finalize (GObject *object)
{
  JrAppRecord *self = JR_APP_RECORD (object);

  g_clear_pointer (&self->args, g_variant_unref);
  if (self->output != NULL)
    g_string_free (self->output, TRUE);
  g_free (self->title);

  G_OBJECT_CLASS (jr_app_record_parent_class)->finalize (object);
}

static void
jr_app_record_class_init (JrAppRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jr_app_record_dispose;
  object_class->finalize = jr_app_record_finalize;

  /**
   * JrAppRecord::output-changed:
   * @self: the record
   *
   * More output came: see jr_app_record_get_output().
   */
  signals[SIGNAL_OUTPUT_CHANGED] =
    g_signal_new ("output-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
jr_app_record_init (JrAppRecord *self)
{
}

/**
 * jr_app_record_new:
 * @id: the window's number for it
 * @job: the built-in job
 * @args: its arguments
 * @future: the job's future, just submitted
 *
 * Returns: (transfer full): a record following @future
 */
JrAppRecord *
jr_app_record_new (guint           id,
                   const JrAppJob *job,
                   GVariant       *args,
                   JrFuture       *future)
{
  JrAppRecord *self;

  g_return_val_if_fail (job != NULL, NULL);
  g_return_val_if_fail (args != NULL, NULL);
  g_return_val_if_fail (JR_IS_FUTURE (future), NULL);

  self = g_object_new (JR_TYPE_APP_RECORD, NULL);
  self->id = id;
  self->job = job;
  self->args = g_variant_ref_sink (args);
  self->title = g_strdup (jr_future_get_title (future));
  self->future = g_object_ref (future);
  if (job->kind == JR_JOB_KIND_ITERATION)
    {
      self->output = g_string_new (NULL);
      g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), self);
    }
  return self;
}

guint
jr_app_record_get_id (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), 0);
  return self->id;
}

const JrAppJob *
jr_app_record_get_job (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);
  return self->job;
}

GVariant *
jr_app_record_get_args (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);
  return self->args;
}

const char *
jr_app_record_get_title (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);
  return self->title;
}

JrFuture *
jr_app_record_get_future (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);
  return self->future;
}

/**
 * jr_app_record_has_output:
 * @self: a record
 *
 * Returns: whether the job prints output (run-command), shown as it comes
 */
gboolean
jr_app_record_has_output (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), FALSE);
  return self->output != NULL;
}

/**
 * jr_app_record_get_output:
 * @self: a record
 * @length: (out) (optional): its length in bytes
 *
 * Returns: (nullable): what the job printed so far, a line each, or %NULL
 *   if it prints nothing; valid until more comes
 */
const char *
jr_app_record_get_output (JrAppRecord *self,
                          gsize       *length)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);

  if (length != NULL)
    *length = self->output != NULL ? self->output->len : 0;
  return self->output != NULL ? self->output->str : NULL;
}

/* The output kept, after a line that says what went before it. */
static void
append_output (JrAppRecord *self,
               GString     *text)
{
  if (self->dropped > 0)
    {
      g_autofree char *lines = g_strdup_printf ("%" G_GUINT64_FORMAT, self->dropped_lines);
      g_autofree char *size = g_format_size (self->dropped);
      g_autofree char *kept = g_format_size (self->output->len);

      g_string_append (text, "# ");
      g_string_append_printf (text,
                              /* Translators: a note before the output of a
                               * command that printed more than is kept: the
                               * first %s is how many lines went, the second
                               * how many bytes they were ("12.3 MB"), the
                               * third how many bytes follow. */
                              g_dngettext (NULL,
                                           "(the first %s line of output, %s, were not kept: "
                                           "the last %s follow)",
                                           "(the first %s lines of output, %s, were not kept: "
                                           "the last %s follow)",
                                           jr_app_plural_n (self->dropped_lines)),
                              lines, size, kept);
      g_string_append_c (text, '\n');
    }
  g_string_append_len (text, self->output->str, (gssize) self->output->len);
}

/**
 * jr_app_record_get_output_dropped:
 * @self: a record
 *
 * Returns: how many bytes of output went from its start (only the last
 *   8 MiB or so are kept): jr_app_record_get_output() begins that far into
 *   what the job printed
 */
guint64
jr_app_record_get_output_dropped (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), 0);

  return self->dropped;
}

/**
 * jr_app_record_dup_text:
 * @self: a record
 *
 * The job's result as text, to read, copy and save: a completed job's
 * result (after its output, for a command); a failed job's error, then what
 * it printed; for a cancelled one what it printed.
 *
 * Returns: the text
 */
char *
jr_app_record_dup_text (JrAppRecord *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const GError *error;

  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);

  switch (jr_future_get_state (self->future))
    {
    case JR_FUTURE_STATE_COMPLETED:
      {
        g_autofree char *result = jr_app_job_format_result (self->job, self->args,
                                                            jr_future_get_result (self->future));

        if (self->output == NULL)
          return g_steal_pointer (&result);
        append_output (self, text);
        g_string_append_printf (text, "# %s\n", result);
      }
      break;

    case JR_FUTURE_STATE_FAILED:
      error = jr_future_get_error (self->future);
      /* Translators: the first line of a failed job's result; %s is its
       * error. */
      g_string_append_printf (text, _("Failed: %s"),
                              error != NULL ? error->message : _("unknown error"));
      g_string_append_c (text, '\n');
      if (self->output != NULL && self->output->len > 0)
        {
          g_string_append (text, "\n");
          append_output (self, text);
        }
      break;

    case JR_FUTURE_STATE_CANCELLED:
      if (self->output != NULL)
        append_output (self, text);
      /* Translators: the last line of what a cancelled command printed,
       * after a “#”: it was cancelled. */
      g_string_append_printf (text, "# %s\n", _("cancelled"));
      break;

    default:
      if (self->output != NULL)
        append_output (self, text);
      break;
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * jr_app_record_dup_summary:
 * @self: a record
 *
 * Returns: one line: what a completed job gave, why it failed, or its state
 */
char *
jr_app_record_dup_summary (JrAppRecord *self)
{
  const GError *error;

  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);

  switch (jr_future_get_state (self->future))
    {
    case JR_FUTURE_STATE_COMPLETED:
      return jr_app_job_summarize_result (self->job, self->args,
                                          jr_future_get_result (self->future));
    case JR_FUTURE_STATE_FAILED:
      error = jr_future_get_error (self->future);
      /* Translators: the state of a job that failed. */
      return g_strdup (error != NULL ? error->message : _("Failed"));
    case JR_FUTURE_STATE_CANCELLED:
      /* Translators: the state of a job that was cancelled. */
      return g_strdup (_("Cancelled"));
    case JR_FUTURE_STATE_WAITING:
      /* Translators: the state of a job that waits for a worker. */
      return g_strdup (_("Waiting"));
    default:
      /* Translators: the state of a job that runs now. */
      return g_strdup (_("Running"));
    }
}

/**
 * jr_app_record_dup_result_file:
 * @self: a record
 *
 * Returns: (transfer full) (nullable): the file a completed job made
 *   (compress), or else the file its result was saved to, if any
 */
GFile *
jr_app_record_dup_result_file (JrAppRecord *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);

  if (jr_future_get_state (self->future) == JR_FUTURE_STATE_COMPLETED)
    path = jr_app_job_dup_result_path (self->job, jr_future_get_result (self->future));
  if (path != NULL)
    return g_file_new_for_path (path);
  return self->saved_file != NULL ? g_object_ref (self->saved_file) : NULL;
}

GFile *
jr_app_record_get_saved_file (JrAppRecord *self)
{
  g_return_val_if_fail (JR_IS_APP_RECORD (self), NULL);
  return self->saved_file;
}

void
jr_app_record_set_saved_file (JrAppRecord *self,
                              GFile       *file)
{
  g_return_if_fail (JR_IS_APP_RECORD (self));

  g_set_object (&self->saved_file, file);
}
