/* jr-executor.c — jobs in a pool of worker processes or threads, seen
 * through futures on the main thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor keeps the jobs (tasks) and their futures; its pool
 * (jr-worker-pool.c) keeps the workers. Waiting tasks sit in a priority
 * queue here, and a worker is handed only one or a few of them ahead of
 * time (find_free_slot()), so that waiting jobs stay cancellable here. Each worker reports on its own pipe:
 * STARTED, progress, yields and one last RESULT, ERROR or CANCELLED per
 * job, so a future is done only after everything before has arrived.
 *
 * The pool is made of groups (jr-worker-pool.c, one pool each): a
 * launcher and a size. "local" is the executor's own (its transport and
 * max-workers); jr_executor_add_group() adds more, whose workers may run
 * on other machines. A job whose kind reads local paths
 * (JR_JOB_PLACEMENT_LOCAL_PATHS) waits in a queue of its own that only
 * groups with shared paths take from; a job that may run anywhere waits
 * in the other, that every group takes from. A worker takes the better of
 * the heads it may take (priority, then age), so priority holds per
 * worker.
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
#include "jr-executor-private.h"

#include "jr-future-private.h"
#include "jr-future-waiters-private.h"
#include "jr-job-message-private.h"
#include "jr-job-private.h"
#include "jr-jobs-model-private.h"
#include "jr-router-private.h"
#include "jr-task-queue-private.h"
#include "jr-worker-pool-private.h"
#include "jr-worker-private.h"
#include "jr-worker-request-private.h"

#include <string.h>

/* Jobs a worker may hold ahead of time, with a backlog of one priority: a
 * second one saves it waiting a round trip for its next job; short jobs
 * (SHORT_JOB_USEC on average) get up to WORKER_DEPTH, which keeps a
 * worker busy while the executor is still taking in the last results.
 * Longer jobs get fewer: a job held by a busy worker is not run by an
 * idle one. */
#define WORKER_DEPTH            4
#define SHORT_JOB_USEC          1000
#define DEFAULT_CANCEL_GRACE    (3 * G_USEC_PER_SEC)
#define DEFAULT_WORKER_NICE     10
/* Just after the router's dispatch slice (G_PRIORITY_DEFAULT_IDLE), before
 * its next one. */
#define PROGRESS_FLUSH_PRIORITY (G_PRIORITY_DEFAULT_IDLE - 10)
/* Ends that came inside an application's call are delivered this soon. */
#define ENDINGS_PRIORITY        G_PRIORITY_DEFAULT

typedef enum {
  TASK_BLOCKED,      /* waiting for dependencies */
  TASK_QUEUED,
  TASK_RETRY_WAIT,
  TASK_ASSIGNED,     /* handed to a worker */
  TASK_ENDED,        /* its future's end is being delivered */
} TaskPlace;

typedef enum {
  END_COMPLETED,
  END_FAILED,
  END_CANCELLED,
} TaskEnd;

typedef struct _Slot Slot;

/* One group of workers: a launcher and a size, in a pool of its own. */
typedef struct {
  char          *name;
  JrLauncher    *launcher;
  JrWorkerPool  *pool;
  gboolean       shared_paths;   /* takes jobs that read local paths */
  /* Nameless: its workers end, then an idle frees it (sweep_due()), never
   * from under a callback of its pool that is still on the stack (a
   * future's handler may remove or add groups, or iterate the main
   * context). */
  gboolean       removed;
} Group;

typedef struct {
  JrQueueEntry   entry;          /* priority; sequence = the job's id */
  guint          ref_count;
  JrExecutor    *executor;
  JrFuture      *future;
  const char    *job;            /* the registry's: lives as long as the program */
  GVariant      *args;
  gboolean       anywhere;       /* JR_JOB_PLACEMENT_ANYWHERE: any group may run it */
  guint          retries_left;
  gint64         backoff_usec;
  GPtrArray     *dependency_waits;  /* JrFutureWait on each job it waits
                                   * for (which holds that future); NULL
                                   * once heard; the array while blocked */
  guint          n_dependencies_left;
  GSequenceIter *model_place;
  GList          link;           /* in the executor's tasks, then its endings */

  TaskPlace      place;
  Slot          *slot;
  gboolean       started;
  gboolean       recalling;      /* asked its worker to give it back */
  gint64         grace_deadline;
  gboolean       grace_waited;   /* for messages already on their way */
  GSource       *timer;          /* retry or grace */

  /* The latest progress not yet applied to the future; the message it
   * came in keeps its text alive. */
  GVariant      *pending_progress;
  double         pending_fraction;
  const char    *pending_text;
  gboolean       progress_dirty;

  TaskEnd        end;
  GVariant      *result;
  GError        *error;
} Task;

/* The executor's view of one worker: the tasks handed to it. */
struct _Slot {
  JrPoolWorker  *worker;
  Task          *tasks[WORKER_DEPTH];
  guint          n_tasks;
  Group         *group;
  gboolean       retiring;       /* its group shrank: no new tasks, ends once empty */
  gboolean       asked_to_end;
};

struct _JrExecutor {
  GObject          parent_instance;

  JrTransport      transport;
  guint            max_workers;
  char           **worker_argv;
  gboolean         local_group;
  JrExecutorState  state;
  JrRouter        *router;
  GPtrArray       *groups;           /* Group; "local" first */
  GPtrArray       *slots;            /* Slot, one per worker taking jobs */
  JrJobsModel     *jobs;
  JrTaskQueue     *queue;            /* waiting tasks that read local paths */
  JrTaskQueue     *queue_anywhere;   /* waiting tasks that may run anywhere */
  GQueue           tasks;            /* Task not ended, by their link */
  JrFutureWaiters *waiters;          /* tasks waiting for other jobs */
  GQueue           endings;          /* Task ended, future not yet told */
  GSource         *endings_source;   /* ready while endings wait, or a stop */
  gboolean         stop_pending;
  guint64          n_submitted;
  gint64           cancel_grace;
  int              worker_nice;
  gboolean         worker_idle;
  GError          *worker_error;
  gint64           run_time_avg;     /* of recent jobs, STARTED to end, µs */
  GPtrArray       *progress_dirty;   /* Task (a reference each) */
  GSource         *progress_flush;
  GSource         *workers_check;    /* fail_if_no_workers() after a resize */
  /* Removed groups are freed by an idle (sweep), and only while none of
   * the pools' callbacks is on the stack: a future's handler run from one
   * may iterate the main context. */
  GSource         *sweep;
  guint            in_pool_callback;
  gboolean         sweep_wanted;
  gboolean         retired;
  GThread         *owner;            /* made it: its main context's thread */
  gboolean         dispose_deferred; /* dropped elsewhere, disposed by its context */
};

/**
 * JrExecutor:
 *
 * Runs registered jobs in a pool of worker processes or threads, and
 * hands back a [class@Jr.Future] for each.
 *
 * Register the job kinds with [func@Jr.register_job_full] and call
 * [func@Jr.init] first thing in `main()`. Then make an executor with
 * [ctor@Jr.Executor.new] (or `g_object_new()` with its construct-only
 * properties), submit jobs with [method@Jr.Executor.submit_call],
 * [method@Jr.Executor.submit_progress],
 * [method@Jr.Executor.submit_iteration] or
 * [method@Jr.Executor.submit_full], and bind the futures' properties to
 * widgets. [property@Jr.Executor:jobs] lists the futures not yet done;
 * the [JrUi widgets](../jobrouter-ui-1/index.html) show them.
 * [method@Jr.Executor.stop] and [method@Jr.Executor.shutdown] end it,
 * leaving no worker, thread or file descriptor behind.
 *
 * ## Workers
 *
 * The workers start with the executor. With %JR_TRANSPORT_PROCESSES a
 * worker is this program run again (or
 * [property@Jr.Executor:worker-argv]), which takes up its work in
 * [func@Jr.init]; workers run at nice 10 by default
 * ([method@Jr.Executor.set_worker_nice],
 * [method@Jr.Executor.set_worker_idle]) and die with their parent. A
 * worker that crashes fails only the job it was running, with
 * %JR_JOB_ERROR_WORKER_CRASHED; jobs it had queued go to another worker,
 * and the pool starts a new one (a few a second at most). When workers
 * cannot start at all, the pool gives up after 3 tries in a row, jobs
 * waiting for a worker fail with %JR_JOB_ERROR_NO_WORKER, and
 * [property@Jr.Executor:worker-error] says why.
 *
 * ## Threads
 *
 * An executor belongs to the thread-default main context of the thread
 * that made it: its *main context*. Call the executor's functions, and
 * those of its futures, on that thread only. Its last reference may go on
 * any thread (Python's garbage collector drops it wherever it runs, a
 * job's thread included): it is then disposed on its own thread, when its
 * main context next dispatches. Its futures' properties
 * change, and their signals and the jobs model's are emitted, only there,
 * while that context runs: in a main loop, or by hand in
 * [method@Jr.Executor.shutdown] and [method@Jr.Future.wait].
 *
 * Job functions run elsewhere: in a worker thread, or in a worker
 * process. They see only their arguments and their [struct@Jr.Job].
 *
 * ## When futures end
 *
 * Nothing completes inside your own call (GTask's rule): no future
 * becomes done, notifies its end or leaves [property@Jr.Executor:jobs]
 * inside a call you made (a submit, a cancel, a stop). That happens when
 * the main context next dispatches: right after the router delivered the
 * message that ended the job, or from an idle for an end that came inside
 * your call. [method@Jr.Future.cancel] moves the future to
 * %JR_FUTURE_STATE_CANCELLING at once. So a loop that cancels every job
 * of the jobs model, by index, reaches every job, and a handler of any of
 * these notifications may do anything, stopping or shutting down the
 * executor included.
 *
 * Progress is applied to a future once per dispatch of the main context,
 * not once per report: the future shows the latest report delivered, and
 * any other message of the job applies the pending progress first, so
 * order holds. The [architecture](architecture.html) page follows a
 * report from the job to a progress bar; [guarantees](guarantees.html)
 * lists what holds whatever a job or a worker does.
 *
 * Since: 0.1
 */
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
  PROP_WORKER_ERROR,
  PROP_WORKER_ARGV,
  PROP_LOCAL_GROUP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule (JrExecutor *self);
static void enqueue (Task *task, gboolean returning);
static void deliver_endings (JrExecutor *self);
static void on_future_cancel (JrFuture *future, gpointer data);
static void fail_if_no_workers (JrExecutor *self);
static void refill_given_up (JrExecutor *self, gboolean anywhere);
static void refresh_worker_error (JrExecutor *self);
static void schedule_sweep (JrExecutor *self);
static void check_workers_soon (JrExecutor *self);
static void stop_waiting (Task *task);
static void on_dependency_done (JrFuture *dependency, JrFutureWait *wait, gpointer user_data);

/* Results up to this size are copied out of the block they came in. */
#define RESULT_COPY_MAX (16u * 1024u)

/* Timers and idles go to the executor's own main context (the one its
 * router delivers on), not to the global default one. */
static JrTaskQueue *
queue_of (Task *task)
{
  return task->anywhere ? task->executor->queue_anywhere : task->executor->queue;
}

/* Whether workers of @group may run tasks that may run @anywhere, or
 * read local paths. */
static gboolean
group_takes (Group    *group,
             gboolean  anywhere)
{
  return anywhere || group->shared_paths;
}

static Task *
task_of (JrQueueEntry *entry)
{
  return G_STRUCT_MEMBER_P (entry, -G_STRUCT_OFFSET (Task, entry));
}

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
  g_source_set_static_name (source, "[jobrouter] executor");
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

/* The longest a grace period or a retry's pause waits: what a GLib
 * timeout in milliseconds can (49 days). Longer is as good as never. */
#define MAX_WAIT_USEC ((gint64) G_MAXUINT * 1000)

static guint
usec_to_timeout_ms (gint64 usec)
{
  return (guint) (CLAMP (usec, 0, MAX_WAIT_USEC) / 1000);
}

static Task *
task_ref (Task *task)
{
  task->ref_count++;
  return task;
}

static void
task_unref (Task *task)
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

static void
set_state (JrExecutor      *self,
           JrExecutorState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ---- progress ---- */

/* Progress is applied to futures once per dispatch slice, not once per
 * message: a flood of updates then costs the main thread a store each, and
 * the future notifies the latest value. Any other message of the job first
 * applies the progress before it, so order is kept. */
static void
apply_progress (Task *task)
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
      apply_progress (task);
      task_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
store_progress (Task       *task,
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
      g_ptr_array_add (self->progress_dirty, task_ref (task));
    }
  g_clear_pointer (&task->pending_progress, g_variant_unref);
  task->pending_progress = g_variant_ref (message);
  task->pending_fraction = fraction;
  task->pending_text = text;

  if (self->progress_flush == NULL)
    self->progress_flush = add_source (self, PROGRESS_FLUSH_PRIORITY, 0, TRUE, flush_progress, self);
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

static Task *
slot_find (Slot    *slot,
           guint64  job_id)
{
  for (guint i = 0; i < slot->n_tasks; i++)
    if (slot->tasks[i]->entry.sequence == job_id)
      return slot->tasks[i];
  return NULL;
}

/* The task is no longer with any worker. */
static void
unassign_task (Task *task)
{
  if (task->slot != NULL)
    slot_remove (task->slot, task);
  task->slot = NULL;
  task->started = FALSE;
  task->recalling = FALSE;
  task->grace_deadline = 0;
}

/* ---- ending a task ---- */

/* The task is over for the executor: out of the queue, off its worker, its
 * handlers gone. Its future hears of it at the next dispatch. */
static void
task_end (Task         *task,
          TaskEnd       end,
          GVariant     *result,
          const GError *error)
{
  JrExecutor *self = task->executor;

  if (task->place == TASK_ENDED)
    return;

  unassign_task (task);
  jr_task_queue_remove (queue_of (task), &task->entry);
  clear_source (&task->timer);
  stop_waiting (task);
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

static void
fail_task (Task         *task,
           const GError *error)
{
  task_end (task, END_FAILED, NULL, error);
}

/* Moves the future to the one done state its task ended in. */
static void
finish_future (Task *task)
{
  JrFuture *future = task->future;
  JrFutureState state = jr_future_get_state (future);

  apply_progress (task);
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

static void maybe_finish_stopping (JrExecutor *self);

/* Tells the futures of ended tasks, in the order their tasks ended, and
 * takes them out of the jobs model. Handlers may call anything, this
 * included. */
static void
deliver_endings (JrExecutor *self)
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
      task_unref (task);
    }
  maybe_finish_stopping (self);
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
  deliver_endings (((EndingsSource *) source)->executor);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs endings_source_funcs = {
  .prepare = endings_source_prepare,
  .check = endings_waiting,
  .dispatch = endings_source_dispatch,
};

static void
attach_endings_source (JrExecutor *self)
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

/* ---- scheduling ---- */

static void
recall (Task *task)
{
  JrExecutor *self = task->executor;

  task->recalling = TRUE;
  if (jr_pool_worker_recall (task->slot->worker, task->entry.sequence))
    {
      /* A thread worker gave it back at once. */
      unassign_task (task);
      if (jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING)
        {
          task_end (task, END_CANCELLED, NULL, NULL);
          /* Its place on the worker is free: a waiting job takes it. */
          schedule (self);
        }
      else
        enqueue (task, TRUE);
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
            recall (task);
        }
    }
}

/* Into the queue, by priority and age: a task that comes back (returned,
 * recalled, its worker gone) goes to its old place. */
static void
enqueue (Task     *task,
         gboolean  returning)
{
  JrExecutor *self = task->executor;

  task->place = TASK_QUEUED;
  jr_task_queue_push (queue_of (task), &task->entry);
  /* After the push: what comes back then finds the queue no longer of
   * one priority, and is not handed out ahead of time again. */
  if (!returning)
    recall_lower (self, task->entry.priority);
  /* The groups that could run it gave up starting workers: a new job is a
   * reason to try once more (never a loop: each gives up again after a
   * few failures). */
  if (!returning)
    refill_given_up (self, task->anywhere);
  schedule (self);
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

      if (slot->retiring || !group_takes (slot->group, anywhere))
        continue;
      if (slot->n_tasks < depth && (best == NULL || slot->n_tasks < best->n_tasks))
        best = slot;
    }
  return best;
}

/* A worker whose group shrank ends once it has no task left. */
static void
retire_emptied (JrExecutor *self)
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
 * worker idles. One at a time: a recall may schedule (and come back here)
 * before it returns. */
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
          if (last->started || last->recalling || !group_takes (idle->group, last->anywhere))
            continue;
          recall (last);
          return;
        }
    }
}

static void
schedule (JrExecutor *self)
{
  retire_emptied (self);
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
      assign (slot, task_of (jr_task_queue_pop (from)));
    }
}

static gboolean
retry_due (gpointer data)
{
  Task *task = data;
  /* enqueue() may start workers, and a handler of what that changes may
   * shut the executor down: the task may be gone after it. */
  JrExecutor *self = g_object_ref (task->executor);

  g_clear_pointer (&task->timer, g_source_unref);
  enqueue (task, FALSE);
  /* Its groups may have gone while it waited. */
  fail_if_no_workers (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Back to the queue after a pause; the future stays EXECUTING. */
static void
schedule_retry (Task *task)
{
  task->retries_left--;
  unassign_task (task);
  task->place = TASK_RETRY_WAIT;
  task->timer = add_source (task->executor, G_PRIORITY_DEFAULT, usec_to_timeout_ms (task->backoff_usec),
                            FALSE, retry_due, task);
  /* Doubled, but never past what a timeout can wait (nor wrapped to 0). */
  task->backoff_usec = MIN (task->backoff_usec, MAX_WAIT_USEC / 2) * 2;
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

/* ---- cancel ---- */

/* The worker of @slot takes no more jobs: the one it ran (and a cancelled
 * one) end as @end says; those it had not started go to another worker. */
static void
settle_slot (JrExecutor   *self,
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

      unassign_task (task);
      if (ran)
        task_end (task, end, NULL, error);
      else
        enqueue (task, TRUE);
    }
  g_free (slot);
  schedule (self);
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
   * thread has ended (on_worker_gone()). */
  jr_pool_worker_set_data (worker, NULL);
  settle_slot (self, slot, END_CANCELLED, NULL);
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
      task->timer = add_source (self, G_PRIORITY_LOW, 0, TRUE, grace_expired, task);
      return G_SOURCE_REMOVE;
    }
  enforce_grace (task);
  return G_SOURCE_REMOVE;
}

/* A running job that was cancelled has this long to stop. */
static void
arm_grace (Task *task)
{
  JrExecutor *self = task->executor;

  /* A grace of G_MAXINT64 ("never kill") must not wrap to the past. */
  task->grace_deadline = g_get_monotonic_time () + MIN (self->cancel_grace, MAX_WAIT_USEC);
  clear_source (&task->timer);
  task->timer = add_source (self, G_PRIORITY_DEFAULT, usec_to_timeout_ms (self->cancel_grace), FALSE,
                            grace_expired, task);
}

/* The future became CANCELLING (on its thread), whoever cancelled it. */
static void
on_future_cancel (JrFuture *future,
                  gpointer  data)
{
  Task *task = data;

  switch (task->place)
    {
    case TASK_BLOCKED:
    case TASK_QUEUED:
    case TASK_RETRY_WAIT:
      /* Never reached a worker (or is between tries). */
      task_end (task, END_CANCELLED, NULL, NULL);
      break;

    case TASK_ASSIGNED:
      if (!task->started)
        {
          /* Take it back. Should it start meanwhile, the cancel behind
           * the recall reaches it. */
          if (!task->recalling)
            recall (task);
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
        arm_grace (task);
      break;

    case TASK_ENDED:
    default:
      break;
    }
}

/* ---- messages from workers ---- */

/* How long jobs run, on average lately: short ones are handed out
 * further ahead (find_free_slot()). */
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
    apply_progress (task);

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
        arm_grace (task);   /* cancelled while it was on its way */
      break;

    case JR_JOB_MSG_PROGRESS:
      store_progress (task, message, parts->fraction, parts->text);
      break;

    case JR_JOB_MSG_YIELD:
      jr_future_emit_yielded (task->future, parts->payload);
      break;

    case JR_JOB_MSG_RESULT:
      note_run_time (task);
      task_end (task, END_COMPLETED, parts->payload, NULL);
      break;

    case JR_JOB_MSG_ERROR:
      note_run_time (task);
      error = jr_job_message_to_error (parts->payload);
      if (should_retry (task, error))
        schedule_retry (task);
      else
        fail_task (task, error);
      break;

    case JR_JOB_MSG_CANCELLED:
      /* A worker that quits (its requests' connection gone) cancels what
       * it had not started. Nobody asked, and it never ran: another
       * worker takes it, as a job given back. */
      if (!task->started && jr_future_get_state (task->future) != JR_FUTURE_STATE_CANCELLING)
        {
          unassign_task (task);
          enqueue (task, TRUE);
          break;
        }
      task_end (task, END_CANCELLED, NULL, NULL);
      break;

    case JR_JOB_MSG_RETURNED:
      unassign_task (task);
      if (jr_future_get_state (task->future) == JR_FUTURE_STATE_CANCELLING)
        task_end (task, END_CANCELLED, NULL, NULL);
      else
        enqueue (task, TRUE);
      break;

    default:
      break;
    }
  schedule (self);
}

static void
on_job_message (JrPoolWorker      *worker,
                GVariant          *message,
                JrJobMessageParts *parts,
                gpointer           user_data)
{
  JrExecutor *self = user_data;
  Slot *slot = jr_pool_worker_get_data (worker);
  Task *task = slot != NULL ? slot_find (slot, parts->job_id) : NULL;

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
  task_ref (task);
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
  task_unref (task);
  deliver_endings (self);
  g_object_unref (self);
}

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
  refresh_worker_error (self);
  schedule (self);
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
      schedule_sweep (self);
      return;
    }
  group = slot->group;
  g_object_ref (self);
  settle_slot (self, slot, END_FAILED, reason);
  if (group->removed)
    schedule_sweep (self);
  /* Its pool may have stopped giving up (a worker that had started). */
  refresh_worker_error (self);
  fail_if_no_workers (self);
  deliver_endings (self);
  g_object_unref (self);
}

static gboolean
has_live_slot (JrExecutor *self,
               gboolean    anywhere)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (!slot->retiring && group_takes (slot->group, anywhere))
        return TRUE;
    }
  return FALSE;
}

/* Why no group may take a job: none has workers at all, or (for a job
 * that reads local paths) none that has them shares this machine's paths.
 * @job: its name, or NULL. */
static GError *
no_group_error (JrExecutor *self,
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

      if (!group_takes (group, anywhere) || jr_worker_pool_get_size (group->pool) == 0)
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
  return no_group_error (self, anywhere, NULL);
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
    fail_task (task_of (entry), owned);
}

/* The groups that could run them gave up starting workers, and none is
 * left: the jobs waiting for one fail, saying why, instead of waiting for
 * ever. */
static void
fail_if_no_workers (JrExecutor *self)
{
  fail_queue (self->queue, no_worker_for (self, FALSE));
  fail_queue (self->queue_anywhere, no_worker_for (self, TRUE));
}

static gboolean
workers_check_due (gpointer data)
{
  JrExecutor *self = data;

  g_clear_pointer (&self->workers_check, g_source_unref);
  fail_if_no_workers (self);
  return G_SOURCE_REMOVE;
}

/* fail_if_no_workers() at the next dispatch, before futures' ends are
 * delivered (so no later than a failure found now would be). */
static void
check_workers_soon (JrExecutor *self)
{
  if (self->workers_check == NULL)
    self->workers_check = add_source (self, ENDINGS_PRIORITY - 1, 0, TRUE, workers_check_due, self);
}

static void
refill_given_up (JrExecutor *self,
                 gboolean    anywhere)
{
  if (has_live_slot (self, anywhere))
    return;
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (group_takes (group, anywhere) && jr_worker_pool_get_size (group->pool) > 0 &&
          jr_worker_pool_get_failure (group->pool) != NULL)
        jr_worker_pool_fill (group->pool);
    }
  /* Trying again, it has no failure to tell: a worker through a command
   * is not added (which says so) until it is up. */
  refresh_worker_error (self);
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
static void
refresh_worker_error (JrExecutor *self)
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
  g_clear_error (&self->worker_error);
  if (still != NULL)
    self->worker_error = g_error_copy (still);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER_ERROR]);
}

static void
on_start_failed (const GError *error,
                 gpointer      user_data)
{
  JrExecutor *self = user_data;

  /* A group removed or resized to 0 while its workers were starting gives
   * up for nobody. */
  if (counting_failure (self, error) != NULL)
    {
      g_clear_error (&self->worker_error);
      self->worker_error = g_error_copy (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER_ERROR]);
    }
  fail_if_no_workers (self);
}

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
    schedule_sweep (self);
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

static const JrWorkerPoolCallbacks pool_callbacks = {
  .worker_added = counted_worker_added,
  .job_message = counted_job_message,
  .worker_gone = counted_worker_gone,
  .start_failed = counted_start_failed,
};

/* ---- groups ---- */

static void
group_free (gpointer data)
{
  Group *group = data;

  /* Kills and reaps its workers: no callback. */
  g_clear_pointer (&group->pool, jr_worker_pool_free);
  g_object_unref (group->launcher);
  g_free (group->name);
  g_free (group);
}

static Group *
find_group (JrExecutor *self,
            const char *name)
{
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (!group->removed && g_str_equal (group->name, name))
        return group;
    }
  return NULL;
}

static gboolean
group_has_slot (JrExecutor *self,
                Group      *group)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (((Slot *) g_ptr_array_index (self->slots, i))->group == group)
      return TRUE;
  return FALSE;
}

/* Frees the removed groups that have no worker left. */
static gboolean
sweep_due (gpointer data)
{
  JrExecutor *self = data;

  g_clear_pointer (&self->sweep, g_source_unref);
  if (self->in_pool_callback > 0)
    {
      /* A main loop run inside a callback: once it has returned. */
      self->sweep_wanted = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->sweep_wanted = FALSE;
  for (guint i = self->groups->len; i-- > 0;)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (group->removed && jr_worker_pool_is_empty (group->pool) && !group_has_slot (self, group))
        g_ptr_array_remove_index (self->groups, i);
    }
  /* The last worker of a stopping executor may have been one of those. */
  maybe_finish_stopping (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_sweep (JrExecutor *self)
{
  self->sweep_wanted = FALSE;
  if (self->sweep == NULL)
    self->sweep = add_source (self, G_PRIORITY_DEFAULT_IDLE, 0, TRUE, sweep_due, self);
}

static Group *
add_group (JrExecutor *self,
           const char *name,
           JrLauncher *launcher,
           guint       size)
{
  Group *group = g_new0 (Group, 1);
  gboolean local = jr_launcher_get_is_local (launcher);

  group->name = g_strdup (name);
  group->launcher = g_object_ref (launcher);
  group->shared_paths = jr_launcher_get_shared_paths (launcher);
  /* Listed before its first worker comes (on_worker_added()). */
  g_ptr_array_add (self->groups, group);
  group->pool = jr_worker_pool_new (self->router, local ? self->transport : JR_TRANSPORT_PROCESSES,
                                    launcher, name, size,
                                    local ? (const char * const *) self->worker_argv : NULL,
                                    &pool_callbacks, self);
  jr_worker_pool_set_priority (group->pool, self->worker_nice, self->worker_idle);
  jr_worker_pool_fill (group->pool);
  return group;
}

/* The group shrank: its workers beyond @size take no more jobs and end,
 * idle ones first, the others once their running job is done; the jobs
 * they held but had not started go back to the queue, for other workers. */
static void
retire_excess (JrExecutor *self,
               Group      *group,
               guint       size)
{
  g_autoptr(GPtrArray) live = g_ptr_array_new ();
  guint excess;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->group == group && !slot->retiring)
        g_ptr_array_add (live, slot);
    }
  excess = live->len > size ? live->len - size : 0;
  for (guint busy = 0; busy <= WORKER_DEPTH && excess > 0; busy++)
    for (guint i = 0; i < live->len && excess > 0; i++)
      {
        Slot *slot = g_ptr_array_index (live, i);

        if (slot->n_tasks == busy && !slot->retiring)
          {
            slot->retiring = TRUE;
            excess--;
          }
      }
  for (guint i = 0; i < live->len; i++)
    {
      Slot *slot = g_ptr_array_index (live, i);

      for (guint k = slot->n_tasks; slot->retiring && k > 0; k--)
        {
          Task *task = slot->tasks[k - 1];

          if (!task->started && !task->recalling)
            recall (task);
        }
    }
  retire_emptied (self);
}

/* A group of a running executor, by name; NULL with an error if there is
 * no such group or the executor is stopping. */
static Group *
find_running_group (JrExecutor  *self,
                    const char  *name,
                    GError     **error)
{
  Group *group;

  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                           "The executor is stopping or stopped");
      return NULL;
    }
  group = find_group (self, name);
  if (group == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The executor has no group named “%s”",
                 name);
  return group;
}

/* A group that grows back keeps the workers it was retiring and has not
 * asked to end yet (busy with their last job): they count in its size
 * for the pool, which would start no new worker in their place. */
static void
keep_retiring (JrExecutor *self,
               Group      *group,
               guint       size)
{
  guint n_live = 0;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->group == group && !slot->retiring)
        n_live++;
    }
  for (guint i = 0; i < self->slots->len && n_live < size; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->group == group && slot->retiring && !slot->asked_to_end)
        {
          slot->retiring = FALSE;
          n_live++;
        }
    }
}

static void
resize_group (JrExecutor *self,
              Group      *group,
              guint       size)
{
  guint old = jr_worker_pool_get_size (group->pool);

  g_object_ref (self);
  if (size > old)
    keep_retiring (self, group, size);
  jr_worker_pool_set_size (group->pool, size);
  if (size > old)
    jr_worker_pool_fill (group->pool);
  else if (size < old)
    retire_excess (self, group, size);
  schedule (self);
  /* Jobs no group may run any more fail, but only once the application's
   * call is over: a group it replaces (removed, then added again under
   * its name) takes them. */
  check_workers_soon (self);
  refresh_worker_error (self);
  g_object_unref (self);
}

/* ---- dependencies ---- */

/* Takes @task off the futures it still waits for. */
static void
stop_waiting (Task *task)
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

static void
on_dependency_done (JrFuture     *dependency,
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

      fail_task (task, error);
      return;
    }

  if (--task->n_dependencies_left == 0)
    {
      /* The task may be gone after enqueue() (see retry_due()). */
      JrExecutor *self = g_object_ref (task->executor);

      stop_waiting (task);
      enqueue (task, FALSE);
      /* Its groups may have gone while it waited. */
      fail_if_no_workers (self);
      g_object_unref (self);
    }
}

/* Returns FALSE when the task ended at once (a dependency failed). */
static gboolean
wait_for_dependencies (Task      *task,
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

          fail_task (task, error);
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

/* ---- stopping ---- */

static void
maybe_finish_stopping (JrExecutor *self)
{
  if (self->state != JR_EXECUTOR_STATE_STOPPING || self->tasks.length > 0 ||
      self->endings.length > 0)
    return;

  if (!self->retired)
    {
      self->retired = TRUE;
      for (guint i = 0; i < self->groups->len; i++)
        jr_worker_pool_retire (((Group *) g_ptr_array_index (self->groups, i))->pool);
    }
  for (guint i = 0; i < self->groups->len; i++)
    if (!jr_worker_pool_is_empty (((Group *) g_ptr_array_index (self->groups, i))->pool))
      return;

  if (jr_router_get_running (self->router))
    jr_router_stop (self->router, NULL);
  set_state (self, JR_EXECUTOR_STATE_STOPPED);
}

/* ---- the object ---- */

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
      task_unref (task);
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
    task_unref (link->data);
  g_object_unref (late->jobs);
  g_free (late);
}

static void
deliver_endings_later (JrExecutor *self)
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

static gboolean
dispose_on_own_thread (gpointer data)
{
  g_object_run_dispose (data);
  return G_SOURCE_REMOVE;
}

static void
jr_executor_dispose (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);

  /* Dropped on another thread (Python's collector runs on whichever
   * thread allocates, a job's included): tearing down there would join a
   * job's thread to itself, or change futures off their thread. The
   * executor lives on until its main context dispatches, and is disposed
   * there; nothing is chained up here, so its weak references and
   * handlers also go there. Its thread is the one that made it, as a
   * future's: g_main_context_is_owner() holds for no thread while nobody
   * iterates the context. Once only: a context iterated on another thread
   * than the one that made the executor (against the rules, but seen)
   * disposes it there. */
  if (g_thread_self () != self->owner && !self->dispose_deferred)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      self->dispose_deferred = TRUE;
      g_source_set_priority (source, ENDINGS_PRIORITY);
      g_source_set_callback (source, dispose_on_own_thread, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[jobrouter] executor dropped on another thread");
      g_source_attach (source, jr_router_get_context (self->router));
      return;
    }

  if (self->groups->len > 0)
    {
      GList *link;

      /* Dropped while jobs run: kill and reap worker processes. An idle
       * worker thread is joined; one whose job runs is cancelled and let
       * go, to end once that job returns. Every future still ends,
       * cancelled (or as its job ended, if that is not delivered yet), at
       * the main context's next dispatch. */
      self->state = JR_EXECUTOR_STATE_STOPPED;
      /* Worker threads that end now send their last words: they must not
       * wait for room that only this thread, joining them, would make. */
      if (self->router != NULL)
        jr_router_close_inbox (self->router);
      g_ptr_array_set_size (self->groups, 0);
      while ((link = self->tasks.head) != NULL)
        {
          Task *task = link->data;

          jr_future_set_cancel_func (task->future, NULL, NULL);
          jr_future_cancel (task->future);
          task_end (task, END_CANCELLED, NULL, NULL);
        }
      deliver_endings_later (self);
      for (guint i = 0; i < self->slots->len; i++)
        g_free (g_ptr_array_index (self->slots, i));
      g_ptr_array_set_size (self->slots, 0);
    }
  if (self->router != NULL && jr_router_get_running (self->router))
    jr_router_stop (self->router, NULL);
  clear_source (&self->endings_source);
  clear_source (&self->progress_flush);
  clear_source (&self->workers_check);
  clear_source (&self->sweep);
  if (self->progress_dirty != NULL)
    {
      for (guint i = 0; i < self->progress_dirty->len; i++)
        task_unref (g_ptr_array_index (self->progress_dirty, i));
      g_ptr_array_set_size (self->progress_dirty, 0);
    }
  G_OBJECT_CLASS (jr_executor_parent_class)->dispose (object);
}

static void
jr_executor_finalize (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);

  g_clear_object (&self->router);
  g_clear_object (&self->jobs);
  g_clear_pointer (&self->queue, jr_task_queue_free);
  g_clear_pointer (&self->queue_anywhere, jr_task_queue_free);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->progress_dirty, g_ptr_array_unref);
  g_clear_pointer (&self->waiters, jr_future_waiters_free);
  g_clear_error (&self->worker_error);
  g_strfreev (self->worker_argv);
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
    case PROP_WORKER_ERROR:
      g_value_set_boxed (value, self->worker_error);
      break;
    case PROP_WORKER_ARGV:
      g_value_set_boxed (value, self->worker_argv);
      break;
    case PROP_LOCAL_GROUP:
      g_value_set_boolean (value, self->local_group);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_executor_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JrExecutor *self = JR_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      self->transport = g_value_get_enum (value);
      break;
    case PROP_MAX_WORKERS:
      self->max_workers = g_value_get_uint (value);
      break;
    case PROP_WORKER_ARGV:
      {
        const char * const *argv = g_value_get_boxed (value);

        /* Empty is the default too: bindings read the default as an
         * empty list, and a command line of nothing runs nothing. */
        self->worker_argv = argv != NULL && argv[0] != NULL ? g_strdupv ((char **) argv) : NULL;
      }
      break;
    case PROP_LOCAL_GROUP:
      self->local_group = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A worker process whose program never called jr_init() runs main() as if
 * it were the parent, gets here, and would start workers of its own. */
static void
refuse_in_worker (void)
{
  if (g_getenv (JR_WORKER_ENV) != NULL || jr_worker_is_stream_process ())
    jr_worker_refuse ("this program was started as a worker process, but it made an executor "
                      "without calling jr_init() first: call jr_init() in main(), before "
                      "anything else");
}

static void
jr_executor_constructed (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (jr_executor_parent_class)->constructed (object);

  refuse_in_worker ();
  if (self->max_workers == 0)
    self->max_workers = (guint) MAX (g_get_num_processors (), 1);
  self->router = jr_router_new (self->transport, NULL);
  /* A runtime failure (no descriptor left, say), not a programmer's
   * error: said, and its jobs fail with JR_JOB_ERROR_NO_WORKER. */
  if (!jr_router_start (self->router, &error))
    g_warning ("Could not start the executor's router: %s", error->message);
  attach_endings_source (self);
  if (self->local_group)
    {
      g_autoptr(JrLauncher) local = jr_launcher_new_local ();

      add_group (self, "local", local, self->max_workers);
    }
}

static void
jr_executor_class_init (JrExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jr_executor_dispose;
  object_class->finalize = jr_executor_finalize;
  object_class->get_property = jr_executor_get_property;
  object_class->set_property = jr_executor_set_property;
  object_class->constructed = jr_executor_constructed;

  /**
   * JrExecutor:state:
   *
   * RUNNING, then STOPPING after [method@Jr.Executor.stop], then STOPPED
   * once every job is done and every worker gone.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, JR_TYPE_EXECUTOR_STATE, JR_EXECUTOR_STATE_RUNNING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:transport:
   *
   * Worker processes (the default) or worker threads.
   *
   * Since: 0.1
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, JR_TYPE_TRANSPORT, JR_TRANSPORT_PROCESSES,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:max-workers:
   *
   * The size of the pool; 0 (the default) for the number of processors.
   * Reads back as the size chosen.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_uint ("max-workers", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:worker-argv:
   *
   * The command line that starts a worker process. %NULL (the default),
   * or an empty list, runs this program again with the arguments it was
   * started with — for
   * a Python program, the interpreter with the same script — and its
   * main() hands over to the worker in [func@Jr.init]. Whatever it runs
   * must call [func@Jr.init] with the same jobs registered.
   *
   * Since: 0.2
   */
  properties[PROP_WORKER_ARGV] =
    g_param_spec_boxed ("worker-argv", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:local-group:
   *
   * Whether the executor starts with its group "local" of
   * [property@Jr.Executor:max-workers] workers of its transport (the
   * default). %FALSE for an executor whose workers all come from groups
   * added with [method@Jr.Executor.add_group]: nothing is started until
   * then.
   *
   * Since: 0.2
   */
  properties[PROP_LOCAL_GROUP] =
    g_param_spec_boolean ("local-group", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:jobs:
   *
   * The futures not yet done, in submission order (a [iface@Gio.ListModel]).
   *
   * Since: 0.1
   */
  properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:worker-error:
   *
   * Why no worker could be started, while that is so: the pool tried a few
   * times in a row, then gave up, and the jobs waiting for a worker
   * failed with this error (%JR_JOB_ERROR_NO_WORKER). The next job
   * submitted makes it try again. %NULL while workers run, and once the
   * groups that gave up are resized to 0 or removed.
   *
   * Since: 0.2
   */
  properties[PROP_WORKER_ERROR] =
    g_param_spec_boxed ("worker-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jr_executor_init (JrExecutor *self)
{
  self->jobs = jr_jobs_model_new ();
  self->queue = jr_task_queue_new ();
  self->queue_anywhere = jr_task_queue_new ();
  self->groups = g_ptr_array_new_with_free_func (group_free);
  self->slots = g_ptr_array_new ();
  self->progress_dirty = g_ptr_array_new ();
  self->waiters = jr_future_waiters_new (on_dependency_done);
  self->cancel_grace = DEFAULT_CANCEL_GRACE;
  self->worker_nice = DEFAULT_WORKER_NICE;
  /* Not short until seen to be. */
  self->run_time_avg = SHORT_JOB_USEC;
  self->owner = g_thread_self ();
  g_queue_init (&self->tasks);
  g_queue_init (&self->endings);
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
 *
 * Since: 0.1
 */
JrExecutor *
jr_executor_new (JrTransport transport,
                 guint       max_workers)
{
  return g_object_new (JR_TYPE_EXECUTOR, "transport", transport, "max-workers", max_workers, NULL);
}

static const JrJobKindInfo *
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
      return NULL;
    }
  /* What a worker process reads: the arguments in a request, with the
   * job's name (a thread worker takes the same, for the same jobs). */
  if (args != NULL &&
      jr_worker_request_data_size (JR_WORKER_REQUEST_RUN, job, args) > JR_MESSAGE_SIZE_MAX)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS,
                   "The arguments of “%s” are too large: with the job's name, they take more "
                   "than %u bytes", job, JR_MESSAGE_SIZE_MAX);
      return NULL;
    }
  if (args != NULL && !jr_worker_request_readable (JR_WORKER_REQUEST_RUN, job, args))
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS,
                   "The arguments of “%s” nest values more deeply than a worker process "
                   "accepts from another process", job);
      return NULL;
    }
  if (!jr_job_registry_check (job, args, error))
    return NULL;
  return jr_job_registry_lookup (job);
}

/* Some group with workers may run jobs of @info's kind. */
static gboolean
group_may_run (JrExecutor           *self,
               const JrJobKindInfo  *info,
               GError              **error)
{
  gboolean anywhere = info->placement == JR_JOB_PLACEMENT_ANYWHERE;

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (group_takes (group, anywhere) && jr_worker_pool_get_size (group->pool) > 0)
        return TRUE;
    }
  g_propagate_error (error, no_group_error (self, anywhere, info->name));
  return FALSE;
}

/* Whether this thread may call the executor: the one that runs its main
 * context, or any while none does (an executor made on one thread and
 * used on another before its loop runs). A job's thread, or a helper
 * thread submitting while the main loop runs, may not: the executor's
 * state is its context's thread's alone. Says so (a programmer error). */
static gboolean
check_thread (JrExecutor *self,
              const char *function)
{
  GMainContext *context = jr_router_get_context (self->router);

  if (G_LIKELY (g_main_context_is_owner (context)))
    return TRUE;
  if (g_main_context_acquire (context))
    {
      g_main_context_release (context);
      return TRUE;
    }
  g_critical ("%s: called on another thread than the one that runs the executor's main "
              "context; call it there (g_main_context_invoke() gets there from a job's or a "
              "helper's thread)", function);
  return FALSE;
}

/* A dependency is a future of the same main context: its end is heard on
 * the thread that may change this executor. */
static gboolean
check_dependencies (JrExecutor         *self,
                    const JrJobOptions *options)
{
  if (options == NULL)
    return TRUE;
  for (guint i = 0; i < options->dependencies->len; i++)
    {
      JrFuture *dependency = g_ptr_array_index (options->dependencies, i);

      if (jr_future_get_context (dependency) != jr_router_get_context (self->router))
        {
          g_critical ("jr_executor_submit_full: the job depends on the future of “%s”, which "
                      "belongs to another main context than the executor's: dependencies must "
                      "share its context", jr_future_get_job_name (dependency));
          return FALSE;
        }
    }
  return TRUE;
}

static JrFuture *
submit (JrExecutor          *self,
        const char          *job,
        GVariant            *args,
        JrJobKind            kind,
        const JrJobOptions  *options,
        GError             **error)
{
  g_autoptr(GVariant) owned_args = args != NULL ? g_variant_ref_sink (args) : NULL;
  const JrJobKindInfo *info;
  JrFuture *future;
  Task *task;

  if (!check_thread (self, "jr_executor_submit") ||
      !check_dependencies (self, options))
    return NULL;

  /* A worker process reads the arguments as untrusted data and drops
   * what is not in normal form (bytes read back from a file, a string
   * made without its nul): send the normal form. Free for values made
   * with g_variant_new(), which are trusted. */
  if (owned_args != NULL && !g_variant_is_normal_form (owned_args))
    {
      GVariant *normal = g_variant_get_normal_form (owned_args);

      g_variant_unref (owned_args);
      owned_args = normal;
    }

  info = check_submit (self, job, owned_args, error);
  if (info == NULL)
    return NULL;
  if (!group_may_run (self, info, error))
    return NULL;

  task = g_new0 (Task, 1);
  task->ref_count = 1;
  task->executor = self;
  task->entry.sequence = ++self->n_submitted;
  task->entry.index = JR_TASK_QUEUE_NOWHERE;
  task->job = g_intern_string (info->name);
  task->args = g_steal_pointer (&owned_args);
  task->anywhere = info->placement == JR_JOB_PLACEMENT_ANYWHERE;
  task->future = jr_future_new (info->name, kind);
  task->link.data = task;
  task->place = TASK_BLOCKED;
  if (options != NULL)
    {
      if (options->title != NULL)
        jr_future_set_title (task->future, options->title);
      task->entry.priority = options->priority;
      task->retries_left = options->max_retries;
      task->backoff_usec = MAX (options->first_backoff_usec, 1000);
    }
  g_queue_push_tail_link (&self->tasks, &task->link);
  /* Cancellable before it is listed: a handler of the model's
   * items-changed may cancel it, or shut the executor down (which ends
   * the task, and frees it but for the reference held here). */
  jr_future_set_cancel_func (task->future, on_future_cancel, task);
  g_object_ref (self);
  task_ref (task);
  jr_jobs_model_append (self->jobs, task->future, &task->model_place);

  /* The caller's reference; the task keeps its own until it is over. */
  future = g_object_ref (task->future);
  /* enqueue() may start workers, and a handler of what that changes may
   * shut the executor down. */
  if (task->place != TASK_ENDED &&
      (options == NULL || options->dependencies->len == 0 ||
       wait_for_dependencies (task, options->dependencies)))
    enqueue (task, FALSE);
  task_unref (task);
  g_object_unref (self);
  return future;
}

/**
 * jr_executor_submit_full:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @options: (nullable): kind, title, dependencies, retries, priority
 * @error: return location for an error
 *
 * Submits a job. Fails on the spot for an unknown or unavailable job
 * (%JR_JOB_ERROR_UNKNOWN_JOB, %JR_JOB_ERROR_UNAVAILABLE), arguments of the
 * wrong type, too large (%JR_JOB_ERROR_INVALID_ARGS: with the job's name
 * they must fit in %JR_MESSAGE_SIZE_MAX) or nested more deeply than GLib
 * accepts from another process (through variants), an executor that is stopping
 * (%JR_JOB_ERROR_STOPPED), or one with no group that may run it
 * (%JR_JOB_ERROR_NO_WORKER: every group of size 0, or a job that reads
 * local paths and no group that shares them).
 *
 * Arguments not in normal form (made from untrusted bytes) are sent in
 * their normal form, as GLib would read them.
 *
 * The future is added to [property@Jr.Executor:jobs] at once; however the
 * job ends, its future becomes done only when the executor's main context
 * next dispatches, never inside this call.
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_full (JrExecutor          *self,
                         const char          *job,
                         GVariant            *args,
                         const JrJobOptions  *options,
                         GError             **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, options ? options->kind : JR_JOB_KIND_CALL, options, error);
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
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_call (JrExecutor  *self,
                         const char  *job,
                         GVariant    *args,
                         GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, JR_JOB_KIND_CALL, NULL, error);
}

/**
 * jr_executor_submit_progress:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job that reports progress with [method@Jr.Job.progress]: its
 * future's [property@Jr.Future:progress] and
 * [property@Jr.Future:progress-text] follow the reports.
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_progress (JrExecutor  *self,
                             const char  *job,
                             GVariant    *args,
                             GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, JR_JOB_KIND_PROGRESS, NULL, error);
}

/**
 * jr_executor_submit_iteration:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job that yields values with [method@Jr.Job.yield]; each one is
 * emitted as [signal@Jr.Future::yielded]. The job still returns a final
 * value, its future's result (`()` when it has nothing more to say).
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_iteration (JrExecutor  *self,
                              const char  *job,
                              GVariant    *args,
                              GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, JR_JOB_KIND_ITERATION, NULL, error);
}

/* Cancels every job not cancelled yet. A handler of a cancel may call
 * this again: the futures are taken first, and cancelling one twice does
 * nothing. */
static void
cancel_all (JrExecutor *self)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = self->tasks.head; l != NULL; l = l->next)
    g_ptr_array_add (futures, g_object_ref (((Task *) l->data)->future));
  for (guint i = 0; i < futures->len; i++)
    jr_future_cancel (g_ptr_array_index (futures, i));
}

/**
 * jr_executor_stop:
 * @self: an executor
 *
 * Stops taking jobs and cancels every one not done, without waiting. The
 * state goes to STOPPING at once, then to STOPPED once every job has ended
 * and every worker is gone (while the main context runs). May be called
 * from any handler of the executor's signals or of its futures'.
 *
 * Since: 0.1
 */
void
jr_executor_stop (JrExecutor *self)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!check_thread (self, G_STRFUNC))
    return;

  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    return;

  g_object_ref (self);
  set_state (self, JR_EXECUTOR_STATE_STOPPING);
  cancel_all (self);
  /* STOPPED, if nothing is left to wait for, comes from the main context. */
  self->stop_pending = TRUE;
  g_object_unref (self);
}

static gboolean
is_stopped (gpointer data)
{
  JrExecutor *self = data;

  return self->state == JR_EXECUTOR_STATE_STOPPED || self->endings.length > 0;
}

/* route_until() does not run timers, so shutdown looks at grace deadlines
 * itself between slices. Only assigned tasks have one. */
static void
enforce_due_graces (JrExecutor *self)
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
              clear_source (&task->timer);
              enforce_grace (task);
              return;   /* the slots may have changed: look again next slice */
            }
        }
    }
}

static void
set_still_running_error (JrExecutor  *self,
                         gint64       timeout_usec,
                         GError     **error)
{
  guint n = self->tasks.length;

  if (n > 0)
    g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                 "%u job%s still running after %" G_GINT64_FORMAT " ms",
                 n, n == 1 ? "" : "s", timeout_usec / 1000);
  else if (self->transport == JR_TRANSPORT_THREADS)
    g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                 "Workers still running after %" G_GINT64_FORMAT " ms (a worker thread "
                 "whose job ignores its cancel cannot be stopped)", timeout_usec / 1000);
  else
    g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                 "Workers still running after %" G_GINT64_FORMAT " ms (a worker process, or the "
                 "command that reaches it, has not ended yet)", timeout_usec / 1000);
}

/**
 * jr_executor_shutdown:
 * @self: an executor
 * @timeout_usec: how long to wait at most, in µs; negative for no limit
 * @error: return location for an error
 *
 * Stops the executor and drives its router by hand (no main loop needed)
 * until every job has ended — every future is done — and every worker is
 * gone. Jobs that ignore cancellation are killed after the grace period.
 * May be called again after a timeout, and from any handler of the
 * executor's signals or of its futures'. Call it on the thread that runs
 * the executor's main context, or while no thread runs it: from another
 * thread it fails at once with %G_IO_ERROR_WOULD_BLOCK (and a critical).
 *
 * Returns: %TRUE once STOPPED, or %FALSE with %JR_ROUTER_ERROR_TIMED_OUT
 *
 * Since: 0.1
 */
gboolean
jr_executor_shutdown (JrExecutor  *self,
                      gint64       timeout_usec,
                      GError     **error)
{
  gint64 deadline;
  gboolean stopped = FALSE;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);

  /* Another thread runs the executor's context: routing it from here
   * could only wait for that thread, or race it. */
  if (!check_thread (self, G_STRFUNC))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "The executor belongs to a main context that another thread runs");
      return FALSE;
    }

  g_object_ref (self);
  jr_executor_stop (self);
  /* Called from a handler of a stop's cancel, the stop has not reached
   * every job yet: reach them here, or this would wait for them. */
  cancel_all (self);
  deadline = jr_deadline_after (timeout_usec);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 slice;

      deliver_endings (self);
      if (self->state == JR_EXECUTOR_STATE_STOPPED)
        {
          stopped = TRUE;
          break;
        }

      slice = MAX (MIN (deadline - g_get_monotonic_time (), 50 * 1000), 0);
      if (!jr_router_route_until (self->router, is_stopped, self, slice, &local_error) &&
          !g_error_matches (local_error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT))
        {
          /* The router stopped under us: only the state tells. */
          deliver_endings (self);
          stopped = self->state == JR_EXECUTOR_STATE_STOPPED;
          if (!stopped)
            g_propagate_error (error, g_steal_pointer (&local_error));
          break;
        }
      enforce_due_graces (self);
      for (guint i = 0; i < self->groups->len; i++)
        jr_worker_pool_poll (((Group *) g_ptr_array_index (self->groups, i))->pool);
      if (g_get_monotonic_time () >= deadline)
        {
          deliver_endings (self);
          stopped = self->state == JR_EXECUTOR_STATE_STOPPED;
          if (!stopped)
            set_still_running_error (self, timeout_usec, error);
          break;
        }
    }
  g_object_unref (self);
  return stopped;
}

/**
 * jr_executor_get_state:
 * @self: an executor
 *
 * Gets where the executor is in its life: see
 * [property@Jr.Executor:state].
 *
 * Returns: the executor's state
 *
 * Since: 0.1
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
 * Gets the jobs not yet done, as their futures: see
 * [property@Jr.Executor:jobs].
 *
 * Returns: (transfer none): a list model of the [class@Jr.Future]s not yet
 *   done, in submission order; a future leaves it when it becomes done, at
 *   a dispatch of the executor's main context (never inside a call of
 *   yours), so a loop over it that cancels every job sees every job
 *
 * Since: 0.1
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
 * Gets where the workers run: processes or threads.
 *
 * Returns: where the workers run
 *
 * Since: 0.1
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
 * Gets the size the pool was made with: the number given, or the number
 * of processors chosen for 0. [method@Jr.Executor.get_group_size] tells
 * the size of each group now ("local" for this one).
 *
 * Returns: the size the pool was made with
 *
 * Since: 0.1
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
 * Gets how many workers are up. It is below
 * [method@Jr.Executor.get_max_workers] while workers start, after a crash
 * until the new worker is up, and once workers cannot start.
 *
 * Returns: how many worker processes or threads take jobs right now
 *
 * Since: 0.1
 */
guint
jr_executor_get_n_workers (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  guint n = 0;

  /* Up, and not on their way out: a worker still starting (a process
   * before its READY, a connection being made) takes no job yet. */
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (!slot->retiring && jr_pool_worker_is_ready (slot->worker))
        n++;
    }
  return n;
}

/**
 * jr_executor_get_worker_error:
 * @self: an executor
 *
 * Gets why no worker could be started, while that is so: see
 * [property@Jr.Executor:worker-error].
 *
 * Returns: (transfer none) (nullable): why no worker could be started, or
 *   %NULL; see [property@Jr.Executor:worker-error]
 *
 * Since: 0.2
 */
const GError *
jr_executor_get_worker_error (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  return self->worker_error;
}

/**
 * jr_executor_set_cancel_grace:
 * @self: an executor
 * @grace_usec: how long a cancelled job may take to stop before its worker
 *   is killed (default 3 s)
 *
 * Sets how long a cancelled job has to return once its cancellable fired.
 * A worker process whose job is still running after that is killed and
 * replaced. A thread cannot be killed: its future ends
 * %JR_FUTURE_STATE_CANCELLED after the grace period, a new thread takes
 * its place, and the old one finishes in its own time, its messages
 * dropped.
 *
 * Since: 0.1
 */
void
jr_executor_set_cancel_grace (JrExecutor *self,
                              gint64      grace_usec)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!check_thread (self, G_STRFUNC))
    return;
  self->cancel_grace = MAX (grace_usec, 0);
}

/**
 * jr_executor_set_worker_nice:
 * @self: an executor
 * @nice: the nice value of the workers (default 10; 0 keeps the parent's
 *   priority)
 *
 * Workers run at a lower CPU priority than the GUI so that a busy pool
 * cannot starve the window. Applies to running workers and later ones.
 *
 * Since: 0.1
 */
void
jr_executor_set_worker_nice (JrExecutor *self,
                             int         nice)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!check_thread (self, G_STRFUNC))
    return;
  self->worker_nice = CLAMP (nice, 0, 19);
  for (guint i = 0; i < self->groups->len; i++)
    jr_worker_pool_set_priority (((Group *) g_ptr_array_index (self->groups, i))->pool,
                                 self->worker_nice, self->worker_idle);
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
 *
 * Since: 0.1
 */
void
jr_executor_set_worker_idle (JrExecutor *self,
                             gboolean    idle)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!check_thread (self, G_STRFUNC))
    return;
  self->worker_idle = !!idle;
  for (guint i = 0; i < self->groups->len; i++)
    jr_worker_pool_set_priority (((Group *) g_ptr_array_index (self->groups, i))->pool,
                                 self->worker_nice, self->worker_idle);
}

/**
 * jr_executor_add_group:
 * @self: a running executor with %JR_TRANSPORT_PROCESSES
 * @name: the group's name, unique in the executor: it names the group in
 *   messages and in [property@Jr.Future:worker-group]
 * @launcher: how its workers start (this machine, ssh, srun, …)
 * @size: how many workers it keeps
 *
 * Adds a group of workers to the pool. The executor starts with one,
 * "local": its own transport and [property@Jr.Executor:max-workers].
 * Waiting jobs go to whichever worker is free, in the order of their
 * priority and age, except that jobs whose kind reads local paths
 * ([func@Jr.set_job_placement]) go only to groups whose launcher shares
 * them ([method@Jr.Launcher.set_shared_paths]).
 *
 * Failures that are normal at a distance stay in their group. A worker
 * whose connection drops, or whose launcher exits, fails only the job it
 * was running (%JR_JOB_ERROR_WORKER_LOST, naming the group and what the
 * launcher said); the jobs it held but had not started go to other
 * workers, and the group starts another after a pause that doubles with
 * each worker lost in a row, up to 30 s. A launcher that cannot start
 * workers (a host that does not answer, a login refused, a scheduler that
 * refuses `--immediate`) is tried 3 times, then the group gives up:
 * [property@Jr.Executor:worker-error] says why, and waiting jobs that no
 * other group can run fail with %JR_JOB_ERROR_NO_WORKER and the same
 * message. The next such job makes it try again. A cancel reaches a remote
 * job as a local one; one that ignores it past the grace period has its
 * connection closed, and the worker on the far side kills its jobs'
 * processes and exits. So does it when this process dies.
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_EXISTS (the name is taken),
 *   %G_IO_ERROR_INVALID_ARGUMENT (the name is empty),
 *   %G_IO_ERROR_NOT_SUPPORTED (a command launcher on an executor of
 *   threads) or %JR_JOB_ERROR_STOPPED
 *
 * Since: 0.2
 */
gboolean
jr_executor_add_group (JrExecutor  *self,
                       const char  *name,
                       JrLauncher  *launcher,
                       guint        size,
                       GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (JR_IS_LAUNCHER (launcher), FALSE);
  if (!check_thread (self, G_STRFUNC))
    return FALSE;

  /* A name a user typed: an error, not a programmer's mistake. */
  if (*name == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A group needs a name");
      return FALSE;
    }
  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                           "The executor is stopping or stopped");
      return FALSE;
    }
  if (find_group (self, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "The executor has a group named “%s” already", name);
      return FALSE;
    }
  if (!jr_launcher_get_is_local (launcher) && self->transport != JR_TRANSPORT_PROCESSES)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Workers started through a command need an executor of "
                           "JR_TRANSPORT_PROCESSES");
      return FALSE;
    }
  add_group (self, name, launcher, size);
  return TRUE;
}

/**
 * jr_executor_set_group_size:
 * @self: a running executor
 * @name: a group's name ("local" for the executor's own)
 * @size: how many workers it is to keep; 0 for none
 * @error: return location for an error
 *
 * Resizes a group. New workers start at once (a group that gave up tries
 * again); when it shrinks, idle workers end at once and busy ones once
 * their running job is done, and the jobs those held but had not started
 * go to other workers. Jobs that no group may run any more fail with
 * %JR_JOB_ERROR_NO_WORKER at the main context's next dispatch (a group
 * grown again in the meantime keeps them).
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_NOT_FOUND or
 *   %JR_JOB_ERROR_STOPPED
 *
 * Since: 0.2
 */
gboolean
jr_executor_set_group_size (JrExecutor  *self,
                            const char  *name,
                            guint        size,
                            GError     **error)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  if (!check_thread (self, G_STRFUNC))
    return FALSE;

  group = find_running_group (self, name, error);
  if (group == NULL)
    return FALSE;
  resize_group (self, group, size);
  return TRUE;
}

/**
 * jr_executor_remove_group:
 * @self: a running executor
 * @name: a group's name
 * @error: return location for an error
 *
 * Removes a group of workers. Its name is free at once: the group is no
 * longer listed ([method@Jr.Executor.dup_group_names]) and another may be
 * added under the same name, with another launcher (say, to change
 * whether it shares this machine's paths). Its idle workers end at once;
 * busy ones take no more jobs and end once their running job is done, so
 * that no running job is lost; the jobs they held but had not started go
 * to other workers. Jobs that no other group may run fail with
 * %JR_JOB_ERROR_NO_WORKER, as when a group is resized to 0: at the main
 * context's next dispatch, so that a group removed and added again under
 * its name in the meantime takes them. A group that had given up starting
 * workers no longer counts for [property@Jr.Executor:worker-error].
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_NOT_FOUND or
 *   %JR_JOB_ERROR_STOPPED
 *
 * Since: 0.2
 */
gboolean
jr_executor_remove_group (JrExecutor  *self,
                          const char  *name,
                          GError     **error)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  if (!check_thread (self, G_STRFUNC))
    return FALSE;

  group = find_running_group (self, name, error);
  if (group == NULL)
    return FALSE;
  /* Nameless before anything is said: a handler of worker-error's notify
   * sees the group gone, and may remove or add groups itself. */
  group->removed = TRUE;
  resize_group (self, group, 0);
  schedule_sweep (self);
  return TRUE;
}

/**
 * jr_executor_get_group_launcher:
 * @self: an executor
 * @name: a group's name
 *
 * Gets how the workers of a group start: the launcher it was added with
 * ([method@Jr.Executor.add_group]).
 *
 * Returns: (transfer none) (nullable): the group's launcher, or %NULL for
 *   no such group
 *
 * Since: 0.2
 */
JrLauncher *
jr_executor_get_group_launcher (JrExecutor *self,
                                const char *name)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  group = find_group (self, name);
  return group != NULL ? group->launcher : NULL;
}

/**
 * jr_executor_get_group_size:
 * @self: an executor
 * @name: a group's name
 *
 * Gets the number of workers a group keeps: the size it was added with
 * ([method@Jr.Executor.add_group]) or last given
 * ([method@Jr.Executor.set_group_size]).
 *
 * Returns: the number of workers the group keeps, or 0 for no such group
 *
 * Since: 0.2
 */
guint
jr_executor_get_group_size (JrExecutor *self,
                            const char *name)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  group = find_group (self, name);
  return group != NULL && group->pool != NULL ? jr_worker_pool_get_size (group->pool) : 0;
}

/**
 * jr_executor_dup_group_names:
 * @self: an executor
 *
 * Gets the names of the executor's groups of workers: "local" (unless
 * [property@Jr.Executor:local-group] is %FALSE) and those added with
 * [method@Jr.Executor.add_group].
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of its
 *   groups, "local" first
 *
 * Since: 0.2
 */
char **
jr_executor_dup_group_names (JrExecutor *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (!group->removed)
        g_strv_builder_add (builder, group->name);
    }
  return g_strv_builder_end (builder);
}
