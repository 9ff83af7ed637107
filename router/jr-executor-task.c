/* jr-executor-task.c — a task's life in the executor: its references, its
 * progress, its end, and how its future hears of that end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How a future ends (GTask's rule): a task that ends is taken out of the
 * queue and off its worker at once, but its future becomes done — state,
 * notifications, leaving the jobs model — only when the executor's main
 * context dispatches: right after the router delivered the message that
 * ended it, or from an idle for an end that came inside a call the
 * application made (a cancel, a submit, a stop). So a "cancel all" loop
 * over the jobs model sees every job, and a handler of any of those
 * notifications may do anything, shutting the executor down included.
 */
#include "jr-executor-parts-private.h"

#include "jr-future-private.h"

/* Just after the router's dispatch slice (G_PRIORITY_DEFAULT_IDLE), before
 * its next one. */
#define PROGRESS_FLUSH_PRIORITY (G_PRIORITY_DEFAULT_IDLE - 10)

Task *
jr_executor_task_ref (Task *task)
{
  task->ref_count++;
  return task;
}

void
jr_executor_task_unref (Task *task)
{
  if (--task->ref_count > 0)
    return;
  g_clear_pointer (&task->pending_progress, g_variant_unref);
  g_clear_pointer (&task->result, g_variant_unref);
  g_clear_error (&task->error);
  g_clear_pointer (&task->args, g_variant_unref);
  g_clear_object (&task->future);
  g_free (task);
}

/* ---- progress ---- */

/* Progress is applied to futures once per dispatch slice, not once per
 * message: a flood of updates then costs the main thread a store each, and
 * the future notifies the latest value. Any other message of the job first
 * applies the progress before it, so order is kept. */
void
jr_executor_task_apply_progress (Task *task)
{
  g_autoptr(GVariant) message = g_steal_pointer (&task->pending_progress);
  const char *text = g_steal_pointer (&task->pending_text);

  if (message != NULL)
    jr_future_set_progress (task->future, task->pending_fraction, text);
}

static gboolean
flush_progress (gpointer data)
{
  JrExecutor *self = data;
  g_autoptr(GPtrArray) dirty = g_steal_pointer (&self->progress_dirty);

  g_clear_pointer (&self->progress_flush, g_source_unref);
  self->progress_dirty = g_ptr_array_new ();
  for (guint i = 0; i < dirty->len; i++)
    {
      Task *task = g_ptr_array_index (dirty, i);

      task->progress_dirty = FALSE;
      jr_executor_task_apply_progress (task);
      jr_executor_task_unref (task);
    }
  return G_SOURCE_REMOVE;
}

void
jr_executor_task_store_progress (Task       *task,
                                 GVariant   *message,
                                 double      fraction,
                                 const char *text)
{
  JrExecutor *self = task->executor;

  /* Kept for its text: progress never comes as a tag alone. */
  g_return_if_fail (message != NULL);
  if (!task->progress_dirty)
    {
      task->progress_dirty = TRUE;
      g_ptr_array_add (self->progress_dirty, jr_executor_task_ref (task));
    }
  g_clear_pointer (&task->pending_progress, g_variant_unref);
  task->pending_progress = g_variant_ref (message);
  task->pending_fraction = fraction;
  task->pending_text = text;

  if (self->progress_flush == NULL)
    self->progress_flush = jr_executor_add_source (self, PROGRESS_FLUSH_PRIORITY, 0, TRUE, flush_progress,
                                                   self);
}

/* ---- ending a task ---- */

/* The task is over for the executor: out of the queue, off its worker, its
 * handlers gone. Its future hears of it at the next dispatch. */
void
jr_executor_task_end (Task         *task,
                      TaskEnd       end,
                      GVariant     *result,
                      const GError *error)
{
  JrExecutor *self = task->executor;

  if (task->place == TASK_ENDED)
    return;

  jr_executor_task_unassign (task);
  jr_task_queue_remove (jr_executor_queue_of (task), &task->entry);
  jr_clear_source (&task->timer);
  jr_executor_task_stop_waiting (task);
  jr_future_set_cancel_func (task->future, NULL, NULL);
  g_clear_pointer (&task->args, g_variant_unref);

  task->place = TASK_ENDED;
  task->end = end;
  task->result = result ? g_variant_ref (result) : NULL;
  task->error = error ? g_error_copy (error) : NULL;

  /* The endings source sees it at the context's next iteration. */
  g_queue_unlink (&self->tasks, &task->link);
  g_queue_push_tail_link (&self->endings, &task->link);
}

void
jr_executor_task_fail (Task         *task,
                       const GError *error)
{
  jr_executor_task_end (task, END_FAILED, NULL, error);
}

/* Moves the future to the one done state its task ended in. */
static void
finish_future (Task *task)
{
  JrFuture *future = task->future;
  JrFutureState state = jr_future_get_state (future);

  jr_executor_task_apply_progress (task);
  if (state == JR_FUTURE_STATE_CANCELLING)
    {
      /* Cancelled: nothing else reaches it any more. */
      jr_future_mark_cancelled (future);
      return;
    }

  switch (task->end)
    {
    case END_COMPLETED:
      if (state == JR_FUTURE_STATE_WAITING)
        jr_future_mark_started (future);
      jr_future_complete (future, task->result);
      break;
    case END_FAILED:
      jr_future_fail (future, task->error);
      break;
    case END_CANCELLED:
    default:
      if (state == JR_FUTURE_STATE_WAITING)
        jr_future_mark_cancelled (future);
      else
        {
          /* A worker that stops a job nobody cancelled. */
          g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The job “%s” was cancelled by its worker",
                                                 task->job);

          jr_future_fail (future, error);
        }
      break;
    }
}

/* Tells the futures of ended tasks, in the order their tasks ended, and
 * takes them out of the jobs model. Handlers may call anything, this
 * included. */
void
jr_executor_deliver_endings (JrExecutor *self)
{
  GList *link;

  g_object_ref (self);
  self->stop_pending = FALSE;
  while ((link = g_queue_pop_head_link (&self->endings)) != NULL)
    {
      Task *task = link->data;

      finish_future (task);
      /* A handler may have disposed of the model meanwhile. */
      if (task->model_place != NULL && self->jobs != NULL)
        jr_jobs_model_remove (self->jobs, g_steal_pointer (&task->model_place));
      jr_executor_task_unref (task);
    }
  jr_executor_maybe_finish_stopping (self);
  g_object_unref (self);
}

/* A source that is ready exactly while endings wait: no idle to make and
 * destroy per job, and nothing to do when none wait. */
typedef struct {
  GSource     source;
  JrExecutor *executor;   /* not owned: the executor destroys the source */
} EndingsSource;

static gboolean
endings_waiting (GSource *source)
{
  JrExecutor *self = ((EndingsSource *) source)->executor;

  return self->endings.length > 0 || self->stop_pending;
}

static gboolean
endings_source_prepare (GSource *source,
                        gint    *timeout)
{
  *timeout = -1;
  return endings_waiting (source);
}

static gboolean
endings_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     data)
{
  jr_executor_deliver_endings (((EndingsSource *) source)->executor);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs endings_source_funcs = {
  .prepare = endings_source_prepare,
  .check = endings_waiting,
  .dispatch = endings_source_dispatch,
};

void
jr_executor_attach_endings_source (JrExecutor *self)
{
  EndingsSource *source = (EndingsSource *) g_source_new (&endings_source_funcs,
                                                          sizeof (EndingsSource));

  source->executor = self;
  self->endings_source = (GSource *) source;
  g_source_set_priority (self->endings_source, ENDINGS_PRIORITY);
  /* A handler may run a main loop of its own (a modal dialog, a wait for
   * another future): the futures that end meanwhile are told meanwhile. */
  g_source_set_can_recurse (self->endings_source, TRUE);
  g_source_set_static_name (self->endings_source, "[jobrouter] futures' ends");
  g_source_attach (self->endings_source, jr_router_get_context (self->router));
}

/* The endings an executor had when it was dropped: told from its main
 * context's next dispatch, not inside the unref (GTask's rule; a Python
 * executor is dropped by the garbage collector). Tasks no longer touch
 * their executor once ended. */
typedef struct {
  GQueue       endings;   /* Task */
  JrJobsModel *jobs;
} LateEndings;

static gboolean
deliver_late_endings (gpointer data)
{
  LateEndings *late = data;
  GList *link;

  while ((link = g_queue_pop_head_link (&late->endings)) != NULL)
    {
      Task *task = link->data;

      finish_future (task);
      if (task->model_place != NULL)
        jr_jobs_model_remove (late->jobs, g_steal_pointer (&task->model_place));
      jr_executor_task_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
late_endings_free (gpointer data)
{
  LateEndings *late = data;
  GList *link;

  /* Not delivered (the context went first): let go all the same. */
  while ((link = g_queue_pop_head_link (&late->endings)) != NULL)
    jr_executor_task_unref (link->data);
  g_object_unref (late->jobs);
  g_free (late);
}

void
jr_executor_deliver_endings_soon (JrExecutor *self)
{
  g_autoptr(GSource) source = NULL;
  LateEndings *late;

  if (g_queue_is_empty (&self->endings))
    return;
  late = g_new0 (LateEndings, 1);
  late->endings = self->endings;
  g_queue_init (&self->endings);
  late->jobs = g_object_ref (self->jobs);
  source = g_idle_source_new ();
  g_source_set_priority (source, ENDINGS_PRIORITY);
  g_source_set_callback (source, deliver_late_endings, late, late_endings_free);
  g_source_set_static_name (source, "[jobrouter] dropped executor's futures' ends");
  g_source_attach (source, jr_router_get_context (self->router));
}
