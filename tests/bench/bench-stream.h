/* bench-stream.h — what bench-router and bench-executor share to measure
 * the stream transport: the ways a stream worker is reached (a local
 * socket pair, ssh, srun), and the bare stream's own capacity through the
 * same way (a `cat` of the same bytes), measured in the same run as a
 * baseline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ssh and srun need the test engines (tests/remote-engines.sh, through
 * remote-fixture.h): started here when this process may (root), used as
 * found otherwise; when they cannot be had, their figures are skipped
 * with the reason.
 */
#pragma once

#include "bench-common.h"
#include "remote-fixture.h"

G_BEGIN_DECLS

typedef enum {
  BENCH_STREAM_SOCKETPAIR,
  BENCH_STREAM_SSH,
  BENCH_STREAM_SRUN,
} BenchStreamWay;

#define BENCH_STREAM_N_WAYS 3

const char  *bench_stream_way_name  (BenchStreamWay      way);
/* Whether @way can be used; *reason says why not. */
gboolean     bench_stream_way_up    (BenchStreamWay      way,
                                     char              **reason);
/* Runs @argv through @way, its standard input /dev/null and its standard
 * output a socket whose other end is returned in *out_fd. */
GSubprocess *bench_stream_spawn     (BenchStreamWay      way,
                                     const char * const *argv,
                                     int                *out_fd);
/* Bytes per second that @argv (a program that writes its standard output
 * as fast as it can, like `cat`) carries through @way, @n at a time, for
 * @usec after each one's first byte. The bytes matter: srun writes its
 * standard output one line at a time, so a stream of zeros (no newline)
 * goes through it several times faster than the frames of a benchmark;
 * the baseline must write the bytes that the figure it is beside does. */
double       bench_stream_cat_rate  (BenchStreamWay      way,
                                     const char * const *argv,
                                     guint               n,
                                     gint64              usec);
/* A launcher of an executor's group through @way, starting this program. */
JrLauncher  *bench_stream_launcher  (BenchStreamWay      way);
/* Stops the engines this process started. */
void         bench_stream_finish    (void);

G_END_DECLS
