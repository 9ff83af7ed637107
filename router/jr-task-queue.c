/* jr-task-queue.c — a binary heap of waiting jobs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-task-queue-private.h"

struct _JrTaskQueue {
  GPtrArray  *heap;         /* JrQueueEntry; heap[0] comes first */
  /* How many entries have each priority: uniform while one priority is
   * queued. Nearly always that one is 0, so it gets a counter of its own. */
  guint       n_default;
  GHashTable *n_other;      /* priority → count, for priorities other than 0 */
};

static void
place (JrTaskQueue  *queue,
       guint         index,
       JrQueueEntry *entry)
{
  queue->heap->pdata[index] = entry;
  entry->index = index;
}

static void
sift_up (JrTaskQueue *queue,
         guint        index)
{
  JrQueueEntry *entry = queue->heap->pdata[index];

  while (index > 0)
    {
      guint parent = (index - 1) / 2;
      JrQueueEntry *above = queue->heap->pdata[parent];

      if (!jr_queue_entry_goes_first (entry, above))
        break;
      place (queue, index, above);
      index = parent;
    }
  place (queue, index, entry);
}

static void
sift_down (JrTaskQueue *queue,
           guint        index)
{
  JrQueueEntry *entry = queue->heap->pdata[index];
  guint n = queue->heap->len;

  for (;;)
    {
      guint child = 2 * index + 1;
      JrQueueEntry *first;

      if (child >= n)
        break;
      if (child + 1 < n && jr_queue_entry_goes_first (queue->heap->pdata[child + 1], queue->heap->pdata[child]))
        child++;
      first = queue->heap->pdata[child];
      if (!jr_queue_entry_goes_first (first, entry))
        break;
      place (queue, index, first);
      index = child;
    }
  place (queue, index, entry);
}

static void
count (JrTaskQueue *queue,
       int          priority,
       int          delta)
{
  guint n;

  if (priority == 0)
    {
      queue->n_default += delta;
      return;
    }
  n = GPOINTER_TO_UINT (g_hash_table_lookup (queue->n_other, GINT_TO_POINTER (priority))) + delta;
  if (n == 0)
    g_hash_table_remove (queue->n_other, GINT_TO_POINTER (priority));
  else
    g_hash_table_insert (queue->n_other, GINT_TO_POINTER (priority), GUINT_TO_POINTER (n));
}

JrTaskQueue *
jr_task_queue_new (void)
{
  JrTaskQueue *queue = g_new0 (JrTaskQueue, 1);

  queue->heap = g_ptr_array_new ();
  queue->n_other = g_hash_table_new (NULL, NULL);
  return queue;
}

void
jr_task_queue_free (JrTaskQueue *queue)
{
  for (guint i = 0; i < queue->heap->len; i++)
    ((JrQueueEntry *) queue->heap->pdata[i])->index = JR_TASK_QUEUE_NOWHERE;
  g_ptr_array_unref (queue->heap);
  g_hash_table_unref (queue->n_other);
  g_free (queue);
}

void
jr_task_queue_push (JrTaskQueue  *queue,
                    JrQueueEntry *entry)
{
  g_return_if_fail (!jr_queue_entry_is_queued (entry));

  g_ptr_array_add (queue->heap, entry);
  entry->index = queue->heap->len - 1;
  sift_up (queue, entry->index);
  count (queue, entry->priority, 1);
}

JrQueueEntry *
jr_task_queue_peek (JrTaskQueue *queue)
{
  return queue->heap->len > 0 ? queue->heap->pdata[0] : NULL;
}

void
jr_task_queue_remove (JrTaskQueue  *queue,
                      JrQueueEntry *entry)
{
  guint index = entry->index;
  JrQueueEntry *last;

  if (!jr_queue_entry_is_queued (entry))
    return;
  g_return_if_fail (index < queue->heap->len && queue->heap->pdata[index] == entry);

  last = g_ptr_array_steal_index (queue->heap, queue->heap->len - 1);
  entry->index = JR_TASK_QUEUE_NOWHERE;
  count (queue, entry->priority, -1);
  if (last == entry)
    return;
  /* The last entry fills the hole, then finds its place either way. */
  place (queue, index, last);
  sift_up (queue, index);
  sift_down (queue, last->index);
}

JrQueueEntry *
jr_task_queue_pop (JrTaskQueue *queue)
{
  JrQueueEntry *first = jr_task_queue_peek (queue);

  if (first != NULL)
    jr_task_queue_remove (queue, first);
  return first;
}

guint
jr_task_queue_get_length (JrTaskQueue *queue)
{
  return queue->heap->len;
}

gboolean
jr_task_queue_is_uniform (JrTaskQueue *queue)
{
  guint n_other = g_hash_table_size (queue->n_other);

  return n_other == 0 || (n_other == 1 && queue->n_default == 0);
}
