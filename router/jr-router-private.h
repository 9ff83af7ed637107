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

/* As jr_router_prepare_launcher_full(), for a child spawned some other way
 * (g_spawn_async_with_pipes_and_fds(), whose posix_spawn path a
 * GSubprocessLauncher cannot take): the child's ends of its queue go to
 * @child. Returns the queue's id, or 0 with @error set. */
guint64 jr_router_prepare_child (JrRouter    *self,
                                 JrChildFds  *child,
                                 GError     **error);

G_END_DECLS
