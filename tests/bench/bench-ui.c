/* bench-ui.c — does the real window stay smooth while two worker processes
 * flood it with progress? Measured against the same window with no load,
 * in the same run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One executable plays every part:
 *
 *   bench-ui                 the benchmark: opens the application's window
 *                            (JrApplication, its executor of 2 worker
 *                            processes) and measures it; needs a display
 *                            (run it under xvfb-run), prints a skip line
 *                            and exits 0 without one
 *   (JOBROUTER_WORKER set)   a worker, via jr_init(): runs the "flood" job
 *
 * Phases, each BENCH_SECONDS long (default 5):
 *
 *   idle    the window with no job, only a small animation in the header
 *           bar that asks for a frame every frame (so that frames keep
 *           coming and their rate means something)
 *   flood   the same, while 2 "flood" jobs call jr_job_progress() as fast
 *           as they can (each for BENCH_SECONDS + 1 s; the measurement
 *           starts once both run)
 *   queue   N "hold" jobs submitted in one loop (2 run, the rest wait),
 *           then all cancelled in one loop, as a "Cancel All" does; for
 *           each N of BENCH_UI_QUEUE (default 1000,10000), with the
 *           window's keep-finished setting on and off
 *
 * In each phase a G_PRIORITY_HIGH timer due every 5 ms records how late it
 * runs (the longest stall of the main loop: nothing dispatched in a slice
 * of work can be interrupted), and the window's GdkFrameClock "after-paint"
 * counts the frames and the longest gap between two. Afterwards both jobs
 * must be COMPLETED with their count of updates as the result, and their
 * rows in the window must show "Done", a full bar and the last progress
 * text.
 *
 * Figures, as `<what> <params>: <number> <unit>`:
 *   ui idle|flood longest stall        ms the timer ran late, at most
 *   ui idle|flood stall p99            ms late, at most, in 99 % of ticks
 *   ui idle|flood frame rate           fps
 *   ui idle|flood longest frame gap    ms between two paints, at most
 *   ui flood frame rate ratio          flood fps / idle fps
 *   ui idle|flood main thread cpu      % of one processor the main thread used
 *   ui flood window process cpu        …and all threads of the window's process
 *                                      (the router's monitor thread)
 *   ui flood progress updates          updates the 2 jobs sent
 *   ui flood progress rate             …per second of the jobs' run
 *   ui flood jobs correct              1, or 0 (and the exit status is 1)
 *   ui queue submit N=… keep-finished=…                 ms of the submit loop
 *   ui queue shown …                   ms from its start to the window
 *                                      painting the jobs
 *   ui queue longest stall after submit …               ms, the loop included
 *   ui queue cancel all …              ms from the cancel loop's start until
 *                                      no job is left and the window painted
 *   ui queue longest stall after cancel all …           ms, the loop included
 *
 * Targets (the issue's): flood stall ≤ 16 ms, frame rate ratio ≥ 0.9, jobs
 * correct. Only the last one decides the exit status: timings vary too much
 * on a shared machine to fail on.
 *
 * Environment: BENCH_SECONDS (default 5) is the length of each phase;
 * BENCH_UI_VERBOSE set prints each stall of 8 ms or more on stderr, with
 * how long the main thread ran, slept and was preempted in it (a stall in
 * which it mostly slept or waited is the scheduler's or the X server's,
 * not the main loop's work).
 */
#define _GNU_SOURCE 1  /* RUSAGE_THREAD */

#include "bench-common.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <adwaita.h>

#include "jobrouter-ui.h"
#include "jr-job-row-private.h"

#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-app-window.h"
#include "jr-application.h"

#define WORKERS            2u
#define FLOOD_JOBS         2u
#define DEFAULT_SECONDS    5.0
/* The flood jobs run this much longer than the measurement: it starts only
 * once both run, and must end while both still do. */
#define FLOOD_EXTRA_USEC   (1 * G_USEC_PER_SEC)
#define TICK_USEC          5000
/* Before the idle phase: the window's first frames, the workers' start. */
#define SETTLE_USEC        (G_USEC_PER_SEC / 2)
/* How long a wait may take before the benchmark gives up (a hang). */
#define WATCHDOG_USEC      (60 * G_USEC_PER_SEC)
#define VERBOSE_STALL_USEC 8000

/* What one phase measured. */
typedef struct {
  const char *name;
  gint64  start;
  gint64  end;
  gint64  max_stall;       /* µs the timer ran late, at most */
  guint   frames;
  gint64  max_frame_gap;   /* µs between two paints, at most */
  GArray *lateness;        /* gint64 µs, one per tick */
  gint64  main_cpu;        /* µs of CPU the main thread used */
  gint64  process_cpu;     /* µs of CPU all threads of this process used */
} Phase;

/* The phase being measured, or NULL between phases. */
static Phase *current;
static gint64 last_paint;
static guint total_paints;
/* BENCH_UI_VERBOSE set: every stall of VERBOSE_STALL_USEC or more, on
 * stderr. */
static gboolean verbose;

typedef struct {
  JrApplication *app;
  double         seconds;
  gboolean       correct;
  gboolean       ran;
} Bench;

/* ---- the job, in the workers ---- */

/* "flood" (t): sends progress as fast as it can for that many ms, each
 * update's text the count so far; the result is the count ("t"). */
static GVariant *
job_flood (JrJob     *job,
           GVariant  *args,
           GError   **error)
{
  guint64 ms, n = 0;
  gint64 start, end, now;

  g_variant_get (args, "(t)", &ms);
  start = now = g_get_monotonic_time ();
  end = start + (gint64) ms * 1000;

  while (now < end)
    {
      char text[40];

      n++;
      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT " updates", n);
      if (!jr_job_progress (job, (double) (now - start) / (double) (end - start), text, error))
        return NULL;
      now = g_get_monotonic_time ();
    }

  return g_variant_new_uint64 (n);
}

/* "hold" (): waits until cancelled, as a long job does. */
static GVariant *
job_hold (JrJob     *job,
          GVariant  *args,
          GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);

  while (!g_cancellable_set_error_if_cancelled (cancellable, error))
    g_usleep (1000);
  return NULL;
}

/* ---- measuring ---- */

static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gint64
process_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* A G_PRIORITY_HIGH source due every TICK_USEC: how late it runs is how
 * long the main loop was busy with something it could not interrupt. */
static gboolean
ticker_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  static gint64 last_tick, last_cpu;
  static long last_vcsw, last_ivcsw;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - g_source_get_ready_time (source);
  gint64 cpu = verbose ? thread_cpu_usec () : 0;
  struct rusage usage = { 0 };

  if (verbose)
    getrusage (RUSAGE_THREAD, &usage);

  if (current != NULL && now >= current->start)
    {
      current->max_stall = MAX (current->max_stall, late);
      g_array_append_val (current->lateness, late);
      /* Was the main thread busy, or waiting for a processor? */
      if (verbose && late >= VERBOSE_STALL_USEC)
        fprintf (stderr, "bench-ui: %s +%.3f s: stall %.1f ms; since the last tick (%.1f ms) "
                 "the main thread ran %.1f ms, slept %ld times, was preempted %ld times\n",
                 current->name, (now - current->start) / (double) G_USEC_PER_SEC,
                 late / 1000.0, (now - last_tick) / 1000.0, (cpu - last_cpu) / 1000.0,
                 usage.ru_nvcsw - last_vcsw, usage.ru_nivcsw - last_ivcsw);
    }
  last_tick = now;
  last_cpu = cpu;
  last_vcsw = usage.ru_nvcsw;
  last_ivcsw = usage.ru_nivcsw;
  /* From now, not from when it was due: one stall counts once. */
  g_source_set_ready_time (source, now + TICK_USEC);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs ticker_funcs = {
  .dispatch = ticker_dispatch,
};

static GSource *
ticker_new (void)
{
  GSource *source = g_source_new (&ticker_funcs, sizeof (GSource));

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_name (source, "bench-ui ticker");
  g_source_set_ready_time (source, g_get_monotonic_time () + TICK_USEC);
  g_source_attach (source, NULL);
  return source;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();

  total_paints++;
  if (current != NULL && now >= current->start)
    {
      current->frames++;
      if (last_paint != 0)
        current->max_frame_gap = MAX (current->max_frame_gap, now - last_paint);
    }
  last_paint = now;
}

/* A dot going round once a second: something to paint every frame, in
 * both phases, like a spinner. */
static void
draw_animation (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (area));
  gint64 t = clock != NULL ? gdk_frame_clock_get_frame_time (clock) : 0;
  double angle = 2 * G_PI * (double) (t % G_USEC_PER_SEC) / G_USEC_PER_SEC;
  double r = MIN (width, height) / 2.0;

  cairo_set_source_rgb (cr, 0.2, 0.4, 0.8);
  cairo_arc (cr, width / 2.0 + r * 0.6 * cos (angle), height / 2.0 + r * 0.6 * sin (angle),
             r * 0.3, 0, 2 * G_PI);
  cairo_fill (cr);
}

static gboolean
animation_tick (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static void collect_widgets (GtkWidget *widget,
                             GType      type,
                             GPtrArray *found);

static void
add_animation (GtkWindow *window)
{
  g_autoptr(GPtrArray) bars = g_ptr_array_new ();
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 24);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 24);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_animation, NULL, NULL);
  gtk_widget_add_tick_callback (area, animation_tick, NULL, NULL);

  /* The application's header bar is libadwaita's, in the window's
   * content. */
  collect_widgets (GTK_WIDGET (window), ADW_TYPE_HEADER_BAR, bars);
  if (bars->len == 0)
    bench_die ("the window has no AdwHeaderBar");
  adw_header_bar_pack_start (ADW_HEADER_BAR (bars->pdata[0]), area);
}

/* ---- waiting ---- */

/* Runs the main loop for @usec, or until @stop (if not NULL) holds. The
 * ticker and the animation wake the loop at least every 5 ms. */
static void
run_for (gint64     usec,
         gboolean (*stop) (gpointer data),
         gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < deadline && (stop == NULL || !stop (data)))
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
enough_paints (gpointer data)
{
  return total_paints >= GPOINTER_TO_UINT (data);
}

static void
wait_frames (guint n)
{
  bench_wait_until (enough_paints, GUINT_TO_POINTER (total_paints + n), WATCHDOG_USEC, "frames");
}

static gboolean
all_executing (gpointer data)
{
  JrFuture **futures = data;

  for (guint i = 0; i < FLOOD_JOBS; i++)
    if (jr_future_get_state (futures[i]) != JR_FUTURE_STATE_EXECUTING)
      return FALSE;
  return TRUE;
}

/* Also stops the flood measurement: it must end while both jobs run. */
static gboolean
any_done (gpointer data)
{
  JrFuture **futures = data;

  for (guint i = 0; i < FLOOD_JOBS; i++)
    if (jr_future_get_done (futures[i]))
      return TRUE;
  return FALSE;
}

static gboolean
all_done (gpointer data)
{
  JrFuture **futures = data;

  for (guint i = 0; i < FLOOD_JOBS; i++)
    if (!jr_future_get_done (futures[i]))
      return FALSE;
  return TRUE;
}

static void
measure (Phase       *phase,
         const char  *name,
         gint64       usec,
         gboolean   (*stop) (gpointer data),
         gpointer     data)
{
  *phase = (Phase) {
    .name = name,
    .start = g_get_monotonic_time (),
    .lateness = g_array_sized_new (FALSE, FALSE, sizeof (gint64), usec / TICK_USEC + 16),
  };
  phase->main_cpu = thread_cpu_usec ();
  phase->process_cpu = process_cpu_usec ();
  current = phase;
  run_for (usec, stop, data);
  phase->end = g_get_monotonic_time ();
  phase->main_cpu = thread_cpu_usec () - phase->main_cpu;
  phase->process_cpu = process_cpu_usec () - phase->process_cpu;
  current = NULL;
}

/* ---- checking what the window shows ---- */

static void
collect_widgets (GtkWidget *widget,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, found);
}

static JrJobRow *
find_row (GtkWidget *root,
          JrFuture  *future)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_widgets (root, JR_TYPE_JOB_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (jr_job_row_get_future (rows->pdata[i]) == future)
      return rows->pdata[i];
  return NULL;
}

static gboolean
in_model (GListModel *model,
          JrFuture   *future)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(JrFuture) item = g_list_model_get_item (model, i);

      if (item == future)
        return TRUE;
    }
  return FALSE;
}

static gboolean G_GNUC_PRINTF (2, 3)
wrong (JrFuture   *future,
       const char *format,
       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "bench-ui: %s: %s\n", jr_future_get_title (future), message);
  return FALSE;
}

/* Whether @future ended well and its row in @list shows it; adds its count of
 * updates to @updates. */
static gboolean
check_job (JrJobList *list,
           JrFuture  *future,
           guint64   *updates)
{
  GVariant *result = jr_future_get_result (future);
  const char *text = jr_future_get_progress_text (future);
  g_autofree char *expected = NULL;
  JrJobRow *row;
  const char *shown;
  guint64 n;

  if (jr_future_get_state (future) != JR_FUTURE_STATE_COMPLETED)
    return wrong (future, "ended %s (%s)",
                  g_enum_to_string (JR_TYPE_FUTURE_STATE, jr_future_get_state (future)),
                  jr_future_get_error (future) ? jr_future_get_error (future)->message : "");
  if (result == NULL || !g_variant_is_of_type (result, G_VARIANT_TYPE_UINT64))
    return wrong (future, "result is %s", result ? g_variant_get_type_string (result) : "NULL");

  n = g_variant_get_uint64 (result);
  *updates += n;
  expected = g_strdup_printf ("%" G_GUINT64_FORMAT " updates", n);
  if (n == 0)
    return wrong (future, "sent no progress");
  /* The last update arrived, and none after it. */
  if (g_strcmp0 (text, expected) != 0)
    return wrong (future, "progress text is “%s”, not “%s”", text ? text : "(null)", expected);

  if (!in_model (jr_job_list_get_model (list), future))
    return wrong (future, "not in the job list");
  row = find_row (GTK_WIDGET (list), future);
  if (row == NULL)
    return wrong (future, "no row shows it");

  shown = gtk_label_get_text (GTK_LABEL (jr_job_row_get_state_label (row)));
  if (g_strcmp0 (shown, "Done") != 0)
    return wrong (future, "the row says “%s”, not “Done”", shown);
  shown = gtk_label_get_text (GTK_LABEL (jr_job_row_get_progress_label (row)));
  if (g_strcmp0 (shown, expected) != 0)
    return wrong (future, "the row's progress says “%s”, not “%s”", shown, expected);
  if (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (jr_job_row_get_progress_bar (row))) != 1.0)
    return wrong (future, "the row's bar is not full");

  return TRUE;
}

/* ---- the benchmark ---- */

static double
ms (gint64 usec)
{
  return usec / 1000.0;
}

/* The lateness that 99 % of the ticks did not exceed: the longest stall
 * without the few worst, which a busy machine's scheduler alone can cause. */
static gint64
stall_p99 (const Phase *phase)
{
  return bench_percentile (phase->lateness, 99);
}

/* Of one processor, over the phase. */
static double
percent (const Phase *phase,
         gint64       cpu_usec)
{
  gint64 usec = phase->end - phase->start;

  return usec > 0 ? 100.0 * cpu_usec / usec : 0.0;
}

static double
fps (const Phase *phase)
{
  gint64 usec = phase->end - phase->start;

  return usec > 0 ? phase->frames * (double) G_USEC_PER_SEC / usec : 0.0;
}

static JrFuture *
submit_flood (JrExecutor *executor,
              guint       i,
              gint64      usec)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_PROGRESS);
  g_autofree char *title = g_strdup_printf ("Flood %u", i + 1);
  g_autoptr(GError) error = NULL;
  JrFuture *future;

  jr_job_options_set_title (options, title);
  future = jr_executor_submit_full (executor, "flood",
                                    g_variant_new ("(t)", (guint64) (usec / 1000)),
                                    options, &error);
  if (future == NULL)
    bench_die ("cannot submit a flood job: %s", error->message);
  return future;
}

/* ---- a queue: many jobs at once, then "cancel all" ---- */

typedef struct {
  JrExecutor *executor;
  guint       paints;   /* total_paints to reach, once the jobs are done */
} QueueWait;

static gboolean
queue_painted (gpointer data)
{
  return total_paints >= ((QueueWait *) data)->paints;
}

/* The executor has no job left, and the window painted twice since. */
static gboolean
queue_emptied (gpointer data)
{
  QueueWait *wait = data;

  if (wait->paints == 0)
    {
      if (g_list_model_get_n_items (jr_executor_get_jobs (wait->executor)) > 0)
        return FALSE;
      wait->paints = total_paints + 2;
    }
  return queue_painted (wait);
}

/* Submits @n "hold" jobs (2 run, the others wait), lets the window show
 * them, then cancels them all in one loop, as an application's "Cancel
 * All" does, and lets the window show that. Prints how long each took to
 * reach the screen and the longest stall of the main loop meanwhile. */
static void
measure_queue (JrApplication *app,
               JrJobList     *list,
               guint          n,
               gboolean       keep_finished)
{
  JrExecutor *executor = jr_application_get_executor (app);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_full (n, g_object_unref);
  const char *keep = keep_finished ? "on" : "off";
  QueueWait wait = { .executor = executor };
  Phase shown, cancelled;
  gint64 start, submitted, loop_end;

  g_action_group_change_action_state (G_ACTION_GROUP (app), "keep-finished",
                                      g_variant_new_boolean (keep_finished));
  if (jr_job_list_get_keep_finished (list) != keep_finished)
    bench_die ("the window's list did not follow the keep-finished setting");
  wait_frames (2);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_CALL);
      g_autofree char *title = g_strdup_printf ("Hold %u", i + 1);
      g_autoptr(GError) error = NULL;
      JrFuture *future;

      jr_job_options_set_title (options, title);
      future = jr_executor_submit_full (executor, "hold", g_variant_new ("()"), options, &error);
      if (future == NULL)
        bench_die ("cannot submit a hold job: %s", error->message);
      g_ptr_array_add (futures, g_object_ref (future));
    }
  submitted = g_get_monotonic_time ();
  wait.paints = total_paints + 2;
  measure (&shown, "queue shown", WATCHDOG_USEC, queue_painted, &wait);

  for (guint i = 0; i < n; i++)
    jr_future_cancel (futures->pdata[i]);
  loop_end = g_get_monotonic_time ();
  wait.paints = 0;
  measure (&cancelled, "queue cancelled", WATCHDOG_USEC, queue_emptied, &wait);
  if (!queue_emptied (&wait))
    bench_die ("%u cancelled jobs did not end within %.0f s", n, WATCHDOG_USEC / 1e6);

  printf ("ui queue submit N=%u keep-finished=%s: %.1f ms\n", n, keep, ms (submitted - start));
  printf ("ui queue shown N=%u keep-finished=%s: %.1f ms\n", n, keep, ms (shown.end - start));
  printf ("ui queue longest stall after submit N=%u keep-finished=%s: %.1f ms\n", n, keep,
          ms (MAX (shown.max_stall, submitted - start)));
  printf ("ui queue cancel all N=%u keep-finished=%s: %.1f ms\n", n, keep,
          ms (cancelled.end - shown.end));
  printf ("ui queue longest stall after cancel all N=%u keep-finished=%s: %.1f ms\n", n, keep,
          ms (MAX (cancelled.max_stall, loop_end - shown.end)));
  fflush (stdout);

  g_array_unref (shown.lateness);
  g_array_unref (cancelled.lateness);
  jr_job_list_clear_finished (list);
  wait_frames (2);
}

static void
measure_queues (JrApplication *app,
                JrJobList     *list)
{
  const char *sizes = g_getenv ("BENCH_UI_QUEUE");
  g_auto(GStrv) each = g_strsplit (sizes != NULL ? sizes : "1000,10000", ",", -1);

  for (guint i = 0; each[i] != NULL; i++)
    {
      guint64 n = g_ascii_strtoull (each[i], NULL, 10);

      if (n == 0 || n > G_MAXUINT)
        continue;
      measure_queue (app, list, (guint) n, TRUE);
      measure_queue (app, list, (guint) n, FALSE);
    }
}

static gboolean
run_bench (gpointer user_data)
{
  Bench *bench = user_data;
  GtkApplication *app = GTK_APPLICATION (bench->app);
  JrExecutor *executor = jr_application_get_executor (bench->app);
  gint64 usec = (gint64) (bench->seconds * G_USEC_PER_SEC);
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();
  g_autoptr(GSource) ticker = NULL;
  JrFuture *futures[FLOOD_JOBS];
  GtkWindow *window;
  JrJobList *list = NULL;
  GdkFrameClock *clock;
  Phase idle, flood;
  gint64 flood_started;
  guint64 updates = 0;
  gboolean correct = TRUE;

  if (executor == NULL)
    bench_die ("the application has no executor");
  if (jr_executor_get_max_workers (executor) != WORKERS)
    bench_die ("the executor has %u workers, not %u (is the settings schema found?)",
         jr_executor_get_max_workers (executor), WORKERS);
  /* Without a notification server GLib would complain. */
  g_action_group_change_action_state (G_ACTION_GROUP (app), "notify-on-completion",
                                      g_variant_new_boolean (FALSE));

  window = gtk_application_get_active_window (app);
  if (!JR_IS_APP_WINDOW (window))
    bench_die ("no application window");
  /* The window's list, not the one in the progress indicator's popover. */
  collect_widgets (GTK_WIDGET (window), JR_TYPE_JOB_LIST, lists);
  for (guint i = 0; i < lists->len && list == NULL; i++)
    if (gtk_widget_get_mapped (lists->pdata[i]))
      list = lists->pdata[i];
  if (list == NULL)
    bench_die ("the window shows no job list");

  ticker = ticker_new ();
  add_animation (window);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (clock == NULL)
    bench_die ("the window has no frame clock");
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  wait_frames (2);
  run_for (SETTLE_USEC, NULL, NULL);

  measure (&idle, "idle", usec, NULL, NULL);

  for (guint i = 0; i < FLOOD_JOBS; i++)
    futures[i] = g_object_ref (submit_flood (executor, i, usec + FLOOD_EXTRA_USEC));
  bench_wait_until (all_executing, futures, WATCHDOG_USEC, "both flood jobs to start");
  flood_started = g_get_monotonic_time ();
  measure (&flood, "flood", usec, any_done, futures);
  if (any_done (futures))
    fprintf (stderr, "bench-ui: a flood job ended %.0f ms into the %.0f ms measurement\n",
             ms (flood.end - flood_started), ms (usec));

  bench_wait_until (all_done, futures, WATCHDOG_USEC, "both flood jobs to end");
  /* What the window shows once it has painted the end. */
  wait_frames (3);
  for (guint i = 0; i < FLOOD_JOBS; i++)
    {
      correct &= check_job (list, futures[i], &updates);
      g_object_unref (futures[i]);
    }

  printf ("ui idle longest stall: %.1f ms\n", ms (idle.max_stall));
  printf ("ui idle stall p99: %.1f ms\n", ms (stall_p99 (&idle)));
  printf ("ui idle frame rate: %.1f fps\n", fps (&idle));
  printf ("ui idle longest frame gap: %.1f ms\n", ms (idle.max_frame_gap));
  printf ("ui idle main thread cpu: %.0f %%\n", percent (&idle, idle.main_cpu));
  printf ("ui flood longest stall: %.1f ms\n", ms (flood.max_stall));
  printf ("ui flood stall p99: %.1f ms\n", ms (stall_p99 (&flood)));
  printf ("ui flood frame rate: %.1f fps\n", fps (&flood));
  printf ("ui flood frame rate ratio: %.3f\n", fps (&idle) > 0 ? fps (&flood) / fps (&idle) : 0.0);
  printf ("ui flood longest frame gap: %.1f ms\n", ms (flood.max_frame_gap));
  printf ("ui flood main thread cpu: %.0f %%\n", percent (&flood, flood.main_cpu));
  printf ("ui flood window process cpu: %.0f %%\n", percent (&flood, flood.process_cpu));
  printf ("ui flood progress updates: %" G_GUINT64_FORMAT "\n", updates);
  printf ("ui flood progress rate: %.0f updates/s\n",
          updates / ((usec + FLOOD_EXTRA_USEC) / (double) G_USEC_PER_SEC));
  printf ("ui flood jobs correct: %d\n", correct ? 1 : 0);
  fflush (stdout);

  measure_queues (bench->app, list);

  g_array_unref (idle.lateness);
  g_array_unref (flood.lateness);
  g_source_destroy (ticker);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, NULL);
  bench->correct = correct;
  bench->ran = TRUE;
  /* No job runs: the window closes without asking, and the application's
   * shutdown stops the workers. */
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app,
             Bench        *bench)
{
  g_idle_add (run_bench, bench);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JrApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  const char *seconds_env;
  Bench bench = { 0 };
  int status;

  bench_init ("bench-ui");
  /* Workers re-execute this program: they must know the same jobs. */
  jr_app_jobs_register ();
  jr_register_job_full ("flood", job_flood, G_VARIANT_TYPE ("(t)"), NULL);
  jr_register_job_full ("hold", job_hold, G_VARIANT_TYPE_UNIT, NULL);
  jr_init (&argc, &argv);

  verbose = g_getenv ("BENCH_UI_VERBOSE") != NULL;
  seconds_env = g_getenv ("BENCH_SECONDS");
  bench.seconds = seconds_env != NULL ? g_ascii_strtod (seconds_env, NULL) : DEFAULT_SECONDS;
  if (!(bench.seconds > 0.0))
    bench_die ("BENCH_SECONDS must be a positive number");

  /* The settings of the build tree, in memory: the user's stay untouched. */
  g_setenv ("GSETTINGS_SCHEMA_DIR", BENCH_SCHEMA_DIR, FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* Cheaper than GL on Xvfb's software rendering, as in the tests. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  /* No session bus to reach an accessibility bus through. */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("NO_AT_BRIDGE", "1", FALSE);

  if (!gtk_init_check ())
    {
      printf ("bench-ui: SKIP no display (run it under xvfb-run)\n");
      return EXIT_SUCCESS;
    }

  /* The memory backend is one per process: the application reads these. */
  settings = jr_app_settings_new ();
  if (settings == NULL)
    bench_die ("the settings schema is not in %s", BENCH_SCHEMA_DIR);
  g_settings_set_uint (settings, JR_APP_SETTINGS_MAX_WORKERS, WORKERS);
  g_settings_set_boolean (settings, JR_APP_SETTINGS_KEEP_FINISHED, TRUE);
  g_settings_set_boolean (settings, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION, FALSE);

  app = jr_application_new ();
  /* Not the one instance on the session bus. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  bench.app = app;
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &bench);

  status = g_application_run (G_APPLICATION (app), 0, NULL);
  if (status != 0 || !bench.ran)
    bench_die ("the application ended with status %d before the benchmark ran", status);

  return bench.correct ? EXIT_SUCCESS : EXIT_FAILURE;
}
