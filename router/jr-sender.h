/* jr-sender.h — the sending end of a pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a sender is used by one thread at a time — the worker that owns
 * it — and that thread must not be the router's thread when the router's
 * queues are full (senders wait for room). Different senders may be used
 * from different threads at once.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <glib-object.h>

#include "jr-version.h"

G_BEGIN_DECLS

#define JR_TYPE_SENDER (jr_sender_get_type ())
JR_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JrSender, jr_sender, JR, SENDER, GObject)

JR_AVAILABLE_IN_ALL
JrSender *jr_sender_new_for_parent     (guint64    connection_id,
                                        GError   **error) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_ALL
gboolean  jr_sender_start              (JrSender  *self,
                                        GError   **error);
JR_AVAILABLE_IN_ALL
gboolean  jr_sender_send               (JrSender  *self,
                                        GVariant  *message,
                                        GError   **error);
JR_AVAILABLE_IN_ALL
gboolean  jr_sender_send_data          (JrSender           *self,
                                        const GVariantType *type,
                                        gconstpointer       data,
                                        gsize               size,
                                        GError            **error);
JR_AVAILABLE_IN_ALL
gboolean  jr_sender_stop               (JrSender  *self,
                                        GError   **error);
JR_AVAILABLE_IN_ALL
guint64   jr_sender_get_connection_id  (JrSender  *self);

G_END_DECLS
