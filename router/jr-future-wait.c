/* jr-future-wait.c — waiting for a future the GLib way: asynchronously, or
 * by running its main context (tests, command-line tools).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-future-private.h"

/* What a done future stands for: its result, or an error for a failure
 * or a cancel. */
static GVariant *
outcome (JrFuture  *self,
         GError   **error)
{
  switch (jr_future_get_state (self))
    {
    case JR_FUTURE_STATE_COMPLETED:
      {
        GVariant *result = jr_future_get_result (self);

        return result != NULL ? g_variant_ref (result) : NULL;
      }
    case JR_FUTURE_STATE_FAILED:
      g_propagate_error (error, g_error_copy (jr_future_get_error (self)));
      return NULL;
    case JR_FUTURE_STATE_CANCELLED:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The job “%s” was cancelled",
                   jr_future_get_title (self));
      return NULL;
    }
}

/* While waiting, the wait holds the task; whichever comes first — the
 * future done, or the waiting cancelled — returns it and lets go. */
typedef struct {
  JrFuture     *future;
  gulong        done_id;
  GSource      *cancelled;  /* the cancellable's, on the task's context */
} Wait;

static void
drop_cancelled_source (Wait *wait)
{
  if (wait->cancelled == NULL)
    return;
  g_source_destroy (wait->cancelled);
  g_clear_pointer (&wait->cancelled, g_source_unref);
}

static void
wait_free (Wait *wait)
{
  g_clear_signal_handler (&wait->done_id, wait->future);
  drop_cancelled_source (wait);
  g_clear_object (&wait->future);
  g_free (wait);
}

/* Stops waiting; FALSE when that was done already. On the task's thread
 * only: so is everything that touches the wait. */
static gboolean
stop_waiting (Wait *wait)
{
  if (wait->done_id == 0)
    return FALSE;
  g_clear_signal_handler (&wait->done_id, wait->future);
  /* It holds the task: let go of it. */
  drop_cancelled_source (wait);
  return TRUE;
}

static void
on_done (JrFuture   *future,
         GParamSpec *pspec,
         GTask      *task)
{
  if (!jr_future_get_done (future) || !stop_waiting (g_task_get_task_data (task)))
    return;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The wait's cancellable may fire on any thread; its source dispatches
 * this on the task's, and holds the task until stop_waiting() drops it
 * (no handler runs on another thread with a task that may be gone). */
static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  g_autoptr(GTask) task = g_object_ref (data);

  if (stop_waiting (g_task_get_task_data (task)))
    {
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

/**
 * jr_future_wait_async:
 * @self: a future
 * @cancellable: (nullable): stops the waiting (not the job)
 * @callback: (scope async): called once the future is done
 * @user_data: (closure): data for @callback
 *
 * Waits for the future to be done, on the future's main context. Get the
 * outcome with [method@Jr.Future.wait_finish]. Cancelling @cancellable
 * gives up waiting; to stop the job, cancel the future.
 *
 * Since: 0.2
 */
void
jr_future_wait_async (JrFuture            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Wait *wait;

  g_return_if_fail (JR_IS_FUTURE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jr_future_wait_async);
  wait = g_new0 (Wait, 1);
  wait->future = g_object_ref (self);
  g_task_set_task_data (task, wait, (GDestroyNotify) wait_free);

  /* Done already: GTask returns from the next dispatch, not from here. */
  if (jr_future_get_done (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  wait->done_id = g_signal_connect (self, "notify::done", G_CALLBACK (on_done),
                                    g_object_ref (task));
  if (cancellable != NULL)
    {
      wait->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (wait->cancelled, G_SOURCE_FUNC (on_wait_cancelled),
                             g_object_ref (task), g_object_unref);
      g_source_set_static_name (wait->cancelled, "[jobrouter] future wait cancelled");
      g_source_attach (wait->cancelled, g_task_get_context (task));
    }
}

/**
 * jr_future_wait_finish:
 * @self: a future
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Jr.Future.wait_async].
 *
 * Returns: (transfer full) (nullable): the result of a completed job (a
 *   job always returns one: a job that returns %NULL with no error
 *   fails), or %NULL with @error set: the job's own error when it failed,
 *   %G_IO_ERROR_CANCELLED when it was cancelled or the waiting was
 *
 * Since: 0.2
 */
GVariant *
jr_future_wait_finish (JrFuture      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jr_future_wait_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return outcome (self, error);
}

static gboolean
on_wait_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * jr_future_wait:
 * @self: a future
 * @timeout_usec: how long to wait at most, in µs; negative for no limit
 * @error: return location for an error
 *
 * Runs the future's main context until the future is done: for tests and
 * command-line tools, where nothing else runs the loop. Call it on the
 * future's thread, never from one of its own handlers; from a handler of
 * another future it works, as any main loop run there does (the
 * executor's other jobs go on meanwhile). @timeout_usec is a duration,
 * not a [func@GLib.get_monotonic_time] value: the deadline it sets is
 * fixed when the call starts, and nothing that happens meanwhile extends
 * it.
 *
 * Returns: (transfer full) (nullable): as [method@Jr.Future.wait_finish],
 *   or %NULL with %G_IO_ERROR_TIMED_OUT once @timeout_usec have passed
 *   (the job goes on)
 *
 * Since: 0.2
 */
GVariant *
jr_future_wait (JrFuture  *self,
                gint64     timeout_usec,
                GError   **error)
{
  GMainContext *context;
  g_autoptr(GSource) timeout = NULL;
  gboolean timed_out = FALSE;

  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  context = jr_future_get_context (self);
  /* Another thread runs it (a job's thread, or a helper's, waiting while
   * the main loop runs): it could only hang, whatever the timeout. */
  if (!g_main_context_acquire (context))
    {
      g_critical ("jr_future_wait: the future's main context is run by another thread; "
                  "wait on that thread, or use jr_future_wait_async() there");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   "The future of “%s” belongs to a main context that another thread runs",
                   jr_future_get_title (self));
      return NULL;
    }
  if (timeout_usec >= 0)
    {
      timeout = g_timeout_source_new ((guint) MIN (timeout_usec / 1000, (gint64) G_MAXUINT));
      g_source_set_callback (timeout, on_wait_timeout, &timed_out, NULL);
      g_source_set_static_name (timeout, "[jobrouter] future wait");
      g_source_attach (timeout, context);
    }
  g_main_context_push_thread_default (context);
  while (!jr_future_get_done (self) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);
  if (timeout != NULL)
    g_source_destroy (timeout);

  if (!jr_future_get_done (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The job “%s” was not done after %" G_GINT64_FORMAT " ms",
                   jr_future_get_title (self), timeout_usec / 1000);
      return NULL;
    }
  return outcome (self, error);
}
