/* jr-twice-mapped-private.h — memory mapped twice, back to back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rings (jr-channel.c) and the streams' read buffers (jr-stream.c)
 * map their memory twice in a row: a frame or a run of bytes that wraps
 * around the end of the ring is still contiguous, so nothing copies it
 * to read it whole.
 *
 * Threads: any.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Sets a JR_ROUTER_ERROR_FAILED error: "@what: <errno's text>". Returns
 * FALSE, for `return jr_set_errno_error (…)`. */
gboolean  jr_set_errno_error (GError     **error,
                              const char  *what);

/* Maps @size bytes of @fd from @offset (shared, read and write) twice,
 * back to back. Returns the first byte of 2 × @size, to unmap with
 * munmap (base, 2 * size); NULL with an error naming @what. */
guint8   *jr_map_twice       (int          fd,
                              off_t        offset,
                              gsize        size,
                              const char  *what,
                              GError     **error);

G_END_DECLS
