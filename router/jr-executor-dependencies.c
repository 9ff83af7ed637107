/* jr-executor-dependencies.c — tasks that wait for other jobs' futures
 * before they are queued.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task with dependencies is blocked, with a wait on each future not yet
 * done (jr-future-waiters.c): it is queued once the last one completes,
 * and fails with JR_JOB_ERROR_DEPENDENCY_FAILED as soon as one ends
 * otherwise.
 */
#include "jr-executor-parts-private.h"

/* Takes @task off the futures it still waits for. */
void
jr_executor_task_stop_waiting (Task *task)
{
  if (task->dependency_waits == NULL)
    return;
  for (guint i = 0; i < task->dependency_waits->len; i++)
    {
      JrFutureWait *wait = g_ptr_array_index (task->dependency_waits, i);

      if (wait != NULL)
        jr_future_waiters_remove (task->executor->waiters, wait);
    }
  g_clear_pointer (&task->dependency_waits, g_ptr_array_unref);
}

void
jr_executor_on_dependency_done (JrFuture     *dependency,
                                JrFutureWait *wait,
                                gpointer      user_data)
{
  Task *task = user_data;
  guint index;

  /* Heard: that wait is gone. */
  if (task->dependency_waits != NULL &&
      g_ptr_array_find (task->dependency_waits, wait, &index))
    g_ptr_array_index (task->dependency_waits, index) = NULL;

  if (task->place != TASK_BLOCKED)
    return;

  if (jr_future_get_state (dependency) != JR_FUTURE_STATE_COMPLETED)
    {
      g_autoptr(GError) error = g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED,
                                             "The job “%s” it depends on did not complete",
                                             jr_future_get_title (dependency));

      jr_executor_task_fail (task, error);
      return;
    }

  if (--task->n_dependencies_left == 0)
    {
      /* The task may be gone after jr_executor_task_enqueue() (see retry_due(),
       * jr-executor-schedule.c). */
      JrExecutor *self = g_object_ref (task->executor);

      jr_executor_task_stop_waiting (task);
      jr_executor_task_enqueue (task, FALSE);
      /* Its groups may have gone while it waited. */
      jr_executor_fail_if_no_workers (self);
      g_object_unref (self);
    }
}

/* Returns FALSE when the task ended at once (a dependency failed). */
gboolean
jr_executor_task_wait_for_dependencies (Task      *task,
                                        GPtrArray *dependencies)
{
  for (guint i = 0; i < dependencies->len; i++)
    {
      JrFuture *dependency = g_ptr_array_index (dependencies, i);

      if (!jr_future_get_done (dependency))
        task->n_dependencies_left++;
      else if (jr_future_get_state (dependency) != JR_FUTURE_STATE_COMPLETED)
        {
          g_autoptr(GError) error = g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED,
                                                 "The job “%s” it depends on did not complete",
                                                 jr_future_get_title (dependency));

          jr_executor_task_fail (task, error);
          return FALSE;
        }
    }
  if (task->n_dependencies_left == 0)
    return TRUE;

  task->dependency_waits = g_ptr_array_new ();
  for (guint i = 0; i < dependencies->len; i++)
    {
      JrFuture *dependency = g_ptr_array_index (dependencies, i);

      if (jr_future_get_done (dependency))
        continue;
      g_ptr_array_add (task->dependency_waits,
                       jr_future_waiters_add (task->executor->waiters, dependency, task));
    }
  return FALSE;
}
