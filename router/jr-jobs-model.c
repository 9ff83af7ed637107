/* jr-jobs-model.c — futures in a GSequence, seen as a GListModel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GSequence is a balanced tree that knows the size of each subtree: an
 * item's position, and the item at a position, are found in O(log n). The
 * last position looked up is remembered, so that walking the model in
 * order (as a list view or a "cancel all" loop does) costs O(1) a step.
 */
#include "jr-jobs-model-private.h"

struct _JrJobsModel {
  GObject        parent_instance;
  GSequence     *items;      /* JrFuture, owned */
  GSequenceIter *cached;     /* the iter at cached_position, or NULL */
  guint          cached_position;
};

static void jr_jobs_model_list_model_init (GListModelInterface *iface);

static guint items_changed_id;

G_DEFINE_FINAL_TYPE_WITH_CODE (JrJobsModel, jr_jobs_model, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, jr_jobs_model_list_model_init))

static GType
jr_jobs_model_get_item_type (GListModel *model)
{
  return JR_TYPE_FUTURE;
}

static guint
jr_jobs_model_get_n_items (GListModel *model)
{
  return (guint) g_sequence_get_length (JR_JOBS_MODEL (model)->items);
}

static gpointer
jr_jobs_model_get_item (GListModel *model,
                        guint       position)
{
  JrJobsModel *self = JR_JOBS_MODEL (model);
  GSequenceIter *iter = NULL;

  if (self->cached != NULL)
    {
      if (position == self->cached_position)
        iter = self->cached;
      else if (position > 0 && position - 1 == self->cached_position)
        iter = g_sequence_iter_next (self->cached);
      else if (self->cached_position > 0 && position == self->cached_position - 1)
        iter = g_sequence_iter_prev (self->cached);
    }
  if (iter == NULL)
    iter = g_sequence_get_iter_at_pos (self->items, (gint) MIN (position, (guint) G_MAXINT));
  if (g_sequence_iter_is_end (iter))
    return NULL;

  self->cached = iter;
  self->cached_position = position;
  return g_object_ref (g_sequence_get (iter));
}

static void
jr_jobs_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = jr_jobs_model_get_item_type;
  iface->get_n_items = jr_jobs_model_get_n_items;
  iface->get_item = jr_jobs_model_get_item;
}

static void
jr_jobs_model_finalize (GObject *object)
{
  JrJobsModel *self = JR_JOBS_MODEL (object);

  g_sequence_free (self->items);
  G_OBJECT_CLASS (jr_jobs_model_parent_class)->finalize (object);
}

static void
jr_jobs_model_class_init (JrJobsModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jr_jobs_model_finalize;
  items_changed_id = g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL);
}

/* Every job enters and leaves the model: with nobody watching (an
 * executor driven from code, not a list view), emitting is most of the
 * cost of a trivial job's bookkeeping. */
static gboolean
is_watched (JrJobsModel *self)
{
  return g_signal_has_handler_pending (self, items_changed_id, 0, FALSE);
}

static void
jr_jobs_model_init (JrJobsModel *self)
{
  self->items = g_sequence_new (g_object_unref);
}

JrJobsModel *
jr_jobs_model_new (void)
{
  return g_object_new (JR_TYPE_JOBS_MODEL, NULL);
}

void
jr_jobs_model_append (JrJobsModel    *self,
                      JrFuture       *future,
                      GSequenceIter **place_out)
{
  GSequenceIter *place = g_sequence_append (self->items, g_object_ref (future));

  /* Known before anyone hears of it: a handler of items-changed may end
   * the job, and its ending must find the item to remove. */
  *place_out = place;
  if (is_watched (self))
    g_list_model_items_changed (G_LIST_MODEL (self),
                                (guint) g_sequence_iter_get_position (place), 0, 1);
}

void
jr_jobs_model_remove (JrJobsModel   *self,
                      GSequenceIter *place)
{
  gboolean watched = is_watched (self);
  guint position = 0;

  if (watched || self->cached != NULL)
    position = (guint) g_sequence_iter_get_position (place);
  /* Positions after it shift down by one. */
  if (self->cached == place)
    self->cached = NULL;
  else if (self->cached != NULL && position < self->cached_position)
    self->cached_position--;
  g_sequence_remove (place);
  if (watched)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}
