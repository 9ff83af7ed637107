/* test-inbox.c — tests of router/jr-inbox.c, the bounded queue between
 * senders and the router's thread: its bound and backpressure, the
 * staging of a sender's messages, and the pings that wake the router, on
 * both transports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The inbox is seen through a router (router-fixture.h): what goes in is
 * sent on pipes, what comes out is what receivers get, and whether the
 * router is woken shows in the main context's timeouts.
 */
#include "router-fixture.h"

/* ------------------------------------------------------------------ */
/* 1. Bounds and backpressure                                         */
/* ------------------------------------------------------------------ */

/* While the router's thread does not route, a flood fills the queues and
 * then waits: memory stays bounded and nothing is dropped. */
static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) send_job_free);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_senders = is_threads (f) ? 4 : 2;
  guint32 count = is_threads (f) ? 200000 : 500000;
  gsize rss_before, rss_after;

#if defined(__SANITIZE_ADDRESS__)
  /* ASan is ~10x slower; this still floods far past the inbox's bound. */
  count /= 5;
#endif

  start_router (f);
  for (guint i = 0; i < n_senders; i++)
    collector_add_pipe (c);
  c->expected = (guint64) n_senders * count;

  rss_before = jr_test_resident_bytes ();
  for (guint i = 0; i < n_senders; i++)
    {
      if (is_threads (f))
        {
          SendJob *job = send_job_start (c, i, 1, count);

          g_ptr_array_add (jobs, job);
          send_job_run (job);
        }
      else
        g_ptr_array_add (children, spawn_sender_child (c, "send", count, i, 1));
    }

  g_usleep (300 * 1000);
  rss_after = jr_test_resident_bytes ();
  g_test_message ("resident memory grew by %" G_GSIZE_FORMAT " KiB while not routing",
                  rss_after > rss_before ? (rss_after - rss_before) / 1024 : 0);
#if !defined(__SANITIZE_ADDRESS__)
  /* ASan's quarantine keeps freed memory resident: the bound is checked in
   * the ordinary build only. */
  g_assert_cmpuint (rss_after, <, rss_before + 64u * 1024u * 1024u);
#endif
  g_assert_cmpuint (c->received, ==, 0);

  {
    g_autoptr(GError) error = NULL;

    if (!jr_router_route_until (f->router, collector_done, c, 3 * DEADLINE_USEC, &error))
      g_error ("route_until: %s with %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
               error ? error->message : "?", c->received, c->expected);
  }

  for (guint i = 0; i < jobs->len; i++)
    send_job_join (g_ptr_array_index (jobs, i), FALSE);
  for (guint i = 0; i < children->len; i++)
    {
      wait_child (g_ptr_array_index (children, i));
      assert_child_exit (g_ptr_array_index (children, i), 0);
    }
  g_assert_cmpuint (c->received, ==, c->expected);
  assert_all_pipes_got (c, count);

  collector_close_all (c);
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 2. Pings: the router is woken only when idle                       */
/* ------------------------------------------------------------------ */

/* One non-blocking iteration of the default context; returns the timeout
 * it would poll with (-1: none, so nothing will run until an fd wakes it). */
static gint
iterate_once (void)
{
  GMainContext *context = g_main_context_default ();
  GPollFD fds[32];
  gint priority, timeout, n_fds;

  g_assert_true (g_main_context_acquire (context));
  g_main_context_prepare (context, &priority);
  n_fds = g_main_context_query (context, G_MAXINT, &timeout, fds, G_N_ELEMENTS (fds));
  g_assert_cmpint (n_fds, <=, (gint) G_N_ELEMENTS (fds));
  if (g_main_context_check (context, G_MAXINT, fds, n_fds))
    g_main_context_dispatch (context);
  g_main_context_release (context);
  return timeout;
}

/* Lets the router finish what it is doing, then returns whether it is idle:
 * the context has no timeout pending (the tests add none of their own). */
static gboolean
router_goes_idle (void)
{
  for (guint i = 0; i < 200; i++)
    {
      if (iterate_once () < 0)
        return TRUE;
      g_usleep (1000);
    }
  return FALSE;
}

/* Under a stream (a thread sender's batch of many messages) the router
 * polls by itself instead of being woken for every push: right after the
 * stream its source is due again. Once the stream ends it goes idle, and a
 * single later message must still wake it. */
static void
test_delivery_stream_then_single (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(SendJob) stream = NULL;
  g_autoptr(SendJob) single = NULL;

  start_router (f);
  collector_add_pipe (c);
  collector_add_pipe (c);

  /* All staged before the main loop runs (well under the inbox's bound):
   * one batch. */
  c->expected = 5000;
  stream = send_job_start (c, 0, 1, 5000);
  send_job_run (stream);
  send_job_join (stream, FALSE);
  run_loop_until_done (c);
  g_assert_cmpint (iterate_once (), >=, 0);
  g_assert_true (router_goes_idle ());

  c->expected = 5001;
  single = send_job_start (c, 1, 1, 1);
  send_job_run (single);
  run_loop_until_done (c);
  send_job_join (single, FALSE);
  g_assert_cmpuint (collector_pipe (c, 0)->next_seq, ==, 5000);
  g_assert_cmpuint (collector_pipe (c, 1)->next_seq, ==, 1);
  g_assert_true (router_goes_idle ());

  collector_close_all (c);
  stop_router (f);
}

/* Many pipes with a few messages each — jobs that wait for answers — are
 * not a stream, however many there are in all: the router goes idle at
 * once rather than polling later. */
static void
test_delivery_few_per_pipe (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(SendJob) job = NULL;

  start_router (f);
  for (guint i = 0; i < 64; i++)
    collector_add_pipe (c);
  c->expected = 64 * 3;

  /* All queued before the main loop runs: one dispatch delivers them. */
  job = send_job_start (c, 0, 64, 3);
  send_job_run (job);
  send_job_join (job, FALSE);
  run_loop_until_done (c);
  assert_all_pipes_got (c, 3);
  g_assert_cmpint (iterate_once (), <=, 0);
  g_assert_cmpint (iterate_once (), <, 0);

  collector_close_all (c);
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 3. Staging                                                         */
/* ------------------------------------------------------------------ */

/* A handler that stops the router and starts it again, in the middle of
 * a dispatch of a stream: the old dispatch must not go on with the new
 * inbox, nor count the old batch out of it. */
typedef struct {
  Fixture    *f;
  JrReceiver *receiver;
  guint       n_first;      /* messages seen on the first pipe */
  guint       n_second;     /* on the pipe made after the restart */
  JrSender   *sender2;
  JrReceiver *receiver2;
} Restart;

static void
on_second_message (JrReceiver *receiver,
                   GVariant   *message,
                   gpointer    user_data)
{
  ((Restart *) user_data)->n_second++;
}

static void
on_first_message (JrReceiver *receiver,
                  GVariant   *message,
                  gpointer    user_data)
{
  Restart *r = user_data;
  g_autoptr(GError) error = NULL;

  if (++r->n_first < 100)
    return;
  g_assert_true (jr_router_close_pipe (r->f->router, r->receiver, &error));
  stop_router (r->f);
  start_router (r->f);
  g_assert_true (jr_router_pipe (r->f->router, &r->sender2, &r->receiver2, &error));
  g_assert_no_error (error);
  g_signal_connect (r->receiver2, "message", G_CALLBACK (on_second_message), r);
}

static gpointer
send_100 (gpointer data)
{
  JrSender *sender = data;

  g_assert_true (jr_sender_start (sender, NULL));
  for (guint32 i = 0; i < 100; i++)
    g_assert_true (jr_sender_send (sender, g_variant_new_uint32 (i), NULL));
  g_assert_true (jr_sender_stop (sender, NULL));
  return NULL;
}

static gboolean
restart_done_first (gpointer data)
{
  return ((Restart *) data)->n_first == 100;
}

static gboolean
restart_done (gpointer data)
{
  return ((Restart *) data)->n_second == 100;
}

static void
test_lifecycle_restart_in_handler (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  Restart r = { f, NULL, 0, 0, NULL, NULL };

  start_router (f);
  g_assert_true (jr_router_pipe (f->router, &sender, &r.receiver, &error));
  g_assert_no_error (error);
  g_signal_connect (r.receiver, "message", G_CALLBACK (on_first_message), &r);
  /* Staged before the loop runs: one batch, a stream. */
  g_thread_join (g_thread_new ("send-100", send_100, sender));

  jr_test_run_until (restart_done_first, &r, DEADLINE_USEC, "the first pipe's messages");
  g_assert_nonnull (r.sender2);
  /* The restarted router is woken by, and has room for, a new sender. */
  g_thread_join (g_thread_new ("send-100", send_100, r.sender2));
  jr_test_run_until (restart_done, &r, DEADLINE_USEC, "messages after the restart");
  g_assert_cmpuint (r.n_first, ==, 100);

  g_assert_true (jr_router_close_pipe (f->router, r.receiver2, &error));
  g_assert_no_error (error);
  stop_router (f);
  g_clear_object (&r.receiver);
  g_clear_object (&r.sender2);
  g_clear_object (&r.receiver2);
}

/* jr_sender_send_data() and jr_sender_send() on one sender keep their
 * order, from threads of this process and (processes) from a child. */
static void
test_data_mixed (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(SendJob) job1 = NULL;
  g_autoptr(SendJob) job2 = NULL;
  g_autoptr(GSubprocess) child = NULL;
  guint n_pipes = is_threads (f) ? 8 : 12;

  start_router (f);
  for (guint i = 0; i < n_pipes; i++)
    collector_add_pipe (c);
  c->expected = n_pipes * 400;

  job1 = send_job_start (c, 0, 4, 400);
  job2 = send_job_start (c, 4, 4, 400);
  job1->mixed = job2->mixed = TRUE;
  send_job_run (job1);
  send_job_run (job2);
  if (!is_threads (f))
    child = spawn_sender_child (c, "send-data", 400, 8, 4);

  run_loop_until_done (c);
  send_job_join (job1, FALSE);
  send_job_join (job2, FALSE);
  if (child != NULL)
    {
      wait_child (child);
      assert_child_exit (child, 0);
    }
  assert_all_pipes_got (c, 400);

  collector_close_all (c);
  stop_router (f);
}

int
main (int    argc,
      char **argv)
{
  router_fixture_init (&argc, &argv, "inbox");

  add_test ("backpressure/flood", BOTH, test_backpressure);
  add_test ("delivery/stream-then-single", BOTH, test_delivery_stream_then_single);
  add_test ("delivery/few-per-pipe", BOTH, test_delivery_few_per_pipe);
  add_test ("lifecycle/restart-in-handler", BOTH, test_lifecycle_restart_in_handler);
  add_test ("data/mixed", BOTH, test_data_mixed);

  return router_fixture_run ();
}
