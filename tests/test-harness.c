/* test-harness.c — tests of the harness itself (tests/harness/, the published
 * libjobrouter-test, and tests/jr-test.c): each check must catch what it
 * claims to catch, and say what it caught.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What must fail runs again as a subprocess (g_test_trap_subprocess()),
 * whose stderr is then matched.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "jr-frame-private.h"
#include "jr-future-private.h"
#include "jr-test.h"

/* How long a trapped subprocess may take; each one fails within a second
 * or two. */
#define TRAP_USEC (30 * G_USEC_PER_SEC)

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
trap_and_expect_stderr (const char *pattern)
{
  g_test_trap_subprocess (NULL, TRAP_USEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (pattern);
}

/* ---- waiting ---- */

static void
test_run_until_met (void)
{
  gboolean flag = FALSE;
  gint64 start = g_get_monotonic_time ();

  g_timeout_add (20, jr_test_set_flag, &flag);
  jr_test_run_until (jr_test_flag_is_set, &flag, TRAP_USEC, "a timeout source");
  g_assert_true (flag);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 20 * 1000);
  /* Met on entry: returns at once. */
  g_assert_true (jr_test_iterate_until (NULL, jr_test_flag_is_set, &flag, 0));
}

static void
test_run_until_timeout (void)
{
  if (g_test_subprocess ())
    {
      jr_test_run_until (never, NULL, G_USEC_PER_SEC / 10, "Godot");
      return;
    }
  trap_and_expect_stderr ("*timed out after 0.1 s waiting for Godot*");
}

static void
test_run_until_done_names_job (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrFuture) future = jr_future_new ("sleep", JR_JOB_KIND_CALL);

      jr_future_set_title (future, "Sleeping");
      g_assert_true (jr_future_mark_started (future));
      jr_test_run_until_done (future, G_USEC_PER_SEC / 10);
      return;
    }
  trap_and_expect_stderr ("*job 'sleep' (title 'Sleeping') to be done; it is executing*");
}

/* A condition checked only by the tick: nothing else wakes the context. */
static gboolean
past (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
test_iterate_until_ticks (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint64 when = g_get_monotonic_time () + 50 * 1000;

  g_assert_true (jr_test_iterate_until (context, past, &when, TRAP_USEC));
  g_assert_false (jr_test_iterate_until (context, never, NULL, 30 * 1000));
  /* It left no source behind on the context. */
  g_assert_false (g_main_context_pending (context));
}

static void
test_run_for (void)
{
  gint64 start = g_get_monotonic_time ();

  jr_test_run_for (50);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * 1000);
}

static void
test_wait_property_timeout (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrFuture) future = jr_future_new ("sleep", JR_JOB_KIND_CALL);

      /* A soft failure: the test goes on, and is marked failed. */
      g_assert_false (jr_test_wait_state (future, JR_FUTURE_STATE_COMPLETED, G_USEC_PER_SEC / 10));
      g_assert_true (jr_test_wait_state (future, JR_FUTURE_STATE_WAITING, 0));
      return;
    }
  trap_and_expect_stderr ("*JrFuture*'state' not met after 0.1 s; 'state' is *JR_FUTURE_STATE_WAITING*");
}

/* ---- this process ---- */

static void
test_fds (void)
{
  g_autoptr(GHashTable) before = jr_test_list_fds ();
  g_autofree char *none = NULL;
  g_autofree char *changes = NULL;
  guint n = jr_test_count_fds ();
  int fds[2];

  g_assert_cmpuint (g_hash_table_size (before), ==, n);
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  g_assert_cmpuint (jr_test_count_fds (), ==, n + 2);
  changes = jr_test_describe_fd_changes (before);
  g_test_message ("changes:%s", changes);
  g_assert_true (g_pattern_match_simple ("*=pipe:*(new)*=pipe:*(new)", changes));

  close (fds[0]);
  close (fds[1]);
  g_assert_cmpuint (jr_test_count_fds (), ==, n);
  none = jr_test_describe_fd_changes (before);
  g_assert_cmpstr (none, ==, "");
}

static void
test_children (void)
{
  const char *argv[] = { "sleep", "60", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) children = NULL;
  g_autofree char *names = NULL;
  JrTestProcStat *st;
  GPid pid;

  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);

  children = jr_test_list_children (FALSE);
  g_assert_cmpuint (children->len, ==, 1);
  st = &g_array_index (children, JrTestProcStat, 0);
  g_assert_cmpint (st->pid, ==, pid);
  g_assert_cmpint (st->ppid, ==, getpid ());
  g_assert_false (jr_test_process_is_gone (pid));

  /* Killed, not reaped: a zombie, gone but still a child. */
  kill (pid, SIGKILL);
  for (guint i = 0; i < 1000 && !jr_test_process_is_gone (pid); i++)
    g_usleep (1000);
  g_assert_true (jr_test_process_is_gone (pid));
  g_assert_cmpuint (jr_test_count_children (FALSE), ==, 0);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 1);
  names = jr_test_describe_children ();
  g_assert_true (g_pattern_match_simple ("*(sleep,Z)", names));

  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
}

static gpointer
noop_thread (gpointer data)
{
  return NULL;
}

/* What a test cleans up after itself passes. */
static void
test_baseline_clean (void)
{
  JrTestBaseline baseline;
  int fds[2];

  jr_test_baseline_take (&baseline);
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  g_thread_join (g_thread_new ("joined", noop_thread, NULL));
  close (fds[0]);
  close (fds[1]);
  jr_test_baseline_assert (&baseline);
}

static void
test_baseline_fd_left (void)
{
  if (g_test_subprocess ())
    {
      JrTestBaseline baseline;
      int fds[2];

      jr_test_baseline_take (&baseline);
      g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
      jr_test_baseline_assert (&baseline);
      return;
    }
  trap_and_expect_stderr ("*fds open, * before the test; what changed: *=pipe:* (new)*");
}

static gpointer
waiting_thread (gpointer data)
{
  while (!g_atomic_int_get ((int *) data))
    g_usleep (1000);
  return NULL;
}

static void
test_baseline_thread_left (void)
{
  if (g_test_subprocess ())
    {
      JrTestBaseline baseline;
      static int stop;

      jr_test_baseline_take (&baseline);
      g_thread_unref (g_thread_new ("leaky", waiting_thread, &stop));
      jr_test_baseline_assert (&baseline);
      return;
    }
  trap_and_expect_stderr ("*threads, * before the test; now:*(leaky)*");
}

static void
test_baseline_child_left (void)
{
  if (g_test_subprocess ())
    {
      const char *argv[] = { "true", NULL };
      JrTestBaseline baseline;
      GPid pid;

      jr_test_baseline_take (&baseline);
      /* Never reaped: a zombie, which dies with this subprocess. */
      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, NULL));
      jr_test_baseline_assert (&baseline);
      return;
    }
  trap_and_expect_stderr ("*1 child processes left: *(true,*");
}

/* ---- an executor's end ---- */

static void
test_executor_clean (void)
{
  g_autoptr(JrExecutor) executor = jr_executor_new (JR_TRANSPORT_THREADS, 2);

  jr_test_shutdown_executor (executor);
  g_assert_false (g_test_failed ());
}

static void
on_executor_finalized (gpointer  data,
                       GObject  *where)
{
  g_printerr ("executor finalized\n");
}

/* Shut down, checked and dropped as the test ends, whatever it asserted. */
static void
test_executor_at_teardown (void)
{
  if (g_test_subprocess ())
    {
      JrExecutor *executor = jr_test_shutdown_at_teardown (jr_executor_new (JR_TRANSPORT_THREADS, 1));

      g_object_weak_ref (G_OBJECT (executor), on_executor_finalized, NULL);
      g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_RUNNING);
      return;
    }
  g_test_trap_subprocess (NULL, TRAP_USEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*executor finalized*");
}

static void
test_executor_thread_left (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrExecutor) executor = jr_executor_new (JR_TRANSPORT_THREADS, 1);
      static int stop;

      g_thread_unref (g_thread_new ("leaky", waiting_thread, &stop));
      jr_test_shutdown_executor (executor);
      return;
    }
  trap_and_expect_stderr ("*threads after shutdown, * before the tests:*(leaky)*");
}

/* ---- expected warnings ---- */

static void
log_router_warning (const char *message)
{
  g_log_structured ("jobrouter", G_LOG_LEVEL_WARNING, "MESSAGE", "%s", message);
}

static void
test_warning_expected (void)
{
  jr_test_expect_warning ("*pipe 42*");
  jr_test_allow_warnings ("*maybe*");
  g_assert_false (jr_test_expected_warnings_seen (NULL));

  log_router_warning ("Dropping a message for closed pipe 42");
  log_router_warning ("Dropping a message for closed pipe 42 again");
  g_assert_true (jr_test_expected_warnings_seen (NULL));
  jr_test_check_expected_warnings ();

  /* Checking forgot them: none is expected now. */
  g_assert_true (jr_test_expected_warnings_seen (NULL));
  jr_test_check_expected_warnings ();
}

static void
test_warning_missing (void)
{
  if (g_test_subprocess ())
    {
      jr_test_expect_warning ("*pipe 42*");
      jr_test_check_expected_warnings ();
      return;
    }
  trap_and_expect_stderr ("*no \"jobrouter\" warning matching \"*pipe 42*\" was logged*");
}

static void
test_warning_unexpected (void)
{
  if (g_test_subprocess ())
    {
      jr_test_allow_warnings ("*maybe*");
      log_router_warning ("a surprise");
      return;
    }
  trap_and_expect_stderr ("*WARNING*a surprise*");
}

/* ---- a future's states ---- */

static void
test_state_log (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("add", JR_JOB_KIND_CALL);
  JrTestStateLog log;

  jr_test_state_log_init (&log, future, JR_TEST_STATE_LOG_CHECK_CONSISTENT);
  g_assert_true (jr_future_mark_started (future));
  jr_test_state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, -1);
  g_assert_true (jr_future_complete (future, g_variant_new_int32 (3)));
  jr_test_state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_COMPLETED, -1);
  jr_test_state_log_clear (&log);
  g_assert_null (log.future);
}

static void
test_state_log_mismatch (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JrFuture) future = jr_future_new ("add", JR_JOB_KIND_CALL);
      JrTestStateLog log;

      jr_test_state_log_init (&log, future, JR_TEST_STATE_LOG_DEFAULT);
      jr_future_mark_started (future);
      jr_future_complete (future, g_variant_new_int32 (3));
      jr_test_state_log_assert (&log, JR_FUTURE_STATE_EXECUTING, JR_FUTURE_STATE_FAILED, -1);
      return;
    }
  trap_and_expect_stderr ("*\"executing completed \" == \"executing failed \"*");
}

static void
test_state_names (void)
{
  g_assert_cmpstr (jr_test_future_state_name (JR_FUTURE_STATE_WAITING), ==, "waiting");
  g_assert_cmpstr (jr_test_future_state_name (JR_FUTURE_STATE_CANCELLED), ==, "cancelled");
  g_assert_cmpstr (jr_test_transport_name (JR_TRANSPORT_THREADS), ==, "threads");
  g_assert_cmpstr (jr_test_transport_name (JR_TRANSPORT_PROCESSES), ==, "processes");
}

/* ---- data shared with child programs ---- */

static void
test_tu_serialize (void)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new ("(tu)", G_GUINT64_CONSTANT (0x1122334455667788),
                                                                 99u));
  guint8 bytes[JR_TEST_TU_SIZE];

  memset (bytes, 0xee, sizeof bytes);
  jr_test_tu_serialize (bytes, G_GUINT64_CONSTANT (0x1122334455667788), 99u);
  g_assert_cmpmem (bytes, sizeof bytes, g_variant_get_data (value), g_variant_get_size (value));
}

static void
test_pattern_message (void)
{
  g_autoptr(GVariant) message = g_variant_ref_sink (jr_test_new_pattern_message (70000));
  const guint8 *data;
  gsize size;

  g_assert_cmpstr (g_variant_get_type_string (message), ==, "ay");
  data = g_variant_get_fixed_array (message, &size, 1);
  g_assert_cmpuint (size, ==, 70000);
  for (gsize i = 0; i < size; i++)
    if (data[i] != jr_test_pattern_byte (i))
      g_error ("pattern byte %" G_GSIZE_FORMAT " is %u", i, data[i]);
  /* Neither constant nor repeating every 256 bytes. */
  g_assert_cmpuint (jr_test_pattern_byte (1), !=, jr_test_pattern_byte (257));
}

static void
test_build_frame (void)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new ("(tu)", G_GUINT64_CONSTANT (5), 6u));
  g_autoptr(GVariant) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *frame = NULL;
  const char *type_string = NULL;
  JrFrameHeader header;
  gsize size, frame_size;

  frame = jr_test_build_frame (7, JR_FRAME_MAGIC, "(tu)", 5, (guint32) g_variant_get_size (value),
                               g_variant_get_data (value), g_variant_get_size (value), &size);
  g_assert_cmpuint (size, ==, jr_frame_size_for (5, g_variant_get_size (value)));
  g_assert_cmpint (jr_frame_peek (frame, size, &header, &type_string, &frame_size, &error), ==,
                   JR_FRAME_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (frame_size, ==, size);
  g_assert_cmpuint (header.connection_id, ==, 7);
  g_assert_cmpstr (type_string, ==, "(tu)");
  decoded = jr_frame_to_variant (&header, type_string, frame, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (decoded, value));
}

/* ---- temporary folders ---- */

static void
test_temp_dir (void)
{
  g_autofree char *dir = jr_test_make_temp_dir ("test-harness-XXXXXX");
  g_autofree char *outside = jr_test_make_temp_dir ("test-harness-XXXXXX");
  g_autofree char *deep = g_build_filename (dir, "a", "b", NULL);
  g_autofree char *file = g_build_filename (deep, "file", NULL);
  g_autofree char *kept = g_build_filename (outside, "kept", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);

  g_assert_cmpint (g_mkdir_with_parents (deep, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_true (g_file_set_contents (kept, "y", -1, NULL));
  g_assert_cmpint (symlink (outside, link), ==, 0);

  jr_test_remove_temp_dir (dir);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  /* The link went, not what it pointed to. */
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));

  jr_test_remove_temp_dir (outside);
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  jr_test_init (&argc, &argv);

  g_test_add_func ("/harness/wait/run-until", test_run_until_met);
  g_test_add_func ("/harness/wait/run-until-timeout", test_run_until_timeout);
  g_test_add_func ("/harness/wait/run-until-done-names-job", test_run_until_done_names_job);
  g_test_add_func ("/harness/wait/ticks", test_iterate_until_ticks);
  g_test_add_func ("/harness/wait/run-for", test_run_for);
  g_test_add_func ("/harness/wait/property-timeout", test_wait_property_timeout);
  g_test_add_func ("/harness/process/fds", test_fds);
  g_test_add_func ("/harness/process/children", test_children);
  g_test_add_func ("/harness/baseline/clean", test_baseline_clean);
  g_test_add_func ("/harness/baseline/fd-left", test_baseline_fd_left);
  g_test_add_func ("/harness/baseline/thread-left", test_baseline_thread_left);
  g_test_add_func ("/harness/baseline/child-left", test_baseline_child_left);
  g_test_add_func ("/harness/executor/clean", test_executor_clean);
  g_test_add_func ("/harness/executor/at-teardown", test_executor_at_teardown);
  g_test_add_func ("/harness/executor/thread-left", test_executor_thread_left);
  g_test_add_func ("/harness/warnings/expected", test_warning_expected);
  g_test_add_func ("/harness/warnings/missing", test_warning_missing);
  g_test_add_func ("/harness/warnings/unexpected", test_warning_unexpected);
  g_test_add_func ("/harness/state-log/states", test_state_log);
  g_test_add_func ("/harness/state-log/mismatch", test_state_log_mismatch);
  g_test_add_func ("/harness/state-log/names", test_state_names);
  g_test_add_func ("/harness/data/tu", test_tu_serialize);
  g_test_add_func ("/harness/data/pattern", test_pattern_message);
  g_test_add_func ("/harness/data/frame", test_build_frame);
  g_test_add_func ("/harness/temp-dir", test_temp_dir);

  return g_test_run ();
}
