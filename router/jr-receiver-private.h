/* jr-receiver-private.h — how the router makes and feeds receivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the router's thread.
 */
#pragma once

#include "jobrouter.h"

G_BEGIN_DECLS

JrReceiver *jr_receiver_new          (guint64     connection_id);
void        jr_receiver_emit_message (JrReceiver *self,
                                      GVariant   *message);

G_END_DECLS
