/* jr-executor-private.h — executor internals shared by its source files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
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

G_END_DECLS
