/* jr-future-waiters-private.h — many waiters on the end of a future, with
 * one handler on it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An executor's jobs that depend on another job wait for its future to be
 * done. A "notify::done" handler each would cost every notification of
 * that future (its progress too) a walk over all of them: GLib keeps one
 * list of handlers per object and signal, and GObject looks for one of the
 * detail emitted in it. Here a future has one handler, however many wait;
 * adding and removing a waiter cost O(1).
 *
 * Threads: the thread of the futures' main context only.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-future.h"

G_BEGIN_DECLS

typedef struct _JrFutureWaiters JrFutureWaiters;
typedef struct _JrFutureWait    JrFutureWait;

/* Called once @future is done, for each waiter in the order added. @wait is
 * gone by then: forget it (never remove it). */
typedef void (*JrFutureDoneFunc) (JrFuture     *future,
                                  JrFutureWait *wait,
                                  gpointer      data);

JrFutureWaiters *jr_future_waiters_new    (JrFutureDoneFunc  func);
/* Disconnects from every future; waiters left are dropped unheard. */
void             jr_future_waiters_free   (JrFutureWaiters  *self);
/* @future must not be done yet. */
JrFutureWait    *jr_future_waiters_add    (JrFutureWaiters  *self,
                                           JrFuture         *future,
                                           gpointer          data);
void             jr_future_waiters_remove (JrFutureWaiters  *self,
                                           JrFutureWait     *wait);

G_END_DECLS
