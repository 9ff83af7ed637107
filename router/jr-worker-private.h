/* jr-worker-private.h — the worker runtime: a queue of jobs that one thread
 * runs one after the other, reporting on the worker's pipe. Worker threads
 * of a thread executor and the main thread of a worker process both run it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: jr_worker_runtime_run() on the worker's own thread, which also
 * owns the runtime's sender — or, given a read function, on two threads
 * that take turns reading requests and running jobs (one job at a time);
 * push, cancel, recall and quit from any thread.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"

G_BEGIN_DECLS

/* How a worker process learns its part: "<request fd>:<pipe id>:<parent pid>". */
#define JR_WORKER_ENV "JOBROUTER_WORKER"
/* Variables of the executor's process named so reach stream workers in
 * their HELLO (see jr-worker-request-private.h). */
#define JR_CARRIED_ENV_PREFIX "JOBROUTER_"

typedef struct _JrWorkerRuntime JrWorkerRuntime;

/* Reads what requests come (blocking), handing them to @runtime with
 * push, cancel and recall; returns FALSE once no more will come. */
typedef gboolean (*JrWorkerReadFunc) (JrWorkerRuntime *runtime,
                                      gpointer         data);

/* @sender: the worker's started pipe; run() sends every job's messages on
 * it. @read: NULL when requests are pushed from outside (a thread
 * worker). */
JrWorkerRuntime *jr_worker_runtime_new    (JrSender         *sender,
                                           JrWorkerReadFunc  read,
                                           gpointer          read_data);
/* Held by whoever runs it and whoever pushes to it: a thread worker whose
 * job ignores its cancel may outlive its pool. */
JrWorkerRuntime *jr_worker_runtime_ref    (JrWorkerRuntime *runtime);
void             jr_worker_runtime_unref  (JrWorkerRuntime *runtime);
/* Whether a job runs now (once quit: whether run() may still take long). */
gboolean         jr_worker_runtime_is_running_job (JrWorkerRuntime *runtime);
JrSender        *jr_worker_runtime_get_sender (JrWorkerRuntime *runtime);
void             jr_worker_runtime_push   (JrWorkerRuntime *runtime,
                                           guint64          job_id,
                                           const char      *name,
                                           GVariant        *args);
/* Fires the running job's cancellable, or marks a queued job so that it is
 * reported cancelled without running. */
void             jr_worker_runtime_cancel (JrWorkerRuntime *runtime,
                                           guint64          job_id);
/* Takes back a job that has not started. Returns FALSE when it has started
 * (or is unknown): the recall comes too late and the job runs. */
gboolean         jr_worker_runtime_recall (JrWorkerRuntime *runtime,
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
/* The same for every thread of process @pid. */
void             jr_worker_set_process_priority (int        pid,
                                           int              nice_value,
                                           gboolean         idle);
int              jr_worker_get_tid        (void);
/* "SIGSEGV" and the like for the signals a worker dies of, "a signal"
 * for others. Not async-signal-safe: format before a handler needs it. */
const char      *jr_worker_signal_name    (int              sig);

/* Whether jr_init() has run in this process. */
gboolean         jr_worker_init_was_called (void);
/* As jr_init() found them in a process that is not a worker (NULL before,
 * or when unknown): the absolute path the program was started by, when it
 * names the running file (links unresolved), and the directory it was
 * started in. Local workers are this program started again, there. */
const char      *jr_worker_get_launch_program (void);
const char      *jr_worker_get_launch_dir     (void);
/* The arguments this process was started with, argv[0] first, as the
 * kernel has them (/proc/self/cmdline): empty if they cannot be read. */
char           **jr_worker_dup_own_argv  (void);
/* What workers of this program are started with after its path: as
 * jr_set_worker_arguments() said, else the arguments it was started with. */
char           **jr_worker_dup_worker_arguments (void);
/* Whether this process was started as a stream worker (its command line
 * ends with JR_STREAM_WORKER_ARG), whether or not it called jr_init(). */
gboolean         jr_worker_is_stream_process (void);
/* In a process started as a worker that cannot serve (jr_init() not
 * called, say): tells the executor why, on stderr and on the worker's
 * pipe when it can, and exits at once. */
G_GNUC_NORETURN
void             jr_worker_refuse         (const char      *reason);

G_END_DECLS
