/* jr-job-list.c — a scrolling list of jobs, one JrJobRow each.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor's model holds only the futures that are not done, so the
 * list keeps its own store: it appends what the executor adds, and decides
 * itself, when a future becomes done, whether the future stays
 * (keep-finished) or goes.
 */
#include "jr-job-list.h"
#include "jr-job-list-private.h"
#include "jr-job-row.h"

/**
 * JrJobList:
 *
 * A scrolling list of [class@JrUi.JobRow]s: the jobs of a
 * [class@Jr.Executor] in submission order, plus any futures added with
 * [method@JrUi.JobList.add_future]. Finished jobs stay until
 * [method@JrUi.JobList.clear_finished] unless
 * [property@JrUi.JobList:keep-finished] is %FALSE.
 *
 * Since: 0.2
 */
struct _JrJobList
{
  GtkWidget parent_instance;

  JrExecutor *executor;
  GListModel *jobs;             /* the model we mirror, or NULL */
  gulong jobs_changed_id;

  GListStore *store;            /* (element-type JrFuture): what is shown */
  GHashTable *shown;            /* JrFuture* set: the futures in store */
  gboolean keep_finished;

  GtkWidget *stack;
  GtkWidget *scrolled;
  GtkWidget *list_view;
  GtkWidget *placeholder;
};

G_DEFINE_FINAL_TYPE (JrJobList, jr_job_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EXECUTOR,
  PROP_KEEP_FINISHED,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void on_future_done (JrFuture   *future,
                            GParamSpec *pspec,
                            JrJobList  *self);

static void
forget_future (JrJobList *self,
               JrFuture  *future)
{
  g_signal_handlers_disconnect_by_func (future, on_future_done, self);
  g_hash_table_remove (self->shown, future);
}

static void
remove_future (JrJobList *self,
               JrFuture  *future)
{
  guint position;

  if (!g_hash_table_contains (self->shown, future))
    return;

  forget_future (self, future);
  if (g_list_store_find (self->store, future, &position))
    g_list_store_remove (self->store, position);
}

static void
on_future_done (JrFuture   *future,
                GParamSpec *pspec,
                JrJobList  *self)
{
  if (!self->keep_finished && jr_future_get_done (future))
    remove_future (self, future);
}

/* Keeps the futures in @self->store for which @keep returns TRUE, in one
 * change of the store. */
static void
filter_store (JrJobList *self,
              gboolean (*keep) (JrFuture *future))
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autoptr(GPtrArray) kept = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (keep != NULL && keep (future))
        g_ptr_array_add (kept, g_steal_pointer (&future));
      else
        forget_future (self, future);
    }

  if (kept->len != n)
    g_list_store_splice (self->store, 0, n, kept->pdata, kept->len);
}

static gboolean
is_not_done (JrFuture *future)
{
  return !jr_future_get_done (future);
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

  filter_store (self, NULL);

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

static void
on_store_changed (GListModel *store,
                  guint       position,
                  guint       removed,
                  guint       added,
                  JrJobList  *self)
{
  update_placeholder (self);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, jr_job_row_new (NULL));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  jr_job_row_set_future (JR_JOB_ROW (gtk_list_item_get_child (item)),
                         gtk_list_item_get_item (item));
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
 * When %FALSE, a job leaves the list as soon as it is done, and the
 * finished jobs shown now leave at once.
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
  if (!keep_finished)
    jr_job_list_clear_finished (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_FINISHED]);
}

/**
 * jr_job_list_clear_finished:
 * @self: a job list
 *
 * Removes the jobs that are done from the list.
 *
 * Since: 0.2
 */
void
jr_job_list_clear_finished (JrJobList *self)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));

  filter_store (self, is_not_done);
}

/**
 * jr_job_list_add_future:
 * @self: a job list
 * @future: a future to show
 *
 * Shows @future, at the end of the list, if it is not shown already. A
 * future that is done is not added unless
 * [property@JrUi.JobList:keep-finished] is %TRUE.
 *
 * Since: 0.2
 */
void
jr_job_list_add_future (JrJobList *self,
                        JrFuture  *future)
{
  g_return_if_fail (JR_IS_JOB_LIST (self));
  g_return_if_fail (JR_IS_FUTURE (future));

  if (g_hash_table_contains (self->shown, future))
    return;
  if (!self->keep_finished && jr_future_get_done (future))
    return;

  g_hash_table_add (self->shown, future);
  g_signal_connect (future, "notify::done", G_CALLBACK (on_future_done), self);
  g_list_store_append (self->store, future);
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
      filter_store (self, NULL);
    }
  g_clear_object (&self->executor);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (jr_job_list_parent_class)->dispose (object);
}

static void
jr_job_list_finalize (GObject *object)
{
  JrJobList *self = JR_JOB_LIST (object);

  g_clear_pointer (&self->shown, g_hash_table_unref);

  G_OBJECT_CLASS (jr_job_list_parent_class)->finalize (object);
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

  object_class->dispose = jr_job_list_dispose;
  object_class->finalize = jr_job_list_finalize;
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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "joblist");
}

static void
jr_job_list_init (JrJobList *self)
{
  GtkListItemFactory *factory;
  GtkSelectionModel *selection;

  self->keep_finished = TRUE;
  self->store = g_list_store_new (JR_TYPE_FUTURE);
  self->shown = g_hash_table_new (NULL, NULL);

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  self->placeholder = gtk_label_new ("No jobs yet");
  gtk_widget_add_css_class (self->placeholder, "dim-label");
  gtk_widget_set_margin_top (self->placeholder, 24);
  gtk_widget_set_margin_bottom (self->placeholder, 24);
  gtk_widget_set_margin_start (self->placeholder, 24);
  gtk_widget_set_margin_end (self->placeholder, 24);
  gtk_stack_add_child (GTK_STACK (self->stack), self->placeholder);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);

  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->store))));
  self->list_view = gtk_list_view_new (selection, factory);
  gtk_widget_add_css_class (self->list_view, "jobs");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "Jobs",
                                  -1);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), self->list_view);
  gtk_widget_set_vexpand (self->scrolled, TRUE);
  gtk_stack_add_child (GTK_STACK (self->stack), self->scrolled);

  g_signal_connect (self->store, "items-changed", G_CALLBACK (on_store_changed), self);
  update_placeholder (self);
}
