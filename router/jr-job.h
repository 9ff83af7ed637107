/* jr-job.h — what a job function sees, and how job kinds are registered.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: jr_register_job*(), jr_set_job_placement(),
 * jr_set_worker_arguments() and jr_init() are called from main() before
 * any other thread starts. A JrJob is used only by the thread that runs the
 * job function it was passed to.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <gio/gio.h>

#include "jr-version.h"

G_BEGIN_DECLS

/**
 * JR_JOB_ERROR:
 *
 * Error domain of job execution: errors that the executor itself puts on a
 * future. Errors raised by a job function keep their own domain.
 *
 * Since: 0.1
 */
#define JR_JOB_ERROR (jr_job_error_quark ())

/**
 * JrJobError:
 * @JR_JOB_ERROR_UNKNOWN_JOB: no job of that name is registered
 * @JR_JOB_ERROR_INVALID_ARGS: the arguments are not of the job's declared
 *   type, or larger than %JR_MESSAGE_SIZE_MAX with the job's name
 * @JR_JOB_ERROR_UNAVAILABLE: the job kind declared itself unavailable
 * @JR_JOB_ERROR_WORKER_CRASHED: the worker running the job died
 * @JR_JOB_ERROR_STOPPED: the executor is stopping or stopped
 * @JR_JOB_ERROR_DEPENDENCY_FAILED: a job this one depends on failed or was cancelled
 * @JR_JOB_ERROR_TRY_LATER: a transient failure: the job may be retried
 * @JR_JOB_ERROR_RESULT_TOO_LARGE: the result, a yield or progress text is
 *   larger than %JR_MESSAGE_SIZE_MAX
 * @JR_JOB_ERROR_FAILED: any other failure (a job returned NULL without an error)
 * @JR_JOB_ERROR_NO_WORKER: no worker could be started to run the job; the
 *   message says why (the program does not call jr_init(), say, or a
 *   group's launcher could not log in). Since 0.2
 * @JR_JOB_ERROR_EXCEPTION: a job written in a language with exceptions
 *   raised one (a Python job, say): the message's first line is the
 *   exception's type and message (`ValueError: bad value`), and its
 *   traceback follows after an empty line (since 0.2)
 * @JR_JOB_ERROR_WORKER_LOST: the connection to the worker running the job
 *   was lost: its launcher (ssh, srun) ended, or the worker on the far
 *   side did; the message names the group and why. Such a failure is
 *   normal at a distance: the job may be submitted again (since 0.2)
 *
 * Errors of the %JR_JOB_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum {
  JR_JOB_ERROR_UNKNOWN_JOB,
  JR_JOB_ERROR_INVALID_ARGS,
  JR_JOB_ERROR_UNAVAILABLE,
  JR_JOB_ERROR_WORKER_CRASHED,
  JR_JOB_ERROR_STOPPED,
  JR_JOB_ERROR_DEPENDENCY_FAILED,
  JR_JOB_ERROR_TRY_LATER,
  JR_JOB_ERROR_RESULT_TOO_LARGE,
  JR_JOB_ERROR_FAILED,
  JR_JOB_ERROR_NO_WORKER,
  JR_JOB_ERROR_EXCEPTION,
  JR_JOB_ERROR_WORKER_LOST,
} JrJobError;

JR_AVAILABLE_IN_ALL
GQuark jr_job_error_quark (void);

JR_AVAILABLE_IN_0_2
GType jr_job_error_get_type (void) G_GNUC_CONST;
#define JR_TYPE_JOB_ERROR (jr_job_error_get_type ())

/**
 * JrJob:
 *
 * The handle a job function gets: report progress with
 * [method@Jr.Job.progress], yield values with [method@Jr.Job.yield], watch
 * for cancellation with [method@Jr.Job.get_cancellable]. Owned by the
 * runtime; valid during the call only, on the thread that runs the job.
 *
 * Since: 0.1
 */
typedef struct _JrJob JrJob;

/**
 * JrJobFunc:
 * @job: the running job
 * @args: (nullable): the arguments given at submission
 * @error: return location for the job's error
 *
 * A job. Runs in a worker thread or a worker process.
 *
 * Returns: (transfer full) (nullable): the result (a floating reference is
 *   sunk), or %NULL with @error set
 *
 * Since: 0.1
 */
typedef GVariant *(*JrJobFunc) (JrJob     *job,
                                GVariant  *args,
                                GError   **error);

/**
 * JrJobDataFunc:
 * @job: the running job
 * @args: (nullable): the arguments given at submission
 * @user_data: (closure): the data given at registration
 * @error: return location for the job's error
 *
 * A job with data of its own, registered with
 * [func@Jr.register_job_with_data]: what language bindings register (a
 * Python callable, say). Runs in a worker thread or a worker process, on
 * any thread of its worker.
 *
 * Returns: (transfer full) (nullable): the result (a floating reference is
 *   sunk), or %NULL with @error set
 *
 * Since: 0.2
 */
typedef GVariant *(*JrJobDataFunc) (JrJob     *job,
                                    GVariant  *args,
                                    gpointer   user_data,
                                    GError   **error);

JR_AVAILABLE_IN_ALL
void          jr_register_job         (const char         *name,
                                       JrJobFunc           func);
JR_AVAILABLE_IN_ALL
void          jr_register_job_full    (const char         *name,
                                       JrJobFunc           func,
                                       const GVariantType *args_type,
                                       const char         *unavailable_reason);
JR_AVAILABLE_IN_0_2
void          jr_register_job_with_data (const char         *name,
                                         JrJobDataFunc       func,
                                         gpointer            user_data,
                                         GDestroyNotify      destroy,
                                         const GVariantType *args_type,
                                         const char         *unavailable_reason);

JR_AVAILABLE_IN_ALL
void          jr_init                 (int                *argc,
                                       char             ***argv);
JR_AVAILABLE_IN_0_2
void          jr_set_worker_arguments (const char * const *arguments);

JR_AVAILABLE_IN_ALL
gboolean      jr_job_progress         (JrJob              *job,
                                       double              fraction,
                                       const char         *text,
                                       GError            **error);
JR_AVAILABLE_IN_ALL
gboolean      jr_job_yield            (JrJob              *job,
                                       GVariant           *value,
                                       GError            **error);
JR_AVAILABLE_IN_ALL
GCancellable *jr_job_get_cancellable  (JrJob              *job);

/**
 * JrJobPlacement:
 * @JR_JOB_PLACEMENT_LOCAL_PATHS: the job reads or writes paths of this
 *   machine (the default): it runs on the local workers, and on a group
 *   of another machine only when its launcher says the paths are shared
 *   ([method@Jr.Launcher.set_shared_paths])
 * @JR_JOB_PLACEMENT_ANYWHERE: the job needs nothing of this machine but
 *   its arguments: it may run on any group, on any machine
 *
 * Where a job kind may run; see [func@Jr.set_job_placement].
 *
 * Since: 0.2
 */
typedef enum {
  JR_JOB_PLACEMENT_LOCAL_PATHS,
  JR_JOB_PLACEMENT_ANYWHERE,
} JrJobPlacement;

JR_AVAILABLE_IN_0_2
GType         jr_job_placement_get_type (void) G_GNUC_CONST;
#define JR_TYPE_JOB_PLACEMENT (jr_job_placement_get_type ())

JR_AVAILABLE_IN_0_2
void          jr_set_job_placement    (const char         *name,
                                       JrJobPlacement      placement);

G_END_DECLS
