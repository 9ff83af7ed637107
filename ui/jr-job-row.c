/* jr-job-row.c — one job: title, progress, times, state and a cancel button.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How updates reach the screen (like nautilus' progress info): a state
 * change is shown at once; progress only marks the row dirty, and a tick
 * callback applies the latest value once per frame, so a flood of progress
 * notifications costs one widget update per frame. The same goes for the
 * lines a job yields: the row shows the latest one.
 */
#include "jr-job-row.h"
#include "jr-job-row-private.h"

#include <glib/gi18n-lib.h>

#include "jr-ui-i18n-private.h"

/* Pulse the bar of a job with unknown progress this often. */
#define PULSE_INTERVAL_USEC (100 * 1000)

/**
 * JrJobRow:
 *
 * Shows one [class@Jr.Future]: its title, a progress bar (pulsing while the
 * progress is unknown), the progress text (or the last line a job that
 * yields strings printed: `s`, or bytestrings `ay` for output that need
 * not be UTF-8, shown with U+FFFD for what is not), the elapsed and
 * estimated remaining time, its
 * state, what a completed job gave (see
 * [method@JrUi.JobRow.set_result_func]), the error of a failed job, and a
 * button that cancels it. Its accessible description says the same: state,
 * then result or error.
 *
 * The future can be changed at any time, so that a
 * `GtkSignalListItemFactory` can reuse rows.
 *
 * Since: 0.2
 */
struct _JrJobRow
{
  GtkWidget parent_instance;

  JrFuture *future;
  GBinding *cancel_binding;

  GtkWidget *box;
  GtkWidget *state_icon;
  GtkWidget *title_label;
  GtkWidget *state_label;
  GtkWidget *cancel_button;
  GtkWidget *progress_bar;
  GtkWidget *progress_label;
  GtkWidget *time_label;
  GtkWidget *error_label;

  /* Progress coalescing: a pending tick applies the latest value. */
  gboolean progress_dirty;
  guint progress_tick_id;
  guint n_progress_updates;

  /* Activity mode while executing with unknown progress. */
  guint pulse_tick_id;
  gint64 last_pulse;

  /* Refreshes the elapsed and remaining times about once a second. */
  guint clock_id;

  /* The last string the job yielded: shown while it runs without a
   * progress text. */
  char *last_line;

  /* What a completed job gave, in words. */
  JrJobResultFunc result_func;
  gpointer result_data;
  GDestroyNotify result_destroy;
  char *result_text;
};

G_DEFINE_FINAL_TYPE (JrJobRow, jr_job_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FUTURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
jr_format_duration (gint64 usec)
{
  gint64 s = MAX (usec, 0) / G_USEC_PER_SEC;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d",
                            s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

static gboolean
state_is_running (JrFutureState state)
{
  return state == JR_FUTURE_STATE_EXECUTING ||
         state == JR_FUTURE_STATE_CANCELLING;
}

static void
update_times (JrJobRow *self)
{
  JrFuture *future = self->future;
  g_autofree char *text = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 start, end;
  double p;

  if (future == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->time_label), "");
      return;
    }

  start = jr_future_get_start_time (future);
  end = jr_future_get_end_time (future);
  p = jr_future_get_progress (future);

  switch (jr_future_get_state (future))
    {
    case JR_FUTURE_STATE_WAITING:
      {
        g_autofree char *waited = jr_format_duration (now - jr_future_get_queued_time (future));
        /* Translators: how long a job has waited for a worker so far; %s
         * is a duration, "1:05" or "1:02:05". */
        text = g_strdup_printf (_("Waiting %s"), waited);
      }
      break;

    case JR_FUTURE_STATE_EXECUTING:
    case JR_FUTURE_STATE_CANCELLING:
      {
        gint64 elapsed = start > 0 ? now - start : 0;
        g_autofree char *elapsed_text = jr_format_duration (elapsed);

        if (jr_future_get_state (future) == JR_FUTURE_STATE_EXECUTING && p > 0.0)
          {
            /* Assumes the rest goes as fast as what is done. */
            gint64 left = (gint64) (elapsed * (1.0 - p) / p);
            g_autofree char *left_text = jr_format_duration (left);

            /* Translators: the times of a running job: both %s are
             * durations, "1:05" or "1:02:05". */
            text = g_strdup_printf (_("%s elapsed, about %s left"), elapsed_text, left_text);
          }
        else
          /* Translators: how long a job has run so far; %s is a duration,
           * "1:05" or "1:02:05". */
          text = g_strdup_printf (_("%s elapsed"), elapsed_text);
      }
      break;

    case JR_FUTURE_STATE_COMPLETED:
    case JR_FUTURE_STATE_FAILED:
    case JR_FUTURE_STATE_CANCELLED:
      if (start > 0 && end >= start)
        {
          g_autofree char *took = jr_format_duration (end - start);
          /* Translators: how long a finished job ran; %s is a duration,
           * "1:05" or "1:02:05". */
          text = g_strdup_printf (_("Took %s"), took);
        }
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (GTK_LABEL (self->time_label), text != NULL ? text : "");
}

static gboolean
clock_cb (gpointer user_data)
{
  update_times (JR_JOB_ROW (user_data));

  return G_SOURCE_CONTINUE;
}

static gboolean
pulse_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  JrJobRow *self = JR_JOB_ROW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);

  if (now - self->last_pulse >= PULSE_INTERVAL_USEC)
    {
      self->last_pulse = now;
      gtk_progress_bar_pulse (GTK_PROGRESS_BAR (self->progress_bar));
    }

  return G_SOURCE_CONTINUE;
}

static void
stop_pulsing (JrJobRow *self)
{
  if (self->pulse_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->pulse_tick_id);
      self->pulse_tick_id = 0;
    }
}

/* Pulses while the job executes with unknown progress, stops otherwise. */
static void
update_pulsing (JrJobRow *self)
{
  gboolean pulse = self->future != NULL &&
                   jr_future_get_state (self->future) == JR_FUTURE_STATE_EXECUTING &&
                   jr_future_get_progress (self->future) < 0.0;

  if (pulse && self->pulse_tick_id == 0)
    {
      self->last_pulse = 0;
      self->pulse_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                          pulse_tick_cb,
                                                          NULL, NULL);
    }
  else if (!pulse)
    stop_pulsing (self);
}

/* Applies the future's current progress to the widgets. */
static void
apply_progress (JrJobRow *self)
{
  JrFuture *future = self->future;
  g_autofree char *percent = NULL;
  const char *text;
  double p;

  self->progress_dirty = FALSE;
  self->n_progress_updates++;

  if (future == NULL)
    {
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 0.0);
      gtk_label_set_text (GTK_LABEL (self->progress_label), "");
      stop_pulsing (self);
      return;
    }

  p = jr_future_get_progress (future);
  if (jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 1.0);
  else if (p >= 0.0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), p);
  else if (jr_future_get_state (future) != JR_FUTURE_STATE_EXECUTING)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 0.0);

  text = jr_future_get_progress_text (future);
  if (jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED && self->result_text != NULL)
    text = self->result_text;
  else if (text == NULL && self->last_line != NULL && !jr_future_get_done (future))
    text = self->last_line;
  else if (text == NULL && p >= 0.0)
    /* Translators: a job's progress in percent, "42 %": write it as your
     * language does ("%%" is the percent sign). */
    text = percent = g_strdup_printf (_("%.0f %%"), p * 100.0);
  gtk_label_set_text (GTK_LABEL (self->progress_label), text != NULL ? text : "");
  gtk_widget_set_visible (self->progress_label, text != NULL);

  update_pulsing (self);
  update_times (self);
}

static gboolean
progress_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  JrJobRow *self = JR_JOB_ROW (widget);

  self->progress_tick_id = 0;
  if (self->progress_dirty)
    apply_progress (self);

  return G_SOURCE_REMOVE;
}

static void
cancel_progress_tick (JrJobRow *self)
{
  if (self->progress_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->progress_tick_id);
      self->progress_tick_id = 0;
    }
}

static void
on_progress_notify (JrFuture   *future,
                    GParamSpec *pspec,
                    JrJobRow   *self)
{
  /* Only remember that something changed: the next frame shows the
   * latest value, however many came in between. */
  self->progress_dirty = TRUE;
  if (self->progress_tick_id == 0)
    self->progress_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                           progress_tick_cb,
                                                           NULL, NULL);
}

/* Lines longer than this are cut for the row: it shows one line. */
#define LAST_LINE_MAX_CHARS 200

static void
on_yielded (JrFuture *future,
            GVariant *value,
            JrJobRow *self)
{
  g_autofree char *valid = NULL;
  const char *text, *end;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    text = g_variant_get_string (value, NULL);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    {
      /* A command's output, say, as it printed it: a label takes UTF-8.
       * (Up to its first NUL, as a bytestring is read.) */
      text = valid = g_utf8_make_valid (g_variant_get_bytestring (value), -1);
    }
  else
    return;

  /* Blank lines say nothing: keep showing the last one that did. */
  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return;

  end = g_utf8_offset_to_pointer (text, MIN (g_utf8_strlen (text, -1), LAST_LINE_MAX_CHARS));
  g_free (self->last_line);
  self->last_line = g_strndup (text, end - text);
  g_strchomp (self->last_line);

  /* Shown at the next frame, like progress. */
  on_progress_notify (future, NULL, self);
}

static void
update_result_text (JrJobRow *self)
{
  g_clear_pointer (&self->result_text, g_free);

  if (self->future != NULL && self->result_func != NULL &&
      jr_future_get_state (self->future) == JR_FUTURE_STATE_COMPLETED)
    self->result_text = self->result_func (self->future, self->result_data);
}

static const char *
state_icon_name (JrFutureState state)
{
  switch (state)
    {
    case JR_FUTURE_STATE_WAITING:
      return "content-loading-symbolic";
    case JR_FUTURE_STATE_EXECUTING:
      return "media-playback-start-symbolic";
    case JR_FUTURE_STATE_CANCELLING:
    case JR_FUTURE_STATE_CANCELLED:
      return "process-stop-symbolic";
    case JR_FUTURE_STATE_COMPLETED:
      return "emblem-ok-symbolic";
    case JR_FUTURE_STATE_FAILED:
      return "dialog-error-symbolic";
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
state_text (JrFutureState state)
{
  switch (state)
    {
    case JR_FUTURE_STATE_WAITING:
      /* Translators: the state of a job that waits for a worker. */
      return _("Waiting");
    case JR_FUTURE_STATE_EXECUTING:
      /* Translators: the state of a job that runs now. */
      return _("Running");
    case JR_FUTURE_STATE_CANCELLING:
      /* Translators: the state of a job being cancelled. */
      return _("Cancelling");
    case JR_FUTURE_STATE_COMPLETED:
      /* Translators: the state of a job that completed. */
      return _("Done");
    case JR_FUTURE_STATE_FAILED:
      /* Translators: the state of a job that failed. */
      return _("Failed");
    case JR_FUTURE_STATE_CANCELLED:
      /* Translators: the state of a job that was cancelled. */
      return _("Cancelled");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* state_text() where a job of another machine runs or ran: one sentence
 * per state, for languages where the words change with the place. */
static const char *
state_place_format (JrFutureState state)
{
  switch (state)
    {
    case JR_FUTURE_STATE_EXECUTING:
      /* Translators: the state of a job that runs on another machine; %s
       * is where: a host and its group of workers, "node17 (cluster)". */
      return _("Running on %s");
    case JR_FUTURE_STATE_CANCELLING:
      /* Translators: the state of a job being cancelled on another
       * machine; %s is where, "node17 (cluster)". */
      return _("Cancelling on %s");
    case JR_FUTURE_STATE_COMPLETED:
      /* Translators: the state of a job that completed on another
       * machine; %s is where, "node17 (cluster)". */
      return _("Done on %s");
    case JR_FUTURE_STATE_FAILED:
      /* Translators: the state of a job that failed on another machine;
       * %s is where, "node17 (cluster)". */
      return _("Failed on %s");
    case JR_FUTURE_STATE_CANCELLED:
      /* Translators: the state of a job that was cancelled on another
       * machine; %s is where, "node17 (cluster)". */
      return _("Cancelled on %s");
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char * const state_css_classes[] = {
  "waiting", "executing", "cancelling", "completed", "failed", "cancelled",
};

/* "Running on node17 (cluster)": where a job of a group of another
 * machine runs, or ran; just the state for one of this machine's. */
static char *
state_with_place (JrFuture      *future,
                  JrFutureState  state)
{
  g_autofree char *place = NULL;

  if (state == JR_FUTURE_STATE_WAITING || (place = jr_future_dup_place (future)) == NULL)
    return g_strdup (state_text (state));
  return g_strdup_printf (state_place_format (state), place);
}

/* The widget a screen reader is on when this row has the focus: in a
 * GtkListView, the list item around it, which GTK 4.8 gives no name of its
 * own (an empty "list item" was all Orca could say); else none. */
static GtkAccessible *
focus_holder (JrJobRow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (parent != NULL && GTK_IS_LIST_VIEW (gtk_widget_get_parent (parent)))
    return GTK_ACCESSIBLE (parent);
  return NULL;
}

/* Sets @property of the row and of what holds its focus. */
static void
say_property (JrJobRow              *self,
              GtkAccessibleProperty  property,
              const char            *value)
{
  GtkAccessible *holder = focus_holder (self);

  if (value != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), property, value, -1);
      if (holder != NULL)
        gtk_accessible_update_property (holder, property, value, -1);
    }
  else
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), property);
      if (holder != NULL)
        gtk_accessible_reset_property (holder, property);
    }
}

static void
apply_state (JrJobRow *self)
{
  JrFuture *future = self->future;
  JrFutureState state;
  const GError *error;
  g_autofree char *state_label = NULL;

  /* A state change must not overtake the progress that came before it. */
  cancel_progress_tick (self);
  update_result_text (self);
  apply_progress (self);

  for (guint i = 0; i < G_N_ELEMENTS (state_css_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), state_css_classes[i]);

  /* Nothing left to cancel: no button, rather than a greyed one on every
   * finished row. */
  gtk_widget_set_visible (self->cancel_button, future != NULL && !jr_future_get_done (future));

  if (future == NULL)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->state_icon), NULL);
      gtk_label_set_text (GTK_LABEL (self->state_label), "");
      gtk_widget_set_visible (self->error_label, FALSE);
      say_property (self, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, NULL);
      g_clear_handle_id (&self->clock_id, g_source_remove);
      return;
    }

  state = jr_future_get_state (future);
  gtk_widget_add_css_class (GTK_WIDGET (self), state_css_classes[state]);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->state_icon), state_icon_name (state));
  state_label = state_with_place (future, state);
  gtk_label_set_text (GTK_LABEL (self->state_label), state_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, state_text (state),
                                  -1);

  error = jr_future_get_error (future);
  if (state == JR_FUTURE_STATE_FAILED && error != NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->error_label), "");
      gtk_widget_set_visible (self->error_label, FALSE);
    }

  gtk_accessible_update_state (GTK_ACCESSIBLE (self->progress_bar),
                               GTK_ACCESSIBLE_STATE_BUSY, state_is_running (state),
                               -1);

  /* What a screen reader says after the title: "Done: 9,592 primes up to
   * 100,000", "Failed: …", "Done on box (box): …". */
  {
    const char *detail = NULL;
    g_autofree char *description = NULL;

    if (state == JR_FUTURE_STATE_FAILED && error != NULL)
      detail = error->message;
    else if (state == JR_FUTURE_STATE_COMPLETED)
      detail = self->result_text;

    /* Translators: what a screen reader says of a finished job: its state
     * ("Done", "Failed on node17 (cluster)"), then what it gave or its
     * error, "Done: 9,592 primes up to 100,000". */
    description = detail != NULL ? g_strdup_printf (C_("job state and result", "%s: %s"),
                                                    state_label, detail)
                                 : g_strdup (state_label);
    say_property (self, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
  }

  /* The clock only matters while the times still change. */
  if (!jr_future_get_done (future))
    {
      if (self->clock_id == 0)
        self->clock_id = g_timeout_add_seconds (1, clock_cb, self);
    }
  else
    g_clear_handle_id (&self->clock_id, g_source_remove);
}

static void
on_state_notify (JrFuture   *future,
                 GParamSpec *pspec,
                 JrJobRow   *self)
{
  apply_state (self);
}

static void
apply_title (JrJobRow *self)
{
  const char *title = self->future != NULL ? jr_future_get_title (self->future) : "";
  /* Translators: the name of a job's progress bar for screen readers; %s
   * is the job's title, "Checksum of /etc". */
  g_autofree char *bar_label = g_strdup_printf (_("Progress of %s"), title);
  /* Translators: what a job's cancel button does, for screen readers:
   * "Cancel" is a verb; %s is the job's title, "Checksum of /etc". */
  g_autofree char *cancel_description = g_strdup_printf (_("Cancel %s"), title);

  gtk_label_set_text (GTK_LABEL (self->title_label), title);
  say_property (self, GTK_ACCESSIBLE_PROPERTY_LABEL, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, bar_label,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, cancel_description,
                                  -1);
}

static void
on_title_notify (JrFuture   *future,
                 GParamSpec *pspec,
                 JrJobRow   *self)
{
  apply_title (self);
}

static void
on_cancel_clicked (GtkButton *button,
                   JrJobRow  *self)
{
  if (self->future != NULL)
    jr_future_cancel (self->future);
}

/**
 * jr_job_row_new:
 * @future: (nullable): the future to show
 *
 * Makes a row that shows @future.
 *
 * Returns: (transfer floating): a new row
 *
 * Since: 0.2
 */
GtkWidget *
jr_job_row_new (JrFuture *future)
{
  g_return_val_if_fail (future == NULL || JR_IS_FUTURE (future), NULL);

  return g_object_new (JR_TYPE_JOB_ROW, "future", future, NULL);
}

/**
 * jr_job_row_get_future:
 * @self: a row
 *
 * Gets the future the row shows: see [property@JrUi.JobRow:future].
 *
 * Returns: (transfer none) (nullable): the future shown
 *
 * Since: 0.2
 */
JrFuture *
jr_job_row_get_future (JrJobRow *self)
{
  g_return_val_if_fail (JR_IS_JOB_ROW (self), NULL);

  return self->future;
}

/**
 * jr_job_row_set_future:
 * @self: a row
 * @future: (nullable): the future to show
 *
 * Shows @future instead of the current one.
 *
 * Since: 0.2
 */
void
jr_job_row_set_future (JrJobRow *self,
                       JrFuture *future)
{
  g_return_if_fail (JR_IS_JOB_ROW (self));
  g_return_if_fail (future == NULL || JR_IS_FUTURE (future));

  if (self->future == future)
    return;

  if (self->future != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->future, self);
      g_clear_pointer (&self->cancel_binding, g_binding_unbind);
    }

  cancel_progress_tick (self);
  stop_pulsing (self);
  g_clear_pointer (&self->last_line, g_free);
  g_set_object (&self->future, future);

  if (future != NULL)
    {
      g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), self);
      g_signal_connect (future, "notify::progress", G_CALLBACK (on_progress_notify), self);
      g_signal_connect (future, "notify::progress-text", G_CALLBACK (on_progress_notify), self);
      g_signal_connect (future, "notify::state", G_CALLBACK (on_state_notify), self);
      g_signal_connect (future, "notify::title", G_CALLBACK (on_title_notify), self);
      /* A job lost with its worker may start again elsewhere. */
      g_signal_connect_swapped (future, "notify::worker-group", G_CALLBACK (apply_state), self);
      g_signal_connect_swapped (future, "notify::worker-host", G_CALLBACK (apply_state), self);
      self->cancel_binding = g_object_bind_property (future, "cancellable-now",
                                                     self->cancel_button, "sensitive",
                                                     G_BINDING_SYNC_CREATE);
    }
  else
    gtk_widget_set_sensitive (self->cancel_button, FALSE);

  apply_title (self);
  apply_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FUTURE]);
}

/**
 * jr_job_row_set_result_func:
 * @self: a row
 * @func: (nullable) (scope notified): says what a completed job gave
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @func is replaced or the row
 *   goes
 *
 * Once the future completes, the row shows what @func says in place of the
 * progress text (and a screen reader hears it). Without a function, or when
 * it returns %NULL, the last progress text stays.
 *
 * Since: 0.2
 */
void
jr_job_row_set_result_func (JrJobRow        *self,
                            JrJobResultFunc  func,
                            gpointer         user_data,
                            GDestroyNotify   destroy)
{
  g_return_if_fail (JR_IS_JOB_ROW (self));

  if (self->result_destroy != NULL)
    self->result_destroy (self->result_data);
  self->result_func = func;
  self->result_data = user_data;
  self->result_destroy = destroy;

  apply_state (self);
}

guint
jr_job_row_get_n_progress_updates (JrJobRow *self)
{
  g_return_val_if_fail (JR_IS_JOB_ROW (self), 0);

  return self->n_progress_updates;
}

GtkWidget *
jr_job_row_get_progress_bar (JrJobRow *self)
{
  return self->progress_bar;
}

GtkWidget *
jr_job_row_get_cancel_button (JrJobRow *self)
{
  return self->cancel_button;
}

GtkWidget *
jr_job_row_get_state_label (JrJobRow *self)
{
  return self->state_label;
}

GtkWidget *
jr_job_row_get_state_icon (JrJobRow *self)
{
  return self->state_icon;
}

GtkWidget *
jr_job_row_get_title_label (JrJobRow *self)
{
  return self->title_label;
}

GtkWidget *
jr_job_row_get_progress_label (JrJobRow *self)
{
  return self->progress_label;
}

GtkWidget *
jr_job_row_get_time_label (JrJobRow *self)
{
  return self->time_label;
}

GtkWidget *
jr_job_row_get_error_label (JrJobRow *self)
{
  return self->error_label;
}

static void
jr_job_row_dispose (GObject *object)
{
  JrJobRow *self = JR_JOB_ROW (object);

  if (self->future != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->future, self);
      g_clear_pointer (&self->cancel_binding, g_binding_unbind);
      g_clear_object (&self->future);
    }
  cancel_progress_tick (self);
  stop_pulsing (self);
  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  if (self->result_destroy != NULL)
    self->result_destroy (self->result_data);
  self->result_func = NULL;
  self->result_data = NULL;
  self->result_destroy = NULL;
  g_clear_pointer (&self->result_text, g_free);
  g_clear_pointer (&self->last_line, g_free);

  G_OBJECT_CLASS (jr_job_row_parent_class)->dispose (object);
}

static void
jr_job_row_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  JrJobRow *self = JR_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_FUTURE:
      g_value_set_object (value, self->future);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_job_row_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  JrJobRow *self = JR_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_FUTURE:
      jr_job_row_set_future (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_job_row_class_init (JrJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  jr_ui_i18n_init ();

  object_class->dispose = jr_job_row_dispose;
  object_class->get_property = jr_job_row_get_property;
  object_class->set_property = jr_job_row_set_property;

  /**
   * JrJobRow:future:
   *
   * The future shown by the row.
   *
   * Since: 0.2
   */
  properties[PROP_FUTURE] =
    g_param_spec_object ("future", NULL, NULL, JR_TYPE_FUTURE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "jobrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
jr_job_row_init (JrJobRow *self)
{
  GtkWidget *header, *details;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_start (self->box, 6);
  gtk_widget_set_margin_end (self->box, 6);
  gtk_widget_set_margin_top (self->box, 6);
  gtk_widget_set_margin_bottom (self->box, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->box), header);

  self->state_icon = gtk_image_new ();
  gtk_box_append (GTK_BOX (header), self->state_icon);

  self->title_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title_label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (self->title_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->title_label, TRUE);
  gtk_widget_add_css_class (self->title_label, "heading");
  gtk_box_append (GTK_BOX (header), self->title_label);

  self->state_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->state_label, "dim-label");
  gtk_box_append (GTK_BOX (header), self->state_label);

  self->cancel_button = gtk_button_new_from_icon_name ("process-stop-symbolic");
  /* Given while hidden: on a visible widget GTK 4.8 asks the display where
   * the pointer is (a round trip to the X server), for every row a list
   * makes. */
  gtk_widget_set_visible (self->cancel_button, FALSE);
  /* Translators: a button's tooltip: "Cancel" is a verb. */
  gtk_widget_set_tooltip_text (self->cancel_button, _("Cancel job"));
  gtk_widget_set_visible (self->cancel_button, TRUE);
  gtk_widget_set_valign (self->cancel_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->cancel_button, "flat");
  gtk_widget_add_css_class (self->cancel_button, "circular");
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  /* Not in the focus chain: a list item with a focusable child never takes
   * the focus itself (GTK 4.8), and the rows must. From the keyboard, Delete
   * on a row of a JrJobList cancels its job; assistive technologies press
   * the button. */
  gtk_widget_set_focusable (self->cancel_button, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel job"),
                                  -1);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  gtk_box_append (GTK_BOX (header), self->cancel_button);

  self->progress_bar = gtk_progress_bar_new ();
  gtk_progress_bar_set_pulse_step (GTK_PROGRESS_BAR (self->progress_bar), 0.1);
  gtk_box_append (GTK_BOX (self->box), self->progress_bar);

  details = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (self->box), details);

  self->progress_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->progress_label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (self->progress_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->progress_label, TRUE);
  gtk_widget_add_css_class (self->progress_label, "caption");
  gtk_box_append (GTK_BOX (details), self->progress_label);

  self->time_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->time_label), 1.0);
  gtk_widget_set_halign (self->time_label, GTK_ALIGN_END);
  gtk_widget_add_css_class (self->time_label, "caption");
  gtk_widget_add_css_class (self->time_label, "dim-label");
  gtk_widget_add_css_class (self->time_label, "numeric");
  gtk_box_append (GTK_BOX (details), self->time_label);

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (self->error_label), TRUE);
  /* Selectable with the mouse, but the row keeps the focus (see above). */
  gtk_widget_set_focusable (self->error_label, FALSE);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->error_label);

  apply_title (self);
  apply_state (self);
  /* Bound rows count only the updates of their futures. */
  self->n_progress_updates = 0;
}
