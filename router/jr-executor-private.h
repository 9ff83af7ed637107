/* jr-executor-private.h — what the rest of libjobrouter (and its tests)
 * know of the executor: the options of a submission, and an accessor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor's own state, shared by its parts, is in
 * jr-executor-parts-private.h, which only router/jr-executor*.c include.
 * None of this is exported: only the JR_AVAILABLE_IN_* API of
 * jr-executor.h is.
 *
 * Threads: JrJobOptions is plain data, read on the thread that submits.
 * jr_executor_get_router() runs on the thread of the executor's main
 * context, as its API does.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"

G_BEGIN_DECLS

struct _JrJobOptions {
  JrJobKind  kind;
  char      *title;
  GPtrArray *dependencies;   /* JrFuture */
  guint      max_retries;
  gint64     first_backoff_usec;
  int        priority;
};

/* The router that carries @self's messages, for tests (its priority);
 * owned by @self. */
JrRouter *jr_executor_get_router (JrExecutor *self);

G_END_DECLS
