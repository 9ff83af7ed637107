/* bench-common.h — what every benchmark here shares: failing loudly and
 * the BENCH_SCALE knob.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Names the benchmark in its messages and reads BENCH_SCALE (default 1),
 * which multiplies durations and counts; dies if it is not positive. */
void    bench_init          (const char   *name);
double  bench_scale         (void);

void    bench_die           (const char   *format,
                             ...) G_GNUC_NORETURN G_GNUC_PRINTF (1, 2);
/* Dies naming @what when @error is set. */
void    bench_die_on_error  (const char   *what,
                             const GError *error);

G_END_DECLS
