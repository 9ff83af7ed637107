/* jr-receiver-private.h — how the router makes and feeds receivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the router's thread.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"

G_BEGIN_DECLS

JrReceiver *jr_receiver_new          (guint64     connection_id);

/* Called for each message instead of emitting `message` (for the
 * library's own pipes, which nobody else sees). */
typedef void (*JrReceiverFunc) (JrReceiver *receiver,
                                GVariant   *message,
                                gpointer    data);
void        jr_receiver_set_func     (JrReceiver     *self,
                                      JrReceiverFunc  func,
                                      gpointer        data);
void        jr_receiver_emit_message (JrReceiver *self,
                                      GVariant   *message);

G_END_DECLS
