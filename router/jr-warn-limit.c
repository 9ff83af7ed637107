/* jr-warn-limit.c — how many warnings one worker's queue may cause.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-warn-limit-private.h"

gboolean
jr_warn_limit_admit (JrWarnLimit *limit,
                     gint64       now)
{
  if (limit->verbatim < JR_WARN_LIMIT_VERBATIM)
    {
      limit->verbatim++;
      return TRUE;
    }
  if (limit->suppressed++ == 0)
    limit->since = now;
  return FALSE;
}

char *
jr_warn_limit_take_summary (JrWarnLimit *limit,
                            gint64       now,
                            const char  *closing)
{
  guint64 n = limit->suppressed;
  gint64 seconds;

  if (n == 0 || (closing == NULL && now - limit->since < JR_WARN_LIMIT_PERIOD_USEC))
    return NULL;

  limit->suppressed = 0;
  if (closing != NULL)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " more warning%s %s", n, n == 1 ? "" : "s", closing);

  /* Counting starts at the first warning not said: after a quiet spell
   * the period can be longer than a second. */
  seconds = (now - limit->since + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;
  if (seconds <= 1)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " more warning%s in the last second",
                            n, n == 1 ? "" : "s");
  return g_strdup_printf ("%" G_GUINT64_FORMAT " more warning%s in the last %" G_GINT64_FORMAT " seconds",
                          n, n == 1 ? "" : "s", seconds);
}
