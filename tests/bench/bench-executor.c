/* bench-executor.c — throughput, latency and leaks of the executor, with a
 * bare request/response round trip over the same transport measured in the
 * same run as a baseline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One executable plays every part:
 *
 *   bench-executor                 the benchmark; prints one figure a line
 *   bench-executor pong ID         the baseline's child: answers each 8-byte
 *                                  request on stdin with one message on the
 *                                  router pipe ID
 *   (JOBROUTER_WORKER set)         an executor's worker, via jr_init()
 *
 * Environment: BENCH_SCALE (default 1) multiplies every duration and count;
 * BENCH_ONLY (say "threads,cold") picks runs out of idle, processes,
 * threads, streams, progress, crashes, cold, scale and soak.
 *
 * Figures, as `<what> <params>: <number> <unit>`:
 *   executor processes|threads W=2   trivial jobs/s, 200 in flight
 *   executor processes W=2 in-flight=2  trivial jobs/s, one job per worker
 *                                    at a time: the same concurrency as…
 *   round trip processes             …2 children answering requests one at
 *                                    a time through a process router
 *   executor stream WAY W=2 [in-flight=2]  the same on stream workers
 *                                    reached through WAY: a socket pair,
 *                                    ssh or srun (the test engines; skipped,
 *                                    saying why, without them), and the
 *                                    job round trip that makes
 *   progress processes               progress updates/s into futures
 *   crash to failed                  from a job's last message before it
 *                                    crashes to its FAILED notify (median)
 *   cold pool first job              jr_executor_new() → first job done,
 *                                    and its baseline: this program's spawn
 *                                    to its main()
 *   soak …                           fd, thread and RSS growth over 100000
 *                                    mixed jobs, and their rate
 *   gtask, idle, submit/run/memory N=…   see bench-executor-scale.c
 */
#include "bench-common.h"
#include "bench-stream.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixoutputstream.h>

#include "bench-executor.h"
#include "executor-jobs.h"

#define WORKERS            BENCH_WORKERS
#define IN_FLIGHT          200u
#define RUN_SECONDS        2.0
#define PROGRESS_JOBS      4u
#define PROGRESS_UPDATES   100000u
#define CRASHES            10u
#define COLD_STARTS        5u
#define SOAK_JOBS          100000u
#define SOAK_CRASH_EVERY   10000u
/* How long any phase may take before the benchmark gives up (a hang). */
#define WATCHDOG_SECONDS   120u

static double scale = 1.0;
static char *self_exe;

guint
bench_scaled (guint n)
{
  return MAX (1u, (guint) (n * scale));
}

gint64
bench_scaled_usec (double seconds)
{
  return (gint64) (seconds * scale * G_USEC_PER_SEC);
}

double
bench_per_second (guint64 n,
                  gint64  usec)
{
  return usec > 0 ? (double) n * G_USEC_PER_SEC / (double) usec : 0.0;
}

/* GLib's worker thread closes the pidfd (and an eventfd) of a reaped child
 * a moment after g_subprocess_wait() returns: let that happen before
 * counting, or the count sways by 2 either way. */
static void
settle_fds (void)
{
  jr_test_iterate_until (NULL, jr_test_no_child_watch, NULL, 2 * G_USEC_PER_SEC);
}

/* ---- the main loop, with a watchdog ---- */

#define WATCHDOG_USEC ((gint64) WATCHDOG_SECONDS * G_USEC_PER_SEC)

static gboolean
pool_full (gpointer data)
{
  JrExecutor *executor = data;

  return jr_executor_get_n_workers (executor) == jr_executor_get_max_workers (executor);
}

/* A new executor whose workers run and have served one job each, so that
 * spawning is not part of what is measured. */
JrExecutor *
bench_warm_executor (JrTransport transport,
                     guint       n_workers)
{
  JrExecutor *executor = jr_executor_new (transport, n_workers);
  JrFuture *futures[16];

  g_assert (n_workers <= G_N_ELEMENTS (futures));
  bench_wait_until (pool_full, executor, WATCHDOG_USEC, "starting the workers");
  for (guint i = 0; i < n_workers; i++)
    {
      g_autoptr(GError) error = NULL;

      futures[i] = jr_executor_submit_call (executor, "trivial", NULL, &error);
      bench_die_on_error ("submit", error);
    }
  for (guint i = 0; i < n_workers; i++)
    {
      bench_wait_until (jr_test_future_done, futures[i], WATCHDOG_USEC, "the warm-up jobs");
      g_object_unref (futures[i]);
    }
  return executor;
}

void
bench_shutdown_executor (JrExecutor *executor)
{
  g_autoptr(GError) error = NULL;

  if (!jr_executor_shutdown (executor, 60 * G_USEC_PER_SEC, &error))
    bench_die_on_error ("jr_executor_shutdown", error);
  g_object_unref (executor);
}

/* ---- jobs only the benchmark runs ---- */

/* Reports the time, then crashes: the parent measures from that time to
 * the FAILED notification. The progress message goes out before the
 * crash, so it is delivered before the worker's death is. */
static GVariant *
job_stamp_crash (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  struct rlimit no_core = { 0, 0 };
  char text[32];

  setrlimit (RLIMIT_CORE, &no_core);
  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, g_get_monotonic_time ());
  if (!jr_job_progress (job, 0.5, text, error))
    return NULL;
  raise (SIGSEGV);
  return NULL;
}

/* n bare progress updates, no text: the message path alone. */
static GVariant *
job_flood (JrJob     *job,
           GVariant  *args,
           GError   **error)
{
  guint32 n;

  g_variant_get (args, "(u)", &n);
  for (guint32 i = 0; i < n; i++)
    if (!jr_job_progress (job, (double) (i + 1) / n, NULL, error))
      return NULL;
  return g_variant_new_uint32 (n);
}

/* ---- jobs/s with a fixed number in flight ---- */

typedef struct {
  JrExecutor *executor;
  gint64      deadline;
  guint       in_flight;
  guint64     completed;
  guint64     other;       /* failed or cancelled: should be none */
} Flow;

static void submit_flow_job (Flow *flow);

static void
on_flow_done (JrFuture   *future,
              GParamSpec *pspec,
              Flow       *flow)
{
  if (jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED)
    flow->completed++;
  else
    flow->other++;
  flow->in_flight--;
  g_signal_handlers_disconnect_by_data (future, flow);
  g_object_unref (future);

  if (g_get_monotonic_time () < flow->deadline)
    submit_flow_job (flow);
}

static void
submit_flow_job (Flow *flow)
{
  g_autoptr(GError) error = NULL;
  JrFuture *future = jr_executor_submit_call (flow->executor, "trivial", NULL, &error);

  bench_die_on_error ("submit", error);
  flow->in_flight++;
  g_signal_connect (future, "notify::done", G_CALLBACK (on_flow_done), flow);
}

static gboolean
flow_drained (gpointer data)
{
  Flow *flow = data;

  return flow->in_flight == 0;
}

static double
run_flow_on (JrExecutor *executor,
             guint       in_flight);

static double
run_flow (JrTransport transport,
          guint       in_flight)
{
  return run_flow_on (bench_warm_executor (transport, WORKERS), in_flight);
}

static gboolean
group_full (gpointer data)
{
  return jr_executor_get_n_workers (data) == WORKERS;
}

/* An executor whose only group, of WORKERS stream workers, is reached
 * through @way; they run, and have served a job each. */
static JrExecutor *
warm_stream_executor (BenchStreamWay way)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrLauncher) launcher = bench_stream_launcher (way);
  JrExecutor *executor = g_object_new (JR_TYPE_EXECUTOR, "transport", JR_TRANSPORT_PROCESSES,
                                       "local-group", FALSE, NULL);
  JrFuture *futures[WORKERS];

  if (!jr_executor_add_group (executor, bench_stream_way_name (way), launcher, WORKERS, &error))
    bench_die_on_error ("jr_executor_add_group", error);
  bench_wait_until (group_full, executor, WATCHDOG_USEC, "starting the stream workers");
  /* One at a time, so that each worker gets one. */
  for (guint i = 0; i < WORKERS; i++)
    {
      futures[i] = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 50),
                                            &error);
      bench_die_on_error ("submit", error);
    }
  for (guint i = 0; i < WORKERS; i++)
    {
      bench_wait_until (jr_test_future_done, futures[i], WATCHDOG_USEC, "the warm-up jobs");
      if (jr_future_get_state (futures[i]) != JR_FUTURE_STATE_COMPLETED)
        bench_die ("a warm-up job failed: %s", jr_future_get_error (futures[i])->message);
      g_object_unref (futures[i]);
    }
  return executor;
}

static double
run_flow_on (JrExecutor *executor,
             guint       in_flight)
{
  Flow flow = { executor, 0, 0, 0, 0 };
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  flow.deadline = start + bench_scaled_usec (RUN_SECONDS);
  for (guint i = 0; i < in_flight; i++)
    submit_flow_job (&flow);
  bench_wait_until (flow_drained, &flow, WATCHDOG_USEC, "the throughput run");
  elapsed = g_get_monotonic_time () - start;

  if (flow.other > 0)
    bench_die ("%" G_GUINT64_FORMAT " trivial jobs did not complete", flow.other);
  bench_shutdown_executor (executor);
  return bench_per_second (flow.completed, elapsed);
}

/* ---- the baseline: bare request/response through a process router ---- */

static int
pong_main (guint64 connection_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = jr_sender_new_for_parent (connection_id, &error);
  guint64 request;

  bench_die_on_error ("jr_sender_new_for_parent", error);
  if (!jr_sender_start (sender, &error))
    bench_die_on_error ("jr_sender_start", error);

  for (;;)
    {
      gsize got = 0;

      while (got < sizeof request)
        {
          ssize_t n = read (STDIN_FILENO, (char *) &request + got, sizeof request - got);

          if (n <= 0)
            {
              jr_sender_stop (sender, NULL);
              return 0;
            }
          got += (gsize) n;
        }
      if (!jr_sender_send (sender, g_variant_new_uint64 (request), &error))
        bench_die_on_error ("jr_sender_send", error);
    }
}

typedef struct {
  guint64 answered;
  guint64 wanted;
} Pong;

static void
on_pong (JrReceiver *receiver,
         GVariant   *message,
         Pong       *pong)
{
  pong->answered++;
}

static gboolean
pong_answered (gpointer data)
{
  Pong *pong = data;

  return pong->answered >= pong->wanted;
}

static double
run_round_trips (guint n_children)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrRouter) router = jr_router_new (JR_TRANSPORT_PROCESSES, NULL);
  GSubprocess *children[8];
  JrReceiver *receivers[8];
  int fds[8];
  Pong pong = { 0, 0 };
  gint64 start, end, deadline;
  guint64 request = 0;

  g_assert (n_children <= G_N_ELEMENTS (children));
  if (!jr_router_start (router, &error))
    bench_die_on_error ("jr_router_start", error);

  for (guint i = 0; i < n_children; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
      g_autoptr(JrSender) unused = NULL;
      g_autofree char *id = NULL;

      if (!jr_router_pipe (router, &unused, &receivers[i], &error))
        bench_die_on_error ("jr_router_pipe", error);
      g_signal_connect (receivers[i], "message", G_CALLBACK (on_pong), &pong);
      if (jr_router_prepare_launcher_full (router, launcher, &error) == 0)
        bench_die_on_error ("jr_router_prepare_launcher_full", error);
      id = g_strdup_printf ("%" G_GUINT64_FORMAT, jr_receiver_get_connection_id (receivers[i]));
      children[i] = g_subprocess_launcher_spawn (launcher, &error, self_exe, "pong", id, NULL);
      bench_die_on_error ("spawn", error);
      fds[i] = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (children[i])));
    }

  /* One request per child at a time; all children in parallel. The first
   * round warms up (the children are still starting). */
  start = 0;
  deadline = G_MAXINT64;
  for (guint round = 0; g_get_monotonic_time () < deadline; round++)
    {
      if (round == 1)
        {
          start = g_get_monotonic_time ();
          deadline = start + bench_scaled_usec (RUN_SECONDS);
          pong.answered = pong.wanted = 0;
        }
      for (guint i = 0; i < n_children; i++)
        {
          request++;
          if (write (fds[i], &request, sizeof request) != sizeof request)
            bench_die ("cannot write to a pong child");
        }
      pong.wanted += n_children;
      if (!jr_router_route_until (router, pong_answered, &pong, WATCHDOG_USEC, &error))
        bench_die_on_error ("jr_router_route_until", error);
    }
  end = g_get_monotonic_time ();

  for (guint i = 0; i < n_children; i++)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (children[i]), NULL, NULL);
      if (!g_subprocess_wait_check (children[i], NULL, &error))
        bench_die_on_error ("pong child", error);
      g_object_unref (children[i]);
    }
  for (guint i = 0; i < n_children; i++)
    {
      jr_router_close_pipe (router, receivers[i], NULL);
      g_object_unref (receivers[i]);
    }
  if (!jr_router_stop (router, &error))
    bench_die_on_error ("jr_router_stop", error);

  return bench_per_second (pong.answered, end - start);
}

/* ---- progress into futures ---- */

typedef struct {
  guint64 notifies;
  guint   running;
} Flood;

static void
on_flood_progress (JrFuture   *future,
                   GParamSpec *pspec,
                   Flood      *flood)
{
  flood->notifies++;
}

static void
on_flood_done (JrFuture   *future,
               GParamSpec *pspec,
               Flood      *flood)
{
  if (jr_future_get_state (future) != JR_FUTURE_STATE_COMPLETED)
    bench_die ("a progress job ended %d: %s", jr_future_get_state (future),
         jr_future_get_error (future) ? jr_future_get_error (future)->message : "?");
  flood->running--;
}

static gboolean
flood_over (gpointer data)
{
  return ((Flood *) data)->running == 0;
}

static void
run_progress (double  *updates_per_sec,
              guint64 *notifies)
{
  JrExecutor *executor = bench_warm_executor (JR_TRANSPORT_PROCESSES, PROGRESS_JOBS);
  guint n = bench_scaled (PROGRESS_UPDATES);
  JrFuture *futures[PROGRESS_JOBS];
  Flood flood = { 0, 0 };
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < PROGRESS_JOBS; i++)
    {
      g_autoptr(GError) error = NULL;

      futures[i] = jr_executor_submit_progress (executor, "flood", g_variant_new ("(u)", n), &error);
      bench_die_on_error ("submit", error);
      g_signal_connect (futures[i], "notify::progress", G_CALLBACK (on_flood_progress), &flood);
      g_signal_connect (futures[i], "notify::done", G_CALLBACK (on_flood_done), &flood);
      flood.running++;
    }
  bench_wait_until (flood_over, &flood, WATCHDOG_USEC, "the progress run");
  elapsed = g_get_monotonic_time () - start;

  for (guint i = 0; i < PROGRESS_JOBS; i++)
    {
      g_signal_handlers_disconnect_by_data (futures[i], &flood);
      g_object_unref (futures[i]);
    }
  bench_shutdown_executor (executor);

  *updates_per_sec = bench_per_second ((guint64) n * PROGRESS_JOBS, elapsed);
  *notifies = flood.notifies;
}

/* ---- crash to failed ---- */

typedef struct {
  gint64 stamp;
  gint64 failed_at;
} CrashTiming;

static void
on_crash_progress (JrFuture    *future,
                   GParamSpec  *pspec,
                   CrashTiming *timing)
{
  const char *text = jr_future_get_progress_text (future);

  if (text != NULL)
    timing->stamp = g_ascii_strtoll (text, NULL, 10);
}

static void
on_crash_done (JrFuture    *future,
               GParamSpec  *pspec,
               CrashTiming *timing)
{
  timing->failed_at = g_get_monotonic_time ();
}

static double
run_crashes (void)
{
  JrExecutor *executor = bench_warm_executor (JR_TRANSPORT_PROCESSES, WORKERS);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n = bench_scaled (CRASHES);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JrFuture) future = NULL;
      CrashTiming timing = { 0, 0 };
      gint64 sample;

      /* A whole pool each time: respawning is not what is measured. */
      bench_wait_until (pool_full, executor, WATCHDOG_USEC, "respawning the workers");
      future = jr_executor_submit_progress (executor, "stamp-crash", NULL, &error);
      bench_die_on_error ("submit", error);
      g_signal_connect (future, "notify::progress-text", G_CALLBACK (on_crash_progress), &timing);
      g_signal_connect (future, "notify::done", G_CALLBACK (on_crash_done), &timing);
      bench_wait_until (jr_test_future_done, future, WATCHDOG_USEC, "a crash");
      if (jr_future_get_state (future) != JR_FUTURE_STATE_FAILED || timing.stamp == 0)
        bench_die ("a crashing job ended %d with %s a stamp", jr_future_get_state (future),
             timing.stamp == 0 ? "no" : "");
      sample = timing.failed_at - timing.stamp;
      g_array_append_val (samples, sample);
      g_signal_handlers_disconnect_by_data (future, &timing);
    }
  bench_shutdown_executor (executor);
  return bench_percentile (samples, 50) / 1000.0;
}

/* ---- cold pool ---- */

static double
run_cold_starts (void)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < COLD_STARTS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JrFuture) future = NULL;
      gint64 start = g_get_monotonic_time ();
      JrExecutor *executor = jr_executor_new (JR_TRANSPORT_PROCESSES, WORKERS);
      gint64 sample;

      future = jr_executor_submit_call (executor, "trivial", NULL, &error);
      bench_die_on_error ("submit", error);
      bench_wait_until (jr_test_future_done, future, WATCHDOG_USEC, "the first job of a cold pool");
      sample = g_get_monotonic_time () - start;
      if (jr_future_get_state (future) != JR_FUTURE_STATE_COMPLETED)
        bench_die ("the first job of a cold pool did not complete");
      g_array_append_val (samples, sample);
      bench_shutdown_executor (executor);
    }
  return bench_percentile (samples, 50) / 1000.0;
}

/* The baseline of a cold pool: how long this program takes from its
 * spawn to main(), which a worker process cannot beat. */
static double
run_process_starts (void)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < COLD_STARTS; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *argv[] = { self_exe, "stamp", NULL };
      g_autofree char *out = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 sample;

      /* As the pool spawns: posix_spawn, no fork. */
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_LEAVE_DESCRIPTORS_OPEN, NULL, NULL,
                         &out, NULL, NULL, &error))
        bench_die_on_error ("spawn", error);
      sample = g_ascii_strtoll (out, NULL, 10) - start;
      g_array_append_val (samples, sample);
    }
  return bench_percentile (samples, 50) / 1000.0;
}

/* ---- soak: many mixed jobs, then look for leaks ---- */

typedef struct {
  JrExecutor *executor;
  guint       to_submit;
  guint       submitted;
  guint       in_flight;
  guint64     completed, failed, cancelled, crashed;
  guint64     unexpected;
} Soak;

typedef enum {
  SOAK_TRIVIAL,
  SOAK_ITERATE,
  SOAK_FAIL,
  SOAK_CANCEL_WAITING,
  SOAK_CANCEL_RUNNING,
  SOAK_CRASH,
} SoakKind;

static void soak_submit (Soak *soak);

static SoakKind
soak_kind (guint i)
{
  if (i % SOAK_CRASH_EVERY == SOAK_CRASH_EVERY - 1)
    return SOAK_CRASH;
  switch (i % 20)
    {
    case 3: case 13: return SOAK_FAIL;
    case 7:          return SOAK_CANCEL_WAITING;
    case 17:         return SOAK_CANCEL_RUNNING;
    case 5:          return SOAK_ITERATE;
    default:         return SOAK_TRIVIAL;
    }
}

static void
on_soak_state (JrFuture   *future,
               GParamSpec *pspec,
               Soak       *soak)
{
  SoakKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (future), "soak-kind"));
  JrFutureState state = jr_future_get_state (future);
  gboolean expected;

  if (state == JR_FUTURE_STATE_EXECUTING && kind == SOAK_CANCEL_RUNNING)
    {
      jr_future_cancel (future);
      return;
    }
  if (!jr_future_get_done (future))
    return;

  switch (state)
    {
    case JR_FUTURE_STATE_COMPLETED: soak->completed++; break;
    case JR_FUTURE_STATE_CANCELLED: soak->cancelled++; break;
    case JR_FUTURE_STATE_FAILED:
      if (g_error_matches (jr_future_get_error (future), JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED))
        soak->crashed++;
      else
        soak->failed++;
      break;
    default: break;
    }

  switch (kind)
    {
    case SOAK_TRIVIAL:
      expected = state == JR_FUTURE_STATE_COMPLETED;
      break;
    case SOAK_ITERATE:
      expected = state == JR_FUTURE_STATE_COMPLETED &&
                 g_variant_get_uint32 (jr_future_get_result (future)) == 10;
      break;
    case SOAK_FAIL:
      expected = state == JR_FUTURE_STATE_FAILED &&
                 g_error_matches (jr_future_get_error (future), G_IO_ERROR, 0) &&
                 g_str_equal (jr_future_get_error (future)->message, "soak");
      break;
    case SOAK_CANCEL_WAITING:
    case SOAK_CANCEL_RUNNING:
      expected = state == JR_FUTURE_STATE_CANCELLED;
      break;
    case SOAK_CRASH:
      expected = state == JR_FUTURE_STATE_FAILED &&
                 g_error_matches (jr_future_get_error (future), JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED);
      break;
    default:
      expected = FALSE;
    }
  if (!expected)
    soak->unexpected++;

  soak->in_flight--;
  g_signal_handlers_disconnect_by_data (future, soak);
  g_object_unref (future);
  if (soak->submitted < soak->to_submit)
    soak_submit (soak);
}

static void
soak_submit (Soak *soak)
{
  g_autoptr(GError) error = NULL;
  SoakKind kind = soak_kind (soak->submitted++);
  JrFuture *future = NULL;

  switch (kind)
    {
    case SOAK_TRIVIAL:
      future = jr_executor_submit_call (soak->executor, "trivial", NULL, &error);
      break;
    case SOAK_ITERATE:
      future = jr_executor_submit_iteration (soak->executor, "iterate", g_variant_new ("(u)", 10), &error);
      break;
    case SOAK_FAIL:
      future = jr_executor_submit_call (soak->executor, "fail",
                                        g_variant_new ("(sis)", "g-io-error-quark", 0, "soak"), &error);
      break;
    case SOAK_CANCEL_WAITING:
    case SOAK_CANCEL_RUNNING:
      future = jr_executor_submit_call (soak->executor, "sleep", g_variant_new ("(t)", (guint64) 10000), &error);
      break;
    case SOAK_CRASH:
      future = jr_executor_submit_call (soak->executor, "crash", g_variant_new ("(s)", "segv"), &error);
      break;
    }
  bench_die_on_error ("submit", error);
  soak->in_flight++;
  g_object_set_data (G_OBJECT (future), "soak-kind", GINT_TO_POINTER (kind));
  g_signal_connect (future, "notify::state", G_CALLBACK (on_soak_state), soak);
  if (kind == SOAK_CANCEL_WAITING)
    jr_future_cancel (future);
}

static gboolean
soak_over (gpointer data)
{
  Soak *soak = data;

  return soak->submitted == soak->to_submit && soak->in_flight == 0;
}

static void
run_soak (void)
{
  JrExecutor *executor;
  g_autoptr(GHashTable) fds = NULL;
  g_autofree char *changed = NULL;
  Soak soak = { NULL };
  guint fds_before, threads_before;
  gsize rss_before;
  gint64 start, elapsed;

  /* The first executor starts GLib's own helpers: measure after one. */
  bench_shutdown_executor (bench_warm_executor (JR_TRANSPORT_PROCESSES, WORKERS));
  settle_fds ();
  fds_before = jr_test_count_fds ();
  threads_before = jr_test_count_threads ();
  rss_before = jr_test_resident_bytes ();
  fds = jr_test_list_fds ();

  executor = bench_warm_executor (JR_TRANSPORT_PROCESSES, WORKERS);
  soak.executor = executor;
  soak.to_submit = bench_scaled (SOAK_JOBS);
  start = g_get_monotonic_time ();
  while (soak.in_flight < IN_FLIGHT && soak.submitted < soak.to_submit)
    soak_submit (&soak);
  bench_wait_until (soak_over, &soak, WATCHDOG_USEC, "the soak");
  elapsed = g_get_monotonic_time () - start;
  bench_shutdown_executor (executor);

  settle_fds ();
  changed = jr_test_describe_fd_changes (fds);
  if (changed[0] != '\0')
    fprintf (stderr, "soak: fds that changed:%s\n", changed);
  fflush (stdout);
  fprintf (stderr, "soak outcomes: %" G_GUINT64_FORMAT " completed, %" G_GUINT64_FORMAT
           " failed, %" G_GUINT64_FORMAT " cancelled, %" G_GUINT64_FORMAT " crashed, %"
           G_GUINT64_FORMAT " not as expected\n",
           soak.completed, soak.failed, soak.cancelled, soak.crashed, soak.unexpected);
  printf ("soak %u jobs fd delta: %d\n", soak.to_submit,
          (int) jr_test_count_fds () - (int) fds_before);
  printf ("soak thread delta: %d\n",
          (int) jr_test_count_threads () - (int) threads_before);
  printf ("soak rss growth: %.1f MiB\n",
          ((double) jr_test_resident_bytes () - (double) rss_before) / (1024.0 * 1024.0));
  printf ("soak processes: %.0f jobs/s\n", bench_per_second (soak.to_submit, elapsed));
  printf ("soak unexpected outcomes: %" G_GUINT64_FORMAT " jobs\n", soak.unexpected);
  fflush (stdout);
  /* Figures from jobs that went wrong mean nothing: say so loudly. */
  if (soak.unexpected > 0)
    bench_die ("%" G_GUINT64_FORMAT " soak jobs did not end as they should", soak.unexpected);
}

/* The stream transport: the same flows on stream workers, each way, each
 * against the processes' @processes_rate (one job in flight per worker). */
static void
run_streams (double processes_rate)
{
  for (int way = 0; way < BENCH_STREAM_N_WAYS; way++)
    {
      const char *name = bench_stream_way_name (way);
      g_autofree char *reason = NULL;
      double stream_rate, stream_rate_2;

      if (!bench_stream_way_up (way, &reason))
        {
          printf ("executor stream %s W=%u: skipped (%s)\n", name, WORKERS, reason);
          fflush (stdout);
          continue;
        }
      stream_rate = run_flow_on (warm_stream_executor (way), IN_FLIGHT);
      printf ("executor stream %s W=%u: %.0f jobs/s\n", name, WORKERS, stream_rate);
      stream_rate_2 = run_flow_on (warm_stream_executor (way), WORKERS);
      printf ("executor stream %s W=%u in-flight=%u: %.0f jobs/s\n", name, WORKERS, WORKERS,
              stream_rate_2);
      printf ("executor stream %s job round trip: %.0f us\n", name,
              stream_rate_2 > 0 ? WORKERS * 1e6 / stream_rate_2 : 0.0);
      printf ("ratio executor stream %s/processes W=%u in-flight=%u: %.3f\n", name, WORKERS, WORKERS,
              stream_rate_2 / processes_rate);
      fflush (stdout);
    }
  bench_stream_finish ();
}

/* Yields its first argument's count of strings of its second's bytes,
 * then returns TRUE: what a kept future of an iteration holds. */
static GVariant *
job_chatty (JrJob     *job,
            GVariant  *args,
            GError   **error)
{
  g_autofree char *text = NULL;
  guint32 yields, size;

  g_variant_get (args, "(uu)", &yields, &size);
  text = g_malloc (size + 1);
  memset (text, 'x', size);
  text[size] = '\0';
  for (guint32 i = 0; i < yields; i++)
    if (!jr_job_yield (job, g_variant_new_string (text), error))
      return NULL;
  return g_variant_new_boolean (TRUE);
}

int
main (int    argc,
      char **argv)
{
  double executor_rate = 0, executor_rate_2 = 0, thread_rate, gtask_rate, trip_rate, progress_rate;
  guint64 progress_notifies;

  /* First thing: the baseline of a cold start ends here. */
  if (argc == 2 && g_str_equal (argv[1], "stamp"))
    {
      printf ("%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      return 0;
    }

  executor_test_jobs_register ();
  jr_register_job ("stamp-crash", job_stamp_crash);
  jr_register_job_full ("flood", job_flood, G_VARIANT_TYPE ("(u)"), NULL);
  jr_register_job_full ("chatty", job_chatty, G_VARIANT_TYPE ("(uu)"), NULL);
  jr_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    bench_die ("cannot read /proc/self/exe");

  if (argc == 3 && g_str_equal (argv[1], "pong"))
    return pong_main (g_ascii_strtoull (argv[2], NULL, 10));

  bench_init ("bench-executor");
  scale = bench_scale ();

  /* A dead worker's socket must not kill the benchmark. */
  signal (SIGPIPE, SIG_IGN);

  if (bench_wants ("idle"))
    bench_executor_idle ();
  if (bench_wants ("processes") || bench_wants ("streams"))
    {
      executor_rate = run_flow (JR_TRANSPORT_PROCESSES, IN_FLIGHT);
      printf ("executor processes W=%u: %.0f jobs/s\n", WORKERS, executor_rate);
      fflush (stdout);
    }
  if (bench_wants ("threads"))
    {
      thread_rate = run_flow (JR_TRANSPORT_THREADS, IN_FLIGHT);
      printf ("executor threads W=%u: %.0f jobs/s\n", WORKERS, thread_rate);
      gtask_rate = bench_gtask_flow (IN_FLIGHT);
      printf ("gtask run_in_thread: %.0f jobs/s\n", gtask_rate);
      printf ("ratio executor threads/gtask: %.3f\n", thread_rate / gtask_rate);
      fflush (stdout);
    }
  if (bench_wants ("processes") || bench_wants ("streams"))
    {
      executor_rate_2 = run_flow (JR_TRANSPORT_PROCESSES, WORKERS);
      printf ("executor processes W=%u in-flight=%u: %.0f jobs/s\n", WORKERS, WORKERS, executor_rate_2);
      fflush (stdout);
      trip_rate = run_round_trips (WORKERS);
      printf ("round trip processes: %.0f trips/s\n", trip_rate);
      printf ("ratio executor/round-trip processes: %.3f\n", executor_rate_2 / trip_rate);
      printf ("ratio executor in-flight=%u/round-trip processes: %.3f\n", IN_FLIGHT,
              executor_rate / trip_rate);
      fflush (stdout);
    }
  if (bench_wants ("streams"))
    run_streams (executor_rate_2);
  if (bench_wants ("progress"))
    {
      run_progress (&progress_rate, &progress_notifies);
      printf ("progress processes: %.0f msgs/s\n", progress_rate);
      /* Progress is coalesced on the way to the future: how much of it. */
      printf ("progress processes notifies per %u updates: %" G_GUINT64_FORMAT " notifies\n",
              bench_scaled (PROGRESS_UPDATES) * PROGRESS_JOBS, progress_notifies);
      fflush (stdout);
    }
  if (bench_wants ("crashes"))
    {
      printf ("crash to failed: %.2f ms\n", run_crashes ());
      fflush (stdout);
    }
  if (bench_wants ("cold"))
    {
      double cold = run_cold_starts ();
      double start = run_process_starts ();

      printf ("cold pool first job: %.2f ms\n", cold);
      printf ("process spawn to main: %.2f ms\n", start);
      printf ("cold pool first job beyond a process start: %.2f ms\n", cold - start);
      fflush (stdout);
    }
  if (bench_wants ("scale"))
    bench_executor_scale ();
  if (bench_wants ("soak"))
    run_soak ();
  return 0;
}
