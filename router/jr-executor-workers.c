/* jr-executor-workers.c — what the executor hears from its pools: job
 * messages, workers that come and go, workers that cannot start.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every callback of a pool comes through jr_executor_pool_callbacks,
 * counted, so that a removed group is never freed under one of them
 * (jr-executor-groups.c). When no worker will come for waiting jobs
 * (every group that could run them gave up starting workers, or has
 * none), those jobs fail, saying why, instead of waiting for ever;
 * worker-error says it too.
 */
#include "jr-executor-parts-private.h"

#include "jr-future-private.h"
#include "jr-job-message-private.h"

/* Results up to this size are copied out of the block they came in. */
#define RESULT_COPY_MAX (16u * 1024u)

/* ---- messages from workers ---- */

/* How long jobs run, on average lately: short ones are handed out
 * further ahead (find_free_slot(), jr-executor-schedule.c). */
static void
note_run_time (Task *task)
{
  JrExecutor *self = task->executor;
  gint64 start = jr_future_get_start_time (task->future);

  if (start > 0)
    self->run_time_avg += (g_get_monotonic_time () - start - self->run_time_avg) / 8;
}

static void
handle_job_message (Task              *task,
                    GVariant          *message,
                    JrJobMessageParts *parts)
{
  JrExecutor *self = task->executor;
  g_autoptr(GError) error = NULL;

  if (parts->tag != JR_JOB_MSG_PROGRESS)
    jr_executor_task_apply_progress (task);

  switch (parts->tag)
    {
    case JR_JOB_MSG_STARTED:
      task->started = TRUE;
      if (task->slot != NULL)
        jr_future_set_worker (task->future, task->slot->group->name,
                              jr_pool_worker_get_host (task->slot->worker));
      if (!jr_future_mark_started (task->future) &&
          jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING && task->timer == NULL &&
          task->place == TASK_ASSIGNED)
        jr_executor_task_arm_grace (task);   /* cancelled while it was on its way */
      break;

    case JR_JOB_MSG_PROGRESS:
      jr_executor_task_store_progress (task, message, parts->fraction, parts->text);
      break;

    case JR_JOB_MSG_YIELD:
      jr_future_emit_yielded (task->future, parts->payload);
      break;

    case JR_JOB_MSG_RESULT:
      note_run_time (task);
      jr_executor_task_end (task, END_COMPLETED, parts->payload, NULL);
      break;

    case JR_JOB_MSG_ERROR:
      note_run_time (task);
      error = jr_job_message_to_error (parts->payload);
      if (jr_executor_task_should_retry (task, error))
        jr_executor_task_schedule_retry (task);
      else
        jr_executor_task_fail (task, error);
      break;

    case JR_JOB_MSG_CANCELLED:
      /* A worker that quits (its requests' connection gone) cancels what
       * it had not started. Nobody asked, and it never ran: another
       * worker takes it, as a job given back. */
      if (!task->started && jr_future_get_state (task->future) != JR_FUTURE_STATE_CANCELLING)
        {
          jr_executor_task_unassign (task);
          jr_executor_task_enqueue (task, TRUE);
          break;
        }
      jr_executor_task_end (task, END_CANCELLED, NULL, NULL);
      break;

    case JR_JOB_MSG_RETURNED:
      jr_executor_task_unassign (task);
      if (jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING)
        jr_executor_task_end (task, END_CANCELLED, NULL, NULL);
      else
        jr_executor_task_enqueue (task, TRUE);
      break;

    default:
      break;
    }
  jr_executor_assign_queued (self);
}

static void
on_job_message (JrPoolWorker      *worker,
                GVariant          *message,
                JrJobMessageParts *parts,
                gpointer           user_data)
{
  JrExecutor *self = user_data;
  Slot *slot = jr_pool_worker_get_data (worker);
  Task *task = slot != NULL ? jr_executor_slot_find (slot, parts->job_id) : NULL;

  if (task == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("it sent a message for job %" G_GUINT64_FORMAT
                                                 ", which it was not running", parts->job_id);

      /* Another job's, or one that has ended: a worker that lies. */
      jr_pool_worker_reject (worker, reason);
      return;
    }
  jr_pool_worker_heard (worker);

  g_object_ref (self);
  jr_executor_task_ref (task);
  /* A worker process's messages lie in blocks of the monitor's, several
   * to a block (up to 16 KiB): a small result kept by its future would
   * keep all of them, the yields nobody kept too. It gets its own. */
  if (parts->tag == JR_JOB_MSG_RESULT && jr_pool_worker_is_process (worker) &&
      g_variant_get_size (parts->payload) <= RESULT_COPY_MAX)
    {
      GVariant *shared = parts->payload;
      gsize size = g_variant_get_size (shared);
      gpointer copy = g_memdup2 (g_variant_get_data (shared), size);

      parts->payload = g_variant_ref_sink (g_variant_new_from_data (g_variant_get_type (shared), copy,
                                                                    size, TRUE, g_free, copy));
      g_variant_unref (shared);
    }
  handle_job_message (task, message, parts);
  jr_executor_task_unref (task);
  jr_executor_deliver_endings (self);
  g_object_unref (self);
}

/* ---- workers that come and go ---- */

static void
on_worker_added (JrPoolWorker *worker,
                 gpointer      user_data)
{
  JrExecutor *self = user_data;
  JrWorkerPool *pool = jr_pool_worker_get_pool (worker);
  Slot *slot = g_new0 (Slot, 1);

  slot->worker = worker;
  for (guint i = 0; i < self->groups->len; i++)
    if (((Group *) g_ptr_array_index (self->groups, i))->pool == pool)
      slot->group = g_ptr_array_index (self->groups, i);
  g_assert (slot->group != NULL);
  jr_pool_worker_set_data (worker, slot);
  g_ptr_array_add (self->slots, slot);
  jr_executor_refresh_worker_error (self);
  jr_executor_assign_queued (self);
}

/* The worker is gone and all its messages are in: settle its tasks. The
 * one it ran fails; those it had not started go to another worker. */
static void
on_worker_gone (JrPoolWorker *worker,
                const GError *reason,
                gpointer      user_data)
{
  JrExecutor *self = user_data;
  Slot *slot = jr_pool_worker_get_data (worker);
  Group *group;

  /* One that never came up, or an abandoned thread that ended: a removed
   * group, or a stopping executor, may wait for it to go. */
  if (slot == NULL)
    {
      jr_executor_sweep_soon (self);
      return;
    }
  group = slot->group;
  g_object_ref (self);
  jr_executor_settle_slot (self, slot, END_FAILED, reason);
  if (group->removed)
    jr_executor_sweep_soon (self);
  /* Its pool may have stopped giving up (a worker that had started). */
  jr_executor_refresh_worker_error (self);
  jr_executor_fail_if_no_workers (self);
  jr_executor_deliver_endings (self);
  g_object_unref (self);
}

/* ---- when no worker will come ---- */

static gboolean
has_live_slot (JrExecutor *self,
               gboolean    anywhere)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (!slot->retiring && jr_executor_group_takes (slot->group, anywhere))
        return TRUE;
    }
  return FALSE;
}

/* Why no group may take a job: none has workers at all, or (for a job
 * that reads local paths) none that has them shares this machine's paths.
 * @job: its name, or NULL. */
GError *
jr_executor_no_group_error (JrExecutor *self,
                            gboolean    anywhere,
                            const char *job)
{
  g_autofree char *named = job != NULL ? g_strdup_printf (" “%s”", job) : g_strdup ("");
  gboolean any = FALSE;

  for (guint i = 0; i < self->groups->len && !any; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      any = !group->removed && jr_worker_pool_get_size (group->pool) > 0;
    }
  if (anywhere || !any)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                        "No group of the executor has workers to run the job%s (every group "
                        "has size 0, or was removed)", named);
  return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                      "The job%s reads local paths, and no group of the executor that has "
                      "workers shares them (see jr_launcher_set_shared_paths())", named);
}

/* Why no worker will take tasks that may run @anywhere (or read local
 * paths), or NULL while one does or may yet start: every group that could
 * has given up starting workers (each says why), or none has workers. */
static GError *
no_worker_for (JrExecutor *self,
               gboolean    anywhere)
{
  g_autoptr(GString) why = NULL;
  const GError *first = NULL;
  guint n_failed = 0;

  if (has_live_slot (self, anywhere))
    return NULL;
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);
      const GError *failure;

      if (!jr_executor_group_takes (group, anywhere) || jr_worker_pool_get_size (group->pool) == 0)
        continue;
      failure = jr_worker_pool_get_failure (group->pool);
      if (failure == NULL)
        return NULL;   /* still starting */
      if (n_failed++ == 0)
        {
          first = failure;
          why = g_string_new (failure->message);
        }
      else
        g_string_append_printf (why, "; %s", failure->message);
    }
  if (n_failed == 1)
    return g_error_copy (first);
  if (n_failed > 1)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER, "%s", why->str);
  return jr_executor_no_group_error (self, anywhere, NULL);
}

static void
fail_queue (JrTaskQueue *queue,
            GError      *failure)
{
  g_autoptr(GError) owned = failure;
  JrQueueEntry *entry;

  if (owned == NULL)
    return;
  while ((entry = jr_task_queue_peek (queue)) != NULL)
    jr_executor_task_fail (jr_executor_task_of (entry), owned);
}

/* The groups that could run them gave up starting workers, and none is
 * left: the jobs waiting for one fail, saying why, instead of waiting for
 * ever. */
void
jr_executor_fail_if_no_workers (JrExecutor *self)
{
  fail_queue (self->queue, no_worker_for (self, FALSE));
  fail_queue (self->queue_anywhere, no_worker_for (self, TRUE));
}

static gboolean
workers_check_due (gpointer data)
{
  JrExecutor *self = data;

  g_clear_pointer (&self->workers_check, g_source_unref);
  jr_executor_fail_if_no_workers (self);
  return G_SOURCE_REMOVE;
}

/* jr_executor_fail_if_no_workers() at the next dispatch, before futures'
 * ends are delivered (so no later than a failure found now would be). */
void
jr_executor_check_workers_soon (JrExecutor *self)
{
  if (self->workers_check == NULL)
    self->workers_check = jr_executor_add_source (self, ENDINGS_PRIORITY - 1, 0, TRUE, workers_check_due,
                                                  self);
}

void
jr_executor_refill_given_up (JrExecutor *self,
                             gboolean    anywhere)
{
  if (has_live_slot (self, anywhere))
    return;
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (jr_executor_group_takes (group, anywhere) && jr_worker_pool_get_size (group->pool) > 0 &&
          jr_worker_pool_get_failure (group->pool) != NULL)
        jr_worker_pool_fill (group->pool);
    }
  /* Trying again, it has no failure to tell: a worker through a command
   * is not added (which says so) until it is up. */
  jr_executor_refresh_worker_error (self);
}

/* Why a group that is still wanted (it has a size) gave up starting
 * workers. With @failure: @failure if it is such a group's, else NULL.
 * Without: the first such group's, or NULL when none gave up. */
static const GError *
counting_failure (JrExecutor   *self,
                  const GError *failure)
{
  const GError *first = NULL;

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);
      const GError *its = jr_worker_pool_get_failure (group->pool);

      if (group->removed || jr_worker_pool_get_size (group->pool) == 0 || its == NULL)
        continue;
      if (its == failure)
        return its;
      if (first == NULL)
        first = its;
    }
  return failure == NULL ? first : NULL;
}

/* worker-error says why a group gave up, as long as one it names is still
 * wanted: it goes once none is (a worker started, the group was resized
 * to 0 or removed), or says another group's reason. */
void
jr_executor_refresh_worker_error (JrExecutor *self)
{
  const GError *still;

  if (self->worker_error == NULL)
    return;
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);
      const GError *its = jr_worker_pool_get_failure (group->pool);

      if (!group->removed && jr_worker_pool_get_size (group->pool) > 0 && its != NULL &&
          g_strcmp0 (its->message, self->worker_error->message) == 0)
        return;
    }
  still = counting_failure (self, NULL);
  jr_executor_set_worker_error (self, still);
}

static void
on_start_failed (const GError *error,
                 gpointer      user_data)
{
  JrExecutor *self = user_data;

  /* A group removed or resized to 0 while its workers were starting gives
   * up for nobody. */
  if (counting_failure (self, error) != NULL)
    jr_executor_set_worker_error (self, error);
  jr_executor_fail_if_no_workers (self);
}

/* ---- the pools' callbacks ---- */

/* Each of the pools' callbacks, counted (see JrExecutor's sweep). */
static void
callback_enter (JrExecutor *self)
{
  g_object_ref (self);
  self->in_pool_callback++;
}

static void
callback_leave (JrExecutor *self)
{
  if (--self->in_pool_callback == 0 && self->sweep_wanted)
    jr_executor_sweep_soon (self);
  g_object_unref (self);
}

static void
counted_worker_added (JrPoolWorker *worker,
                      gpointer      user_data)
{
  callback_enter (user_data);
  on_worker_added (worker, user_data);
  callback_leave (user_data);
}

static void
counted_job_message (JrPoolWorker      *worker,
                     GVariant          *message,
                     JrJobMessageParts *parts,
                     gpointer           user_data)
{
  callback_enter (user_data);
  on_job_message (worker, message, parts, user_data);
  callback_leave (user_data);
}

static void
counted_worker_gone (JrPoolWorker *worker,
                     const GError *reason,
                     gpointer      user_data)
{
  callback_enter (user_data);
  on_worker_gone (worker, reason, user_data);
  callback_leave (user_data);
}

static void
counted_start_failed (const GError *error,
                      gpointer      user_data)
{
  callback_enter (user_data);
  on_start_failed (error, user_data);
  callback_leave (user_data);
}

const JrWorkerPoolCallbacks jr_executor_pool_callbacks = {
  .worker_added = counted_worker_added,
  .job_message = counted_job_message,
  .worker_gone = counted_worker_gone,
  .start_failed = counted_start_failed,
};
