/* jr-worker-runtime.c — runs queued jobs one at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A cancel for the running job fires its GCancellable at once; a cancel for
 * a queued job marks it, and it is then reported as cancelled without ever
 * running. Either way the job's cancel_requested flag is set first, so that
 * the job's end tells a cancel the executor asked for from one the job
 * made itself.
 *
 * A worker process gives its runtime a way to read requests, and runs it
 * on two threads that take turns (leader/follower): one reads; when what it
 * read is a job to run and none runs, it runs the job itself and the other
 * thread takes over reading — so a request reaches its job with no thread
 * to wake in between, and a cancel is read while the job runs.
 */
#define _GNU_SOURCE 1
#include "jr-worker-private.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jr-job-private.h"

typedef struct {
  guint64       job_id;
  char         *name;
  GVariant     *args;
  GCancellable *cancellable;
  int           cancel_requested;   /* atomic */
} Request;

struct _JrWorkerRuntime {
  gatomicrefcount   ref_count;
  JrSender         *sender;
  JrWorkerReadFunc  read;       /* NULL: requests are pushed from outside */
  gpointer          read_data;
  /* lock guards everything below. */
  GMutex            lock;
  GCond             cond;
  GQueue            queue;
  Request          *current;
  gboolean          reading;    /* a thread is in read() */
  gboolean          quit;
  /* Threads in g_cond_wait(). GLib's g_cond_signal() makes a system call
   * even when nobody waits; a thread worker's jobs are pushed and end
   * many thousand times a second. */
  guint             n_waiting;
  /* A thread worker's one thread was signalled and has not woken yet:
   * the jobs pushed meanwhile need no other system call. */
  gboolean          wake_sent;
  /* Jobs pushed so far (atomic): a thread worker that ran out of jobs
   * watches it for a moment before it sleeps, if another CPU may push. */
  guint             n_pushed;
  gboolean          may_watch;
  /* The last job's cancellable, when nobody else kept it: the next job
   * takes it instead of making one (GObjects are made and freed under
   * locks that every thread shares). */
  GCancellable     *spare_cancellable;
};

static void
request_free (Request *request)
{
  g_free (request->name);
  g_clear_pointer (&request->args, g_variant_unref);
  g_clear_object (&request->cancellable);
  g_free (request);
}

JrWorkerRuntime *
jr_worker_runtime_new (JrSender         *sender,
                       JrWorkerReadFunc  read,
                       gpointer          read_data)
{
  JrWorkerRuntime *runtime = g_new0 (JrWorkerRuntime, 1);

  g_atomic_ref_count_init (&runtime->ref_count);
  runtime->sender = g_object_ref (sender);
  runtime->read = read;
  runtime->read_data = read_data;
  runtime->may_watch = read == NULL && g_get_num_processors () > 1;
  g_mutex_init (&runtime->lock);
  g_cond_init (&runtime->cond);
  g_queue_init (&runtime->queue);
  return runtime;
}

JrWorkerRuntime *
jr_worker_runtime_ref (JrWorkerRuntime *runtime)
{
  g_atomic_ref_count_inc (&runtime->ref_count);
  return runtime;
}

void
jr_worker_runtime_unref (JrWorkerRuntime *runtime)
{
  if (!g_atomic_ref_count_dec (&runtime->ref_count))
    return;
  g_queue_clear_full (&runtime->queue, (GDestroyNotify) request_free);
  g_clear_object (&runtime->spare_cancellable);
  g_clear_object (&runtime->sender);
  g_mutex_clear (&runtime->lock);
  g_cond_clear (&runtime->cond);
  g_free (runtime);
}

JrSender *
jr_worker_runtime_get_sender (JrWorkerRuntime *runtime)
{
  return runtime->sender;
}

void
jr_worker_runtime_push (JrWorkerRuntime *runtime,
                        guint64          job_id,
                        const char      *name,
                        GVariant        *args)
{
  Request *request = g_new0 (Request, 1);

  request->job_id = job_id;
  request->name = g_strdup (name);
  request->args = args ? g_variant_ref_sink (args) : NULL;

  g_mutex_lock (&runtime->lock);
  g_queue_push_tail (&runtime->queue, request);
  g_atomic_int_inc (&runtime->n_pushed);
  /* A reader pushes from inside the run loop, and comes back to it. A
   * thread worker's one thread sees the queue before it waits, or when
   * the signal already on its way wakes it. */
  if (runtime->read == NULL && runtime->n_waiting > 0 && !runtime->wake_sent)
    {
      runtime->wake_sent = TRUE;
      g_cond_signal (&runtime->cond);
    }
  g_mutex_unlock (&runtime->lock);
}

/* Marks @request cancelled; returns its cancellable to fire (outside the
 * lock: handlers of "cancelled" run right there) when it is running. */
static GCancellable *
request_cancel_locked (Request *request)
{
  g_atomic_int_set (&request->cancel_requested, 1);
  return request->cancellable ? g_object_ref (request->cancellable) : NULL;
}

void
jr_worker_runtime_cancel (JrWorkerRuntime *runtime,
                          guint64          job_id)
{
  g_autoptr(GCancellable) to_cancel = NULL;

  g_mutex_lock (&runtime->lock);
  if (runtime->current != NULL && runtime->current->job_id == job_id)
    to_cancel = request_cancel_locked (runtime->current);
  else
    for (GList *l = runtime->queue.head; l != NULL; l = l->next)
      {
        Request *request = l->data;

        if (request->job_id == job_id)
          request_cancel_locked (request);
      }
  g_mutex_unlock (&runtime->lock);

  if (to_cancel != NULL)
    g_cancellable_cancel (to_cancel);
}

gboolean
jr_worker_runtime_recall (JrWorkerRuntime *runtime,
                          guint64          job_id)
{
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

  if (found == NULL)
    return FALSE;
  request_free (found);
  return TRUE;
}

/* Called with the lock held; returns the running job's cancellable to
 * fire once the lock is dropped. */
static GCancellable *
quit_locked (JrWorkerRuntime *runtime)
{
  runtime->quit = TRUE;
  for (GList *l = runtime->queue.head; l != NULL; l = l->next)
    g_atomic_int_set (&((Request *) l->data)->cancel_requested, 1);
  g_cond_broadcast (&runtime->cond);
  return runtime->current != NULL ? request_cancel_locked (runtime->current) : NULL;
}

gboolean
jr_worker_runtime_is_running_job (JrWorkerRuntime *runtime)
{
  gboolean running;

  g_mutex_lock (&runtime->lock);
  running = runtime->current != NULL;
  g_mutex_unlock (&runtime->lock);
  return running;
}

void
jr_worker_runtime_quit (JrWorkerRuntime *runtime)
{
  g_autoptr(GCancellable) to_cancel = NULL;

  g_mutex_lock (&runtime->lock);
  to_cancel = quit_locked (runtime);
  g_mutex_unlock (&runtime->lock);

  if (to_cancel != NULL)
    g_cancellable_cancel (to_cancel);
}

/* A cancellable for the next job: the last one's when only we hold it,
 * reset. Called with the lock held. */
static GCancellable *
take_cancellable_locked (JrWorkerRuntime *runtime)
{
  GCancellable *cancellable = g_steal_pointer (&runtime->spare_cancellable);

  if (cancellable == NULL)
    return g_cancellable_new ();
  g_cancellable_reset (cancellable);
  return cancellable;
}

static void
count_data (GQuark   key,
            gpointer data,
            gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* Keeps @request's cancellable for the next job if nobody else holds it
 * (a job may keep it for an operation that outlives it), nothing is
 * attached to it (a weak reference, which would reach the next job's, or
 * data of the job's) and no handler is left on it (one the job forgot to
 * disconnect must not fire for the next job). */
static void
keep_cancellable_locked (JrWorkerRuntime *runtime,
                         Request         *request)
{
  static gsize cancelled_signal;
  guint n_data = 0;

  if (runtime->spare_cancellable != NULL ||
      g_atomic_int_get (&G_OBJECT (request->cancellable)->ref_count) != 1)
    return;
  g_datalist_foreach (&G_OBJECT (request->cancellable)->qdata, count_data, &n_data);
  if (n_data > 0)
    return;
  if (g_once_init_enter (&cancelled_signal))
    g_once_init_leave (&cancelled_signal, g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE));
  if (!g_signal_has_handler_pending (request->cancellable, (guint) cancelled_signal, 0, TRUE))
    runtime->spare_cancellable = g_steal_pointer (&request->cancellable);
}

/* Runs @request, then takes the lock again. Called with it held. */
static void
run_locked (JrWorkerRuntime *runtime,
            Request         *request)
{
  request->cancellable = take_cancellable_locked (runtime);
  runtime->current = request;
  /* Someone must read while the job runs: the other thread. */
  if (runtime->read != NULL && !runtime->reading)
    g_cond_signal (&runtime->cond);
  g_mutex_unlock (&runtime->lock);

  jr_job_run (runtime->sender, request->job_id, request->name, request->args,
              request->cancellable, &request->cancel_requested);

  g_mutex_lock (&runtime->lock);
  runtime->current = NULL;
  keep_cancellable_locked (runtime, request);
  request_free (request);
  /* A thread waiting to end (or to run what came meanwhile) may go on.
   * A thread worker has only its own thread to run it. */
  if (runtime->read != NULL || runtime->n_waiting > 0)
    g_cond_broadcast (&runtime->cond);
}

/* A thread worker that just ran out of jobs watches for the next one
 * for up to SPIN_USEC before it sleeps, without the lock. The executor
 * hands a worker its next job as the main thread takes in the last one's
 * result: a few microseconds later when jobs are short. Waking a sleeping
 * thread costs the main thread a system call and, on a virtual machine,
 * an interrupt to another CPU: more than such a job. Called without the
 * lock. */
#define SPIN_USEC 20

static void
watch_for_job (JrWorkerRuntime *runtime,
               guint            n_pushed)
{
  gint64 deadline = g_get_monotonic_time () + SPIN_USEC;

  for (guint i = 1;; i++)
    {
      if ((guint) g_atomic_int_get (&runtime->n_pushed) != n_pushed)
        return;
      if (i % 64 == 0 && g_get_monotonic_time () >= deadline)
        return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause ();
#endif
    }
}

void
jr_worker_runtime_run (JrWorkerRuntime *runtime)
{
  gboolean ran = FALSE;

  g_mutex_lock (&runtime->lock);
  for (;;)
    {
      Request *request = NULL;

      /* One job at a time, whichever thread runs it. */
      if (runtime->current == NULL && (request = g_queue_pop_head (&runtime->queue)) != NULL)
        {
          run_locked (runtime, request);
          ran = TRUE;
          continue;
        }
      /* Quitting: once nothing is left to run, and nothing runs. */
      if (runtime->quit && g_queue_is_empty (&runtime->queue) && runtime->current == NULL)
        break;
      if (runtime->read != NULL && !runtime->reading && !runtime->quit)
        {
          g_autoptr(GCancellable) to_cancel = NULL;
          gboolean more;

          runtime->reading = TRUE;
          g_mutex_unlock (&runtime->lock);
          more = runtime->read (runtime, runtime->read_data);
          g_mutex_lock (&runtime->lock);
          runtime->reading = FALSE;
          if (!more)
            to_cancel = quit_locked (runtime);
          if (to_cancel != NULL)
            {
              g_mutex_unlock (&runtime->lock);
              g_cancellable_cancel (to_cancel);
              g_mutex_lock (&runtime->lock);
            }
          continue;
        }
      if (runtime->may_watch && ran && !runtime->quit)
        {
          guint n_pushed = (guint) g_atomic_int_get (&runtime->n_pushed);

          /* Once, then look again under the lock (a job may come as the
           * watch ends), and sleep if none came. */
          ran = FALSE;
          g_mutex_unlock (&runtime->lock);
          watch_for_job (runtime, n_pushed);
          g_mutex_lock (&runtime->lock);
          continue;
        }
      runtime->n_waiting++;
      g_cond_wait (&runtime->cond, &runtime->lock);
      runtime->n_waiting--;
      runtime->wake_sent = FALSE;
    }
  g_mutex_unlock (&runtime->lock);
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

void
jr_worker_set_process_priority (int      pid,
                                int      nice_value,
                                gboolean idle)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);
  gboolean found_new = TRUE;

  /* Threads it makes later inherit the setting of the one that makes
   * them; the main thread first, then the others. A thread made while
   * the list is read may be missing from it, with its maker's old
   * setting: read the list again until it holds no thread not seen. */
  jr_worker_set_priority (pid, nice_value, idle);
  g_hash_table_add (done, GINT_TO_POINTER (pid));
  for (int pass = 0; found_new && pass < 4; pass++)
    {
      g_autoptr(GDir) tasks = g_dir_open (path, 0, NULL);
      const char *name;

      found_new = FALSE;
      while (tasks != NULL && (name = g_dir_read_name (tasks)) != NULL)
        {
          int tid = atoi (name);

          if (tid > 0 && g_hash_table_add (done, GINT_TO_POINTER (tid)))
            {
              jr_worker_set_priority (tid, nice_value, idle);
              found_new = TRUE;
            }
        }
    }
}

const char *
jr_worker_signal_name (int sig)
{
  switch (sig)
    {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGBUS:  return "SIGBUS";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT:  return "SIGINT";
    default:      return "a signal";
    }
}

int
jr_worker_get_tid (void)
{
  return (int) syscall (SYS_gettid);
}
