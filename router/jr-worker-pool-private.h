/* jr-worker-pool-private.h — an executor's workers: started, watched,
 * replaced, told what to run, and ended. The pool never holds a job: it
 * passes requests down and messages up, and says when a worker comes and
 * goes; the executor keeps track of which jobs each worker has.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A worker is a process (the program run again; see jr-worker-process.c),
 * a stream worker started through its group's launcher (ssh, srun; maybe
 * on another machine), or a thread of this process. Each has one pipe of
 * the executor's router for all its messages. A pool is one group of the
 * executor: a launcher, a name and a size.
 *
 * Threads: everything here, callbacks included, runs on the thread of the
 * router's main context.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"
#include "jr-job-message-private.h"

G_BEGIN_DECLS

typedef struct _JrWorkerPool JrWorkerPool;
typedef struct _JrPoolWorker JrPoolWorker;

typedef struct {
  /* A new worker may take jobs: requests wait for it until it is up. A
   * worker started through a command (ssh, srun) is added only once it is
   * up: it may never be. */
  void (*worker_added)  (JrPoolWorker      *worker,
                         gpointer           user_data);
  /* A message about one of the worker's jobs (@parts->job_id is not 0).
   * @message is the whole message, @parts what was read from it; both are
   * the pool's. @message is NULL for a tag alone ("(ty)": STARTED,
   * CANCELLED, RETURNED), read with no GVariant made of it. */
  void (*job_message)   (JrPoolWorker      *worker,
                         GVariant          *message,
                         JrJobMessageParts *parts,
                         gpointer           user_data);
  /* The worker is gone and every message it sent has been delivered:
   * settle its jobs. It is freed after this returns. Also for a thread
   * abandoned (jr_pool_worker_kill()) once it ends: its jobs were settled
   * then. */
  void (*worker_gone)   (JrPoolWorker      *worker,
                         const GError      *reason,
                         gpointer           user_data);
  /* No worker could be started a few times in a row: the pool has given
   * up until jr_worker_pool_fill() is called again. */
  void (*start_failed)  (const GError      *error,
                         gpointer           user_data);
} JrWorkerPoolCallbacks;

/* @argv: how to start a local worker process; NULL for this program run
 * again with the arguments it was started with. @launcher: a command
 * launcher needs @transport JR_TRANSPORT_PROCESSES. @group: its name, in
 * messages. */
JrWorkerPool *jr_worker_pool_new        (JrRouter                    *router,
                                         JrTransport                  transport,
                                         JrLauncher                  *launcher,
                                         const char                  *group,
                                         guint                        size,
                                         const char * const          *argv,
                                         const JrWorkerPoolCallbacks *callbacks,
                                         gpointer                     user_data);
/* Ends every worker at once (killing processes, joining threads); no
 * callback is called. */
void          jr_worker_pool_free       (JrWorkerPool                *pool);

/* Starts workers up to the pool's size, and tries again after the pool
 * gave up. */
void          jr_worker_pool_fill       (JrWorkerPool                *pool);
/* No more workers are started; each one is asked to end once its jobs
 * have (worker_gone follows for each). */
void          jr_worker_pool_retire     (JrWorkerPool                *pool);
/* TRUE once no worker of any kind is left. */
gboolean      jr_worker_pool_is_empty   (JrWorkerPool                *pool);
/* Workers that take jobs (started, not retired or abandoned). */
guint         jr_worker_pool_get_n_workers (JrWorkerPool             *pool);
/* The reason of the last give-up, while the pool has given up. */
const GError *jr_worker_pool_get_failure (JrWorkerPool               *pool);
void          jr_worker_pool_set_priority (JrWorkerPool              *pool,
                                         int                          nice_value,
                                         gboolean                     idle);
/* A new size: more workers start now; for fewer, the executor retires
 * the ones it picks (jr_pool_worker_retire()). */
void          jr_worker_pool_set_size   (JrWorkerPool                *pool,
                                         guint                        size);
guint         jr_worker_pool_get_size   (JrWorkerPool                *pool);
/* For a caller that routes by hand, without the main loop (a shutdown):
 * looks whether commands (ssh, srun) whose streams ended have exited, and
 * kills those past their time, as the main loop's sources would. */
void          jr_worker_pool_poll       (JrWorkerPool                *pool);

void          jr_pool_worker_run        (JrPoolWorker                *worker,
                                         guint64                      job_id,
                                         const char                  *name,
                                         GVariant                    *args);
void          jr_pool_worker_cancel     (JrPoolWorker                *worker,
                                         guint64                      job_id);
/* Asks for a job that has not started back. TRUE: it is back, now (a
 * thread worker). FALSE: a RETURNED message follows if it had not started
 * yet (a process worker), or it runs. */
gboolean      jr_pool_worker_recall     (JrPoolWorker                *worker,
                                         guint64                      job_id);
/* Ends a worker that will not stop by itself (@reason says why, for the
 * errors of its jobs). A process is killed, with every process of its
 * group: worker_gone follows. A thread cannot be killed: it is abandoned
 * (its later messages are dropped, a new worker takes its place) and TRUE
 * is returned: settle its jobs now; no worker_gone follows. */
gboolean      jr_pool_worker_kill       (JrPoolWorker                *worker,
                                         const char                  *reason);
/* A worker that broke the protocol (a message of no known shape, one about
 * a job it does not run): a process is killed with a warning, its jobs
 * failing with @reason ("it sent …"); a thread's message is only warned of. */
void          jr_pool_worker_reject     (JrPoolWorker                *worker,
                                         const char                  *reason);
/* The executor heard from @worker (any job message): a worker behind a
 * command's TCP relay gets an ACK back soon unless a request goes anyway
 * (see jr-worker-pool-worker.c). */
void          jr_pool_worker_heard      (JrPoolWorker                *worker);
gboolean      jr_pool_worker_is_process (JrPoolWorker                *worker);
/* Whether it said it is up (and has not gone since). */
gboolean      jr_pool_worker_is_ready   (JrPoolWorker                *worker);
/* The machine it runs on, as it said once ready (NULL before). */
const char   *jr_pool_worker_get_host   (JrPoolWorker                *worker);
JrWorkerPool *jr_pool_worker_get_pool   (JrPoolWorker                *worker);
/* It takes no more jobs and is asked to end (worker_gone follows). For a
 * worker that has no job left. */
void          jr_pool_worker_retire     (JrPoolWorker                *worker);
void          jr_pool_worker_set_data   (JrPoolWorker                *worker,
                                         gpointer                     data);
gpointer      jr_pool_worker_get_data   (JrPoolWorker                *worker);

G_END_DECLS
