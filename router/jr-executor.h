/* jr-executor.h — runs jobs in a pool of worker processes or threads and
 * hands back futures.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: an executor belongs to the thread-default main context of the
 * thread that created it; call its functions on the thread that runs
 * that context (a submit, stop, shutdown, group change or setter from
 * another thread while it runs is refused with a critical). Its futures
 * change only there, and a job's dependencies must be futures of the same
 * context. Its last reference may be dropped on any thread: it is then
 * disposed on its own. A JrJobOptions belongs to whoever holds it: make
 * and fill one on any thread, one thread at a time.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <gio/gio.h>

#include "jr-version.h"

#include "jr-future.h"
#include "jr-launcher.h"
#include "jr-types.h"

G_BEGIN_DECLS

/**
 * JrExecutorState:
 * @JR_EXECUTOR_STATE_RUNNING: accepting jobs
 * @JR_EXECUTOR_STATE_STOPPING: stopped accepting jobs; waiting for running ones to end
 * @JR_EXECUTOR_STATE_STOPPED: every job is done and every worker gone
 *
 * The life of a [class@Jr.Executor].
 *
 * Since: 0.1
 */
typedef enum {
  JR_EXECUTOR_STATE_RUNNING,
  JR_EXECUTOR_STATE_STOPPING,
  JR_EXECUTOR_STATE_STOPPED,
} JrExecutorState;

JR_AVAILABLE_IN_ALL
GType jr_executor_state_get_type (void) G_GNUC_CONST;
#define JR_TYPE_EXECUTOR_STATE (jr_executor_state_get_type ())

/**
 * JrJobOptions:
 *
 * Optional settings for [method@Jr.Executor.submit_full]: kind, title,
 * dependencies, retries and priority. A plain struct-like boxed type.
 *
 * Since: 0.1
 */
typedef struct _JrJobOptions JrJobOptions;

JR_AVAILABLE_IN_ALL
GType         jr_job_options_get_type        (void) G_GNUC_CONST;
#define JR_TYPE_JOB_OPTIONS (jr_job_options_get_type ())
JR_AVAILABLE_IN_ALL
JrJobOptions *jr_job_options_new             (JrJobKind     kind);
JR_AVAILABLE_IN_ALL
JrJobOptions *jr_job_options_copy            (const JrJobOptions *options);
JR_AVAILABLE_IN_ALL
void          jr_job_options_free            (JrJobOptions *options);
JR_AVAILABLE_IN_ALL
void          jr_job_options_set_title       (JrJobOptions *options,
                                              const char   *title);
JR_AVAILABLE_IN_ALL
void          jr_job_options_add_dependency  (JrJobOptions *options,
                                              JrFuture     *future);
JR_AVAILABLE_IN_ALL
void          jr_job_options_set_retries     (JrJobOptions *options,
                                              guint         max_retries,
                                              gint64        first_backoff_usec);
JR_AVAILABLE_IN_ALL
void          jr_job_options_set_priority    (JrJobOptions *options,
                                              int           priority);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JrJobOptions, jr_job_options_free)

#define JR_TYPE_EXECUTOR (jr_executor_get_type ())
JR_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JrExecutor, jr_executor, JR, EXECUTOR, GObject)

JR_AVAILABLE_IN_ALL
JrExecutor     *jr_executor_new               (JrTransport    transport,
                                               guint          max_workers) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_ALL
JrFuture       *jr_executor_submit_call       (JrExecutor    *self,
                                               const char    *job,
                                               GVariant      *args,
                                               GError       **error);
JR_AVAILABLE_IN_ALL
JrFuture       *jr_executor_submit_progress   (JrExecutor    *self,
                                               const char    *job,
                                               GVariant      *args,
                                               GError       **error);
JR_AVAILABLE_IN_ALL
JrFuture       *jr_executor_submit_iteration  (JrExecutor    *self,
                                               const char    *job,
                                               GVariant      *args,
                                               GError       **error);
JR_AVAILABLE_IN_ALL
JrFuture       *jr_executor_submit_full       (JrExecutor    *self,
                                               const char    *job,
                                               GVariant      *args,
                                               const JrJobOptions *options,
                                               GError       **error);
JR_AVAILABLE_IN_ALL
void            jr_executor_stop              (JrExecutor    *self);
JR_AVAILABLE_IN_ALL
gboolean        jr_executor_shutdown          (JrExecutor    *self,
                                               gint64         timeout_usec,
                                               GError       **error);
JR_AVAILABLE_IN_ALL
JrExecutorState jr_executor_get_state         (JrExecutor    *self);
JR_AVAILABLE_IN_ALL
GListModel     *jr_executor_get_jobs          (JrExecutor    *self);
JR_AVAILABLE_IN_ALL
JrTransport     jr_executor_get_transport     (JrExecutor    *self);
JR_AVAILABLE_IN_ALL
guint           jr_executor_get_max_workers   (JrExecutor    *self);
JR_AVAILABLE_IN_ALL
guint           jr_executor_get_n_workers     (JrExecutor    *self);
JR_AVAILABLE_IN_0_2
const GError   *jr_executor_get_worker_error  (JrExecutor    *self);
JR_AVAILABLE_IN_ALL
void            jr_executor_set_cancel_grace  (JrExecutor    *self,
                                               gint64         grace_usec);
JR_AVAILABLE_IN_ALL
void            jr_executor_set_worker_nice   (JrExecutor    *self,
                                               int            nice);
JR_AVAILABLE_IN_ALL
void            jr_executor_set_worker_idle   (JrExecutor    *self,
                                               gboolean       idle);

JR_AVAILABLE_IN_0_2
gboolean        jr_executor_add_group         (JrExecutor    *self,
                                               const char    *name,
                                               JrLauncher    *launcher,
                                               guint          size,
                                               GError       **error);
JR_AVAILABLE_IN_0_2
gboolean        jr_executor_set_group_size    (JrExecutor    *self,
                                               const char    *name,
                                               guint          size,
                                               GError       **error);
JR_AVAILABLE_IN_0_2
gboolean        jr_executor_remove_group      (JrExecutor    *self,
                                               const char    *name,
                                               GError       **error);
JR_AVAILABLE_IN_0_2
guint           jr_executor_get_group_size    (JrExecutor    *self,
                                               const char    *name);
JR_AVAILABLE_IN_0_2
JrLauncher     *jr_executor_get_group_launcher (JrExecutor   *self,
                                                const char   *name);
JR_AVAILABLE_IN_0_2
char          **jr_executor_dup_group_names   (JrExecutor    *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
