/* jr-executor.c — jobs in a pool of worker processes or threads, seen
 * through futures on the main thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each job gets a pipe of the executor's router; its worker sends
 * STARTED, progress, yields and one last RESULT, ERROR or CANCELLED message
 * on it, so the future is done only after everything before has arrived.
 * The executor keeps jobs in its own priority queue and hands a worker at
 * most WORKER_DEPTH of them, so waiting jobs stay cancellable here. A
 * worker process that dies shows as the router's channel-closed signal,
 * after all its messages: its running job fails, its queued ones go back
 * to the queue, and the pool respawns (rate-limited).
 */
#include "jr-executor-private.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jr-future-private.h"
#include "jr-job-private.h"
#include "jr-worker-private.h"

#define WORKER_DEPTH            2
#define DEFAULT_CANCEL_GRACE    (3 * G_USEC_PER_SEC)
#define DEFAULT_WORKER_NICE     10
#define DEFAULT_WORKER_IDLE     FALSE
#define RESPAWN_WINDOW_USEC     G_USEC_PER_SEC
#define RESPAWN_DELAY_MS        250

typedef struct _Worker Worker;

typedef enum {
  TASK_BLOCKED,      /* waiting for dependencies */
  TASK_QUEUED,
  TASK_RETRY_WAIT,
  TASK_ASSIGNED,     /* handed to a worker */
  TASK_DONE,
} TaskPlace;

typedef struct {
  JrExecutor *executor;
  JrFuture   *future;
  char       *job;
  GVariant   *args;
  int         priority;
  guint       retries_left;
  gint64      backoff_usec;
  GPtrArray  *dependencies;
  guint       n_dependencies_left;

  TaskPlace   place;
  Worker     *worker;
  JrReceiver *receiver;
  guint64     sequence;      /* submission order, for ties in priority */
  gboolean    started;
  gboolean    recalling;     /* asked its worker to give it back */
  gboolean    abandoned;     /* thread job that ignored cancel: future ended */
  gint64      grace_deadline;
  GSource    *timer;         /* retry or grace */
  /* The latest progress not yet applied to the future; the message it
   * came in keeps its text alive. */
  GVariant   *pending_progress;
  double      pending_fraction;
  const char *pending_text;
  gulong      cancelled_id;
} Task;

typedef enum {
  WORKER_ALIVE,
  WORKER_QUITTING,
  WORKER_DEAD,
} WorkerState;

struct _Worker {
  JrExecutor      *executor;
  WorkerState      state;
  GQueue           tasks;            /* Task, in the order handed over */
  /* Process workers. */
  guint64          channel_id;
  GSubprocess     *process;
  int              request_fd;
  int              tid;              /* its (main) thread, for priorities; 0 until known */
  /* Thread workers. */
  GThread         *thread;
  JrWorkerRuntime *runtime;
};

struct _JrExecutor {
  GObject          parent_instance;

  JrTransport      transport;
  guint            max_workers;
  JrExecutorState  state;
  JrRouter        *router;
  GListStore      *jobs;
  GPtrArray       *workers;
  GQueue           queue;            /* Task, by priority then age */
  GPtrArray       *tasks;            /* every task not yet done */
  char            *program;
  gint64           cancel_grace;
  /* A thread worker applies its own priority as it starts, while the main
   * thread may be changing it: priority_lock orders the two, so that the
   * newer setting always wins. */
  GMutex           priority_lock;
  int              worker_nice;
  gboolean         worker_idle;
  GArray          *spawn_times;
  GSource         *respawn_timer;
  gulong           channel_closed_id;
  guint64          n_submitted;
  GPtrArray       *progress_dirty;   /* Task with pending progress */
  GSource         *progress_flush;   /* idle that applies it */
};

G_DEFINE_FINAL_TYPE (JrExecutor, jr_executor, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (JrExecutorState, jr_executor_state,
  G_DEFINE_ENUM_VALUE (JR_EXECUTOR_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (JR_EXECUTOR_STATE_STOPPING, "stopping"),
  G_DEFINE_ENUM_VALUE (JR_EXECUTOR_STATE_STOPPED, "stopped"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_TRANSPORT,
  PROP_MAX_WORKERS,
  PROP_JOBS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule (JrExecutor *self);
static void apply_progress (Task *task);

/* Timers and idles go to the executor's own main context (the one its
 * router delivers on), not to the global default one. */
static GSource *
add_source (JrExecutor  *self,
            int          priority,
            guint        timeout_ms,
            gboolean     idle,
            GSourceFunc  func,
            gpointer     data)
{
  GSource *source = idle ? g_idle_source_new () : g_timeout_source_new (timeout_ms);

  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, jr_router_get_context (self->router));
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
static void maybe_finish_stopping (JrExecutor *self);
static void spawn_workers (JrExecutor *self);

/* ---- tasks ---- */

static void
task_free (Task *task)
{
  clear_source (&task->timer);
  if (task->cancelled_id != 0)
    g_signal_handler_disconnect (jr_future_get_cancellable (task->future), task->cancelled_id);
  if (task->dependencies != NULL)
    {
      for (guint i = 0; i < task->dependencies->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (task->dependencies, i), task);
      g_ptr_array_unref (task->dependencies);
    }
  g_clear_pointer (&task->pending_progress, g_variant_unref);
  g_clear_object (&task->receiver);
  g_clear_object (&task->future);
  g_clear_pointer (&task->args, g_variant_unref);
  g_free (task->job);
  g_free (task);
}

static void
remove_from_model (JrExecutor *self,
                   JrFuture   *future)
{
  guint position;

  if (g_list_store_find (self->jobs, future, &position))
    g_list_store_remove (self->jobs, position);
}

/* The future has ended (or will never change again): it leaves the model. */
static void
future_ended (Task *task)
{
  remove_from_model (task->executor, task->future);
}

static void
close_task_pipe (Task *task)
{
  if (task->receiver == NULL)
    return;
  g_signal_handlers_disconnect_by_data (task->receiver, task);
  if (jr_router_get_running (task->executor->router))
    jr_router_close_pipe (task->executor->router, task->receiver, NULL);
  g_clear_object (&task->receiver);
}

/* Forgets the task: every message of it has arrived or never will. */
static void
task_finish (Task *task)
{
  JrExecutor *self = task->executor;

  apply_progress (task);
  if (task->worker != NULL)
    g_queue_remove (&task->worker->tasks, task);
  task->worker = NULL;
  g_queue_remove (&self->queue, task);
  close_task_pipe (task);
  task->place = TASK_DONE;
  future_ended (task);
  g_ptr_array_remove_fast (self->tasks, task);   /* frees it */
}

static void
fail_task (Task         *task,
           const GError *error)
{
  apply_progress (task);
  if (jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING)
    jr_future_mark_cancelled (task->future);
  else
    jr_future_fail (task->future, error);
}

static gint
compare_priority (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const Task *queued = a, *incoming = b;

  /* g_queue_insert_sorted() walks past elements while this is negative:
   * past those of higher priority, and of equal priority submitted before. */
  if (queued->priority != incoming->priority)
    return queued->priority > incoming->priority ? -1 : 1;
  return queued->sequence < incoming->sequence ? -1 : 1;
}

static gboolean send_request (Worker *worker, JrWorkerRequestKind kind, guint64 job_id,
                              const char *name, GVariant *args);
static void arm_grace (Task *task);

/* Jobs handed to a worker ahead of time but not started yet go back to the
 * queue when a job of higher priority arrives, so priority stays strict. */
static void
recall_lower (JrExecutor *self,
              int         priority)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);

      for (GList *l = worker->tasks.head; l != NULL; l = l->next)
        {
          Task *task = l->data;

          if (!task->started && !task->recalling && task->priority < priority &&
              task->receiver != NULL)
            {
              task->recalling = TRUE;
              send_request (worker, JR_WORKER_REQUEST_RECALL,
                            jr_receiver_get_connection_id (task->receiver), NULL, NULL);
            }
        }
    }
}

static void
enqueue (Task     *task,
         gboolean  requeue)
{
  JrExecutor *self = task->executor;

  /* A new job may take back lower ones handed out ahead of time; one that
   * comes back goes to its place by priority and age all the same. */
  if (!requeue)
    recall_lower (self, task->priority);
  task->recalling = FALSE;
  task->place = TASK_QUEUED;
  g_queue_insert_sorted (&self->queue, task, compare_priority, NULL);
  schedule (self);
}

/* ---- messages from a job ---- */

static gboolean
retry_due (gpointer data)
{
  Task *task = data;

  g_clear_pointer (&task->timer, g_source_unref);
  enqueue (task, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
should_retry (Task         *task,
              const GError *error)
{
  return task->retries_left > 0 &&
         jr_future_get_state (task->future) == JR_FUTURE_STATE_EXECUTING &&
         task->executor->state == JR_EXECUTOR_STATE_RUNNING &&
         g_error_matches (error, JR_JOB_ERROR, JR_JOB_ERROR_TRY_LATER);
}

/* Progress is applied to futures once per dispatch slice, not once per
 * message: a flood of updates then costs the main thread a store each, and
 * the future notifies the latest value. Any other message of the job first
 * applies the progress before it, so order is kept. */
static void
apply_progress (Task *task)
{
  g_autoptr(GVariant) message = g_steal_pointer (&task->pending_progress);
  const char *text = g_steal_pointer (&task->pending_text);

  if (message == NULL)
    return;
  /* A task is on the dirty list exactly while it has pending progress;
   * both are cleared before notifying: a handler may route again. */
  g_ptr_array_remove_fast (task->executor->progress_dirty, task);
  jr_future_set_progress (task->future, task->pending_fraction, text);
}

static gboolean
flush_progress (gpointer data)
{
  JrExecutor *self = data;

  g_clear_pointer (&self->progress_flush, g_source_unref);
  /* One at a time from the live list: a handler that finishes a task
   * takes it off the list itself. */
  while (self->progress_dirty->len > 0)
    apply_progress (g_ptr_array_steal_index_fast (self->progress_dirty,
                                                  self->progress_dirty->len - 1));
  return G_SOURCE_REMOVE;
}

static void
store_progress (Task       *task,
                GVariant   *message,
                double      fraction,
                const char *text)
{
  JrExecutor *self = task->executor;

  if (task->pending_progress == NULL)
    g_ptr_array_add (self->progress_dirty, task);
  g_clear_pointer (&task->pending_progress, g_variant_unref);
  task->pending_progress = g_variant_ref (message);
  task->pending_fraction = fraction;
  task->pending_text = text;

  /* Just after the router's dispatch slice, before its next one. */
  if (self->progress_flush == NULL)
    self->progress_flush = add_source (self, G_PRIORITY_DEFAULT_IDLE - 10, 0, TRUE,
                                       flush_progress, self);
}

static void
on_job_message (JrReceiver *receiver,
                GVariant   *message,
                gpointer    user_data)
{
  Task *task = user_data;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;
  JrJobMessageParts parts;

  if (!jr_job_message_parse (message, &parts))
    {
      g_warning ("Job %s sent a message of type %s; ignored", task->job,
                 g_variant_get_type_string (message));
      g_clear_pointer (&parts.payload, g_variant_unref);
      return;
    }
  payload = parts.payload;
  if (parts.tag != JR_JOB_MSG_PROGRESS)
    apply_progress (task);

  switch (parts.tag)
    {
    case JR_JOB_MSG_STARTED:
      task->started = TRUE;
      if (!jr_future_mark_started (task->future) &&
          jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING && task->timer == NULL)
        arm_grace (task);   /* cancelled while it was on its way */
      return;

    case JR_JOB_MSG_PROGRESS:
      store_progress (task, message, parts.fraction, parts.text);
      return;

    case JR_JOB_MSG_YIELD:
      jr_future_emit_yielded (task->future, payload);
      return;

    case JR_JOB_MSG_RESULT:
      if (!jr_future_complete (task->future, payload))
        jr_future_mark_cancelled (task->future);
      break;

    case JR_JOB_MSG_ERROR:
      error = jr_job_error_from_message (payload);
      if (should_retry (task, error))
        {
          /* Back to the queue after a pause; the future stays EXECUTING. */
          task->retries_left--;
          g_queue_remove (&task->worker->tasks, task);
          task->worker = NULL;
          task->started = FALSE;
          close_task_pipe (task);
          task->place = TASK_RETRY_WAIT;
          task->timer = add_source (task->executor, G_PRIORITY_DEFAULT,
                                    (guint) (task->backoff_usec / 1000), FALSE, retry_due, task);
          task->backoff_usec *= 2;
          schedule (task->executor);
          return;
        }
      fail_task (task, error);
      break;

    case JR_JOB_MSG_CANCELLED:
      jr_future_mark_cancelled (task->future);
      break;

    case JR_JOB_MSG_RETURNED:
      if (jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING)
        {
          jr_future_mark_cancelled (task->future);
          break;
        }
      g_queue_remove (&task->worker->tasks, task);
      task->worker = NULL;
      task->recalling = FALSE;
      close_task_pipe (task);
      task->place = TASK_QUEUED;
      g_queue_insert_sorted (&task->executor->queue, task, compare_priority, NULL);
      schedule (task->executor);
      return;

    default:
      g_warning ("Job %s sent an unknown message '%c'; ignored", task->job, parts.tag);
      return;
    }

  {
    JrExecutor *self = task->executor;

    task_finish (task);
    schedule (self);
    maybe_finish_stopping (self);
  }
}

/* ---- workers ---- */

static gboolean
send_request (Worker              *worker,
              JrWorkerRequestKind  kind,
              guint64              job_id,
              const char          *name,
              GVariant            *args)
{
  g_autoptr(GVariant) request = NULL;
  gsize size;
  g_autofree guint8 *buf = NULL;
  gsize off = 0;

  if (worker->runtime != NULL)
    {
      if (kind == JR_WORKER_REQUEST_CANCEL)
        jr_worker_runtime_cancel (worker->runtime, job_id);
      else if (kind == JR_WORKER_REQUEST_RECALL)
        jr_worker_runtime_recall (worker->runtime, job_id);
      else if (kind == JR_WORKER_REQUEST_QUIT)
        jr_worker_runtime_quit (worker->runtime);
      return TRUE;
    }

  request = g_variant_ref_sink (g_variant_new ("(yts@mv)", (guchar) kind, job_id, name ? name : "",
                                               g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
                                                                    args ? g_variant_new_variant (args) : NULL)));
  size = g_variant_get_size (request);
  /* An 8-byte size keeps the value 8-aligned for g_variant_store(). */
  buf = g_malloc (sizeof (guint64) + size);
  *(guint64 *) buf = size;
  g_variant_store (request, buf + sizeof (guint64));
  size += sizeof (guint64);

  /* A socket, not a pipe: MSG_NOSIGNAL keeps a dead worker from killing us
   * with SIGPIPE. Requests are small and the worker reads them at once. */
  while (off < size)
    {
      ssize_t n = send (worker->request_fd, buf + off, size - off, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;   /* the worker is dying: its channel will close */
      off += (gsize) n;
    }
  return TRUE;
}

static void
assign (Worker *worker,
        Task   *task)
{
  JrExecutor *self = worker->executor;
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(GError) error = NULL;
  guint64 id;

  if (!jr_router_pipe (self->router, &sender, &task->receiver, &error))
    {
      fail_task (task, error);
      task_finish (task);
      return;
    }
  id = jr_receiver_get_connection_id (task->receiver);
  g_signal_connect (task->receiver, "message", G_CALLBACK (on_job_message), task);

  task->place = TASK_ASSIGNED;
  task->worker = worker;
  task->started = FALSE;
  g_queue_push_tail (&worker->tasks, task);

  if (worker->runtime != NULL)
    jr_worker_runtime_push (worker->runtime, id, task->job, task->args, sender);
  else
    send_request (worker, JR_WORKER_REQUEST_RUN, id, task->job, task->args);
}

/* A worker normally holds one job. With a backlog larger than the pool, all
 * of one priority, it gets a second one queued behind: that saves a round
 * trip per job. A later job of higher priority recalls it (recall_lower). */
static Worker *
find_free_worker (JrExecutor *self)
{
  Worker *best = NULL;
  gboolean uniform = !g_queue_is_empty (&self->queue) &&
                     ((Task *) g_queue_peek_head (&self->queue))->priority ==
                     ((Task *) g_queue_peek_tail (&self->queue))->priority;
  guint depth = uniform && self->queue.length > self->workers->len ? WORKER_DEPTH : 1;

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);

      if (worker->state == WORKER_ALIVE && worker->tasks.length < depth &&
          (best == NULL || worker->tasks.length < best->tasks.length))
        best = worker;
    }
  return best;
}

static void
schedule (JrExecutor *self)
{
  Worker *worker;

  while (!g_queue_is_empty (&self->queue) && (worker = find_free_worker (self)) != NULL)
    {
      Task *task = g_queue_pop_head (&self->queue);

      assign (worker, task);
    }
}

static const char *
signal_name (int sig)
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

static GError *
describe_death (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    {
      int sig = g_subprocess_get_term_sig (process);

      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                          "The worker process was killed by %s (%d, %s)",
                          signal_name (sig), sig, g_strsignal (sig));
    }
  return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                      "The worker process exited with status %d",
                      g_subprocess_get_exit_status (process));
}

static void
worker_free (Worker *worker)
{
  if (worker->process != NULL && worker->state != WORKER_DEAD)
    {
      g_subprocess_force_exit (worker->process);
      g_subprocess_wait (worker->process, NULL, NULL);
    }
  g_clear_object (&worker->process);
  if (worker->request_fd >= 0)
    close (worker->request_fd);
  if (worker->thread != NULL)
    {
      jr_worker_runtime_quit (worker->runtime);
      g_thread_join (worker->thread);
    }
  g_clear_pointer (&worker->runtime, jr_worker_runtime_free);
  g_queue_clear (&worker->tasks);
  g_free (worker);
}

/* The worker is gone and all its messages are in: settle its tasks. */
static void
worker_died (Worker *worker)
{
  JrExecutor *self = worker->executor;
  g_autoptr(GError) error = NULL;
  GList *tasks = g_queue_peek_head_link (&worker->tasks);

  worker->state = WORKER_DEAD;
  /* Its queue closed: the process has exited (its status is already set
   * then, and a kill changes nothing) or it wrote garbage and the router
   * closed it, and then it must go. */
  g_subprocess_force_exit (worker->process);
  g_subprocess_wait (worker->process, NULL, NULL);
  error = describe_death (worker->process);

  worker->tasks.head = worker->tasks.tail = NULL;
  worker->tasks.length = 0;
  for (GList *l = tasks; l != NULL; l = l->next)
    {
      Task *task = l->data;

      task->worker = NULL;
      close_task_pipe (task);
      if (task->started || jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING ||
          task->abandoned)
        {
          fail_task (task, error);
          task_finish (task);
        }
      else
        enqueue (task, TRUE);   /* never ran: back in its place for another worker */
    }
  g_list_free (tasks);

  g_ptr_array_remove_fast (self->workers, worker);   /* frees it */

  if (self->state == JR_EXECUTOR_STATE_RUNNING)
    spawn_workers (self);
  schedule (self);
  maybe_finish_stopping (self);
}

static void
on_channel_closed (JrRouter *router,
                   guint64   channel_id,
                   gpointer  user_data)
{
  JrExecutor *self = user_data;

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);

      if (worker->process != NULL && worker->channel_id == channel_id)
        {
          worker_died (worker);
          return;
        }
    }
}

static gpointer
thread_worker_main (gpointer data)
{
  Worker *worker = data;
  JrExecutor *executor = worker->executor;

  g_mutex_lock (&executor->priority_lock);
  g_atomic_int_set (&worker->tid, jr_worker_get_tid ());
  jr_worker_set_priority (worker->tid, executor->worker_nice, executor->worker_idle);
  g_mutex_unlock (&executor->priority_lock);
  jr_worker_runtime_run (worker->runtime);
  return NULL;
}

static Worker *
spawn_thread_worker (JrExecutor *self,
                     GError    **error)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->executor = self;
  worker->request_fd = -1;
  worker->runtime = jr_worker_runtime_new ();
  worker->thread = g_thread_try_new ("jr-worker", thread_worker_main, worker, error);
  if (worker->thread == NULL)
    {
      worker_free (worker);
      return NULL;
    }
  return worker;
}

static Worker *
spawn_process_worker (JrExecutor *self,
                      GError    **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *argv[] = { self->program, NULL };
  Worker *worker;
  int pair[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not create a worker's request socket: %s", g_strerror (saved));
      return NULL;
    }

  worker = g_new0 (Worker, 1);
  worker->executor = self;
  worker->request_fd = pair[0];
  shutdown (pair[0], SHUT_RD);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdin_fd (launcher, pair[1]);
  g_subprocess_launcher_setenv (launcher, JR_WORKER_ENV, "1", TRUE);
  worker->channel_id = jr_router_prepare_launcher_full (self->router, launcher, error);
  if (worker->channel_id != 0)
    worker->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  /* Freed now: from here on the worker's exit shows as its channel closing. */
  g_clear_object (&launcher);

  if (worker->process == NULL)
    {
      worker->state = WORKER_DEAD;
      worker_free (worker);
      return NULL;
    }
  /* Set from here, not by the worker itself: every later change comes from
   * here too, so none can be overtaken by a worker still starting. */
  worker->tid = atoi (g_subprocess_get_identifier (worker->process));
  jr_worker_set_priority (worker->tid, self->worker_nice, self->worker_idle);
  return worker;
}

static gboolean
respawn_due (gpointer data)
{
  JrExecutor *self = data;

  g_clear_pointer (&self->respawn_timer, g_source_unref);
  spawn_workers (self);
  return G_SOURCE_REMOVE;
}

/* Brings the pool up to size, at most 2 × max_workers spawns a second so a
 * job that crashes every worker cannot turn the pool into a fork bomb. */
static void
spawn_workers (JrExecutor *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->state != JR_EXECUTOR_STATE_RUNNING || self->respawn_timer != NULL)
    return;

  while (self->spawn_times->len > 0 &&
         g_array_index (self->spawn_times, gint64, 0) < now - RESPAWN_WINDOW_USEC)
    g_array_remove_index (self->spawn_times, 0);

  while (self->workers->len < self->max_workers)
    {
      g_autoptr(GError) error = NULL;
      Worker *worker;

      if (self->spawn_times->len >= 2 * self->max_workers)
        {
          self->respawn_timer = add_source (self, G_PRIORITY_DEFAULT, RESPAWN_DELAY_MS, FALSE,
                                                respawn_due, self);
          return;
        }

      worker = self->transport == JR_TRANSPORT_PROCESSES
                 ? spawn_process_worker (self, &error)
                 : spawn_thread_worker (self, &error);
      if (worker == NULL)
        {
          g_warning ("Could not start a worker: %s", error->message);
          self->respawn_timer = add_source (self, G_PRIORITY_DEFAULT, RESPAWN_DELAY_MS, FALSE,
                                                respawn_due, self);
          return;
        }
      g_array_append_val (self->spawn_times, now);
      g_ptr_array_add (self->workers, worker);
    }
  schedule (self);
}

/* ---- cancel ---- */

static void
kill_worker (Worker *worker)
{
  if (worker->process != NULL)
    g_subprocess_force_exit (worker->process);   /* channel-closed follows */
}

static void
enforce_grace (Task *task)
{
  if (task->place != TASK_ASSIGNED || task->worker == NULL)
    return;

  if (task->worker->process != NULL)
    kill_worker (task->worker);
  else if (!task->abandoned)
    {
      /* A thread cannot be killed: end the future now and let the thread
       * finish in its own time; its messages are dropped quietly. */
      task->abandoned = TRUE;
      jr_future_mark_cancelled (task->future);
      future_ended (task);
    }
}

static gboolean
grace_expired (gpointer data)
{
  Task *task = data;

  g_clear_pointer (&task->timer, g_source_unref);
  enforce_grace (task);
  return G_SOURCE_REMOVE;
}

/* A running job that was cancelled has this long to stop. */
static void
arm_grace (Task *task)
{
  JrExecutor *self = task->executor;

  task->grace_deadline = g_get_monotonic_time () + self->cancel_grace;
  clear_source (&task->timer);
  task->timer = add_source (self, G_PRIORITY_DEFAULT, (guint) (self->cancel_grace / 1000), FALSE,
                            grace_expired, task);
}

static void
on_future_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Task *task = user_data;
  JrExecutor *self = task->executor;

  switch (task->place)
    {
    case TASK_BLOCKED:
    case TASK_QUEUED:
    case TASK_RETRY_WAIT:
      /* Never reached a worker (or is between tries): ends right here. */
      jr_future_mark_cancelled (task->future);
      task_finish (task);
      maybe_finish_stopping (self);
      break;

    case TASK_ASSIGNED:
      {
        guint64 id = jr_receiver_get_connection_id (task->receiver);

        /* Not started: take it back (it then ends here). Should it start
         * meanwhile, the cancel behind the recall reaches it. */
        if (!task->started)
          send_request (task->worker, JR_WORKER_REQUEST_RECALL, id, NULL, NULL);
        send_request (task->worker, JR_WORKER_REQUEST_CANCEL, id, NULL, NULL);
        if (task->started)
          arm_grace (task);
      }
      break;

    case TASK_DONE:
    default:
      break;
    }
}

/* ---- dependencies ---- */

static void
on_dependency_done (JrFuture   *dependency,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  Task *task = user_data;

  if (!jr_future_get_done (dependency) || task->place != TASK_BLOCKED)
    return;

  if (jr_future_get_state (dependency) != JR_FUTURE_STATE_COMPLETED)
    {
      JrExecutor *self = task->executor;
      g_autoptr(GError) error = g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED,
                                             "The job “%s” it depends on did not complete",
                                             jr_future_get_title (dependency));

      jr_future_fail (task->future, error);
      task_finish (task);
      maybe_finish_stopping (self);
      return;
    }

  if (--task->n_dependencies_left == 0)
    enqueue (task, FALSE);
}

/* ---- executor ---- */

static void
set_state (JrExecutor      *self,
           JrExecutorState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
maybe_finish_stopping (JrExecutor *self)
{
  gboolean workers_left = FALSE;

  if (self->state != JR_EXECUTOR_STATE_STOPPING || self->tasks->len > 0)
    return;

  clear_source (&self->respawn_timer);

  for (guint i = self->workers->len; i > 0; i--)
    {
      Worker *worker = g_ptr_array_index (self->workers, i - 1);

      if (worker->thread != NULL)
        {
          g_ptr_array_remove_index_fast (self->workers, i - 1);   /* joins it */
          continue;
        }
      if (worker->state == WORKER_ALIVE)
        {
          worker->state = WORKER_QUITTING;
          /* EOF on its requests: the worker finishes and exits. */
          shutdown (worker->request_fd, SHUT_WR);
        }
      workers_left = TRUE;
    }

  if (workers_left)
    return;

  if (jr_router_get_running (self->router))
    jr_router_stop (self->router, NULL);
  set_state (self, JR_EXECUTOR_STATE_STOPPED);
}

static void
jr_executor_dispose (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);

  if (self->workers != NULL)
    {
      /* Dropped while jobs run: cancel, kill and reap worker processes.
       * A worker thread is joined: one whose job ignores cancellation
       * holds this up until that job returns. */
      jr_executor_stop (self);
      while (self->tasks->len > 0)
        {
          Task *task = g_ptr_array_index (self->tasks, 0);

          jr_future_mark_cancelled (task->future);
          task_finish (task);
        }
      g_clear_pointer (&self->workers, g_ptr_array_unref);
    }
  if (self->router != NULL && jr_router_get_running (self->router))
    jr_router_stop (self->router, NULL);
  g_clear_signal_handler (&self->channel_closed_id, self->router);
  clear_source (&self->respawn_timer);
  clear_source (&self->progress_flush);
  G_OBJECT_CLASS (jr_executor_parent_class)->dispose (object);
}

static void
jr_executor_finalize (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);

  g_clear_object (&self->router);
  g_clear_object (&self->jobs);
  g_clear_pointer (&self->tasks, g_ptr_array_unref);
  g_clear_pointer (&self->spawn_times, g_array_unref);
  g_clear_pointer (&self->progress_dirty, g_ptr_array_unref);
  g_queue_clear (&self->queue);
  g_free (self->program);
  g_mutex_clear (&self->priority_lock);
  G_OBJECT_CLASS (jr_executor_parent_class)->finalize (object);
}

static void
jr_executor_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JrExecutor *self = JR_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_MAX_WORKERS:
      g_value_set_uint (value, self->max_workers);
      break;
    case PROP_JOBS:
      g_value_set_object (value, self->jobs);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_executor_class_init (JrExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jr_executor_dispose;
  object_class->finalize = jr_executor_finalize;
  object_class->get_property = jr_executor_get_property;

  /**
   * JrExecutor:state:
   *
   * RUNNING, then STOPPING after [method@Jr.Executor.stop], then STOPPED
   * once every job is done and every worker gone.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, JR_TYPE_EXECUTOR_STATE, JR_EXECUTOR_STATE_RUNNING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:transport:
   *
   * Worker processes or worker threads.
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, JR_TYPE_TRANSPORT, JR_TRANSPORT_PROCESSES,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:max-workers:
   *
   * The size of the pool.
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_uint ("max-workers", NULL, NULL, 1, G_MAXUINT, 1,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:jobs:
   *
   * The futures not yet done, in submission order (a [iface@Gio.ListModel]).
   */
  properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jr_executor_init (JrExecutor *self)
{
  self->jobs = g_list_store_new (JR_TYPE_FUTURE);
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  self->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) task_free);
  self->spawn_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->progress_dirty = g_ptr_array_new ();
  self->cancel_grace = DEFAULT_CANCEL_GRACE;
  self->worker_nice = DEFAULT_WORKER_NICE;
  self->worker_idle = DEFAULT_WORKER_IDLE;
  g_mutex_init (&self->priority_lock);
  g_queue_init (&self->queue);
}

/**
 * jr_executor_new:
 * @transport: %JR_TRANSPORT_PROCESSES for a pool of worker processes (this
 *   program run again; see [func@Jr.init]), %JR_TRANSPORT_THREADS for
 *   worker threads in this process
 * @max_workers: the size of the pool; 0 for the number of CPUs
 *
 * Makes an executor on the thread-default main context and starts its
 * workers.
 *
 * Returns: (transfer full): a new executor
 */
JrExecutor *
jr_executor_new (JrTransport transport,
                 guint       max_workers)
{
  g_autoptr(GError) error = NULL;
  JrExecutor *self = g_object_new (JR_TYPE_EXECUTOR, NULL);

  self->transport = transport;
  self->max_workers = max_workers > 0 ? max_workers : (guint) MAX (g_get_num_processors (), 1);
  self->program = g_file_read_link ("/proc/self/exe", NULL);
  self->router = jr_router_new (transport, NULL);
  if (!jr_router_start (self->router, &error))
    g_critical ("Could not start the executor's router: %s", error->message);
  self->channel_closed_id = g_signal_connect (self->router, "channel-closed",
                                              G_CALLBACK (on_channel_closed), self);
  spawn_workers (self);
  return self;
}

static gboolean
check_submit (JrExecutor  *self,
              const char  *job,
              GVariant    *args,
              GError     **error)
{
  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                   "The executor is %s and takes no more jobs",
                   self->state == JR_EXECUTOR_STATE_STOPPING ? "stopping" : "stopped");
      return FALSE;
    }
  if (args != NULL && g_variant_get_size (args) > JR_MESSAGE_SIZE_MAX)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS,
                   "The arguments of “%s” are larger than %u bytes", job, JR_MESSAGE_SIZE_MAX);
      return FALSE;
    }
  return jr_job_registry_check (job, args, error);
}

/**
 * jr_executor_submit_full:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @options: (nullable): kind, title, dependencies, retries, priority
 * @error: return location for an error
 *
 * Submits a job. Fails on the spot for an unknown or unavailable job,
 * arguments of the wrong type, or an executor that is stopping.
 *
 * Returns: (transfer full) (nullable): the job's future
 */
JrFuture *
jr_executor_submit_full (JrExecutor          *self,
                         const char          *job,
                         GVariant            *args,
                         const JrJobOptions  *options,
                         GError             **error)
{
  g_autoptr(GVariant) owned_args = NULL;
  Task *task;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  if (args != NULL)
    owned_args = g_variant_ref_sink (args);
  if (!check_submit (self, job, owned_args, error))
    return NULL;

  task = g_new0 (Task, 1);
  task->executor = self;
  task->sequence = ++self->n_submitted;
  task->job = g_strdup (job);
  task->args = g_steal_pointer (&owned_args);
  task->future = jr_future_new (job, options ? options->kind : JR_JOB_KIND_CALL);
  if (options != NULL)
    {
      if (options->title != NULL)
        jr_future_set_title (task->future, options->title);
      task->priority = options->priority;
      task->retries_left = options->max_retries;
      task->backoff_usec = MAX (options->first_backoff_usec, 1000);
    }
  g_ptr_array_add (self->tasks, task);
  g_list_store_append (self->jobs, task->future);
  /* After the future's own handler, which moves it to CANCELLING. */
  task->cancelled_id = g_signal_connect (jr_future_get_cancellable (task->future), "cancelled",
                                         G_CALLBACK (on_future_cancelled), task);

  task->place = TASK_BLOCKED;
  if (options != NULL && options->dependencies->len > 0)
    {
      JrFuture *failed = NULL;

      for (guint i = 0; i < options->dependencies->len; i++)
        {
          JrFuture *dependency = g_ptr_array_index (options->dependencies, i);

          if (!jr_future_get_done (dependency))
            task->n_dependencies_left++;
          else if (jr_future_get_state (dependency) != JR_FUTURE_STATE_COMPLETED)
            failed = dependency;
        }

      if (failed != NULL)
        {
          JrFuture *future = g_object_ref (task->future);
          g_autoptr(GError) dependency_error =
            g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_DEPENDENCY_FAILED,
                         "The job “%s” it depends on did not complete",
                         jr_future_get_title (failed));

          jr_future_fail (future, dependency_error);
          task_finish (task);
          return future;
        }

      if (task->n_dependencies_left > 0)
        {
          task->dependencies = g_ptr_array_new_with_free_func (g_object_unref);
          for (guint i = 0; i < options->dependencies->len; i++)
            {
              JrFuture *dependency = g_ptr_array_index (options->dependencies, i);

              if (jr_future_get_done (dependency))
                continue;
              g_ptr_array_add (task->dependencies, g_object_ref (dependency));
              g_signal_connect (dependency, "notify::done", G_CALLBACK (on_dependency_done), task);
            }
          return g_object_ref (task->future);
        }
    }

  enqueue (task, FALSE);
  return g_object_ref (task->future);
}

/**
 * jr_executor_submit_call:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job whose future gets one result.
 *
 * Returns: (transfer full) (nullable): the job's future
 */
JrFuture *
jr_executor_submit_call (JrExecutor  *self,
                         const char  *job,
                         GVariant    *args,
                         GError     **error)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);

  return jr_executor_submit_full (self, job, args, options, error);
}

/**
 * jr_executor_submit_progress:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job that reports progress with [func@Jr.job_progress].
 *
 * Returns: (transfer full) (nullable): the job's future
 */
JrFuture *
jr_executor_submit_progress (JrExecutor  *self,
                             const char  *job,
                             GVariant    *args,
                             GError     **error)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_PROGRESS);

  return jr_executor_submit_full (self, job, args, options, error);
}

/**
 * jr_executor_submit_iteration:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job that yields values with [func@Jr.job_yield]; each one is
 * emitted as [signal@Jr.Future::yielded].
 *
 * Returns: (transfer full) (nullable): the job's future
 */
JrFuture *
jr_executor_submit_iteration (JrExecutor  *self,
                              const char  *job,
                              GVariant    *args,
                              GError     **error)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_ITERATION);

  return jr_executor_submit_full (self, job, args, options, error);
}

/**
 * jr_executor_stop:
 * @self: an executor
 *
 * Stops taking jobs and cancels every one not done, without waiting. The
 * state goes to STOPPING, then to STOPPED once every job has ended and every
 * worker is gone (while the main context runs).
 */
void
jr_executor_stop (JrExecutor *self)
{
  g_autoptr(GPtrArray) futures = NULL;

  g_return_if_fail (JR_IS_EXECUTOR (self));

  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    return;

  set_state (self, JR_EXECUTOR_STATE_STOPPING);
  clear_source (&self->respawn_timer);

  futures = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->tasks->len; i++)
    g_ptr_array_add (futures, g_object_ref (((Task *) g_ptr_array_index (self->tasks, i))->future));
  for (guint i = 0; i < futures->len; i++)
    jr_future_cancel (g_ptr_array_index (futures, i));

  maybe_finish_stopping (self);
}

static gboolean
is_stopped (gpointer data)
{
  return JR_EXECUTOR (data)->state == JR_EXECUTOR_STATE_STOPPED;
}

/* route_until() does not run timers, so shutdown looks at grace deadlines
 * itself between slices. */
static void
enforce_due_graces (JrExecutor *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (self->tasks, i);

      if (task->grace_deadline != 0 && task->grace_deadline <= now)
        {
          task->grace_deadline = 0;
          enforce_grace (task);
        }
    }
}

/**
 * jr_executor_shutdown:
 * @self: an executor
 * @timeout_usec: how long to wait at most, in µs; negative for no limit
 * @error: return location for an error
 *
 * Stops the executor and drives its router by hand (no main loop needed)
 * until every job has ended and every worker is gone. Jobs that ignore
 * cancellation are killed after the grace period. May be called again
 * after a timeout.
 *
 * Returns: %TRUE once STOPPED, or %FALSE with %JR_ROUTER_ERROR_TIMED_OUT
 */
gboolean
jr_executor_shutdown (JrExecutor  *self,
                      gint64       timeout_usec,
                      GError     **error)
{
  gint64 deadline;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);

  jr_executor_stop (self);
  deadline = timeout_usec < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_usec;

  while (self->state != JR_EXECUTOR_STATE_STOPPED)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 now = g_get_monotonic_time ();
      gint64 slice = MIN (deadline - now, 50 * 1000);

      if (slice < 0)
        slice = 0;
      if (jr_router_route_until (self->router, is_stopped, self, slice, &local_error))
        break;
      if (!g_error_matches (local_error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT))
        {
          /* The router stopped under us: only the state tells. */
          if (self->state == JR_EXECUTOR_STATE_STOPPED)
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      enforce_due_graces (self);
      maybe_finish_stopping (self);
      if (self->state == JR_EXECUTOR_STATE_STOPPED)
        break;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                       "%u job%s still running after %" G_GINT64_FORMAT " ms",
                       self->tasks->len, self->tasks->len == 1 ? "" : "s", timeout_usec / 1000);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * jr_executor_get_state:
 * @self: an executor
 *
 * Returns: the executor's state
 */
JrExecutorState
jr_executor_get_state (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), JR_EXECUTOR_STATE_STOPPED);
  return self->state;
}

/**
 * jr_executor_get_jobs:
 * @self: an executor
 *
 * Returns: (transfer none): a list model of the [class@Jr.Future]s not yet
 *   done, in submission order; a future leaves it when it is done
 */
GListModel *
jr_executor_get_jobs (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

/**
 * jr_executor_get_transport:
 * @self: an executor
 *
 * Returns: where the workers run
 */
JrTransport
jr_executor_get_transport (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), JR_TRANSPORT_THREADS);
  return self->transport;
}

/**
 * jr_executor_get_max_workers:
 * @self: an executor
 *
 * Returns: the size of the pool
 */
guint
jr_executor_get_max_workers (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  return self->max_workers;
}

/**
 * jr_executor_get_n_workers:
 * @self: an executor
 *
 * Returns: how many worker processes or threads exist right now
 */
guint
jr_executor_get_n_workers (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  return self->workers ? self->workers->len : 0;
}

/**
 * jr_executor_set_cancel_grace:
 * @self: an executor
 * @grace_usec: how long a cancelled job may take to stop before its worker
 *   is killed (default 3 s)
 */
void
jr_executor_set_cancel_grace (JrExecutor *self,
                              gint64      grace_usec)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  self->cancel_grace = MAX (grace_usec, 0);
}

static void
set_worker_priority (JrExecutor *self,
                     int         nice,
                     gboolean    idle)
{
  g_mutex_lock (&self->priority_lock);
  self->worker_nice = nice;
  self->worker_idle = idle;
  for (guint i = 0; self->workers != NULL && i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);
      int tid = g_atomic_int_get (&worker->tid);

      if (tid > 0 && worker->state == WORKER_ALIVE)
        jr_worker_set_priority (tid, nice, idle);
    }
  g_mutex_unlock (&self->priority_lock);
}

/**
 * jr_executor_set_worker_nice:
 * @self: an executor
 * @nice: the nice value of the workers (default 10; 0 keeps the parent's
 *   priority)
 *
 * Workers run at a lower CPU priority than the GUI so that a busy pool
 * cannot starve the window. Applies to running workers and later ones.
 */
void
jr_executor_set_worker_nice (JrExecutor *self,
                             int         nice)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  set_worker_priority (self, CLAMP (nice, 0, 19), self->worker_idle);
}

/**
 * jr_executor_set_worker_idle:
 * @self: an executor
 * @idle: whether workers run under SCHED_IDLE
 *
 * With SCHED_IDLE (Linux) the workers run only when nothing else wants the
 * processor, as desktop indexers do: a GUI stays smoothest, at some cost in
 * the pool's throughput while the GUI is busy. Off by default. Applies to
 * running workers and later ones.
 */
void
jr_executor_set_worker_idle (JrExecutor *self,
                             gboolean    idle)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  set_worker_priority (self, self->worker_nice, !!idle);
}
