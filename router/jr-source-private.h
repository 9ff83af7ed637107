/* jr-source-private.h — small helpers for the GSources of libjobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: any, for a source of a context that thread may change.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Destroys *@source, if any, and drops it: NULL after. */
static inline void
jr_clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

G_END_DECLS
