/* jr-future-private.h — how the executor drives a future.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: all of these run on the future's (main) thread.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-future.h"

G_BEGIN_DECLS

JrFuture *jr_future_new           (const char *job_name,
                                   JrJobKind   kind);

/* Called on the future's thread when it becomes CANCELLING, whoever
 * cancelled it (its cancellable may be cancelled on any thread), after its
 * own notifications. Not called when jr_future_mark_cancelled() ends a
 * waiting future. */
typedef void (*JrFutureCancelFunc) (JrFuture *future,
                                    gpointer  data);
void      jr_future_set_cancel_func (JrFuture          *self,
                                     JrFutureCancelFunc func,
                                     gpointer           data);
/* Each returns FALSE (and changes nothing) when the message does not fit the
 * future's state, e.g. progress after cancel: the caller just drops it. */
gboolean  jr_future_mark_started  (JrFuture   *self);
gboolean  jr_future_set_progress  (JrFuture   *self,
                                   double      fraction,
                                   const char *text);
gboolean  jr_future_emit_yielded  (JrFuture   *self,
                                   GVariant   *value);
gboolean  jr_future_complete      (JrFuture   *self,
                                   GVariant   *result);
gboolean  jr_future_fail          (JrFuture   *self,
                                   const GError *error);
/* Where the job starts: its worker's group and machine. */
void      jr_future_set_worker    (JrFuture   *self,
                                   const char *group,
                                   const char *host);
/* The job has really stopped after a cancel: CANCELLING → CANCELLED. */
gboolean  jr_future_mark_cancelled (JrFuture  *self);

G_END_DECLS
