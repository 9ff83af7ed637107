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

/* Offered a message that arrived in serialized form (a child's queue, a
 * thread sender's jr_sender_send_data()) before the router makes a
 * GVariant of it: returns TRUE if it took the message, FALSE to have it
 * as a GVariant through the JrReceiverFunc. @data holds @size bytes of a
 * value of type @type, checked and in normal form, valid during the call. */
typedef gboolean (*JrReceiverDataFunc) (JrReceiver    *receiver,
                                        const char    *type,
                                        gconstpointer  data,
                                        gsize          size,
                                        gpointer       user_data);
void        jr_receiver_set_data_func (JrReceiver         *self,
                                       JrReceiverDataFunc  func);
/* Whether it has a JrReceiverDataFunc; then offers it the message. */
gboolean    jr_receiver_has_data_func (JrReceiver         *self);
gboolean    jr_receiver_offer_data    (JrReceiver         *self,
                                       const char         *type,
                                       gconstpointer       data,
                                       gsize               size);

G_END_DECLS
