/* jr-error.h — error domain of the router.
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
 * JR_ROUTER_ERROR:
 *
 * Error domain of the router, its pipes and their senders.
 * Errors in this domain are from the [error@Jr.RouterError] enumeration.
 *
 * Since: 0.1
 */
#define JR_ROUTER_ERROR (jr_router_error_quark ())

/**
 * JrRouterError:
 * @JR_ROUTER_ERROR_NOT_RUNNING: the router is not running (not started, or stopped)
 * @JR_ROUTER_ERROR_ALREADY_RUNNING: the router was started twice
 * @JR_ROUTER_ERROR_TIMED_OUT: [method@Jr.Router.route_until] reached its deadline
 * @JR_ROUTER_ERROR_SENDER_STATE: a sender was used out of order (send before
 *   start, start or stop twice, restart after stop)
 * @JR_ROUTER_ERROR_MESSAGE_TOO_LARGE: a message is larger than
 *   %JR_MESSAGE_SIZE_MAX once serialized
 * @JR_ROUTER_ERROR_NO_PARENT: this process was not started with a prepared
 *   launcher, or its queue is already owned by another process
 * @JR_ROUTER_ERROR_DISCONNECTED: the other end of the queue has gone away
 * @JR_ROUTER_ERROR_FAILED: a system call failed
 * @JR_ROUTER_ERROR_INVALID_MESSAGE: a serialized value given to
 *   [method@Jr.Sender.send_data] is not in normal form
 *
 * Errors of the %JR_ROUTER_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum {
  JR_ROUTER_ERROR_NOT_RUNNING,
  JR_ROUTER_ERROR_ALREADY_RUNNING,
  JR_ROUTER_ERROR_TIMED_OUT,
  JR_ROUTER_ERROR_SENDER_STATE,
  JR_ROUTER_ERROR_MESSAGE_TOO_LARGE,
  JR_ROUTER_ERROR_NO_PARENT,
  JR_ROUTER_ERROR_DISCONNECTED,
  JR_ROUTER_ERROR_FAILED,
  JR_ROUTER_ERROR_INVALID_MESSAGE,
} JrRouterError;

JR_AVAILABLE_IN_ALL
GQuark jr_router_error_quark (void);

JR_AVAILABLE_IN_0_2
GType jr_router_error_get_type (void) G_GNUC_CONST;
#define JR_TYPE_ROUTER_ERROR (jr_router_error_get_type ())

G_END_DECLS
