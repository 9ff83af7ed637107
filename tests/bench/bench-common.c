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
