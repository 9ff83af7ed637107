/* jr-monitor-private.h — the thread that moves messages from the children's
 * rings into the router's inbox.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: created, fed and freed on the router's thread; everything else
 * happens on the monitor thread, which started in jr_monitor_new() and is
 * joined by jr_monitor_free().
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-bindings-private.h"
#include "jr-channel-private.h"
#include "jr-inbox-private.h"

G_BEGIN_DECLS

typedef struct _JrMonitor JrMonitor;

/* Frames go to @inbox; @bindings says which pipes each queue may send on
 * (a queue that sends on another is closed as corrupt). */
JrMonitor *jr_monitor_new          (JrInbox    *inbox,
                                    JrBindings *bindings,
                                    GError    **error);
/* Takes ownership of @channel. */
void       jr_monitor_add_channel  (JrMonitor  *monitor,
                                    JrChannel  *channel);
/* Asks for a JR_BATCH_SYNC batch carrying the returned token once every
 * whole frame that is in a ring now has been moved to the inbox. A ring
 * whose unread bytes are only part of a frame counts as read: a child
 * that stops in the middle of a frame cannot hold the sync. (The inbox
 * must have room for the monitor to read, so the sync may still wait for
 * the router to take messages.) */
guint64    jr_monitor_request_sync (JrMonitor  *monitor);
/* Any thread: whether the monitor has read the rings (as far as the
 * inbox let it) since it took sync @token: then what still holds the
 * sync, if anything, is the rings or the inbox, not the scheduler. */
gboolean   jr_monitor_sync_looked_at (JrMonitor *monitor,
                                      guint64    token);
/* Stops and joins the thread and closes every channel. */
void       jr_monitor_free         (JrMonitor  *monitor);

G_END_DECLS
