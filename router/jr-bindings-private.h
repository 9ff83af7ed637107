/* jr-bindings-private.h — which child may send on which pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A process router's pipes each belong to one cross-process queue (one
 * child): bound to it when made (jr_router_pipe_for_channel()), or
 * claimed by the first queue that sends on it (jr_router_pipe()). The
 * monitor thread asks here before it lets a frame through, and closes a
 * queue that sends on a pipe that is not its own. Threads of the parent
 * never go through the monitor: they may send on any pipe.
 *
 * Threads: the router's thread adds and removes; the monitor thread
 * checks (and claims). One lock guards the table; the monitor keeps a
 * small cache per queue so that a run of frames for one pipe takes no
 * lock. Connection ids are never reused, so a cached answer stays right.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _JrBindings JrBindings;

typedef enum {
  JR_BINDING_ALLOWED,    /* the queue's own pipe (claimed now, maybe) */
  JR_BINDING_CLOSED,     /* a pipe that was closed: the router drops its messages */
  JR_BINDING_FORBIDDEN,  /* another queue's pipe, or an id never made */
} JrBindingVerdict;

/* @first_id: the router's next connection id; ids below it were made by
 * an earlier run of the router and are closed. */
JrBindings      *jr_bindings_new    (guint64     first_id);
JrBindings      *jr_bindings_ref    (JrBindings *bindings);
void             jr_bindings_unref  (JrBindings *bindings);

/* Router thread. @channel_id 0: the first queue to send claims it. Ids
 * are added in increasing order. */
void             jr_bindings_add    (JrBindings *bindings,
                                     guint64     connection_id,
                                     guint64     channel_id);
void             jr_bindings_remove (JrBindings *bindings,
                                     guint64     connection_id);

/* Monitor thread: may the queue @channel_id send on @connection_id? An
 * unclaimed pipe becomes the queue's. */
JrBindingVerdict jr_bindings_check  (JrBindings *bindings,
                                     guint64     connection_id,
                                     guint64     channel_id);

G_END_DECLS
