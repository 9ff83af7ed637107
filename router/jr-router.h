/* jr-router.h — routes messages from worker threads and processes to
 * receivers on the thread of a GMainContext.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: every function here is called on the router's thread — the
 * thread that owns (iterates) the router's GMainContext. Signals are
 * emitted on that thread. Senders (jr-sender.h) are the part that other
 * threads and processes use.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <gio/gio.h>

#include "jr-version.h"

#include "jr-receiver.h"
#include "jr-sender.h"
#include "jr-types.h"

G_BEGIN_DECLS

#define JR_TYPE_ROUTER (jr_router_get_type ())
JR_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JrRouter, jr_router, JR, ROUTER, GObject)

JR_AVAILABLE_IN_ALL
JrRouter    *jr_router_new               (JrTransport           transport,
                                          GMainContext         *context) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_ALL
JrTransport  jr_router_get_transport     (JrRouter             *self);
JR_AVAILABLE_IN_ALL
GMainContext *jr_router_get_context      (JrRouter             *self);
JR_AVAILABLE_IN_ALL
gboolean     jr_router_get_running       (JrRouter             *self);
JR_AVAILABLE_IN_ALL
guint        jr_router_get_n_pipes       (JrRouter             *self);

JR_AVAILABLE_IN_ALL
gboolean     jr_router_start             (JrRouter             *self,
                                          GError              **error);
JR_AVAILABLE_IN_ALL
gboolean     jr_router_stop              (JrRouter             *self,
                                          GError              **error);

JR_AVAILABLE_IN_ALL
gboolean     jr_router_pipe              (JrRouter             *self,
                                          JrSender            **sender,
                                          JrReceiver          **receiver,
                                          GError              **error);
JR_AVAILABLE_IN_0_2
gboolean     jr_router_pipe_for_channel  (JrRouter             *self,
                                          guint64               channel_id,
                                          JrSender            **sender,
                                          JrReceiver          **receiver,
                                          GError              **error);
JR_AVAILABLE_IN_ALL
gboolean     jr_router_close_pipe        (JrRouter             *self,
                                          JrReceiver           *receiver,
                                          GError              **error);

JR_AVAILABLE_IN_ALL
gboolean     jr_router_route_until       (JrRouter             *self,
                                          JrConditionFunc       condition,
                                          gpointer              user_data,
                                          gint64                timeout_usec,
                                          GError              **error);

JR_AVAILABLE_IN_ALL
void         jr_router_prepare_launcher  (JrRouter             *self,
                                          GSubprocessLauncher  *launcher);
JR_AVAILABLE_IN_ALL
guint64      jr_router_prepare_launcher_full (JrRouter            *self,
                                          GSubprocessLauncher  *launcher,
                                          GError              **error);
JR_AVAILABLE_IN_0_2
guint64      jr_router_add_stream        (JrRouter             *self,
                                          int                   fd,
                                          GError              **error);

G_END_DECLS
