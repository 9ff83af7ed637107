/* bench-executor-scale.c — what the executor costs as its queue grows, how
 * it compares with GLib's own g_task_run_in_thread(), and whether an idle
 * executor stays asleep.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Figures:
 *   executor submit N=…        µs per jr_executor_submit_call() with N
 *                              trivial jobs queued behind 2 busy workers
 *   executor run N=…           jobs/s to run those N jobs (processes W=2)
 *   executor memory per queued job N=…   RSS growth while N are queued / N
 *   gtask run_in_thread        trivial tasks/s, the same number in flight
 *                              as the thread executor's figure
 *   executor idle wakeups …    context switches of this process's threads
 *                              and of the workers over 10 idle seconds
 *                              (measured first: GLib's own thread pools,
 *                              once used, wake now and then)
 */
#include "bench-common.h"
#include "bench-executor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IDLE_SECONDS 10.0

static const guint scale_sizes[] = { 1000, 100000, 1000000 };

/* ---- the queue's cost ---- */

static gboolean
model_is_empty (gpointer data)
{
  return g_list_model_get_n_items (jr_executor_get_jobs (data)) == 0;
}

static void
run_scale (guint n)
{
  JrExecutor *executor = bench_warm_executor (JR_TRANSPORT_PROCESSES, BENCH_WORKERS);
  gsize rss_before, rss_queued;
  gint64 start, submitted, ran;

  /* Settle what the warm-up allocated. */
  g_main_context_iteration (NULL, FALSE);
  rss_before = jr_test_resident_bytes ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      JrFuture *future = jr_executor_submit_call (executor, "trivial", NULL, &error);

      bench_die_on_error ("submit", error);
      /* The jobs model keeps it, as an application's list would. */
      g_object_unref (future);
    }
  submitted = g_get_monotonic_time ();
  rss_queued = jr_test_resident_bytes ();
  bench_wait_until (model_is_empty, executor, BENCH_WATCHDOG_USEC, "the queued jobs to run");
  ran = g_get_monotonic_time ();
  bench_shutdown_executor (executor);

  printf ("executor submit N=%u: %.2f us/job\n", n, (double) (submitted - start) / n);
  printf ("executor run N=%u: %.0f jobs/s\n", n, bench_per_second (n, ran - submitted));
  printf ("executor memory per queued job N=%u: %.0f B\n", n,
          rss_queued > rss_before ? (double) (rss_queued - rss_before) / n : 0.0);
  fflush (stdout);
}

/* N jobs that depend on one (a set-up job, then the work): what each
 * costs to submit, to start and run once the one they wait for completes,
 * and to cancel while they wait. Flat in N, as the queue's own costs. */
static void
run_dependents (guint    n,
                gboolean cancel)
{
  JrExecutor *executor = bench_warm_executor (JR_TRANSPORT_PROCESSES, BENCH_WORKERS);
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
  g_autoptr(GPtrArray) dependents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JrFuture) gate = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, submitted, released, ended;

  /* Long enough to submit them all while it runs. */
  gate = jr_executor_submit_call (executor, "sleep", g_variant_new ("(t)", (guint64) 3000), &error);
  bench_die_on_error ("submit", error);
  jr_job_options_add_dependency (options, gate);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      JrFuture *future = jr_executor_submit_full (executor, "trivial", NULL, options, &error);

      bench_die_on_error ("submit", error);
      g_ptr_array_add (dependents, future);
    }
  submitted = g_get_monotonic_time ();
  if (cancel)
    {
      for (guint i = 0; i < n; i++)
        jr_future_cancel (g_ptr_array_index (dependents, i));
      ended = g_get_monotonic_time ();
      jr_future_cancel (gate);
      printf ("executor cancel dependents N=%u: %.2f us/job\n", n, (double) (ended - submitted) / n);
    }
  else
    {
      bench_wait_until (jr_test_future_done, gate, BENCH_WATCHDOG_USEC, "the set-up job");
      released = g_get_monotonic_time ();
      bench_wait_until (model_is_empty, executor, BENCH_WATCHDOG_USEC, "the dependents to run");
      ended = g_get_monotonic_time ();
      printf ("executor submit dependents N=%u: %.2f us/job\n", n, (double) (submitted - start) / n);
      printf ("executor run dependents N=%u: %.0f jobs/s\n", n, bench_per_second (n, ended - released));
    }
  bench_wait_until (model_is_empty, executor, BENCH_WATCHDOG_USEC, "the jobs to end");
  bench_shutdown_executor (executor);
  fflush (stdout);
}

/* What a kept future costs when its job yielded before it returned a
 * small result (8 yields of 1000 bytes nobody listens to): its result
 * must not keep the yields' memory. */
static void
run_kept_results (guint n)
{
  JrExecutor *executor = bench_warm_executor (JR_TRANSPORT_PROCESSES, BENCH_WORKERS);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  gsize rss_before, rss_after;

  g_main_context_iteration (NULL, FALSE);
  rss_before = jr_test_resident_bytes ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      JrFuture *future = jr_executor_submit_iteration (executor, "chatty",
                                                       g_variant_new ("(uu)", 8u, 1000u), &error);

      bench_die_on_error ("submit", error);
      g_ptr_array_add (kept, future);
    }
  bench_wait_until (model_is_empty, executor, BENCH_WATCHDOG_USEC, "the jobs to run");
  rss_after = jr_test_resident_bytes ();
  printf ("executor memory per kept future with yields N=%u: %.0f B\n", n,
          rss_after > rss_before ? (double) (rss_after - rss_before) / n : 0.0);
  g_ptr_array_set_size (kept, 0);
  bench_shutdown_executor (executor);
  fflush (stdout);
}

void
bench_executor_scale (void)
{
  run_kept_results (bench_scaled (10000));
  for (guint i = 0; i < G_N_ELEMENTS (scale_sizes); i++)
    run_scale (bench_scaled (scale_sizes[i]));
  /* Up to 100,000: three seconds of set-up job are enough to submit them. */
  for (guint i = 0; i < G_N_ELEMENTS (scale_sizes) - 1; i++)
    {
      run_dependents (bench_scaled (scale_sizes[i]), FALSE);
      run_dependents (bench_scaled (scale_sizes[i]), TRUE);
    }
}

/* ---- GLib's own: g_task_run_in_thread() ---- */

typedef struct {
  gint64  deadline;
  guint   in_flight;
  guint64 completed;
} TaskFlow;

static void task_flow_submit (TaskFlow *flow);

static void
trivial_task (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

static void
on_task_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  TaskFlow *flow = data;

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    bench_die ("a trivial task failed");
  flow->completed++;
  flow->in_flight--;
  if (g_get_monotonic_time () < flow->deadline)
    task_flow_submit (flow);
}

static void
task_flow_submit (TaskFlow *flow)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_task_done, flow);

  flow->in_flight++;
  g_task_run_in_thread (task, trivial_task);
}

static gboolean
task_flow_drained (gpointer data)
{
  return ((TaskFlow *) data)->in_flight == 0;
}

double
bench_gtask_flow (guint in_flight)
{
  TaskFlow flow = { 0 };
  gint64 start = g_get_monotonic_time ();

  flow.deadline = start + bench_scaled_usec (2.0);
  for (guint i = 0; i < in_flight; i++)
    task_flow_submit (&flow);
  bench_wait_until (task_flow_drained, &flow, BENCH_WATCHDOG_USEC, "the GTask run");
  return bench_per_second (flow.completed, g_get_monotonic_time () - start);
}

/* ---- an idle executor ---- */

/* Adds the context switches of each thread under @pid_dir to @counts
 * (tid → count). */
static void
count_switches_of (const char *pid_dir,
                   GHashTable *counts)
{
  g_autofree char *tasks = g_build_filename (pid_dir, "task", NULL);
  g_autoptr(GDir) dir = g_dir_open (tasks, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks, name, "status", NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      guint64 total = 0;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "voluntary_ctxt_switches:") ||
            g_str_has_prefix (lines[i], "nonvoluntary_ctxt_switches:"))
          total += g_ascii_strtoull (strchr (lines[i], ':') + 1, NULL, 10);
      g_hash_table_insert (counts, g_strdup (name), GSIZE_TO_POINTER ((gsize) total));
    }
}

/* The switches of this process's threads and of its children's (the
 * workers'), by thread. */
static GHashTable *
context_switches (void)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  count_switches_of ("/proc/self", counts);
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = NULL;
      g_autofree char *contents = NULL;
      const char *end;

      if (!g_ascii_isdigit (name[0]))
        continue;
      stat_path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (stat_path, &contents, NULL, NULL) ||
          (end = strrchr (contents, ')')) == NULL)
        continue;
      /* Field 4, the parent's pid, follows the state after the name. */
      if ((int) g_ascii_strtoll (end + 4, NULL, 10) == (int) getpid ())
        {
          g_autofree char *dir = g_build_filename ("/proc", name, NULL);

          count_switches_of (dir, counts);
        }
    }
  return counts;
}

/* Switches between two counts, over the threads in both. */
static guint64
switches_between (GHashTable *before,
                  GHashTable *after)
{
  GHashTableIter iter;
  gpointer tid, count;
  guint64 total = 0;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &tid, &count))
    {
      gpointer old;

      if (g_hash_table_lookup_extended (before, tid, NULL, &old) && count >= old)
        total += GPOINTER_TO_SIZE (count) - GPOINTER_TO_SIZE (old);
    }
  return total;
}

static gboolean
on_idle_over (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
bench_executor_idle (void)
{
  static const JrTransport transports[] = { JR_TRANSPORT_PROCESSES, JR_TRANSPORT_THREADS };

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      JrExecutor *executor = bench_warm_executor (transports[i], BENCH_WORKERS);
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr(GHashTable) before = NULL;
      g_autoptr(GHashTable) after = NULL;

      /* Let the warm-up's last messages, and GLib's reaping of the
       * workers of earlier phases, pass. */
      for (int k = 0; k < 100; k++)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (10 * 1000);
        }
      before = context_switches ();
      /* The one timer that ends the wait wakes this thread once (a plain
       * loop: the harness's waits tick to re-check their condition). */
      g_timeout_add ((guint) (bench_scaled_usec (IDLE_SECONDS) / 1000), on_idle_over, loop);
      g_main_loop_run (loop);
      after = context_switches ();
      printf ("executor idle wakeups %s W=%u %.0fs: %" G_GUINT64_FORMAT " switches\n",
              transports[i] == JR_TRANSPORT_PROCESSES ? "processes" : "threads", BENCH_WORKERS,
              bench_scaled_usec (IDLE_SECONDS) / 1e6, switches_between (before, after));
      fflush (stdout);
      bench_shutdown_executor (executor);
    }
}
