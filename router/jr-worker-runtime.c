/* jr-worker-runtime.c — runs queued jobs one at a time on one thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A cancel for the running job fires its GCancellable at once; a cancel for
 * a queued job marks it, and it is then reported as cancelled without ever
 * running.
 */
#define _GNU_SOURCE 1
#include "jr-worker-private.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jr-job-private.h"

typedef struct {
  guint64   job_id;
  char     *name;
  GVariant *args;
  JrSender *sender;
  gboolean  cancelled;
} Request;

struct _JrWorkerRuntime {
  /* lock guards everything below. */
  GMutex        lock;
  GCond         cond;
  GQueue        queue;
  guint64       current_id;
  GCancellable *current_cancellable;
  gboolean      quit;
};

static void
request_free (Request *request)
{
  g_free (request->name);
  g_clear_pointer (&request->args, g_variant_unref);
  g_clear_object (&request->sender);
  g_free (request);
}

JrWorkerRuntime *
jr_worker_runtime_new (void)
{
  JrWorkerRuntime *runtime = g_new0 (JrWorkerRuntime, 1);

  g_mutex_init (&runtime->lock);
  g_cond_init (&runtime->cond);
  g_queue_init (&runtime->queue);
  return runtime;
}

void
jr_worker_runtime_free (JrWorkerRuntime *runtime)
{
  g_queue_clear_full (&runtime->queue, (GDestroyNotify) request_free);
  g_clear_object (&runtime->current_cancellable);
  g_mutex_clear (&runtime->lock);
  g_cond_clear (&runtime->cond);
  g_free (runtime);
}

void
jr_worker_runtime_push (JrWorkerRuntime *runtime,
                        guint64          job_id,
                        const char      *name,
                        GVariant        *args,
                        JrSender        *sender)
{
  Request *request = g_new0 (Request, 1);

  request->job_id = job_id;
  request->name = g_strdup (name);
  request->args = args ? g_variant_ref_sink (args) : NULL;
  request->sender = sender ? g_object_ref (sender) : NULL;

  g_mutex_lock (&runtime->lock);
  g_queue_push_tail (&runtime->queue, request);
  g_cond_signal (&runtime->cond);
  g_mutex_unlock (&runtime->lock);
}

void
jr_worker_runtime_cancel (JrWorkerRuntime *runtime,
                          guint64          job_id)
{
  g_autoptr(GCancellable) to_cancel = NULL;

  g_mutex_lock (&runtime->lock);
  if (runtime->current_id == job_id && runtime->current_cancellable != NULL)
    to_cancel = g_object_ref (runtime->current_cancellable);
  else
    for (GList *l = runtime->queue.head; l != NULL; l = l->next)
      {
        Request *request = l->data;

        if (request->job_id == job_id)
          request->cancelled = TRUE;
      }
  g_mutex_unlock (&runtime->lock);

  /* Outside the lock: handlers of "cancelled" run right here. */
  if (to_cancel != NULL)
    g_cancellable_cancel (to_cancel);
}

void
jr_worker_runtime_recall (JrWorkerRuntime *runtime,
                          guint64          job_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  Request *found = NULL;

  g_mutex_lock (&runtime->lock);
  for (GList *l = runtime->queue.head; l != NULL; l = l->next)
    if (((Request *) l->data)->job_id == job_id)
      {
        found = l->data;
        g_queue_delete_link (&runtime->queue, l);
        break;
      }
  g_mutex_unlock (&runtime->lock);

  /* Started already: the recall comes too late and the job just runs. */
  if (found == NULL)
    return;

  sender = found->sender ? g_object_ref (found->sender)
                         : jr_sender_new_for_parent (found->job_id, &error);
  if (sender != NULL)
    jr_job_send_returned (sender);
  request_free (found);
}

void
jr_worker_runtime_quit (JrWorkerRuntime *runtime)
{
  g_autoptr(GCancellable) to_cancel = NULL;

  g_mutex_lock (&runtime->lock);
  runtime->quit = TRUE;
  for (GList *l = runtime->queue.head; l != NULL; l = l->next)
    ((Request *) l->data)->cancelled = TRUE;
  if (runtime->current_cancellable != NULL)
    to_cancel = g_object_ref (runtime->current_cancellable);
  g_cond_broadcast (&runtime->cond);
  g_mutex_unlock (&runtime->lock);

  if (to_cancel != NULL)
    g_cancellable_cancel (to_cancel);
}

void
jr_worker_runtime_run (JrWorkerRuntime *runtime)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JrSender) sender = NULL;
      g_autoptr(GCancellable) cancellable = NULL;
      Request *request;

      g_mutex_lock (&runtime->lock);
      while (g_queue_is_empty (&runtime->queue) && !runtime->quit)
        g_cond_wait (&runtime->cond, &runtime->lock);
      request = g_queue_pop_head (&runtime->queue);
      if (request != NULL)
        {
          cancellable = g_cancellable_new ();
          runtime->current_id = request->job_id;
          runtime->current_cancellable = g_object_ref (cancellable);
        }
      g_mutex_unlock (&runtime->lock);

      if (request == NULL)
        return;

      sender = request->sender ? g_object_ref (request->sender)
                               : jr_sender_new_for_parent (request->job_id, &error);
      if (sender != NULL)
        jr_job_run (sender, request->name, request->args, cancellable, request->cancelled);
      else
        g_warning ("Cannot report job %" G_GUINT64_FORMAT ": %s", request->job_id, error->message);

      g_mutex_lock (&runtime->lock);
      runtime->current_id = 0;
      g_clear_object (&runtime->current_cancellable);
      g_mutex_unlock (&runtime->lock);
      request_free (request);
    }
}

void
jr_worker_set_priority (int      tid,
                        int      nice_value,
                        gboolean idle)
{
  struct sched_param param = { 0 };

  /* Linux: both are per thread. Failing to change them (no permission to
   * raise a priority again, say) leaves the worker as it was. */
  setpriority (PRIO_PROCESS, (id_t) tid, nice_value);
  sched_setscheduler (tid, idle ? SCHED_IDLE : SCHED_OTHER, &param);
}

int
jr_worker_get_tid (void)
{
  return (int) syscall (SYS_gettid);
}
