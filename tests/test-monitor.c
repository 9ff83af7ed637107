/* test-monitor.c — tests of router/jr-monitor.c, the thread that reads the
 * children's queues: the checks on every frame, bad input from a child,
 * each child in a lane of its own, and the sync behind route_until's
 * deadline (process transport).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Misbehaving children are tests/router-child.c in its "bad" and "flood"
 * modes; the router runs in the fixture of router-fixture.h.
 */
#include <signal.h>

#include "router-fixture.h"

/* ------------------------------------------------------------------ */
/* 1. Bad input from a worker                                         */
/* ------------------------------------------------------------------ */

/* A misbehaving child writes seq 0 on pipe 0, bad bytes of @kind, and
 * (when the stream can go on) seq 1; a good child sends on pipe 1 at the
 * same time, and a third one on pipe 2 afterwards. The bad bytes are
 * dropped with a warning matching @pattern; nothing else is lost. */
static void
run_bad_input (Fixture    *f,
               const char *kind,
               const char *pattern,
               gboolean    stream_goes_on)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GSubprocess) bad = NULL;
  g_autoptr(GSubprocess) good = NULL;
  g_autoptr(GSubprocess) later = NULL;
  g_autofree char *id = NULL;
  Pipe *p0, *p1, *p2;

  start_router (f);
  p0 = collector_add_pipe (c);
  p1 = collector_add_pipe (c);
  p2 = collector_add_pipe (c);
  id = id_arg (p0);
  jr_test_expect_warning (pattern);

  bad = spawn_child (f->router, "bad", kind, id, NULL);
  good = spawn_sender_child (c, "send", 64, 1, 1);

  p1->target = 64;
  jr_test_run_until (pipe_done, p1, DEADLINE_USEC, "the good child's messages");
  wait_child (bad);
  wait_child (good);
  assert_child_exit (good, 0);
  if (g_subprocess_get_if_exited (bad) &&
      g_subprocess_get_exit_status (bad) == JR_TEST_CHILD_EXIT_DISCONNECTED)
    {
      /* Refusing the frame by closing the child's queue is allowed too. */
      g_test_message ("the router closed the queue of the bad child");
      stream_goes_on = FALSE;
    }
  else
    assert_child_exit (bad, 0);

  jr_test_run_until (jr_test_expected_warnings_seen, NULL, DEADLINE_USEC,
                     "the warning about the bad bytes");
  p0->target = stream_goes_on ? 2 : 1;
  jr_test_run_until (pipe_done, p0, DEADLINE_USEC, "the bad child's good messages");

  /* The router still takes new children. */
  later = spawn_sender_child (c, "send", 16, 2, 1);
  p2->target = 16;
  jr_test_run_until (pipe_done, p2, DEADLINE_USEC, "a later child's messages");
  wait_child (later);
  assert_child_exit (later, 0);

  jr_test_check_expected_warnings ();
  g_assert_cmpuint (p0->next_seq, ==, stream_goes_on ? 2 : 1);
  g_assert_cmpuint (p1->next_seq, ==, 64);
  g_assert_cmpuint (p2->next_seq, ==, 16);

  collector_close_all (c);
  stop_router (f);
}

static void
test_bad_truncated (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "truncated", "*", FALSE);
}

static void
test_bad_garbage (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "garbage", "*", FALSE);
}

static void
test_bad_unknown_id (Fixture *f, gconstpointer data)
{
  g_autofree char *pattern = g_strdup_printf ("*%" G_GUINT64_FORMAT "*",
                                              JR_TEST_UNKNOWN_CONNECTION_ID);

  /* An id the router never made: the queue is closed as corrupt there. */
  run_bad_input (f, "unknown-id", pattern, FALSE);
}

static void
test_bad_non_normal_bool (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "non-normal-bool", "*", TRUE);
}

static void
test_bad_non_normal_tuple (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "non-normal-tuple", "*", TRUE);
}

static void
test_bad_invalid_type (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "invalid-type", "*", TRUE);
}

static void
test_bad_oversize (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "oversize", "*", TRUE);
}

static void
test_bad_oversize_header_only (Fixture *f, gconstpointer data)
{
  run_bad_input (f, "oversize-header-only", "*", FALSE);
}

/* A child killed in the middle of a flood loses only its own unsent
 * messages; what it did send arrives in order; others are unaffected. */
static void
test_bad_killed_child (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GSubprocess) flood = NULL;
  g_autoptr(GSubprocess) good = NULL;
  g_autoptr(GSubprocess) later = NULL;
  g_autofree char *id = NULL;
  Pipe *p0, *p1, *p2;

  start_router (f);
  p0 = collector_add_pipe (c);
  p1 = collector_add_pipe (c);
  p2 = collector_add_pipe (c);
  id = id_arg (p0);
  /* The kill may cut a frame in half. */
  jr_test_allow_warnings ("*");

  flood = spawn_child (f->router, "flood", id, NULL);
  good = spawn_sender_child (c, "send", 20000, 1, 1);

  p0->target = 2000;
  jr_test_run_until (pipe_done, p0, DEADLINE_USEC, "the flood");
  g_subprocess_send_signal (flood, SIGKILL);
  wait_child (flood);
  g_assert_true (g_subprocess_get_if_signaled (flood));
  g_assert_cmpint (g_subprocess_get_term_sig (flood), ==, SIGKILL);

  p1->target = 20000;
  jr_test_run_until (pipe_done, p1, DEADLINE_USEC, "the other child's messages");
  wait_child (good);
  assert_child_exit (good, 0);

  later = spawn_sender_child (c, "send", 100, 2, 1);
  p2->target = 100;
  jr_test_run_until (pipe_done, p2, DEADLINE_USEC, "a later child's messages");
  wait_child (later);
  assert_child_exit (later, 0);

  g_test_message ("the killed child's messages that arrived: %u", p0->next_seq);
  g_assert_cmpuint (p1->next_seq, ==, 20000);
  g_assert_cmpuint (p2->next_seq, ==, 100);

  collector_close_all (c);
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 2. The sync behind a deadline                                      */
/* ------------------------------------------------------------------ */

/* Several children flooding faster than a slow receiver: the deadline
 * still holds (the sync behind what was sent must not wait for room that
 * the flood keeps taking), and "no deadline" routes until the condition. */
static void
on_slow_message (JrReceiver *receiver,
                 GVariant   *message,
                 gpointer    user_data)
{
  guint64 *n = user_data;
  gint64 until = g_get_monotonic_time () + 5;

  (*n)++;
  /* Busy, not asleep: a sleep lasts far longer than asked on a loaded
   * machine, and this only needs the router slower than the floods. */
  while (g_get_monotonic_time () < until)
    ;
}

static gboolean
count_reached (gpointer user_data)
{
  guint64 **counts = user_data;

  return *counts[0] >= *counts[1];
}

static void
test_route_until_deadline_under_flood (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JrSender *senders[2];
  JrReceiver *receivers[2];
  GSubprocess *children[2];
  guint64 n = 0, target;
  guint64 *counts[2] = { &n, &target };

  start_router (f);
  /* Killing the floods at the end may cut a frame in half. */
  jr_test_allow_warnings ("*");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = NULL;

      g_assert_true (jr_router_pipe (f->router, &senders[i], &receivers[i], &error));
      g_signal_connect (receivers[i], "message", G_CALLBACK (on_slow_message), &n);
      id = g_strdup_printf ("%" G_GUINT64_FORMAT, jr_sender_get_connection_id (senders[i]));
      children[i] = spawn_child (f->router, "flood", id, NULL);
    }

  /* The floods first (a sanitized child under load takes a while to
   * start), then a deadline in the middle of them. */
  target = 1;
  g_assert_true (jr_router_route_until (f->router, count_reached, counts, DEADLINE_USEC, &error));
  g_assert_no_error (error);
  target = n;
  g_assert_false (jr_router_route_until (f->router, never_true, NULL, 200 * 1000, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpuint (n, >, target);

  target = n + 2000;
  g_assert_true (jr_router_route_until (f->router, count_reached, counts, -1, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      g_subprocess_send_signal (children[i], SIGKILL);
      wait_child (children[i]);
      g_object_unref (children[i]);
      g_assert_true (jr_router_close_pipe (f->router, receivers[i], NULL));
      g_object_unref (receivers[i]);
      g_object_unref (senders[i]);
    }
  stop_router (f);
}

int
main (int    argc,
      char **argv)
{
  router_fixture_init (&argc, &argv, "monitor");

  add_test ("bad-input/truncated", PROCESSES, test_bad_truncated);
  add_test ("bad-input/garbage", PROCESSES, test_bad_garbage);
  add_test ("bad-input/unknown-id", PROCESSES, test_bad_unknown_id);
  add_test ("bad-input/non-normal-bool", PROCESSES, test_bad_non_normal_bool);
  add_test ("bad-input/non-normal-tuple", PROCESSES, test_bad_non_normal_tuple);
  add_test ("bad-input/invalid-type", PROCESSES, test_bad_invalid_type);
  add_test ("bad-input/oversize", PROCESSES, test_bad_oversize);
  add_test ("bad-input/oversize-header-only", PROCESSES, test_bad_oversize_header_only);
  add_test ("bad-input/killed-child", PROCESSES, test_bad_killed_child);
  add_test ("route-until/deadline-under-flood", PROCESSES, test_route_until_deadline_under_flood);

  return router_fixture_run ();
}
