/* jr-warn-limit-private.h — how many warnings one worker's queue may cause.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A hostile or broken child can make the monitor find a bad frame per few
 * bytes it writes: 100 000 warnings a second would drown the log and the
 * router's thread. Per queue, the first JR_WARN_LIMIT_VERBATIM warnings
 * are said in full; after that only their number, in at most one summary
 * line a second, and the rest when the queue closes.
 *
 * The router's thread limits the warnings about messages it drops (for
 * closed pipes) the same way: a child can send those as fast.
 *
 * Threads: one limit per user (a queue on the monitor thread, the router
 * on its own); not locked.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define JR_WARN_LIMIT_VERBATIM    5u
#define JR_WARN_LIMIT_PERIOD_USEC G_USEC_PER_SEC

typedef struct {
  guint   verbatim;      /* said in full so far */
  guint64 suppressed;    /* not said since the last summary */
  gint64  since;         /* when the suppressed ones started to count */
} JrWarnLimit;

/* A new warning: TRUE when it is to be said in full, FALSE when it is only
 * counted. */
gboolean  jr_warn_limit_admit        (JrWarnLimit *limit,
                                      gint64       now);
/* The summary line due now ("N more warnings in the last second"), or
 * NULL. With @closing (say "before it closed"), whatever is left,
 * whenever, ending with those words. */
char     *jr_warn_limit_take_summary (JrWarnLimit *limit,
                                      gint64       now,
                                      const char  *closing) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
