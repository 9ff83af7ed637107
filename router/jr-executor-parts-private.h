/* jr-executor-parts-private.h — the executor's state, shared by its parts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor is one object in several files, one part each (see
 * jr-executor.c); only router/jr-executor*.c include this header. What a
 * part calls in another is declared here, under the file that defines it;
 * the rest stays static in its file. None of it is exported: only the
 * JR_AVAILABLE_IN_* API of jr-executor.h is.
 *
 * Threads: everything here runs on the thread of the executor's main
 * context only, as its API does (jr_executor_check_thread()); it takes no
 * lock. One exception: jr_executor_dispose() (jr-executor.c) may run on
 * whichever thread drops the last reference; there it reads `owner` and
 * `router`, and sets `dispose_deferred`, then leaves the rest to an idle
 * of the executor's main context.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-executor-private.h"
#include "jr-future-waiters-private.h"
#include "jr-jobs-model-private.h"
#include "jr-source-private.h"
#include "jr-task-queue-private.h"
#include "jr-worker-pool-private.h"

G_BEGIN_DECLS

/* Jobs a worker may hold ahead of time, with a backlog of one priority: a
 * second one saves it waiting a round trip for its next job; short jobs
 * (SHORT_JOB_USEC on average) get up to WORKER_DEPTH, which keeps a
 * worker busy while the executor is still taking in the last results.
 * Longer jobs get fewer: a job held by a busy worker is not run by an
 * idle one. */
#define WORKER_DEPTH            4
#define SHORT_JOB_USEC          1000

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
  /* Nameless: its workers end, then an idle frees it (sweep_due() in
   * jr-executor-groups.c), never from under a callback of its pool that
   * is still on the stack (a future's handler may remove or add groups,
   * or iterate the main context). */
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
  GSource         *workers_check;    /* jr_executor_fail_if_no_workers() after a resize */
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

/* The queue that @task waits in. */
static inline JrTaskQueue *
jr_executor_queue_of (Task *task)
{
  return task->anywhere ? task->executor->queue_anywhere : task->executor->queue;
}

/* Whether workers of @group may run tasks that may run @anywhere, or
 * read local paths. */
static inline gboolean
jr_executor_group_takes (Group    *group,
                         gboolean  anywhere)
{
  return anywhere || group->shared_paths;
}

static inline Task *
jr_executor_task_of (JrQueueEntry *entry)
{
  return G_STRUCT_MEMBER_P (entry, -G_STRUCT_OFFSET (Task, entry));
}

/* jr-executor.c: the object */
GSource  *jr_executor_add_source                 (JrExecutor    *self,
                                                  int            priority,
                                                  guint          timeout_ms,
                                                  gboolean       idle,
                                                  GSourceFunc    func,
                                                  gpointer       data);
void      jr_executor_set_worker_error           (JrExecutor    *self,
                                                  const GError  *error);
void      jr_executor_maybe_finish_stopping      (JrExecutor    *self);
gboolean  jr_executor_check_thread               (JrExecutor    *self,
                                                  const char    *function);

/* jr-executor-task.c: a task's life */
Task     *jr_executor_task_ref                   (Task          *task);
void      jr_executor_task_unref                 (Task          *task);
void      jr_executor_task_apply_progress        (Task          *task);
void      jr_executor_task_store_progress        (Task          *task,
                                                  GVariant      *message,
                                                  double         fraction,
                                                  const char    *text);
void      jr_executor_task_end                   (Task          *task,
                                                  TaskEnd        end,
                                                  GVariant      *result,
                                                  const GError  *error);
void      jr_executor_task_fail                  (Task          *task,
                                                  const GError  *error);
void      jr_executor_deliver_endings            (JrExecutor    *self);
void      jr_executor_attach_endings_source      (JrExecutor    *self);
void      jr_executor_deliver_endings_soon       (JrExecutor    *self);

/* jr-executor-schedule.c: which worker runs which task */
Task     *jr_executor_slot_find                  (Slot          *slot,
                                                  guint64        job_id);
void      jr_executor_task_unassign              (Task          *task);
/* Asks @task's worker to give it back (a thread worker does at once). */
void      jr_executor_task_recall                (Task          *task);
/* jr_executor_task_enqueue() and jr_executor_assign_queued() may hand out
 * tasks, recall them and start workers: a handler called from them may
 * shut the executor down, so the task may be gone after they return (a
 * caller that goes on holds a reference to the executor). */
void      jr_executor_task_enqueue               (Task          *task,
                                                  gboolean       returning);
void      jr_executor_retire_emptied             (JrExecutor    *self);
/* Hands waiting tasks to workers with room; once none waits, one handed
 * ahead to a busy worker goes back, for an idle one (rebalance()). */
void      jr_executor_assign_queued              (JrExecutor    *self);
void      jr_executor_task_schedule_retry        (Task          *task);
gboolean  jr_executor_task_should_retry          (Task          *task,
                                                  const GError  *error);
void      jr_executor_settle_slot                (JrExecutor    *self,
                                                  Slot          *slot,
                                                  TaskEnd        end,
                                                  const GError  *error);
void      jr_executor_task_arm_grace             (Task          *task);
void      jr_executor_on_future_cancel           (JrFuture      *future,
                                                  gpointer       data);
void      jr_executor_enforce_due_graces         (JrExecutor    *self);

/* jr-executor-workers.c: what the pools say */
extern const JrWorkerPoolCallbacks jr_executor_pool_callbacks;
GError   *jr_executor_no_group_error             (JrExecutor    *self,
                                                  gboolean       anywhere,
                                                  const char    *job) G_GNUC_WARN_UNUSED_RESULT;
void      jr_executor_fail_if_no_workers         (JrExecutor    *self);
void      jr_executor_check_workers_soon         (JrExecutor    *self);
/* Tries again to start the given-up groups that may take tasks that may
 * run @anywhere, when no worker of theirs is up. */
void      jr_executor_refill_given_up            (JrExecutor    *self,
                                                  gboolean       anywhere);
void      jr_executor_refresh_worker_error       (JrExecutor    *self);

/* jr-executor-groups.c: the groups of workers */
void      jr_executor_group_free                 (gpointer       data);
/* A new group in @self's groups, its pool starting @size workers. */
Group    *jr_executor_start_group                (JrExecutor    *self,
                                                  const char    *name,
                                                  JrLauncher    *launcher,
                                                  guint          size);
void      jr_executor_sweep_soon                 (JrExecutor    *self);

/* jr-executor-dependencies.c: tasks that wait for other jobs */
void      jr_executor_task_stop_waiting          (Task          *task);
void      jr_executor_on_dependency_done         (JrFuture      *dependency,
                                                  JrFutureWait  *wait,
                                                  gpointer       user_data);
gboolean  jr_executor_task_wait_for_dependencies (Task          *task,
                                                  GPtrArray     *dependencies);

G_END_DECLS
