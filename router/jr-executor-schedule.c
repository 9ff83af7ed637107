/* jr-executor-schedule.c — which worker runs which task: the workers'
 * slots, the queues, recalls and retries, and cancels with their grace.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A job whose kind reads local paths (JR_JOB_PLACEMENT_LOCAL_PATHS) waits
 * in a queue of its own that only groups with shared paths take from; a
 * job that may run anywhere waits in the other, that every group takes
 * from. A worker takes the better of the heads it may take (priority,
 * then age), so priority holds per worker.
 *
 * A task leaves its worker only through jr_executor_task_unassign(), and
 * waits to be tried again only through jr_executor_task_schedule_retry(): each
 * resets all that tied it to where it was, in one place.
 */
#include "jr-executor-parts-private.h"

#include "jr-future-private.h"
#include "jr-router-private.h"

#include <string.h>

/* The longest a grace period or a retry's pause waits: what a GLib
 * timeout in milliseconds can (49 days). Longer is as good as never. */
#define MAX_WAIT_USEC ((gint64) G_MAXUINT * 1000)

static guint
usec_to_timeout_ms (gint64 usec)
{
  return (guint) (CLAMP (usec, 0, MAX_WAIT_USEC) / 1000);
}

/* ---- workers' slots ---- */

static void
slot_add (Slot *slot,
          Task *task)
{
  g_assert (slot->n_tasks < WORKER_DEPTH);
  slot->tasks[slot->n_tasks++] = task;
  task->slot = slot;
}

static void
slot_remove (Slot *slot,
             Task *task)
{
  for (guint i = 0; i < slot->n_tasks; i++)
    if (slot->tasks[i] == task)
      {
        /* Keep the order: the first one is the one that runs. */
        memmove (&slot->tasks[i], &slot->tasks[i + 1], (slot->n_tasks - i - 1) * sizeof (Task *));
        slot->n_tasks--;
        break;
      }
}

Task *
jr_executor_slot_find (Slot    *slot,
                       guint64  job_id)
{
  for (guint i = 0; i < slot->n_tasks; i++)
    if (slot->tasks[i]->entry.sequence == job_id)
      return slot->tasks[i];
  return NULL;
}

/* The task is no longer with any worker. */
void
jr_executor_task_unassign (Task *task)
{
  if (task->slot != NULL)
    slot_remove (task->slot, task);
  task->slot = NULL;
  task->started = FALSE;
  task->recalling = FALSE;
  task->grace_deadline = 0;
}

/* ---- scheduling ---- */

void
jr_executor_task_recall (Task *task)
{
  JrExecutor *self = task->executor;

  task->recalling = TRUE;
  if (jr_pool_worker_recall (task->slot->worker, task->entry.sequence))
    {
      /* A thread worker gave it back at once. */
      jr_executor_task_unassign (task);
      if (jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING)
        {
          jr_executor_task_end (task, END_CANCELLED, NULL, NULL);
          /* Its place on the worker is free: a waiting job takes it. */
          jr_executor_assign_queued (self);
        }
      else
        jr_executor_task_enqueue (task, TRUE);
    }
}

/* Jobs handed to a worker ahead of time but not started yet go back to the
 * queue when a job of higher priority arrives, so priority stays strict. */
static void
recall_lower (JrExecutor *self,
              int         priority)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      for (guint k = slot->n_tasks; k > 0; k--)
        {
          Task *task = slot->tasks[k - 1];

          if (!task->started && !task->recalling && task->entry.priority < priority)
            jr_executor_task_recall (task);
        }
    }
}

/* Into the queue, by priority and age: a task that comes back (returned,
 * recalled, its worker gone) goes to its old place. */
void
jr_executor_task_enqueue (Task     *task,
                          gboolean  returning)
{
  JrExecutor *self = task->executor;

  task->place = TASK_QUEUED;
  jr_task_queue_push (jr_executor_queue_of (task), &task->entry);
  /* After the push: what comes back then finds the queue no longer of
   * one priority, and is not handed out ahead of time again. */
  if (!returning)
    recall_lower (self, task->entry.priority);
  /* The groups that could run it gave up starting workers: a new job is a
   * reason to try once more (never a loop: each gives up again after a
   * few failures). */
  if (!returning)
    jr_executor_refill_given_up (self, task->anywhere);
  jr_executor_assign_queued (self);
}

static void
assign (Slot *slot,
        Task *task)
{
  task->place = TASK_ASSIGNED;
  task->started = FALSE;
  slot_add (slot, task);
  jr_pool_worker_run (slot->worker, task->entry.sequence, task->job, task->args);
}

/* A worker normally holds one job. With a backlog larger than the pool, all
 * of one priority, it gets more queued behind (WORKER_DEPTH for short
 * jobs, else 2): that saves a round trip per job. A later job of higher
 * priority recalls them (recall_lower). */
static guint
slot_depth (JrExecutor *self)
{
  JrQueueEntry *paths = jr_task_queue_peek (self->queue);
  JrQueueEntry *anywhere = jr_task_queue_peek (self->queue_anywhere);
  guint length = jr_task_queue_get_length (self->queue) + jr_task_queue_get_length (self->queue_anywhere);
  gboolean uniform = jr_task_queue_is_uniform (self->queue) &&
                     jr_task_queue_is_uniform (self->queue_anywhere) &&
                     (paths == NULL || anywhere == NULL || paths->priority == anywhere->priority);

  if (length <= self->slots->len || !uniform)
    return 1;
  return self->run_time_avg < SHORT_JOB_USEC ? WORKER_DEPTH : 2;
}

static Slot *
find_free_slot (JrExecutor *self,
                gboolean    anywhere,
                guint       depth)
{
  Slot *best = NULL;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->retiring || !jr_executor_group_takes (slot->group, anywhere))
        continue;
      if (slot->n_tasks < depth && (best == NULL || slot->n_tasks < best->n_tasks))
        best = slot;
    }
  return best;
}

/* A worker whose group shrank ends once it has no task left. */
void
jr_executor_retire_emptied (JrExecutor *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->retiring && slot->n_tasks == 0 && !slot->asked_to_end)
        {
          slot->asked_to_end = TRUE;
          jr_pool_worker_retire (slot->worker);
        }
    }
}

/* Jobs handed out ahead of time wait behind their worker's running job.
 * Once the queue is empty and a worker that is up has nothing, the last of
 * them goes back to the queue, and so to that worker: jobs of one priority
 * start in the order they came, and none waits behind a long one while a
 * worker idles. One at a time: a recall may assign queued tasks (and come
 * back here) before it returns. */
static void
rebalance (JrExecutor *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *idle = g_ptr_array_index (self->slots, i);

      if (idle->n_tasks > 0 || idle->retiring || !jr_pool_worker_is_ready (idle->worker))
        continue;
      for (guint k = 0; k < self->slots->len; k++)
        {
          Slot *busy = g_ptr_array_index (self->slots, k);
          Task *last;

          if (busy == idle || busy->n_tasks < 2 || !busy->tasks[0]->started)
            continue;
          last = busy->tasks[busy->n_tasks - 1];
          if (last->started || last->recalling || !jr_executor_group_takes (idle->group, last->anywhere))
            continue;
          jr_executor_task_recall (last);
          return;
        }
    }
}

void
jr_executor_assign_queued (JrExecutor *self)
{
  jr_executor_retire_emptied (self);
  for (;;)
    {
      JrQueueEntry *paths = jr_task_queue_peek (self->queue);
      JrQueueEntry *anywhere = jr_task_queue_peek (self->queue_anywhere);
      JrTaskQueue *from = NULL;
      Slot *slot = NULL;
      guint depth;

      if (paths == NULL && anywhere == NULL)
        {
          rebalance (self);
          return;
        }
      depth = slot_depth (self);
      /* The head that goes first, if a worker may take it; else the other
       * (a worker that may not read local paths takes what it may). */
      if (paths != NULL && (anywhere == NULL || jr_queue_entry_goes_first (paths, anywhere)))
        {
          if ((slot = find_free_slot (self, FALSE, depth)) != NULL)
            from = self->queue;
          else if (anywhere != NULL && (slot = find_free_slot (self, TRUE, depth)) != NULL)
            from = self->queue_anywhere;
        }
      else if ((slot = find_free_slot (self, TRUE, depth)) != NULL)
        from = self->queue_anywhere;
      if (from == NULL)
        return;
      assign (slot, jr_executor_task_of (jr_task_queue_pop (from)));
    }
}

static gboolean
retry_due (gpointer data)
{
  Task *task = data;
  /* jr_executor_task_enqueue() may start workers, and a handler of what that
   * changes may shut the executor down: the task may be gone after it. */
  JrExecutor *self = g_object_ref (task->executor);

  g_clear_pointer (&task->timer, g_source_unref);
  jr_executor_task_enqueue (task, FALSE);
  /* Its groups may have gone while it waited. */
  jr_executor_fail_if_no_workers (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Back to the queue after a pause; the future stays EXECUTING. */
void
jr_executor_task_schedule_retry (Task *task)
{
  task->retries_left--;
  jr_executor_task_unassign (task);
  task->place = TASK_RETRY_WAIT;
  task->timer = jr_executor_add_source (task->executor, G_PRIORITY_DEFAULT,
                                        usec_to_timeout_ms (task->backoff_usec), FALSE, retry_due, task);
  /* Doubled, but never past what a timeout can wait (nor wrapped to 0). */
  task->backoff_usec = MIN (task->backoff_usec, MAX_WAIT_USEC / 2) * 2;
}

gboolean
jr_executor_task_should_retry (Task         *task,
                               const GError *error)
{
  return task->retries_left > 0 &&
         jr_future_get_state (task->future) == JR_FUTURE_STATE_EXECUTING &&
         task->executor->state == JR_EXECUTOR_STATE_RUNNING &&
         g_error_matches (error, JR_JOB_ERROR, JR_JOB_ERROR_TRY_LATER);
}

/* ---- cancel ---- */

/* The worker of @slot takes no more jobs: the one it ran (and a cancelled
 * one) end as @end says; those it had not started go to another worker. */
void
jr_executor_settle_slot (JrExecutor   *self,
                         Slot         *slot,
                         TaskEnd       end,
                         const GError *error)
{
  /* Out of the pool's view first: a task put back must not come here. */
  g_ptr_array_remove_fast (self->slots, slot);
  while (slot->n_tasks > 0)
    {
      Task *task = slot->tasks[0];
      gboolean ran = task->started || jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING;

      jr_executor_task_unassign (task);
      if (ran)
        jr_executor_task_end (task, end, NULL, error);
      else
        jr_executor_task_enqueue (task, TRUE);
    }
  g_free (slot);
  jr_executor_assign_queued (self);
}

/* A cancelled job that did not stop within the grace period. */
static void
enforce_grace (Task *task)
{
  JrExecutor *self = task->executor;
  g_autofree char *reason = NULL;
  Slot *slot = task->slot;
  JrPoolWorker *worker;

  task->grace_deadline = 0;
  if (task->place != TASK_ASSIGNED || slot == NULL)
    return;

  reason = g_strdup_printf ("its job “%s” did not stop within %" G_GINT64_FORMAT " ms of its cancel",
                            task->job, self->cancel_grace / 1000);
  worker = slot->worker;
  if (jr_pool_worker_is_process (worker))
    {
      /* Its jobs are settled once it is gone. */
      jr_pool_worker_kill (worker, reason);
      return;
    }

  /* A thread cannot be killed: it is abandoned, and its jobs are settled
   * here, first, so that none goes to it while the thread that takes its
   * place starts (within the kill). The pool says when the abandoned
   * thread has ended (on_worker_gone(), jr-executor-workers.c). */
  jr_pool_worker_set_data (worker, NULL);
  jr_executor_settle_slot (self, slot, END_CANCELLED, NULL);
  jr_pool_worker_kill (worker, reason);
}

static gboolean
grace_expired (gpointer data)
{
  Task *task = data;
  JrExecutor *self = task->executor;

  g_clear_pointer (&task->timer, g_source_unref);
  /* This thread was busy past the grace, and the job's end may be among
   * the messages waiting for it: hear them first, once (a job deaf to
   * its cancel that floods messages must not put its end off for ever). */
  if (!task->grace_waited && jr_router_has_pending (self->router))
    {
      task->grace_waited = TRUE;
      task->timer = jr_executor_add_source (self, G_PRIORITY_LOW, 0, TRUE, grace_expired, task);
      return G_SOURCE_REMOVE;
    }
  enforce_grace (task);
  return G_SOURCE_REMOVE;
}

/* A running job that was cancelled has this long to stop. */
void
jr_executor_task_arm_grace (Task *task)
{
  JrExecutor *self = task->executor;

  /* A grace of G_MAXINT64 ("never kill") must not wrap to the past. */
  task->grace_deadline = g_get_monotonic_time () + MIN (self->cancel_grace, MAX_WAIT_USEC);
  jr_clear_source (&task->timer);
  task->timer = jr_executor_add_source (self, G_PRIORITY_DEFAULT, usec_to_timeout_ms (self->cancel_grace),
                                        FALSE, grace_expired, task);
}

/* The future became CANCELLING (on its thread), whoever cancelled it. */
void
jr_executor_on_future_cancel (JrFuture *future,
                              gpointer  data)
{
  Task *task = data;

  switch (task->place)
    {
    case TASK_BLOCKED:
    case TASK_QUEUED:
    case TASK_RETRY_WAIT:
      /* Never reached a worker (or is between tries). */
      jr_executor_task_end (task, END_CANCELLED, NULL, NULL);
      break;

    case TASK_ASSIGNED:
      if (!task->started)
        {
          /* Take it back. Should it start meanwhile, the cancel behind
           * the recall reaches it. */
          if (!task->recalling)
            jr_executor_task_recall (task);
          if (task->place == TASK_ENDED)
            break;
        }
      jr_pool_worker_cancel (task->slot->worker, task->entry.sequence);
      /* Not said to have started, but next on its worker: a worker that
       * does not answer the recall either (stopped, or stuck before its
       * STARTED went out) is ended after the grace all the same. One
       * queued behind another job is only recalled: that worker is busy
       * with a job of its own, not stuck. */
      if (task->started || task->slot->tasks[0] == task)
        jr_executor_task_arm_grace (task);
      break;

    case TASK_ENDED:
    default:
      break;
    }
}

/* route_until() does not run timers, so shutdown looks at grace deadlines
 * itself between slices. Only assigned tasks have one. */
void
jr_executor_enforce_due_graces (JrExecutor *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      for (guint k = 0; k < slot->n_tasks; k++)
        {
          Task *task = slot->tasks[k];

          if (task->grace_deadline != 0 && task->grace_deadline <= now)
            {
              jr_clear_source (&task->timer);
              enforce_grace (task);
              return;   /* the slots may have changed: look again next slice */
            }
        }
    }
}
