/* bench-common.c — what every benchmark here shares.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench-common.h"

#include <stdio.h>
#include <stdlib.h>

static const char *bench_name = "bench";
static double scale = 1.0;

void
bench_init (const char *name)
{
  const char *env = g_getenv ("BENCH_SCALE");

  bench_name = name;
  if (env != NULL)
    scale = g_ascii_strtod (env, NULL);
  if (!(scale > 0.0))
    bench_die ("BENCH_SCALE must be a positive number");
}

double
bench_scale (void)
{
  return scale;
}

gboolean
bench_wants (const char *run)
{
  const char *only = g_getenv ("BENCH_ONLY");
  g_auto(GStrv) names = NULL;

  if (only == NULL || *only == '\0')
    return TRUE;
  names = g_strsplit (only, ",", -1);
  return g_strv_contains ((const char * const *) names, run);
}

void
bench_die (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "%s: ", bench_name);
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  exit (EXIT_FAILURE);
}

void
bench_die_on_error (const char   *what,
                    const GError *error)
{
  if (error != NULL)
    bench_die ("%s: %s", what, error->message);
}

void
bench_wait_until (JrConditionFunc  condition,
                  gpointer         data,
                  gint64           timeout_usec,
                  const char      *what)
{
  if (!jr_test_iterate_until (NULL, condition, data, timeout_usec))
    bench_die ("%s did not finish within %.0f s", what, timeout_usec / (double) G_USEC_PER_SEC);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

gint64
bench_percentile (GArray *samples,
                  guint   percent)
{
  if (samples->len == 0)
    return 0;
  g_array_sort (samples, compare_gint64);
  return g_array_index (samples, gint64, MIN (samples->len - 1, samples->len * percent / 100));
}
