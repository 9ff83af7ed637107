/* bench-common.h — what every benchmark here shares: failing loudly, the
 * BENCH_SCALE knob, waiting with a watchdog and percentiles. What they
 * share with the tests (counting fds and threads, reading memory use) is
 * in jr-test.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "jr-test.h"

G_BEGIN_DECLS

/* Names the benchmark in its messages and reads BENCH_SCALE (default 1),
 * which multiplies durations and counts; dies if it is not positive. */
void    bench_init          (const char   *name);
double  bench_scale         (void);

/* Whether BENCH_ONLY (a comma-separated list of run names) is unset or
 * names @run: for profiling one run of a benchmark. */
gboolean bench_wants        (const char   *run);

void    bench_die           (const char   *format,
                             ...) G_GNUC_NORETURN G_GNUC_PRINTF (1, 2);
/* Dies naming @what when @error is set. */
void    bench_die_on_error  (const char   *what,
                             const GError *error);

/* Iterates the thread-default main context until @condition holds (see
 * jr_test_iterate_until()); dies naming @what after @timeout_usec. */
void    bench_wait_until    (JrConditionFunc  condition,
                             gpointer         data,
                             gint64           timeout_usec,
                             const char      *what);

/* Sorts @samples (gint64) and returns the one that @percent % of them do
 * not exceed; 0 if there are none. */
gint64  bench_percentile    (GArray       *samples,
                             guint         percent);

G_END_DECLS
