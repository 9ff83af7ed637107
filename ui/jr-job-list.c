/* jr-job-list.c — a scrolling list of jobs, one JrJobRow each.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor's model holds only the futures that are not done, so the
 * list keeps its own store: it adds what the executor adds, and decides
 * itself, when a future's state changes, whether the future stays
 * (keep-finished, or a failure) or goes, and in the indicator's popover
 * where it goes (place()). The store applies such changes in one batch per
 * dispatch (jr-job-list-model-private.h).
 */
#include "jr-job-list.h"
#include "jr-job-list-model-private.h"
#include "jr-job-list-private.h"
#include "jr-job-row.h"

#include <glib/gi18n-lib.h>

#include "jr-ui-i18n-private.h"

/**
 * JrJobList:
 *
 * A scrolling list of [class@JrUi.JobRow]s: the jobs of a
 * [class@Jr.Executor] in submission order, plus any futures added with
 * [method@JrUi.JobList.add_future]. Finished jobs stay until
 * [method@JrUi.JobList.clear_finished] unless
 * [property@JrUi.JobList:keep-finished] is %FALSE; a failed job stays even
 * then, so that no failure goes unseen.
 *
 * Jobs that end leave the list (or move, in the order of its rows) at the
 * next dispatch of the main context, all those that ended meanwhile in a
 * single change of [property@JrUi.JobList:model]: a "cancel all" of
 * thousands of jobs costs the list one update.
 *
 * Rows can be focused and activated (a click, Enter or Space): the list
 * emits [signal@JrUi.JobList::job-activated]. Delete on a focused row
 * cancels its job. A job added at the end is scrolled into view.
 *
 * Since: 0.2
 */
struct _JrJobList
{
  GtkWidget parent_instance;

  JrExecutor *executor;
  GListModel *jobs;             /* the model we mirror, or NULL */
  gulong jobs_changed_id;

  JrJobListModel *store;        /* what is shown */
  gboolean keep_finished;
  /* Only the jobs not done, the executing ones first (the indicator's
   * popover). */
  gboolean unfinished_only;
  GtkNoSelection *selection;    /* over store */

  JrJobResultFunc result_func;
  gpointer result_data;
  GDestroyNotify result_destroy;

  /* Scrolling to a job just added, over a few frames. */
  guint scroll_tick_id;
  guint scroll_frames;

  GtkWidget *stack;
  GtkWidget *scrolled;
  GtkWidget *list_view;
  GtkWidget *placeholder;
  GtkWidget *default_placeholder;
};

G_DEFINE_FINAL_TYPE (JrJobList, jr_job_list, GTK_TYPE_WIDGET)

enum {
  SIGNAL_JOB_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_EXECUTOR,
  PROP_KEEP_FINISHED,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void attach_view (JrJobList *self);

/* The store's sections: the running jobs (by start time) come first in
 * the popover; everything else is listed in the order added. */
enum {
  SECTION_RUNNING,
  SECTION_LISTED,
};

/* Whether a done future stays in the list. */
static gboolean
stays_done (JrJobList *self,
            JrFuture  *future)
{
  /* A failure must be seen: it stays until cleared. */
  return !self->unfinished_only &&
         (self->keep_finished || jr_future_get_state (future) == JR_FUTURE_STATE_FAILED);
}

static int
place (JrFuture *future,
       gpointer  user_data)
{
  JrJobList *self = user_data;

  if (jr_future_get_done (future))
    return stays_done (self, future) ? SECTION_LISTED : -1;
  if (!self->unfinished_only)
    return SECTION_LISTED;

  switch (jr_future_get_state (future))
    {
    case JR_FUTURE_STATE_EXECUTING:
      return SECTION_RUNNING;
    case JR_FUTURE_STATE_CANCELLING:
      /* Still running if it started; a waiting job being cancelled keeps
       * its place among the waiting. */
      return jr_future_get_start_time (future) != 0 ? SECTION_RUNNING : SECTION_LISTED;
    default:
      return SECTION_LISTED;
    }
}

static void
on_jobs_changed (GListModel *jobs,
                 guint       position,
                 guint       removed,
                 guint       added,
                 JrJobList  *self)
{
  /* Removals are futures the executor is done with: whether they stay is
   * decided by on_future_done(). */
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (jobs, i);

      jr_job_list_add_future (self, future);
    }
}

void
jr_job_list_set_jobs_model (JrJobList  *self,
                            GListModel *jobs)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));
  g_return_if_fail (jobs == NULL || G_IS_LIST_MODEL (jobs));

  if (self->jobs == jobs)
    return;

  if (self->jobs != NULL)
    g_clear_signal_handler (&self->jobs_changed_id, self->jobs);
  g_set_object (&self->jobs, jobs);

  /* At the next dispatch, never inside the application's call; a future
   * of both models stays. */
  jr_job_list_model_evict_all (self->store);

  if (jobs != NULL)
    {
      self->jobs_changed_id = g_signal_connect (jobs, "items-changed",
                                                G_CALLBACK (on_jobs_changed), self);
      on_jobs_changed (jobs, 0, 0, g_list_model_get_n_items (jobs), self);
    }
}

static void
update_placeholder (JrJobList *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0;

  gtk_stack_set_visible_child (GTK_STACK (self->stack),
                               empty ? self->placeholder : self->scrolled);
}

/* GTK 4.8 scrolls to an item by its estimated height when it has no
 * widget yet, and may stop short of it: scroll again on the next frames,
 * once the row is laid out. */
#define SCROLL_FRAMES 3

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  JrJobList *self = JR_JOB_LIST (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  if (n > 0)
    gtk_widget_activate_action (self->list_view, "list.scroll-to-item", "u", n - 1);

  if (n == 0 || --self->scroll_frames == 0)
    {
      self->scroll_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
scroll_to_end (JrJobList *self)
{
  /* At the next frame: jobs submitted together scroll once. */
  self->scroll_frames = SCROLL_FRAMES;
  if (self->scroll_tick_id == 0)
    self->scroll_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_tick_cb,
                                                         NULL, NULL);
}

static void
on_store_changed (GListModel *store,
                  guint       position,
                  guint       removed,
                  guint       added,
                  JrJobList  *self)
{
  guint n = g_list_model_get_n_items (store);

  update_placeholder (self);

  /* A job added at the end may be below what is visible: show it. */
  if (added > 0 && !self->unfinished_only && position + added == n &&
      jr_job_list_model_get_appended (self->store))
    scroll_to_end (self);
}

static void
on_activate (GtkListView *list_view,
             guint        position,
             JrJobList   *self)
{
  g_autoptr(JrFuture) future = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (future != NULL)
    g_signal_emit (self, signals[SIGNAL_JOB_ACTIVATED], 0, future);
}

/* The row in the focused item of the list, if any. */
static JrJobRow *
get_focused_row (JrJobList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, self->list_view))
    return NULL;
  for (GtkWidget *child = focus; child != NULL; child = gtk_widget_get_first_child (child))
    if (JR_IS_JOB_ROW (child))
      return JR_JOB_ROW (child);
  return NULL;
}

static void
cancel_focused (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  JrJobRow *row = get_focused_row (JR_JOB_LIST (widget));
  JrFuture *future = row != NULL ? jr_job_row_get_future (row) : NULL;

  if (future != NULL && jr_future_get_cancellable_now (future))
    jr_future_cancel (future);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  /* Activatable: a click, Enter or Space activates the row. Selectable,
   * though nothing is ever selected (the model is a GtkNoSelection): in
   * GTK 4.8 only a selectable item takes the focus. */
  gtk_list_item_set_activatable (item, TRUE);
  gtk_list_item_set_selectable (item, TRUE);
  gtk_list_item_set_child (item, jr_job_row_new (NULL));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          JrJobList                *self)
{
  JrJobRow *row = JR_JOB_ROW (gtk_list_item_get_child (item));

  /* The list owns the function's data: the rows borrow it. */
  jr_job_row_set_result_func (row, self->result_func, self->result_data, NULL);
  jr_job_row_set_future (row, gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  /* A row out of view should not keep ticking for its old future. */
  jr_job_row_set_future (JR_JOB_ROW (gtk_list_item_get_child (item)), NULL);
}

/**
 * jr_job_list_new:
 * @executor: (nullable): the executor whose jobs to show
 *
 * Makes a list of the jobs of @executor (see
 * [method@JrUi.JobList.set_executor]); with %NULL, of the futures added
 * with [method@JrUi.JobList.add_future].
 *
 * Returns: (transfer floating): a new job list
 *
 * Since: 0.2
 */
GtkWidget *
jr_job_list_new (JrExecutor *executor)
{
  g_return_val_if_fail (executor == NULL || JR_IS_EXECUTOR (executor), NULL);

  return g_object_new (JR_TYPE_JOB_LIST, "executor", executor, NULL);
}

/**
 * jr_job_list_get_executor:
 * @self: a job list
 *
 * Gets the executor whose jobs the list shows: see
 * [property@JrUi.JobList:executor].
 *
 * Returns: (transfer none) (nullable): the executor whose jobs are shown
 *
 * Since: 0.2
 */
JrExecutor *
jr_job_list_get_executor (JrJobList *self)
{
  g_return_val_if_fail (JR_IS_JOB_LIST (self), NULL);

  return self->executor;
}

/**
 * jr_job_list_set_executor:
 * @self: a job list
 * @executor: (nullable): the executor whose jobs to show
 *
 * Shows the jobs of @executor: those it runs now, and from then on every
 * job submitted to it. The list is cleared first, futures added with
 * [method@JrUi.JobList.add_future] included.
 *
 * Since: 0.2
 */
void
jr_job_list_set_executor (JrJobList  *self,
                          JrExecutor *executor)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));
  g_return_if_fail (executor == NULL || JR_IS_EXECUTOR (executor));

  if (!g_set_object (&self->executor, executor))
    return;

  jr_job_list_set_jobs_model (self, executor != NULL ? jr_executor_get_jobs (executor) : NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXECUTOR]);
}

/**
 * jr_job_list_get_keep_finished:
 * @self: a job list
 *
 * Gets whether jobs stay in the list once done: see
 * [property@JrUi.JobList:keep-finished].
 *
 * Returns: whether finished jobs stay in the list
 *
 * Since: 0.2
 */
gboolean
jr_job_list_get_keep_finished (JrJobList *self)
{
  g_return_val_if_fail (JR_IS_JOB_LIST (self), FALSE);

  return self->keep_finished;
}

/**
 * jr_job_list_set_keep_finished:
 * @self: a job list
 * @keep_finished: whether finished jobs stay in the list
 *
 * When %FALSE, a job leaves the list as soon as it completes or is
 * cancelled, and such jobs shown now leave, at the next dispatch of the
 * main context. A failed job stays until
 * [method@JrUi.JobList.clear_finished]: its error must be seen.
 *
 * Since: 0.2
 */
void
jr_job_list_set_keep_finished (JrJobList *self,
                               gboolean   keep_finished)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));

  keep_finished = !!keep_finished;
  if (self->keep_finished == keep_finished)
    return;

  self->keep_finished = keep_finished;
  jr_job_list_model_recheck_all (self->store);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_FINISHED]);
}

/**
 * jr_job_list_clear_finished:
 * @self: a job list
 *
 * Removes the jobs that are done from the list, failed ones too, at the
 * next dispatch of the main context (never inside this call, so that a
 * handler of the model's #GListModel::items-changed runs outside it).
 *
 * Since: 0.2
 */
void
jr_job_list_clear_finished (JrJobList *self)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));

  jr_job_list_model_evict_done (self->store);
}

/**
 * jr_job_list_add_future:
 * @self: a job list
 * @future: a future to show
 *
 * Shows @future, at the end of the list, if it is not shown already. A
 * future that is done is not added unless it would stay (see
 * [property@JrUi.JobList:keep-finished]).
 *
 * Since: 0.2
 */
void
jr_job_list_add_future (JrJobList *self,
                        JrFuture  *future)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));
  g_return_if_fail (JR_IS_FUTURE (future));

  jr_job_list_model_add (self->store, future);
}

static void
set_rows_result_func (GtkWidget       *widget,
                      JrJobResultFunc  func,
                      gpointer         user_data)
{
  if (JR_IS_JOB_ROW (widget))
    {
      jr_job_row_set_result_func (JR_JOB_ROW (widget), func, user_data, NULL);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    set_rows_result_func (child, func, user_data);
}

/**
 * jr_job_list_set_result_func:
 * @self: a job list
 * @func: (nullable) (scope notified): says what a completed job gave
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @func is replaced or the list
 *   goes
 *
 * Gives every row [method@JrUi.JobRow.set_result_func]: a completed job's
 * row says what it gave ("9,592 primes up to 100,000").
 *
 * Since: 0.2
 */
void
jr_job_list_set_result_func (JrJobList       *self,
                             JrJobResultFunc  func,
                             gpointer         user_data,
                             GDestroyNotify   destroy)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));

  /* The rows there are now borrow the old data: give them the new first. */
  set_rows_result_func (self->list_view, func, user_data);

  if (self->result_destroy != NULL)
    self->result_destroy (self->result_data);
  self->result_func = func;
  self->result_data = user_data;
  self->result_destroy = destroy;
}

/**
 * jr_job_list_set_placeholder:
 * @self: a job list
 * @placeholder: (nullable) (transfer floating): what to show when there is
 *   no job, or %NULL for the list's own dim "No jobs yet"
 *
 * Replaces what the list shows when it is empty, e.g. by a status page.
 *
 * Since: 0.2
 */
void
jr_job_list_set_placeholder (JrJobList *self,
                             GtkWidget *placeholder)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));
  g_return_if_fail (placeholder == NULL || GTK_IS_WIDGET (placeholder));

  if (placeholder == NULL)
    placeholder = self->default_placeholder;
  if (placeholder == self->placeholder)
    return;

  if (self->placeholder != self->default_placeholder)
    gtk_stack_remove (GTK_STACK (self->stack), self->placeholder);
  self->placeholder = placeholder;
  if (placeholder != self->default_placeholder)
    gtk_stack_add_child (GTK_STACK (self->stack), placeholder);
  gtk_widget_set_visible (self->default_placeholder, placeholder == self->default_placeholder);

  update_placeholder (self);
}

void
jr_job_list_set_unfinished_only (JrJobList *self,
                                 gboolean   unfinished_only)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));

  unfinished_only = !!unfinished_only;
  if (self->unfinished_only == unfinished_only)
    return;
  self->unfinished_only = unfinished_only;

  jr_job_list_model_recheck_all (self->store);
  attach_view (self);
  gtk_label_set_text (GTK_LABEL (self->default_placeholder),
                      unfinished_only ? _("No jobs running") : _("No jobs yet"));
}

/**
 * jr_job_list_get_model:
 * @self: a job list
 *
 * Gets the futures the list shows, as a list model of [class@Jr.Future]:
 * see [property@JrUi.JobList:model].
 *
 * Returns: (transfer none): the futures shown, in order
 *
 * Since: 0.2
 */
GListModel *
jr_job_list_get_model (JrJobList *self)
{
  g_return_val_if_fail (JR_IS_JOB_LIST (self), NULL);

  return G_LIST_MODEL (self->store);
}

GtkWidget *
jr_job_list_get_list_view (JrJobList *self)
{
  return self->list_view;
}

GtkWidget *
jr_job_list_get_placeholder (JrJobList *self)
{
  return self->placeholder;
}

/* The popover's list shows its rows only while it is open: a list view
 * makes and binds up to some hundreds of rows around its first one even
 * where nobody sees them, at every change of a busy executor's jobs. */
static void
attach_view (JrJobList *self)
{
  gboolean attach = !self->unfinished_only || gtk_widget_get_mapped (GTK_WIDGET (self));
  GListModel *model = attach ? G_LIST_MODEL (self->store) : NULL;

  if (gtk_no_selection_get_model (self->selection) != model)
    gtk_no_selection_set_model (self->selection, model);
}

static void
jr_job_list_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (jr_job_list_parent_class)->map (widget);
  attach_view (JR_JOB_LIST (widget));
}

static void
jr_job_list_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (jr_job_list_parent_class)->unmap (widget);
  attach_view (JR_JOB_LIST (widget));
}

static void
jr_job_list_dispose (GObject *object)
{
  JrJobList *self = JR_JOB_LIST (object);

  if (self->jobs != NULL)
    {
      g_clear_signal_handler (&self->jobs_changed_id, self->jobs);
      g_clear_object (&self->jobs);
    }
  if (self->store != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->store, on_store_changed, self);
      jr_job_list_model_remove_all (self->store);
    }
  if (self->scroll_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick_id);
      self->scroll_tick_id = 0;
    }
  g_clear_object (&self->executor);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  if (self->result_destroy != NULL)
    self->result_destroy (self->result_data);
  self->result_func = NULL;
  self->result_data = NULL;
  self->result_destroy = NULL;

  G_OBJECT_CLASS (jr_job_list_parent_class)->dispose (object);
}

static void
jr_job_list_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JrJobList *self = JR_JOB_LIST (object);

  switch (prop_id)
    {
    case PROP_EXECUTOR:
      g_value_set_object (value, self->executor);
      break;
    case PROP_KEEP_FINISHED:
      g_value_set_boolean (value, self->keep_finished);
      break;
    case PROP_MODEL:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_job_list_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JrJobList *self = JR_JOB_LIST (object);

  switch (prop_id)
    {
    case PROP_EXECUTOR:
      jr_job_list_set_executor (self, g_value_get_object (value));
      break;
    case PROP_KEEP_FINISHED:
      jr_job_list_set_keep_finished (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_job_list_class_init (JrJobListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  jr_ui_i18n_init ();

  object_class->dispose = jr_job_list_dispose;
  object_class->get_property = jr_job_list_get_property;
  object_class->set_property = jr_job_list_set_property;

  /**
   * JrJobList:executor:
   *
   * The executor whose jobs are shown.
   *
   * Since: 0.2
   */
  properties[PROP_EXECUTOR] =
    g_param_spec_object ("executor", NULL, NULL, JR_TYPE_EXECUTOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrJobList:keep-finished:
   *
   * Whether jobs stay in the list once done, until
   * [method@JrUi.JobList.clear_finished].
   *
   * Since: 0.2
   */
  properties[PROP_KEEP_FINISHED] =
    g_param_spec_boolean ("keep-finished", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrJobList:model:
   *
   * The futures shown, in order.
   *
   * Since: 0.2
   */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JrJobList::job-activated:
   * @self: the list
   * @future: the job of the row
   *
   * Emitted when a row is activated: clicked, or Enter or Space pressed
   * on it.
   *
   * Since: 0.2
   */
  signals[SIGNAL_JOB_ACTIVATED] =
    g_signal_new ("job-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JR_TYPE_FUTURE);

  /**
   * JrJobList|job-list.cancel-focused:
   *
   * Cancels the job of the focused row: the keyboard's cancel button,
   * bound to Delete.
   *
   * Since: 0.2
   */
  gtk_widget_class_install_action (widget_class, "job-list.cancel-focused", NULL, cancel_focused);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0,
                                       "job-list.cancel-focused", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0,
                                       "job-list.cancel-focused", NULL);

  widget_class->map = jr_job_list_map;
  widget_class->unmap = jr_job_list_unmap;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "joblist");
}

static void
jr_job_list_init (JrJobList *self)
{
  GtkListItemFactory *factory;
  GtkSelectionModel *selection;

  self->keep_finished = TRUE;
  self->store = jr_job_list_model_new (place, self);
  jr_job_list_model_order_by_start (self->store, SECTION_RUNNING);

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  self->placeholder = self->default_placeholder = gtk_label_new (_("No jobs yet"));
  gtk_widget_add_css_class (self->placeholder, "dim-label");
  gtk_widget_set_margin_top (self->placeholder, 24);
  gtk_widget_set_margin_bottom (self->placeholder, 24);
  gtk_widget_set_margin_start (self->placeholder, 24);
  gtk_widget_set_margin_end (self->placeholder, 24);
  gtk_stack_add_child (GTK_STACK (self->stack), self->placeholder);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);

  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  selection = GTK_SELECTION_MODEL (g_object_ref (self->selection));
  self->list_view = gtk_list_view_new (selection, factory);
  gtk_list_view_set_single_click_activate (GTK_LIST_VIEW (self->list_view), TRUE);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_activate), self);
  gtk_widget_add_css_class (self->list_view, "jobs");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Jobs"),
                                  -1);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  /* Tab goes to the rows, not to the scrolled window around them. */
  gtk_widget_set_focusable (self->scrolled, FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), self->list_view);
  gtk_widget_set_vexpand (self->scrolled, TRUE);
  gtk_stack_add_child (GTK_STACK (self->stack), self->scrolled);

  g_signal_connect (self->store, "items-changed", G_CALLBACK (on_store_changed), self);
  update_placeholder (self);
}
