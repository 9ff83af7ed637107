/* jr-sender-private.h — how the router makes senders.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"
#include "jr-inbox-private.h"

G_BEGIN_DECLS

/* A sender that pushes straight into @inbox (threads of this process). */
JrSender *jr_sender_new_for_inbox (guint64  connection_id,
                                   JrInbox *inbox);

/* As jr_sender_send_data(), for a small numeric value that another message
 * soon follows: a child's sender does not wake the router for it (see
 * jr_channel_write_data_deferred()). */
gboolean  jr_sender_send_data_deferred (JrSender           *self,
                                        const GVariantType *type,
                                        gconstpointer       data,
                                        gsize               size,
                                        GError            **error);

G_END_DECLS
