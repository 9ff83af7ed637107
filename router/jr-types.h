/* jr-types.h — small shared types of the router.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: any thread.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <glib-object.h>

#include "jr-version.h"

G_BEGIN_DECLS

/**
 * JrTransport:
 * @JR_TRANSPORT_THREADS: senders run in threads of this process
 * @JR_TRANSPORT_PROCESSES: senders run in child processes (and may also be
 *   used from threads of this process)
 *
 * Where the senders of a router's pipes live.
 *
 * Since: 0.1
 */
typedef enum {
  JR_TRANSPORT_THREADS,
  JR_TRANSPORT_PROCESSES,
} JrTransport;

JR_AVAILABLE_IN_ALL
GType jr_transport_get_type (void) G_GNUC_CONST;
#define JR_TYPE_TRANSPORT (jr_transport_get_type ())

/**
 * JrConditionFunc:
 * @user_data: the data given to [method@Jr.Router.route_until]
 *
 * Tells [method@Jr.Router.route_until] whether to stop routing.
 * Called on the router's thread.
 *
 * Returns: %TRUE once the awaited condition holds
 *
 * Since: 0.1
 */
typedef gboolean (*JrConditionFunc) (gpointer user_data);

/**
 * JR_MESSAGE_SIZE_MAX:
 *
 * The largest serialized size, in bytes, of one message (32 MiB).
 *
 * Since: 0.1
 */
#define JR_MESSAGE_SIZE_MAX (32u * 1024u * 1024u)

G_END_DECLS
