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

G_END_DECLS
