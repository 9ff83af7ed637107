/* bench-executor.h — what the parts of bench-executor share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "bench-common.h"

G_BEGIN_DECLS

#define BENCH_WORKERS 2u

guint        bench_scaled          (guint           n);
gint64       bench_scaled_usec     (double          seconds);
double       bench_per_second      (guint64         n,
                                    gint64          usec);
/* How long any phase may take before the benchmark gives up (a hang). */
#define BENCH_WATCHDOG_USEC ((gint64) 120 * G_USEC_PER_SEC)

/* An executor whose workers run and have each served a job. */
JrExecutor  *bench_warm_executor   (JrTransport     transport,
                                    guint           n_workers);
void         bench_shutdown_executor (JrExecutor   *executor);

/* bench-executor-scale.c */
void         bench_executor_scale  (void);
double       bench_gtask_flow      (guint           in_flight);
void         bench_executor_idle   (void);

G_END_DECLS
