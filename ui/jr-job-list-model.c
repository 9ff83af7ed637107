/* jr-job-list-model.c — the futures a JrJobList shows, in sections, with
 * their changes batched (see jr-job-list-model-private.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The futures are entries of one GSequence sorted by (section, start time
 * where the section is ordered so, order added): a balanced tree that
 * knows the size of each subtree, so an entry's position, and the entry at
 * a position, are found in O(log n). A batch of changes is reported as
 * one items-changed over the span from the first position it touched to
 * the last (see flush()).
 */
#include "jr-job-list-model-private.h"

typedef struct {
  JrFuture      *future;    /* owned */
  guint64        serial;    /* the order added */
  gint64         start;     /* the start time it was placed with */
  int            section;   /* where it is, or -1 (out of the sequence) */
  int            target;    /* where it goes, while a batch is applied */
  GSequenceIter *iter;      /* its place, while section >= 0 */
  gulong         state_id;
  gboolean       queued;    /* in self->changed */
  gboolean       evict;     /* leaves at the next flush, whatever its place */
} Entry;

struct _JrJobListModel
{
  GObject             parent_instance;

  GSequence          *items;     /* Entry*, not owned */
  GHashTable         *entries;   /* JrFuture* → Entry*, owned */
  GPtrArray          *changed;   /* Entry*s to place anew */
  GMainContext       *context;   /* where the batches are applied */
  GSource            *flush_source;
  guint64             first_new; /* serial of the first entry of this batch */
  gboolean            appended;  /* the last batch put a new entry last */
  guint64             next_serial;
  int                 by_start;  /* the section ordered by start, or -1 */
  JrJobListPlaceFunc  place;
  gpointer            place_data;

  /* The last position looked up: a list view walks in order. */
  GSequenceIter      *cached;
  guint               cached_position;
};

static void jr_job_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JrJobListModel, jr_job_list_model, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, jr_job_list_model_list_model_init))

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const Entry *x = a, *y = b;
  JrJobListModel *self = user_data;

  if (x->section != y->section)
    return x->section < y->section ? -1 : 1;
  if (x->section == self->by_start && x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return (x->serial > y->serial) - (x->serial < y->serial);
}

static GType
jr_job_list_model_get_item_type (GListModel *model)
{
  return JR_TYPE_FUTURE;
}

static guint
jr_job_list_model_get_n_items (GListModel *model)
{
  return (guint) g_sequence_get_length (JR_JOB_LIST_MODEL (model)->items);
}

static gpointer
jr_job_list_model_get_item (GListModel *model,
                            guint       position)
{
  JrJobListModel *self = JR_JOB_LIST_MODEL (model);
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
  return g_object_ref (((Entry *) g_sequence_get (iter))->future);
}

static void
jr_job_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = jr_job_list_model_get_item_type;
  iface->get_n_items = jr_job_list_model_get_n_items;
  iface->get_item = jr_job_list_model_get_item;
}

static void
free_entry (gpointer data)
{
  Entry *entry = data;

  g_clear_signal_handler (&entry->state_id, entry->future);
  g_object_unref (entry->future);
  g_free (entry);
}

/* Puts @entry in the sequence where its section says. */
static void
insert_entry (JrJobListModel *self,
              Entry          *entry,
              int             section)
{
  entry->section = section;
  entry->start = jr_future_get_start_time (entry->future);
  entry->iter = g_sequence_insert_sorted (self->items, entry, compare_entries, self);
}

static guint
position_of (Entry *entry)
{
  return (guint) g_sequence_iter_get_position (entry->iter);
}

/* Applies every pending change, as one items-changed.
 *
 * The futures that did not change keep their order, and none of them
 * moves before the first position a changed one had or takes, nor after
 * the last: the items before @lo are the same before and after, and so
 * are the @tail items at the end. What lies between was replaced. */
static void
apply_changes (JrJobListModel *self)
{
  g_autoptr(GPtrArray) changed = g_steal_pointer (&self->changed);
  guint old_n = g_sequence_get_length (self->items);
  guint new_n, lo = G_MAXUINT, tail_old = old_n, tail_new;

  self->changed = g_ptr_array_new ();
  self->appended = FALSE;
  if (changed->len == 0)
    return;

  /* Where the changed ones are now, all measured before any leaves. */
  for (guint i = 0; i < changed->len; i++)
    {
      Entry *entry = changed->pdata[i];
      int section = entry->evict ? -1 : self->place (entry->future, self->place_data);

      entry->queued = FALSE;
      entry->target = section;
      if (section >= 0 && section == entry->section &&
          (section != self->by_start ||
           entry->start == jr_future_get_start_time (entry->future)))
        {
          changed->pdata[i] = NULL;  /* stays where it is */
          continue;
        }
      if (entry->section >= 0)
        {
          guint position = position_of (entry);

          lo = MIN (lo, position);
          tail_old = MIN (tail_old, old_n - 1 - position);
        }
    }

  self->cached = NULL;
  for (guint i = 0; i < changed->len; i++)
    {
      Entry *entry = changed->pdata[i];

      if (entry != NULL && entry->section >= 0)
        {
          g_sequence_remove (entry->iter);
          entry->iter = NULL;
          entry->section = -1;
        }
    }

  for (guint i = 0; i < changed->len; i++)
    {
      Entry *entry = changed->pdata[i];

      if (entry == NULL)
        continue;
      if (entry->target >= 0)
        insert_entry (self, entry, entry->target);
      else
        {
          changed->pdata[i] = NULL;
          g_hash_table_remove (self->entries, entry->future);
        }
    }

  new_n = g_sequence_get_length (self->items);
  tail_new = new_n;
  for (guint i = 0; i < changed->len; i++)
    {
      Entry *entry = changed->pdata[i];

      if (entry != NULL)
        {
          guint position = position_of (entry);

          lo = MIN (lo, position);
          tail_new = MIN (tail_new, new_n - 1 - position);
        }
    }

  if (lo == G_MAXUINT)
    return;  /* added and gone in the same batch: nothing was seen */

  /* Whether a future added in this batch is now the last one shown. */
  if (new_n > 0)
    {
      Entry *last = g_sequence_get (g_sequence_iter_prev (g_sequence_get_end_iter (self->items)));

      self->appended = last->serial >= self->first_new;
    }
  self->first_new = self->next_serial;

  {
    guint tail = MIN (tail_old, tail_new);

    g_list_model_items_changed (G_LIST_MODEL (self), lo, old_n - lo - tail, new_n - lo - tail);
  }
}

static gboolean
flush_cb (gpointer user_data)
{
  JrJobListModel *self = user_data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  apply_changes (self);
  return G_SOURCE_REMOVE;
}

static void
queue_entry (JrJobListModel *self,
             Entry          *entry)
{
  if (entry->queued)
    return;
  entry->queued = TRUE;
  g_ptr_array_add (self->changed, entry);

  if (self->flush_source == NULL)
    {
      /* Before the frame's layout (GDK's priorities are lower): the view
       * sees the whole batch in the same frame. */
      self->flush_source = g_idle_source_new ();
      g_source_set_priority (self->flush_source, G_PRIORITY_HIGH_IDLE);
      g_source_set_static_name (self->flush_source, "[jobrouter-ui] job list changes");
      g_source_set_callback (self->flush_source, flush_cb, self, NULL);
      g_source_attach (self->flush_source, self->context);
    }
}

static void
on_state (JrFuture       *future,
          GParamSpec     *pspec,
          JrJobListModel *self)
{
  Entry *entry = g_hash_table_lookup (self->entries, future);

  if (entry != NULL)
    queue_entry (self, entry);
}

JrJobListModel *
jr_job_list_model_new (JrJobListPlaceFunc place,
                       gpointer           user_data)
{
  JrJobListModel *self = g_object_new (JR_TYPE_JOB_LIST_MODEL, NULL);

  self->place = place;
  self->place_data = user_data;
  return self;
}

void
jr_job_list_model_order_by_start (JrJobListModel *self,
                                  int             section)
{
  g_return_if_fail (JR_IS_JOB_LIST_MODEL (self));
  g_return_if_fail (section >= 0);
  g_return_if_fail (g_sequence_get_length (self->items) == 0);

  self->by_start = section;
}

gboolean
jr_job_list_model_add (JrJobListModel *self,
                       JrFuture       *future)
{
  Entry *entry;

  g_return_val_if_fail (JR_IS_JOB_LIST_MODEL (self), FALSE);
  g_return_val_if_fail (JR_IS_FUTURE (future), FALSE);

  entry = g_hash_table_lookup (self->entries, future);
  if (entry != NULL)
    {
      /* Shown, and leaving at the next batch: it stays after all. */
      if (entry->evict)
        {
          entry->evict = FALSE;
          return TRUE;
        }
      return FALSE;
    }
  if (self->place (future, self->place_data) < 0)
    return FALSE;

  /* Shown with the next batch: a thousand jobs submitted in one go are
   * one change of the view, not a thousand. */
  entry = g_new0 (Entry, 1);
  entry->future = g_object_ref (future);
  entry->serial = self->next_serial++;
  entry->section = -1;
  entry->state_id = g_signal_connect (future, "notify::state", G_CALLBACK (on_state), self);
  g_hash_table_insert (self->entries, future, entry);
  queue_entry (self, entry);
  return TRUE;
}

gboolean
jr_job_list_model_contains (JrJobListModel *self,
                            JrFuture       *future)
{
  g_return_val_if_fail (JR_IS_JOB_LIST_MODEL (self), FALSE);

  return g_hash_table_contains (self->entries, future);
}

typedef enum {
  PLACE_ANEW,
  EVICT_DONE,
  EVICT_ALL,
} Requeue;

/* Queues every entry (or every done one), to be placed anew or evicted. */
static void
requeue_all (JrJobListModel *self,
             Requeue         how)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (how == EVICT_DONE && !jr_future_get_done (entry->future))
        continue;
      if (how != PLACE_ANEW)
        entry->evict = TRUE;
      queue_entry (self, entry);
    }
}

void
jr_job_list_model_recheck_all (JrJobListModel *self)
{
  g_return_if_fail (JR_IS_JOB_LIST_MODEL (self));

  requeue_all (self, PLACE_ANEW);
}

void
jr_job_list_model_evict_done (JrJobListModel *self)
{
  g_return_if_fail (JR_IS_JOB_LIST_MODEL (self));

  requeue_all (self, EVICT_DONE);
}

void
jr_job_list_model_evict_all (JrJobListModel *self)
{
  g_return_if_fail (JR_IS_JOB_LIST_MODEL (self));

  requeue_all (self, EVICT_ALL);
}

gboolean
jr_job_list_model_get_appended (JrJobListModel *self)
{
  g_return_val_if_fail (JR_IS_JOB_LIST_MODEL (self), FALSE);

  return self->appended;
}

void
jr_job_list_model_remove_all (JrJobListModel *self)
{
  guint n;

  g_return_if_fail (JR_IS_JOB_LIST_MODEL (self));

  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
  g_ptr_array_set_size (self->changed, 0);

  n = g_sequence_get_length (self->items);
  self->cached = NULL;
  g_sequence_remove_range (g_sequence_get_begin_iter (self->items),
                           g_sequence_get_end_iter (self->items));
  g_hash_table_remove_all (self->entries);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

static void
jr_job_list_model_dispose (GObject *object)
{
  JrJobListModel *self = JR_JOB_LIST_MODEL (object);

  if (self->items != NULL)
    jr_job_list_model_remove_all (self);

  G_OBJECT_CLASS (jr_job_list_model_parent_class)->dispose (object);
}

static void
jr_job_list_model_finalize (GObject *object)
{
  JrJobListModel *self = JR_JOB_LIST_MODEL (object);

  g_clear_pointer (&self->items, g_sequence_free);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->changed, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (jr_job_list_model_parent_class)->finalize (object);
}

static void
jr_job_list_model_class_init (JrJobListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jr_job_list_model_dispose;
  object_class->finalize = jr_job_list_model_finalize;
}

static void
jr_job_list_model_init (JrJobListModel *self)
{
  self->items = g_sequence_new (NULL);
  self->entries = g_hash_table_new_full (NULL, NULL, NULL, free_entry);
  self->changed = g_ptr_array_new ();
  self->by_start = -1;
  /* The context of the thread that made it, for good: one pushed later,
   * for a while, may never run again. */
  self->context = g_main_context_ref_thread_default ();
}
