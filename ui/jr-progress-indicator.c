/* jr-progress-indicator.c — a header-bar button showing how far the running
 * jobs are, opening the list of jobs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The aggregate is recomputed at most once per frame: progress and state
 * notifications of the jobs only mark it dirty (see jr-job-row.c), and it
 * walks only the executing jobs. The jobs model is mirrored in a GSequence
 * (which futures its removed positions held), so that a job entering or
 * leaving costs O(log n) however many wait.
 */
#include <math.h>

#include "jr-progress-indicator.h"
#include "jr-progress-indicator-private.h"
#include "jr-job-list.h"
#include "jr-job-list-private.h"

#include <glib/gi18n-lib.h>

#include "jr-ui-i18n-private.h"

#define PIE_SIZE 16

/**
 * JrProgressIndicator:
 *
 * A menu button for a header bar. While jobs of its [class@Jr.Executor]
 * execute it shows a small pie filled to their mean known progress
 * ([property@JrUi.ProgressIndicator:fraction]), otherwise an idle icon. It
 * opens a popover with a [class@JrUi.JobList] of the same executor's jobs
 * that are not done yet, the executing ones first. Activating one of its
 * rows closes the popover and emits
 * [signal@JrUi.ProgressIndicator::job-activated].
 *
 * Since: 0.2
 */
struct _JrProgressIndicator
{
  GtkWidget parent_instance;

  JrExecutor *executor;
  GListModel *jobs;
  gulong jobs_changed_id;
  GSequence *mirror;            /* (element-type JrFuture): jobs, same order */
  GHashTable *executing;        /* JrFuture* set: those of mirror executing */

  gboolean dirty;
  guint tick_id;
  double fraction;              /* -1: nothing known */
  char *tooltip;                /* what the button says */
  guint n_running;

  GtkWidget *button;
  GtkWidget *stack;
  GtkWidget *pie;
  GtkWidget *idle_icon;
  GtkWidget *job_list;
};

G_DEFINE_FINAL_TYPE (JrProgressIndicator, jr_progress_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EXECUTOR,
  PROP_FRACTION,
  PROP_N_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_JOB_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_now (JrProgressIndicator *self)
{
  g_autofree char *tooltip = NULL;
  guint n_running = 0, n_known = 0;
  double sum = 0.0, fraction;
  GHashTableIter iter;
  gpointer key;

  self->dirty = FALSE;

  g_hash_table_iter_init (&iter, self->executing);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      double p;

      n_running++;
      p = jr_future_get_progress (key);
      if (p >= 0.0)
        {
          sum += p;
          n_known++;
        }
    }

  fraction = n_known > 0 ? sum / n_known : -1.0;

  if (n_running == 0)
    tooltip = g_strdup (_("No jobs running"));
  else if (fraction >= 0.0)
    /* Translators: the progress indicator's tooltip: how many jobs run,
     * and how far they are together, in percent ("%%" is the percent
     * sign), "3 jobs running, 42 %". */
    tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u job running, %.0f %%",
                                            "%u jobs running, %.0f %%", n_running),
                               n_running, fraction * 100.0);
  else
    tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u job running", "%u jobs running",
                                            n_running),
                               n_running);

  /* Only when it says something new: GTK 4.8 asks the display where the
   * pointer is for every tooltip set (a round trip to the X server). */
  if (g_strcmp0 (tooltip, self->tooltip) != 0)
    {
      gtk_widget_set_tooltip_text (self->button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                      -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pie),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, tooltip,
                                      -1);
      g_free (self->tooltip);
      self->tooltip = g_steal_pointer (&tooltip);
    }
  gtk_stack_set_visible_child (GTK_STACK (self->stack),
                               n_running > 0 ? self->pie : self->idle_icon);

  g_object_freeze_notify (G_OBJECT (self));
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pie),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, MAX (fraction, 0.0) * 100.0,
                                      -1);
      gtk_widget_queue_draw (self->pie);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (n_running != self->n_running)
    {
      self->n_running = n_running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
update_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  JrProgressIndicator *self = JR_PROGRESS_INDICATOR (widget);

  self->tick_id = 0;
  if (self->dirty)
    update_now (self);

  return G_SOURCE_REMOVE;
}

static void
queue_update (JrProgressIndicator *self)
{
  self->dirty = TRUE;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), update_tick_cb, NULL, NULL);
}

/* Readers get the current figures even between frames. */
static void
flush (JrProgressIndicator *self)
{
  if (self->dirty)
    update_now (self);
}

static void
on_future_progress (JrFuture            *future,
                    GParamSpec          *pspec,
                    JrProgressIndicator *self)
{
  if (g_hash_table_contains (self->executing, future))
    queue_update (self);
}

static void
on_future_state (JrFuture            *future,
                 GParamSpec          *pspec,
                 JrProgressIndicator *self)
{
  if (jr_future_get_state (future) == JR_FUTURE_STATE_EXECUTING)
    g_hash_table_add (self->executing, future);
  else if (!g_hash_table_remove (self->executing, future))
    return;
  queue_update (self);
}

static void
watch_future (JrProgressIndicator *self,
              JrFuture            *future)
{
  g_signal_connect (future, "notify::state", G_CALLBACK (on_future_state), self);
  g_signal_connect (future, "notify::progress", G_CALLBACK (on_future_progress), self);
  on_future_state (future, NULL, self);
}

static void
unwatch_future (gpointer data,
                gpointer user_data)
{
  JrProgressIndicator *self = user_data;

  g_signal_handlers_disconnect_by_data (data, self);
  if (g_hash_table_remove (self->executing, data))
    queue_update (self);
}

static void
on_jobs_changed (GListModel          *jobs,
                 guint                position,
                 guint                removed,
                 guint                added,
                 JrProgressIndicator *self)
{
  GSequenceIter *at = g_sequence_get_iter_at_pos (self->mirror, (gint) position);

  /* The mirror tells which futures the removed positions held. */
  if (removed > 0)
    {
      GSequenceIter *end = g_sequence_iter_move (at, (gint) removed);

      g_sequence_foreach_range (at, end, unwatch_future, self);
      g_sequence_remove_range (at, end);
      at = end;
    }

  for (guint i = position; i < position + added; i++)
    {
      JrFuture *future = g_list_model_get_item (jobs, i);

      g_sequence_insert_before (at, future);
      watch_future (self, future);
    }
}

static void
set_jobs_model (JrProgressIndicator *self,
                GListModel          *jobs)
{
  if (self->jobs == jobs)
    return;

  if (self->jobs != NULL)
    {
      g_clear_signal_handler (&self->jobs_changed_id, self->jobs);
      g_sequence_foreach (self->mirror, unwatch_future, self);
      g_sequence_remove_range (g_sequence_get_begin_iter (self->mirror),
                               g_sequence_get_end_iter (self->mirror));
    }
  g_set_object (&self->jobs, jobs);

  if (jobs != NULL)
    {
      self->jobs_changed_id = g_signal_connect (jobs, "items-changed",
                                                G_CALLBACK (on_jobs_changed), self);
      on_jobs_changed (jobs, 0, 0, g_list_model_get_n_items (jobs), self);
    }

  update_now (self);
}

void
jr_progress_indicator_set_jobs_model (JrProgressIndicator *self,
                                      GListModel          *jobs)
{
  g_return_if_fail (JR_IS_PROGRESS_INDICATOR (self));
  g_return_if_fail (jobs == NULL || G_IS_LIST_MODEL (jobs));

  set_jobs_model (self, jobs);
  jr_job_list_set_jobs_model (JR_JOB_LIST (self->job_list), jobs);
}

static void
on_list_job_activated (JrJobList           *list,
                       JrFuture            *future,
                       JrProgressIndicator *self)
{
  /* First: what the activation opens must not come up under it. */
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->button));
  g_signal_emit (self, signals[SIGNAL_JOB_ACTIVATED], 0, future);
}

static void
draw_pie (GtkDrawingArea *area,
          cairo_t        *cr,
          int             width,
          int             height,
          gpointer        user_data)
{
  JrProgressIndicator *self = user_data;
  GdkRGBA color;
  double cx = width / 2.0, cy = height / 2.0;
  double r = MIN (width, height) / 2.0 - 1.0;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (r <= 0.0)
    return;

  /* The whole disc, faint: the work still to do (or all of it, unknown). */
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.25);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_fill (cr);

  if (self->fraction > 0.0)
    {
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_move_to (cr, cx, cy);
      cairo_arc (cr, cx, cy, r, -G_PI / 2, -G_PI / 2 + 2 * G_PI * self->fraction);
      cairo_close_path (cr);
      cairo_fill (cr);
    }
}

/**
 * jr_progress_indicator_new:
 * @executor: (nullable): the executor whose jobs to show
 *
 * Makes an indicator of the jobs of @executor, for a header bar.
 *
 * Returns: (transfer floating): a new indicator
 *
 * Since: 0.2
 */
GtkWidget *
jr_progress_indicator_new (JrExecutor *executor)
{
  g_return_val_if_fail (executor == NULL || JR_IS_EXECUTOR (executor), NULL);

  return g_object_new (JR_TYPE_PROGRESS_INDICATOR, "executor", executor, NULL);
}

/**
 * jr_progress_indicator_get_executor:
 * @self: an indicator
 *
 * Gets the executor whose jobs the indicator follows: see
 * [property@JrUi.ProgressIndicator:executor].
 *
 * Returns: (transfer none) (nullable): the executor whose jobs are shown
 *
 * Since: 0.2
 */
JrExecutor *
jr_progress_indicator_get_executor (JrProgressIndicator *self)
{
  g_return_val_if_fail (JR_IS_PROGRESS_INDICATOR (self), NULL);

  return self->executor;
}

/**
 * jr_progress_indicator_set_executor:
 * @self: an indicator
 * @executor: (nullable): the executor whose jobs to show
 *
 * Follows the jobs of @executor, in the button and in its popover.
 *
 * Since: 0.2
 */
void
jr_progress_indicator_set_executor (JrProgressIndicator *self,
                                    JrExecutor          *executor)
{
  g_return_if_fail (JR_IS_PROGRESS_INDICATOR (self));
  g_return_if_fail (executor == NULL || JR_IS_EXECUTOR (executor));

  if (!g_set_object (&self->executor, executor))
    return;

  set_jobs_model (self, executor != NULL ? jr_executor_get_jobs (executor) : NULL);
  jr_job_list_set_executor (JR_JOB_LIST (self->job_list), executor);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXECUTOR]);
}

/**
 * jr_progress_indicator_get_fraction:
 * @self: an indicator
 *
 * Gets how far the executing jobs are, together: see
 * [property@JrUi.ProgressIndicator:fraction].
 *
 * Returns: the mean known progress of the executing jobs, from 0 to 1, or
 *   -1 when none executes or none reported progress
 *
 * Since: 0.2
 */
double
jr_progress_indicator_get_fraction (JrProgressIndicator *self)
{
  g_return_val_if_fail (JR_IS_PROGRESS_INDICATOR (self), -1.0);

  flush (self);
  return self->fraction;
}

/**
 * jr_progress_indicator_get_n_running:
 * @self: an indicator
 *
 * Gets how many jobs execute: see
 * [property@JrUi.ProgressIndicator:n-running].
 *
 * Returns: how many jobs are executing
 *
 * Since: 0.2
 */
guint
jr_progress_indicator_get_n_running (JrProgressIndicator *self)
{
  g_return_val_if_fail (JR_IS_PROGRESS_INDICATOR (self), 0);

  flush (self);
  return self->n_running;
}

GtkWidget *
jr_progress_indicator_get_menu_button (JrProgressIndicator *self)
{
  return self->button;
}

GtkWidget *
jr_progress_indicator_get_job_list (JrProgressIndicator *self)
{
  return self->job_list;
}

static void
jr_progress_indicator_dispose (GObject *object)
{
  JrProgressIndicator *self = JR_PROGRESS_INDICATOR (object);

  if (self->mirror != NULL)
    set_jobs_model (self, NULL);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_clear_object (&self->executor);
  g_clear_pointer (&self->button, gtk_widget_unparent);

  G_OBJECT_CLASS (jr_progress_indicator_parent_class)->dispose (object);
}

static void
jr_progress_indicator_finalize (GObject *object)
{
  JrProgressIndicator *self = JR_PROGRESS_INDICATOR (object);

  g_clear_pointer (&self->mirror, g_sequence_free);
  g_clear_pointer (&self->executing, g_hash_table_unref);
  g_clear_pointer (&self->tooltip, g_free);

  G_OBJECT_CLASS (jr_progress_indicator_parent_class)->finalize (object);
}

static void
jr_progress_indicator_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  JrProgressIndicator *self = JR_PROGRESS_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_EXECUTOR:
      g_value_set_object (value, self->executor);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, jr_progress_indicator_get_fraction (self));
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, jr_progress_indicator_get_n_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_progress_indicator_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  JrProgressIndicator *self = JR_PROGRESS_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_EXECUTOR:
      jr_progress_indicator_set_executor (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_progress_indicator_class_init (JrProgressIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  jr_ui_i18n_init ();

  object_class->dispose = jr_progress_indicator_dispose;
  object_class->finalize = jr_progress_indicator_finalize;
  object_class->get_property = jr_progress_indicator_get_property;
  object_class->set_property = jr_progress_indicator_set_property;

  /**
   * JrProgressIndicator:executor:
   *
   * The executor whose jobs are shown.
   *
   * Since: 0.2
   */
  properties[PROP_EXECUTOR] =
    g_param_spec_object ("executor", NULL, NULL, JR_TYPE_EXECUTOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrProgressIndicator:fraction:
   *
   * The mean known progress of the executing jobs, or -1 when none
   * executes or none reported progress. Updated at most once per frame.
   *
   * Since: 0.2
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrProgressIndicator:n-running:
   *
   * How many jobs are executing. Updated at most once per frame.
   *
   * Since: 0.2
   */
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JrProgressIndicator::job-activated:
   * @self: the indicator
   * @future: the job of the row
   *
   * Emitted when a row of the popover's list is activated: clicked, or
   * Enter or Space pressed on it (see [signal@JrUi.JobList::job-activated]).
   * The popover is closed by then.
   *
   * Since: 0.2
   */
  signals[SIGNAL_JOB_ACTIVATED] =
    g_signal_new ("job-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JR_TYPE_FUTURE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "jobindicator");
}

static void
jr_progress_indicator_init (JrProgressIndicator *self)
{
  GtkWidget *popover;

  self->mirror = g_sequence_new (g_object_unref);
  self->executing = g_hash_table_new (NULL, NULL);
  self->fraction = -1.0;

  self->button = gtk_menu_button_new ();
  /* Its name stays; its description says what runs ("No jobs running",
   * "2 jobs running, 40 %"): a name of "Jobs in progress" contradicted
   * it when none was. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Jobs"),
                                  GTK_ACCESSIBLE_PROPERTY_HAS_POPUP, TRUE,
                                  -1);
  /* Flat, as every button of a header bar is: the theme flattens only the
   * buttons that are direct children of the bar's ends, and this one sits
   * inside the indicator (it looked pressed beside the window's menu). */
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (self->button), FALSE);
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));

  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_menu_button_set_child (GTK_MENU_BUTTON (self->button), self->stack);

  self->idle_icon = gtk_image_new_from_icon_name ("view-list-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->idle_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("No jobs running"),
                                  -1);
  gtk_stack_add_child (GTK_STACK (self->stack), self->idle_icon);

  /* A progress bar to assistive technologies, a pie on screen. */
  self->pie = g_object_new (GTK_TYPE_DRAWING_AREA,
                            "accessible-role", GTK_ACCESSIBLE_ROLE_PROGRESS_BAR,
                            "content-width", PIE_SIZE,
                            "content-height", PIE_SIZE,
                            "halign", GTK_ALIGN_CENTER,
                            "valign", GTK_ALIGN_CENTER,
                            NULL);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->pie), draw_pie, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pie),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Progress of the running jobs"),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 0.0,
                                  -1);
  gtk_stack_add_child (GTK_STACK (self->stack), self->pie);

  /* What runs and waits now, the running jobs on top: finished jobs are
   * for the application's own list. */
  self->job_list = jr_job_list_new (NULL);
  jr_job_list_set_unfinished_only (JR_JOB_LIST (self->job_list), TRUE);
  gtk_widget_set_size_request (self->job_list, 320, 320);
  g_signal_connect (self->job_list, "job-activated", G_CALLBACK (on_list_job_activated), self);

  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), self->job_list);
  gtk_accessible_update_property (GTK_ACCESSIBLE (popover),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Jobs"),
                                  -1);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), popover);

  update_now (self);
}
