/* bench-executor.h — what the parts of bench-executor share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "jobrouter.h"

G_BEGIN_DECLS

#define BENCH_WORKERS 2u

typedef gboolean (*BenchCondition) (gpointer data);

guint        bench_scaled          (guint           n);
gint64       bench_scaled_usec     (double          seconds);
double       bench_per_second      (guint64         n,
                                    gint64          usec);
gsize        bench_read_rss_bytes  (void);
/* Iterates the default main context until @condition holds; dies naming
 * @what when that takes too long (a hang). */
void         bench_iterate_until   (BenchCondition  condition,
                                    gpointer        data,
                                    const char     *what);
/* An executor whose workers run and have each served a job. */
JrExecutor  *bench_warm_executor   (JrTransport     transport,
                                    guint           n_workers);
void         bench_shutdown_executor (JrExecutor   *executor);

/* bench-executor-scale.c */
void         bench_executor_scale  (void);
double       bench_gtask_flow      (guint           in_flight);
void         bench_executor_idle   (void);

G_END_DECLS
