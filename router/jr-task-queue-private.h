/* jr-task-queue-private.h — an executor's waiting jobs, by priority then
 * age: a binary heap, so that pushing, taking the next one and removing any
 * one (a cancel) cost O(log n) however long the queue grows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Entries are embedded in the caller's structs (one queue at a time).
 *
 * Threads: the executor's thread only.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define JR_TASK_QUEUE_NOWHERE G_MAXUINT

typedef struct {
  int     priority;    /* higher first */
  guint64 sequence;    /* then lower (older) first; unique */
  guint   index;       /* in the heap, or JR_TASK_QUEUE_NOWHERE */
} JrQueueEntry;

typedef struct _JrTaskQueue JrTaskQueue;

JrTaskQueue  *jr_task_queue_new        (void);
void          jr_task_queue_free       (JrTaskQueue  *queue);
void          jr_task_queue_push       (JrTaskQueue  *queue,
                                        JrQueueEntry *entry);
JrQueueEntry *jr_task_queue_peek       (JrTaskQueue  *queue);
JrQueueEntry *jr_task_queue_pop        (JrTaskQueue  *queue);
/* Does nothing for an entry that is not queued. */
void          jr_task_queue_remove     (JrTaskQueue  *queue,
                                        JrQueueEntry *entry);
guint         jr_task_queue_get_length (JrTaskQueue  *queue);
/* Whether every queued entry has the same priority. */
gboolean      jr_task_queue_is_uniform (JrTaskQueue  *queue);

static inline gboolean
jr_queue_entry_is_queued (const JrQueueEntry *entry)
{
  return entry->index != JR_TASK_QUEUE_NOWHERE;
}

/* The queue's order: higher priority first, then older first. */
static inline gboolean
jr_queue_entry_goes_first (const JrQueueEntry *a,
                           const JrQueueEntry *b)
{
  if (a->priority != b->priority)
    return a->priority > b->priority;
  return a->sequence < b->sequence;
}

G_END_DECLS
