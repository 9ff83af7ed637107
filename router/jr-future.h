/* jr-future.h — the main-thread view of one submitted job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a future belongs to the thread of its executor's main context.
 * Its properties change, and its signals are emitted, only there; read them
 * there. jr_future_cancel() may be called from any thread: the future
 * changes on its own.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <gio/gio.h>

#include "jr-version.h"

G_BEGIN_DECLS

/**
 * JrFutureState:
 * @JR_FUTURE_STATE_WAITING: submitted, not yet running
 * @JR_FUTURE_STATE_EXECUTING: running in a worker
 * @JR_FUTURE_STATE_CANCELLING: cancelled; waiting for the job to stop
 * @JR_FUTURE_STATE_COMPLETED: finished with a result
 * @JR_FUTURE_STATE_FAILED: finished with an error
 * @JR_FUTURE_STATE_CANCELLED: stopped after a cancel
 *
 * The life of a [class@Jr.Future]: WAITING → EXECUTING → COMPLETED or
 * FAILED; a cancel from WAITING or EXECUTING goes through CANCELLING to
 * CANCELLED.
 *
 * Since: 0.1
 */
typedef enum {
  JR_FUTURE_STATE_WAITING,
  JR_FUTURE_STATE_EXECUTING,
  JR_FUTURE_STATE_CANCELLING,
  JR_FUTURE_STATE_COMPLETED,
  JR_FUTURE_STATE_FAILED,
  JR_FUTURE_STATE_CANCELLED,
} JrFutureState;

JR_AVAILABLE_IN_ALL
GType jr_future_state_get_type (void) G_GNUC_CONST;
#define JR_TYPE_FUTURE_STATE (jr_future_state_get_type ())

/**
 * JrJobKind:
 * @JR_JOB_KIND_CALL: a call: one result
 * @JR_JOB_KIND_PROGRESS: a call that reports progress
 * @JR_JOB_KIND_ITERATION: a job that yields values (see [signal@Jr.Future::yielded])
 *
 * How a job was submitted; it decides which messages its future accepts.
 *
 * Since: 0.1
 */
typedef enum {
  JR_JOB_KIND_CALL,
  JR_JOB_KIND_PROGRESS,
  JR_JOB_KIND_ITERATION,
} JrJobKind;

JR_AVAILABLE_IN_ALL
GType jr_job_kind_get_type (void) G_GNUC_CONST;
#define JR_TYPE_JOB_KIND (jr_job_kind_get_type ())

#define JR_TYPE_FUTURE (jr_future_get_type ())
JR_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JrFuture, jr_future, JR, FUTURE, GObject)

JR_AVAILABLE_IN_ALL
JrFutureState  jr_future_get_state         (JrFuture *self);
JR_AVAILABLE_IN_ALL
gboolean       jr_future_get_done          (JrFuture *self);
JR_AVAILABLE_IN_ALL
JrJobKind      jr_future_get_kind          (JrFuture *self);
JR_AVAILABLE_IN_ALL
const char    *jr_future_get_job_name      (JrFuture *self);
JR_AVAILABLE_IN_ALL
const char    *jr_future_get_title         (JrFuture *self);
JR_AVAILABLE_IN_ALL
void           jr_future_set_title         (JrFuture *self,
                                            const char *title);
JR_AVAILABLE_IN_ALL
GCancellable  *jr_future_get_cancellable   (JrFuture *self);
JR_AVAILABLE_IN_ALL
double         jr_future_get_progress      (JrFuture *self);
JR_AVAILABLE_IN_ALL
const char    *jr_future_get_progress_text (JrFuture *self);
JR_AVAILABLE_IN_ALL
GVariant      *jr_future_get_result        (JrFuture *self);
JR_AVAILABLE_IN_ALL
const GError  *jr_future_get_error         (JrFuture *self);
JR_AVAILABLE_IN_ALL
gint64         jr_future_get_queued_time   (JrFuture *self);
JR_AVAILABLE_IN_ALL
gint64         jr_future_get_start_time    (JrFuture *self);
JR_AVAILABLE_IN_ALL
gint64         jr_future_get_end_time      (JrFuture *self);
JR_AVAILABLE_IN_ALL
gboolean       jr_future_get_cancellable_now (JrFuture *self);
JR_AVAILABLE_IN_0_2
const char    *jr_future_get_worker_group  (JrFuture *self);
JR_AVAILABLE_IN_0_2
const char    *jr_future_get_worker_host   (JrFuture *self);
JR_AVAILABLE_IN_0_2
char          *jr_future_dup_place         (JrFuture *self) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_0_2
GMainContext  *jr_future_get_context       (JrFuture *self);
JR_AVAILABLE_IN_ALL
gboolean       jr_future_cancel            (JrFuture *self);

JR_AVAILABLE_IN_0_2
void           jr_future_wait_async        (JrFuture            *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
JR_AVAILABLE_IN_0_2
GVariant      *jr_future_wait_finish       (JrFuture            *self,
                                            GAsyncResult        *result,
                                            GError             **error);
JR_AVAILABLE_IN_0_2
GVariant      *jr_future_wait              (JrFuture            *self,
                                            gint64               timeout_usec,
                                            GError             **error);

G_END_DECLS
