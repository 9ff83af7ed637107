/* jr-receiver.h — the receiving end of a pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: receivers belong to the router's thread; their `message` signal
 * is emitted there.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <glib-object.h>

#include "jr-version.h"

G_BEGIN_DECLS

#define JR_TYPE_RECEIVER (jr_receiver_get_type ())
JR_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JrReceiver, jr_receiver, JR, RECEIVER, GObject)

JR_AVAILABLE_IN_ALL
guint64 jr_receiver_get_connection_id (JrReceiver *self);

G_END_DECLS
