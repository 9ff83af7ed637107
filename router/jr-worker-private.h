/* jr-worker-private.h — the worker runtime: a queue of jobs that one thread
 * runs one after the other. Worker threads of a thread executor and the
 * main thread of a worker process both run it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: jr_worker_runtime_run() on the worker's own thread; push, cancel
 * and quit from any thread (the executor's, or a worker process's request
 * reader).
 */
#pragma once

#include "jobrouter.h"

G_BEGIN_DECLS

typedef struct _JrWorkerRuntime JrWorkerRuntime;

JrWorkerRuntime *jr_worker_runtime_new    (void);
void             jr_worker_runtime_free   (JrWorkerRuntime *runtime);
/* @sender: the job's sender, or NULL to make one for the parent process. */
void             jr_worker_runtime_push   (JrWorkerRuntime *runtime,
                                           guint64          job_id,
                                           const char      *name,
                                           GVariant        *args,
                                           JrSender        *sender);
void             jr_worker_runtime_cancel (JrWorkerRuntime *runtime,
                                           guint64          job_id);
/* Takes back a job that has not started and reports it as returned. */
void             jr_worker_runtime_recall (JrWorkerRuntime *runtime,
                                           guint64          job_id);
/* Cancels everything and makes run() return once the current job ends. */
void             jr_worker_runtime_quit   (JrWorkerRuntime *runtime);
void             jr_worker_runtime_run    (JrWorkerRuntime *runtime);

/* Sets a worker thread's (or a worker process's main thread's) CPU
 * priority: a nice value and, when @idle, SCHED_IDLE — it then runs only
 * when nothing else wants the processor, as desktop indexers do. */
void             jr_worker_set_priority   (int              tid,
                                           int              nice_value,
                                           gboolean         idle);
int              jr_worker_get_tid        (void);

G_END_DECLS
