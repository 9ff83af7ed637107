/* test-router.c — tests of router/jr-router.c: the router's lifecycle, its
 * pipes, senders and receivers, delivery on the main loop and by
 * jr_router_route_until(), on both transports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test runs in the fixture of router-fixture.h: a router on one
 * transport, nothing left behind afterwards. Process tests spawn
 * tests/router-child.c. The cross-process queue has its own tests in
 * test-channel.c, the inbox in test-inbox.c, the monitor thread in
 * test-monitor.c.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "router-fixture.h"

/* ------------------------------------------------------------------ */
/* 1. Lifecycle                                                       */
/* ------------------------------------------------------------------ */

static void
test_lifecycle_start_twice (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start_router (f);
  g_assert_false (jr_router_start (f->router, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_ALREADY_RUNNING);
  g_assert_true (jr_router_get_running (f->router));
  stop_router (f);
}

static void
test_lifecycle_stop_before_start (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (jr_router_stop (f->router, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING);
  g_assert_false (jr_router_get_running (f->router));
}

static void
test_lifecycle_stop_twice (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start_router (f);
  stop_router (f);
  g_assert_false (jr_router_stop (f->router, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING);
}

static void
test_lifecycle_pipe_not_running (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JrSender *sender = NULL;
  JrReceiver *receiver = NULL;

  g_assert_false (jr_router_pipe (f->router, &sender, &receiver, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING);
  g_assert_null (sender);
  g_assert_null (receiver);
  g_clear_error (&error);

  start_router (f);
  stop_router (f);

  g_assert_false (jr_router_pipe (f->router, &sender, &receiver, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING);
  g_assert_null (sender);
  g_assert_null (receiver);
  g_assert_cmpuint (jr_router_get_n_pipes (f->router), ==, 0);
}

/* Stopping with open pipes warns; closing a pipe afterwards is refused. */
static void
test_lifecycle_stop_with_open_pipes (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Collector) c = collector_new (f->router);

  start_router (f);
  collector_add_pipe (c);
  collector_add_pipe (c);
  g_assert_cmpuint (jr_router_get_n_pipes (f->router), ==, 2);

  jr_test_expect_warning ("*");
  stop_router (f);
  jr_test_check_expected_warnings ();

  g_assert_false (jr_router_close_pipe (f->router, collector_pipe (c, 0)->receiver, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING);
}

/* The router can be started again after a stop, and works each time. */
static void
test_lifecycle_restart (Fixture       *f,
                        gconstpointer  data)
{
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(Collector) c = collector_new (f->router);
      g_autoptr(GError) error = NULL;

      start_router (f);
      collector_add_pipe (c);
      c->expected = 3;
      if (is_threads (f))
        {
          JrSender *sender = collector_pipe (c, 0)->sender;

          /* A few messages from this thread are fine (the queue has room). */
          g_assert_true (jr_sender_start (sender, &error));
          for (guint32 seq = 0; seq < 3; seq++)
            g_assert_true (jr_sender_send (sender, g_variant_new ("(tu)", collector_pipe (c, 0)->id, seq), &error));
          g_assert_true (jr_sender_stop (sender, &error));
          g_assert_no_error (error);
          route_until_done (c);
        }
      else
        {
          g_autoptr(GSubprocess) child = spawn_sender_child (c, "send", 3, 0, 1);

          route_until_done (c);
          wait_child (child);
          assert_child_exit (child, 0);
        }
      collector_close_all (c);
      stop_router (f);
    }
}

static void
assert_sender_state_error (gboolean   ok,
                           GError   **error)
{
  g_assert_false (ok);
  g_assert_error (*error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_SENDER_STATE);
  g_clear_error (error);
}

/* A sender made by jr_router_pipe() is single-use. */
static void
test_lifecycle_sender_state (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GError) error = NULL;
  JrSender *sender;
  guint64 id;

  start_router (f);
  collector_add_pipe (c);
  sender = collector_pipe (c, 0)->sender;
  id = collector_pipe (c, 0)->id;

  assert_sender_state_error (jr_sender_send (sender, g_variant_new ("(tu)", id, 99u), &error), &error);
  assert_sender_state_error (jr_sender_stop (sender, &error), &error);
  g_assert_true (jr_sender_start (sender, &error));
  g_assert_no_error (error);
  assert_sender_state_error (jr_sender_start (sender, &error), &error);
  g_assert_true (jr_sender_send (sender, g_variant_new ("(tu)", id, 0u), &error));
  g_assert_no_error (error);
  g_assert_true (jr_sender_stop (sender, &error));
  g_assert_no_error (error);
  assert_sender_state_error (jr_sender_stop (sender, &error), &error);
  assert_sender_state_error (jr_sender_start (sender, &error), &error);
  assert_sender_state_error (jr_sender_send (sender, g_variant_new ("(tu)", id, 99u), &error), &error);

  /* Only the one good message arrives. */
  c->expected = 1;
  route_until_done (c);
  g_assert_cmpuint (collector_pipe (c, 0)->next_seq, ==, 1);

  collector_close_all (c);
  stop_router (f);
}

/* The same rules for a sender made in a child. */
static void
test_child_sender_state (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *id = NULL;

  start_router (f);
  id = id_arg (collector_add_pipe (c));
  child = spawn_child (f->router, "sender-state", id, NULL);
  c->expected = 1;
  route_until_done (c);
  wait_child (child);
  assert_child_exit (child, 0);
  g_assert_cmpuint (collector_pipe (c, 0)->next_seq, ==, 1);

  collector_close_all (c);
  stop_router (f);
}

/* A sender still sending (or waiting for room) when the router stops gets
 * an error instead of hanging; nothing is left behind. */
static void
test_lifecycle_stop_while_sending (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(SendJob) job = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *pattern = NULL;
  Pipe *pipe;

  start_router (f);
  pipe = collector_add_pipe (c);
  pipe->target = 1000;
  if (is_threads (f))
    {
      job = send_job_start (c, 0, 1, 0);
      job->until_fail = TRUE;
      send_job_run (job);
    }
  else
    {
      g_autofree char *id = id_arg (pipe);

      child = spawn_child (f->router, "flood", id, NULL);
    }
  jr_test_run_until (pipe_done, pipe, DEADLINE_USEC, "the flood to start");

  pattern = g_strdup_printf ("*%" G_GUINT64_FORMAT "*", pipe->id);
  jr_test_allow_warnings (pattern);
  collector_close_all (c);
  stop_router (f);

  if (job != NULL)
    {
      send_job_join (job, TRUE);
      g_assert_nonnull (job->error);
      g_assert_true (g_error_matches (job->error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING) ||
                     g_error_matches (job->error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED));
    }
  else
    {
      /* The child sees the router gone and exits with "disconnected". */
      wait_child (child);
      assert_child_exit (child, JR_TEST_CHILD_EXIT_DISCONNECTED);
    }
}

/* ------------------------------------------------------------------ */
/* 2. Delivery                                                        */
/* ------------------------------------------------------------------ */

#define MANY_PIPES     64u
#define MANY_MESSAGES  64u

static void
many_pipes (Fixture  *f,
            gboolean  use_main_loop)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) send_job_free);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);

  start_router (f);
  for (guint i = 0; i < MANY_PIPES; i++)
    collector_add_pipe (c);
  c->expected = MANY_PIPES * MANY_MESSAGES;

  if (is_threads (f))
    {
      /* 8 threads, each sending on 8 pipes, interleaved. */
      for (guint t = 0; t < 8; t++)
        {
          SendJob *job = send_job_start (c, t * 8, 8, MANY_MESSAGES);

          g_ptr_array_add (jobs, job);
          send_job_run (job);
        }
    }
  else
    {
      /* 4 children on 16 pipes each: two send from one thread, two from
       * one thread per pipe (they share the child's queue). */
      for (guint k = 0; k < 4; k++)
        g_ptr_array_add (children, spawn_sender_child (c, k % 2 ? "send-mt" : "send",
                                                       MANY_MESSAGES, k * 16, 16));
    }

  if (use_main_loop)
    run_loop_until_done (c);
  else
    route_until_done (c);

  for (guint i = 0; i < jobs->len; i++)
    send_job_join (g_ptr_array_index (jobs, i), FALSE);
  for (guint i = 0; i < children->len; i++)
    {
      wait_child (g_ptr_array_index (children, i));
      assert_child_exit (g_ptr_array_index (children, i), 0);
    }

  g_assert_cmpuint (c->received, ==, MANY_PIPES * MANY_MESSAGES);
  assert_all_pipes_got (c, MANY_MESSAGES);
  collector_close_all (c);
  stop_router (f);
}

static void
test_delivery_many_pipes_route_until (Fixture       *f,
                                      gconstpointer  data)
{
  many_pipes (f, FALSE);
}

static void
test_delivery_many_pipes_main_loop (Fixture       *f,
                                    gconstpointer  data)
{
  many_pipes (f, TRUE);
}

/* The process transport's pipes also work from threads of this process,
 * at the same time as from a child. */
static void
test_delivery_local_threads (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(SendJob) job1 = NULL;
  g_autoptr(SendJob) job2 = NULL;
  g_autoptr(GSubprocess) child = NULL;

  start_router (f);
  for (guint i = 0; i < 12; i++)
    collector_add_pipe (c);
  c->expected = 12 * 200;

  job1 = send_job_start (c, 0, 4, 200);
  job2 = send_job_start (c, 4, 4, 200);
  send_job_run (job1);
  send_job_run (job2);
  child = spawn_sender_child (c, "send", 200, 8, 4);

  route_until_done (c);
  send_job_join (job1, FALSE);
  send_job_join (job2, FALSE);
  wait_child (child);
  assert_child_exit (child, 0);
  assert_all_pipes_got (c, 200);

  collector_close_all (c);
  stop_router (f);
}

static void
on_any_message (JrReceiver *receiver,
                GVariant   *message,
                gpointer    user_data)
{
  GPtrArray *received = user_data;

  g_ptr_array_add (received, g_variant_ref (message));
}

static gboolean
has_n_messages (gpointer data)
{
  return ((GPtrArray *) data)->len >= 3;
}

static void
assert_refused (JrSender           *sender,
                const GVariantType *type,
                gconstpointer       data,
                gsize               size)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (jr_sender_send_data (sender, type, data, size, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE);
}

/* A value not in normal form is refused with an error, whether its layout
 * is checked directly (numbers) or by GLib (framing offsets); the sender
 * goes on, and the caller's buffer may change once the call returns. */
static void
test_data_not_normal (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(JrReceiver) receiver = NULL;
  g_autoptr(GPtrArray) received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GVariant) strv = g_variant_ref_sink (g_variant_new_strv ((const char *[]) { "a", "bc" }, 2));
  g_autofree guint8 *bad_strv = g_memdup2 (g_variant_get_data (strv), g_variant_get_size (strv));
  guint8 tu[JR_TEST_TU_SIZE];
  gsize strv_size = g_variant_get_size (strv);

  start_router (f);
  g_assert_true (jr_router_pipe (f->router, &sender, &receiver, &error));
  g_assert_no_error (error);
  g_signal_connect (receiver, "message", G_CALLBACK (on_any_message), received);
  g_assert_true (jr_sender_start (sender, &error));

  jr_test_tu_serialize (tu, 7, 8);
  tu[JR_TEST_TU_SIZE - 1] = 1;                              /* padding not zero */
  assert_refused (sender, G_VARIANT_TYPE ("(tu)"), tu, sizeof tu);
  assert_refused (sender, G_VARIANT_TYPE ("(tu)"), tu, sizeof tu - 8);   /* too short */
  bad_strv[strv_size - 1] = 0xff;                   /* framing offset past the end */
  assert_refused (sender, G_VARIANT_TYPE ("as"), bad_strv, strv_size);

  jr_test_tu_serialize (tu, 7, 8);
  g_assert_true (jr_sender_send_data (sender, G_VARIANT_TYPE ("(tu)"), tu, sizeof tu, &error));
  g_assert_no_error (error);
  memset (tu, 0xee, sizeof tu);                     /* the sender copied it */
  g_assert_true (jr_sender_send_data (sender, G_VARIANT_TYPE ("as"), g_variant_get_data (strv),
                                      strv_size, &error));
  g_assert_no_error (error);
  g_assert_true (jr_sender_send_data (sender, G_VARIANT_TYPE ("d"), &(double) { 0.5 },
                                      sizeof (double), &error));
  g_assert_no_error (error);

  g_assert_true (jr_router_route_until (f->router, has_n_messages, received, DEADLINE_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (received->len, ==, 3);
  {
    guint64 id;
    guint32 seq;

    g_assert_cmpstr (g_variant_get_type_string (received->pdata[0]), ==, "(tu)");
    g_variant_get (received->pdata[0], "(tu)", &id, &seq);
    g_assert_cmpuint (id, ==, 7);
    g_assert_cmpuint (seq, ==, 8);
  }
  g_assert_true (g_variant_equal (received->pdata[1], strv));
  g_assert_cmpfloat (g_variant_get_double (received->pdata[2]), ==, 0.5);

  g_assert_true (jr_sender_stop (sender, &error));
  g_assert_true (jr_router_close_pipe (f->router, receiver, &error));
  g_assert_no_error (error);
  stop_router (f);
}

/* A message for a closed pipe is dropped with a warning naming its id;
 * the other pipes are not disturbed. */
static void
test_delivery_closed_pipe (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(SendJob) job = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *pattern = NULL;
  Pipe *closed, *open;

  start_router (f);
  closed = collector_add_pipe (c);
  open = collector_add_pipe (c);
  collector_close_pipe (c, closed);
  g_assert_cmpuint (jr_router_get_n_pipes (f->router), ==, 1);

  pattern = g_strdup_printf ("*%" G_GUINT64_FORMAT "*", closed->id);
  jr_test_expect_warning (pattern);

  /* Three messages on each, interleaved: closed, open, closed, open... */
  if (is_threads (f))
    {
      job = send_job_start (c, 0, 2, 3);
      send_job_run (job);
      send_job_join (job, FALSE);
    }
  else
    child = spawn_sender_child (c, "send", 3, 0, 2);

  open->target = 3;
  jr_test_run_until (pipe_done, open, DEADLINE_USEC, "the open pipe's messages");
  jr_test_run_until (jr_test_expected_warnings_seen, NULL, DEADLINE_USEC,
                     "the closed pipe's warning");
  if (child != NULL)
    {
      wait_child (child);
      assert_child_exit (child, 0);
    }
  jr_test_check_expected_warnings ();
  g_assert_cmpuint (closed->next_seq, ==, 0);
  g_assert_cmpuint (open->next_seq, ==, 3);

  collector_close_all (c);
  stop_router (f);
}

/* A child's value not in normal form goes in its normal form: the parent
 * takes it (it drops what a child writes that is not). */
static void
test_data_not_normal_child (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *id = NULL;
  const char *args[] = { "send-not-normal", NULL, NULL };
  Pipe *p;

  start_router (f);
  p = collector_add_pipe (c);
  id = id_arg (p);
  args[1] = id;
  child = spawn_child_full (f->router, G_SUBPROCESS_FLAGS_NONE, NULL, args);
  p->target = 2;
  jr_test_run_until (pipe_done, p, DEADLINE_USEC, "both messages");
  wait_child (child);
  assert_child_exit (child, 0);
  g_assert_cmpuint (p->next_seq, ==, 2);
  collector_close_all (c);
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 3. route_until                                                     */
/* ------------------------------------------------------------------ */

static gboolean
always_true (gpointer data)
{
  return TRUE;
}

/* Whether the child is still running (not a zombie), without reaping it. */
static gboolean
child_is_running (GSubprocess *process)
{
  const char *pid = g_subprocess_get_identifier (process);

  return pid != NULL && !jr_test_process_is_gone (atoi (pid));
}

typedef struct {
  Collector *c;
  guint64    at_least;
} AtLeast;

static gboolean
received_at_least (gpointer data)
{
  AtLeast *a = data;

  return a->c->received >= a->at_least;
}

/* Sends @count on pipe @index and returns once they are all sent, without
 * routing: a joined thread, or a child that exited. */
static void
send_and_finish (Fixture   *f,
                 Collector *c,
                 guint      index,
                 guint32    count)
{
  if (is_threads (f))
    {
      g_autoptr(SendJob) job = send_job_start (c, index, 1, count);

      send_job_run (job);
      send_job_join (job, FALSE);
    }
  else
    {
      g_autoptr(GSubprocess) child = spawn_sender_child (c, "send", count, index, 1);

      wait_child_quietly (child);
      assert_child_exit (child, 0);
    }
}

/* route_until returns as soon as the condition holds, checked after each
 * message; the main loop then delivers the rest, and later messages. */
static void
test_route_until_stops_at_condition (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GError) error = NULL;
  AtLeast ten = { c, 10 };

  start_router (f);
  collector_add_pipe (c);
  collector_add_pipe (c);

  send_and_finish (f, c, 0, 100);
  /* Nothing routed the main context: nothing was delivered. */
  g_assert_cmpuint (c->received, ==, 0);

  /* A condition true on entry routes nothing. */
  g_assert_true (jr_router_route_until (f->router, always_true, NULL, DEADLINE_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->received, ==, 0);

  g_assert_true (jr_router_route_until (f->router, received_at_least, &ten, DEADLINE_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->received, ==, 10);
  g_assert_cmpuint (collector_pipe (c, 0)->next_seq, ==, 10);

  /* The main context takes over where route_until stopped. */
  c->expected = 100;
  jr_test_run_until (collector_done, c, DEADLINE_USEC, "the rest after route_until");
  g_assert_cmpuint (collector_pipe (c, 0)->next_seq, ==, 100);

  /* New messages still come through a main loop. */
  c->expected = 150;
  if (is_threads (f))
    {
      g_autoptr(SendJob) job = send_job_start (c, 1, 1, 50);

      send_job_run (job);
      run_loop_until_done (c);
      send_job_join (job, FALSE);
    }
  else
    {
      g_autoptr(GSubprocess) child = spawn_sender_child (c, "send", 50, 1, 1);

      run_loop_until_done (c);
      wait_child (child);
      assert_child_exit (child, 0);
    }
  g_assert_cmpuint (c->received, ==, 150);
  g_assert_cmpuint (collector_pipe (c, 1)->next_seq, ==, 50);

  /* Nothing more arrives (nothing was delivered twice). */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (c->received, ==, 150);

  collector_close_all (c);
  stop_router (f);
}

/* A deadline is absolute: a slow, steady sender does not extend it.
 * route_until can be called again after timing out. */
static void
test_route_until_timeout (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GError) error = NULL;
  g_autoptr(SendJob) job = NULL;
  g_autoptr(GSubprocess) child = NULL;
  AtLeast more;
  Pipe *pipe;

  start_router (f);
  pipe = collector_add_pipe (c);

  /* One message every 20 ms for up to 10 s. */
  if (is_threads (f))
    {
      job = send_job_start (c, 0, 1, 500);
      job->interval_us = 20000;
      send_job_run (job);
    }
  else
    {
      g_autofree char *id = id_arg (pipe);

      child = spawn_child (f->router, "send-slow", "20", "500", id, NULL);
    }

  g_assert_false (jr_router_route_until (f->router, never_true, NULL, 200 * 1000, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  g_clear_error (&error);
  /* It returned long before the sender's 10 s were over. */
  if (job != NULL)
    g_assert_false (g_atomic_int_get (&job->done));
  else
    g_assert_true (child_is_running (child));

  more.c = c;
  more.at_least = c->received + 3;
  g_assert_true (jr_router_route_until (f->router, received_at_least, &more, DEADLINE_USEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->received, ==, more.at_least);

  if (job != NULL)
    {
      g_atomic_int_set (&job->stop, TRUE);
      send_job_join (job, TRUE);
      g_assert_no_error (job->error);
      c->expected = (guint64) g_atomic_int_get (&job->sent);
      route_until_done (c);
    }
  else
    {
      g_subprocess_force_exit (child);
      wait_child_quietly (child);
      g_assert_true (g_subprocess_get_if_signaled (child));
      /* Killed at any point, maybe in the middle of a frame. */
      jr_test_allow_warnings ("*");
    }

  collector_close_all (c);
  stop_router (f);
}

/* A zero timeout still delivers what was sent before the call. */
static void
test_route_until_zero_timeout (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GError) error = NULL;
  Pipe *p0, *p1, *p2;

  start_router (f);
  p0 = collector_add_pipe (c);
  p1 = collector_add_pipe (c);
  p2 = collector_add_pipe (c);

  /* Everything sent, sender gone: the condition is met with timeout 0. */
  send_and_finish (f, c, 0, 50);
  p0->target = 50;
  g_assert_true (jr_router_route_until (f->router, pipe_done, p0, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (p0->next_seq, ==, 50);

  /* A condition that never holds: what was sent is delivered, then
   * TIMED_OUT. */
  send_and_finish (f, c, 1, 20);
  g_assert_false (jr_router_route_until (f->router, never_true, NULL, 0, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpuint (p1->next_seq, ==, 20);

  /* The sender is still alive (waiting) when route_until runs. */
  p2->target = 30;
  if (is_threads (f))
    {
      g_autoptr(SendJob) job = send_job_start (c, 2, 1, 30);
      gint64 until = g_get_monotonic_time () + DEADLINE_USEC;

      job->hold = TRUE;
      send_job_run (job);
      while (g_atomic_int_get (&job->sent) < 30 && !g_atomic_int_get (&job->done) &&
             g_get_monotonic_time () < until)
        g_usleep (1000);
      g_assert_cmpint (g_atomic_int_get (&job->sent), ==, 30);

      g_assert_true (jr_router_route_until (f->router, pipe_done, p2, 0, &error));
      g_assert_no_error (error);
      g_atomic_int_set (&job->released, TRUE);
      send_job_join (job, FALSE);
    }
  else
    {
      g_autofree char *id = id_arg (p2);
      const char *args[] = { "send-wait", "30", id, NULL };
      g_autoptr(GSubprocess) child = spawn_child_full (f->router,
                                                       G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                                       NULL, args);
      char ready = 0;

      /* "R" once it has sent all 30. */
      g_assert_cmpint (g_input_stream_read (g_subprocess_get_stdout_pipe (child), &ready, 1, NULL, &error),
                       ==, 1);
      g_assert_no_error (error);
      g_assert_cmpint (ready, ==, 'R');

      g_assert_true (jr_router_route_until (f->router, pipe_done, p2, 0, &error));
      g_assert_no_error (error);

      g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, &error));
      g_assert_no_error (error);
      wait_child_quietly (child);
      assert_child_exit (child, 0);
    }
  g_assert_cmpuint (p2->next_seq, ==, 30);

  collector_close_all (c);
  stop_router (f);
}

/* The sync tokens of route_until() start again with a new monitor: after
 * a restart, a timeout of 0 still delivers what was sent. */
static void
test_route_until_after_restart (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start_router (f);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (jr_router_route_until (f->router, never_true, NULL, 0, &error));
      g_clear_error (&error);
    }
  stop_router (f);
  start_router (f);
  {
    g_autoptr(Collector) c = collector_new (f->router);
    Pipe *p = collector_add_pipe (c);

    send_and_finish (f, c, 0, 100);
    g_assert_false (jr_router_route_until (f->router, never_true, NULL, 0, &error));
    g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
    g_clear_error (&error);
    g_assert_cmpuint (p->next_seq, ==, 100);
    collector_close_all (c);
  }
  stop_router (f);
}

/* Thread senders: strings sent from a thread that then stops, and a
 * handler of the first that stops the router, or routes the rest itself,
 * and then reads its message: lent from its batch, which must outlive
 * the handler. */
typedef struct {
  JrRouter   *router;
  gboolean    stop;       /* else route_until() */
  guint       n_seen;
  char       *first;      /* read after the stop or route_until() */
} Reentrant;

static gboolean
seen_all (gpointer data)
{
  return ((Reentrant *) data)->n_seen >= 10;
}

static void
on_reentrant_message (JrReceiver *receiver,
                      GVariant   *message,
                      gpointer    data)
{
  Reentrant *r = data;

  if (r->n_seen++ > 0)
    return;
  if (r->stop)
    {
      g_assert_true (jr_router_close_pipe (r->router, receiver, NULL));
      g_assert_true (jr_router_stop (r->router, NULL));
    }
  else
    g_assert_true (jr_router_route_until (r->router, seen_all, r, DEADLINE_USEC, NULL));
  r->first = g_variant_dup_string (message, NULL);
}

static gpointer
send_ten (gpointer data)
{
  JrSender *sender = data;

  g_assert_true (jr_sender_start (sender, NULL));
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u of a batch", i);

      g_assert_true (jr_sender_send (sender, g_variant_new_string (text), NULL));
    }
  g_assert_true (jr_sender_stop (sender, NULL));
  return NULL;
}

static void
test_reentrant_handler (Fixture       *f,
                        gconstpointer  data)
{
  Reentrant r = { f->router, g_str_has_suffix (g_test_get_path (), "/stop"), 0, NULL };
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(JrReceiver) receiver = NULL;
  g_autoptr(GError) error = NULL;

  start_router (f);
  g_assert_true (jr_router_pipe (f->router, &sender, &receiver, &error));
  g_signal_connect (receiver, "message", G_CALLBACK (on_reentrant_message), &r);
  g_thread_join (g_thread_new ("send-ten", send_ten, sender));
  /* All ten in one batch, stopped or routed from the first's handler. */
  jr_router_route_until (f->router, seen_all, &r, DEADLINE_USEC, NULL);
  g_assert_cmpstr (r.first, ==, "message 0 of a batch");
  g_assert_cmpuint (r.n_seen, ==, r.stop ? 1 : 10);
  g_signal_handlers_disconnect_by_data (receiver, &r);
  if (!r.stop)
    {
      g_assert_true (jr_router_close_pipe (f->router, receiver, &error));
      stop_router (f);
    }
  g_free (r.first);
}

/* A timeout too large to add to the clock ("for ever") waits. */
static gboolean
flag_set (gpointer data)
{
  return g_atomic_int_get ((gint *) data);
}

static void
on_flag_message (JrReceiver *receiver,
                 GVariant   *message,
                 gpointer    data)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

static gpointer
send_one_later (gpointer data)
{
  JrSender *sender = data;

  g_assert_true (jr_sender_start (sender, NULL));
  g_usleep (100 * 1000);
  g_assert_true (jr_sender_send (sender, g_variant_new_int32 (1), NULL));
  g_assert_true (jr_sender_stop (sender, NULL));
  return NULL;
}

static void
test_route_until_huge_timeout (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(JrReceiver) receiver = NULL;
  g_autoptr(GError) error = NULL;
  gint got = FALSE;
  GThread *thread;

  start_router (f);
  g_assert_true (jr_router_pipe (f->router, &sender, &receiver, &error));
  g_signal_connect (receiver, "message", G_CALLBACK (on_flag_message), &got);
  thread = g_thread_new ("send-later", send_one_later, sender);
  g_assert_true (jr_router_route_until (f->router, flag_set, &got, G_MAXINT64, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_true (jr_router_close_pipe (f->router, receiver, &error));
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 4. Large messages                                                  */
/* ------------------------------------------------------------------ */

typedef struct {
  gsize  size;
  guint  received;
} LargeSink;

static void
on_large_message (JrReceiver *receiver,
                  GVariant   *message,
                  gpointer    user_data)
{
  LargeSink *sink = user_data;
  const guint8 *data;
  gsize size;

  g_assert_true (g_thread_self () == jr_test_get_main_thread ());
  g_assert_cmpstr (g_variant_get_type_string (message), ==, "ay");
  data = g_variant_get_fixed_array (message, &size, 1);
  g_assert_cmpuint (size, ==, sink->size);
  for (gsize i = 0; i < size; i++)
    if (data[i] != jr_test_pattern_byte (i))
      g_error ("large message differs at byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, i, size);
  sink->received++;
}

static gboolean
large_done (gpointer data)
{
  LargeSink *sinks = data;

  return sinks[0].received >= 1 && sinks[1].received >= 1;
}

typedef struct {
  JrSender *sender;
  gsize     size;
} LargeJob;

static gpointer
send_large_thread (gpointer data)
{
  LargeJob *job = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_sender_start (job->sender, &error));
  g_assert_true (jr_sender_send (job->sender, jr_test_new_pattern_message (job->size), &error));
  g_assert_no_error (error);
  g_assert_true (jr_sender_stop (job->sender, &error));
  return NULL;
}

/* 16 MiB, and exactly JR_MESSAGE_SIZE_MAX, arrive intact. */
static void
test_large_messages (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) s0 = NULL, s1 = NULL;
  g_autoptr(JrReceiver) r0 = NULL, r1 = NULL;
  LargeSink sinks[2] = { { 16u * 1024u * 1024u, 0 }, { JR_MESSAGE_SIZE_MAX, 0 } };

  start_router (f);
  g_assert_true (jr_router_pipe (f->router, &s0, &r0, &error));
  g_assert_true (jr_router_pipe (f->router, &s1, &r1, &error));
  g_assert_no_error (error);
  g_signal_connect (r0, "message", G_CALLBACK (on_large_message), &sinks[0]);
  g_signal_connect (r1, "message", G_CALLBACK (on_large_message), &sinks[1]);

  if (is_threads (f))
    {
      LargeJob j0 = { s0, sinks[0].size }, j1 = { s1, sinks[1].size };
      GThread *t0 = g_thread_new ("large", send_large_thread, &j0);
      GThread *t1 = g_thread_new ("large", send_large_thread, &j1);

      g_assert_true (jr_router_route_until (f->router, large_done, sinks, DEADLINE_USEC, &error));
      g_assert_no_error (error);
      g_thread_join (t0);
      g_thread_join (t1);
    }
  else
    {
      g_autofree char *id0 = g_strdup_printf ("%" G_GUINT64_FORMAT, jr_receiver_get_connection_id (r0));
      g_autofree char *id1 = g_strdup_printf ("%" G_GUINT64_FORMAT, jr_receiver_get_connection_id (r1));
      g_autofree char *size0 = g_strdup_printf ("%" G_GSIZE_FORMAT, sinks[0].size);
      g_autofree char *size1 = g_strdup_printf ("%" G_GSIZE_FORMAT, sinks[1].size);
      g_autoptr(GSubprocess) c0 = spawn_child (f->router, "large", id0, size0, NULL);
      g_autoptr(GSubprocess) c1 = spawn_child (f->router, "large", id1, size1, NULL);

      g_assert_true (jr_router_route_until (f->router, large_done, sinks, DEADLINE_USEC, &error));
      g_assert_no_error (error);
      wait_child (c0);
      wait_child (c1);
      assert_child_exit (c0, 0);
      assert_child_exit (c1, 0);
    }
  g_assert_cmpuint (sinks[0].received, ==, 1);
  g_assert_cmpuint (sinks[1].received, ==, 1);

  g_assert_true (jr_router_close_pipe (f->router, r0, &error));
  g_assert_true (jr_router_close_pipe (f->router, r1, &error));
  g_assert_no_error (error);
  g_signal_handlers_disconnect_by_data (r0, &sinks[0]);
  g_signal_handlers_disconnect_by_data (r1, &sinks[1]);
  stop_router (f);
}

/* One byte over the limit is refused by jr_sender_send; the sender keeps
 * working. */
static void
test_large_too_large (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *id = NULL;
  JrSender *sender;
  guint8 *bytes;

  start_router (f);
  collector_add_pipe (c);
  c->expected = 1;

  /* A sender of this process, on either transport. */
  sender = collector_pipe (c, 0)->sender;
  g_assert_true (jr_sender_start (sender, &error));
  bytes = g_malloc0 (JR_MESSAGE_SIZE_MAX + 1u);
  g_assert_false (jr_sender_send (sender,
                                  g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes,
                                                           JR_MESSAGE_SIZE_MAX + 1u, TRUE,
                                                           g_free, bytes),
                                  &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);
  g_assert_true (jr_sender_send (sender, g_variant_new ("(tu)", collector_pipe (c, 0)->id, 0u), &error));
  g_assert_no_error (error);
  g_assert_true (jr_sender_stop (sender, &error));
  route_until_done (c);

  /* And a sender in a child. */
  if (!is_threads (f))
    {
      Pipe *p1 = collector_add_pipe (c);

      id = id_arg (p1);
      child = spawn_child (f->router, "too-large", id, NULL);
      c->expected = 2;
      route_until_done (c);
      wait_child (child);
      assert_child_exit (child, 0);
      g_assert_cmpuint (p1->next_seq, ==, 1);
    }

  collector_close_all (c);
  stop_router (f);
}

int
main (int    argc,
      char **argv)
{
  router_fixture_init (&argc, &argv, "router");

  add_test ("lifecycle/start-twice", BOTH, test_lifecycle_start_twice);
  add_test ("lifecycle/stop-before-start", BOTH, test_lifecycle_stop_before_start);
  add_test ("lifecycle/stop-twice", BOTH, test_lifecycle_stop_twice);
  add_test ("lifecycle/pipe-not-running", BOTH, test_lifecycle_pipe_not_running);
  add_test ("lifecycle/stop-with-open-pipes", BOTH, test_lifecycle_stop_with_open_pipes);
  add_test ("lifecycle/restart", ALL, test_lifecycle_restart);
  add_test ("lifecycle/sender-state", BOTH, test_lifecycle_sender_state);
  add_test ("lifecycle/child-sender-state", PROCESSES | STREAMS, test_child_sender_state);
  add_test ("lifecycle/stop-while-sending", ALL, test_lifecycle_stop_while_sending);

  add_test ("delivery/many-pipes/route-until", ALL, test_delivery_many_pipes_route_until);
  add_test ("delivery/many-pipes/main-loop", ALL, test_delivery_many_pipes_main_loop);
  add_test ("delivery/local-threads", PROCESSES | STREAMS, test_delivery_local_threads);
  add_test ("delivery/closed-pipe", ALL, test_delivery_closed_pipe);
  add_test ("data/not-normal", BOTH, test_data_not_normal);
  add_test ("data/not-normal-child", PROCESSES | STREAMS, test_data_not_normal_child);

  add_test ("route-until/stops-at-condition", ALL, test_route_until_stops_at_condition);
  add_test ("route-until/timeout", ALL, test_route_until_timeout);
  add_test ("route-until/zero-timeout", BOTH, test_route_until_zero_timeout);
  add_test ("route-until/after-restart", BOTH, test_route_until_after_restart);
  add_test ("route-until/huge-timeout", THREADS, test_route_until_huge_timeout);
  add_test ("reentrant/stop", THREADS, test_reentrant_handler);
  add_test ("reentrant/route-until", THREADS, test_reentrant_handler);

  add_test ("large/messages", ALL, test_large_messages);
  add_test ("large/too-large", ALL, test_large_too_large);

  return router_fixture_run ();
}
