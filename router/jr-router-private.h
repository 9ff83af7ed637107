/* jr-router-private.h — router internals shared inside the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the router's thread, as its public API.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"
#include "jr-channel-private.h"

G_BEGIN_DECLS

/* The monotonic time @timeout_usec from now: G_MAXINT64 (never) for a
 * negative timeout, or one too large to add without overflow. */
static inline gint64
jr_deadline_after (gint64 timeout_usec)
{
  gint64 now = g_get_monotonic_time ();

  return timeout_usec < 0 || timeout_usec > G_MAXINT64 - now ? G_MAXINT64 : now + timeout_usec;
}

/* As jr_router_prepare_launcher_full(), for a child spawned some other way
 * (g_spawn_async_with_pipes_and_fds(), whose posix_spawn path a
 * GSubprocessLauncher cannot take): the child's ends of its queue go to
 * @child. Returns the queue's id, or 0 with @error set. */
guint64 jr_router_prepare_child (JrRouter    *self,
                                 JrChildFds  *child,
                                 GError     **error);

/* Whether messages wait to be delivered (the router's thread was busy):
 * an ending already on its way there. */
gboolean jr_router_has_pending  (JrRouter    *self);
/* Stops taking messages, while it runs on: senders fail from now on
 * instead of waiting for room (a teardown that joins threads which may
 * still send). jr_router_stop() does the rest. */
void     jr_router_close_inbox  (JrRouter    *self);

G_END_DECLS
