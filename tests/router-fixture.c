/* router-fixture.c — what the router's test programs share; see
 * router-fixture.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "router-fixture.h"

#include <string.h>

static const char *test_prefix;
static char *child_path;

/* ------------------------------------------------------------------ */
/* Pipes and the receiving side                                        */
/* ------------------------------------------------------------------ */

static void
pipe_free (gpointer data)
{
  Pipe *pipe = data;

  g_clear_object (&pipe->sender);
  g_clear_object (&pipe->receiver);
  g_free (pipe);
}

static void
on_message (JrReceiver *receiver,
            GVariant   *message,
            gpointer    user_data)
{
  Pipe *pipe = user_data;
  Collector *c = pipe->collector;
  guint64 id;
  guint32 seq;

  g_assert_true (g_thread_self () == jr_test_get_main_thread ());
  g_assert_true (receiver == pipe->receiver);
  g_assert_false (pipe->closed);
  g_assert_nonnull (message);
  g_assert_cmpstr (g_variant_get_type_string (message), ==, "(tu)");
  g_variant_get (message, "(tu)", &id, &seq);
  g_assert_cmpuint (id, ==, pipe->id);
  g_assert_cmpuint (seq, ==, pipe->next_seq);
  pipe->next_seq++;
  c->received++;

  if (c->loop != NULL && c->received >= c->expected)
    g_main_loop_quit (c->loop);
}

Collector *
collector_new (JrRouter *router)
{
  Collector *c = g_new0 (Collector, 1);

  c->router = router;
  c->pipes = g_ptr_array_new_with_free_func (pipe_free);
  return c;
}

Pipe *
collector_add_pipe (Collector *c)
{
  g_autoptr(GError) error = NULL;
  Pipe *pipe = g_new0 (Pipe, 1);
  guint n_before = jr_router_get_n_pipes (c->router);

  pipe->collector = c;
  g_assert_true (jr_router_pipe (c->router, &pipe->sender, &pipe->receiver, &error));
  g_assert_no_error (error);
  g_assert_true (JR_IS_SENDER (pipe->sender));
  g_assert_true (JR_IS_RECEIVER (pipe->receiver));
  pipe->id = jr_receiver_get_connection_id (pipe->receiver);
  g_assert_cmpuint (jr_sender_get_connection_id (pipe->sender), ==, pipe->id);
  g_assert_cmpuint (jr_router_get_n_pipes (c->router), ==, n_before + 1);
  for (guint i = 0; i < c->pipes->len; i++)
    g_assert_cmpuint (((Pipe *) g_ptr_array_index (c->pipes, i))->id, !=, pipe->id);

  g_signal_connect (pipe->receiver, "message", G_CALLBACK (on_message), pipe);
  g_ptr_array_add (c->pipes, pipe);
  return pipe;
}

Pipe *
collector_pipe (Collector *c,
                guint      index)
{
  return g_ptr_array_index (c->pipes, index);
}

void
collector_close_pipe (Collector *c,
                      Pipe      *pipe)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pipe->closed);
  g_assert_true (jr_router_close_pipe (c->router, pipe->receiver, &error));
  g_assert_no_error (error);
  pipe->closed = TRUE;
}

void
collector_close_all (Collector *c)
{
  for (guint i = 0; i < c->pipes->len; i++)
    if (!collector_pipe (c, i)->closed)
      collector_close_pipe (c, collector_pipe (c, i));
  g_assert_cmpuint (jr_router_get_n_pipes (c->router), ==, 0);
}

void
collector_free (Collector *c)
{
  for (guint i = 0; i < c->pipes->len; i++)
    g_signal_handlers_disconnect_by_data (collector_pipe (c, i)->receiver, collector_pipe (c, i));
  g_ptr_array_unref (c->pipes);
  g_clear_pointer (&c->loop, g_main_loop_unref);
  g_free (c);
}

gboolean
collector_done (gpointer data)
{
  Collector *c = data;

  return c->received >= c->expected;
}

gboolean
pipe_done (gpointer data)
{
  Pipe *pipe = data;

  return pipe->next_seq >= pipe->target;
}

void
assert_all_pipes_got (Collector *c,
                      guint32    count)
{
  for (guint i = 0; i < c->pipes->len; i++)
    g_assert_cmpuint (collector_pipe (c, i)->next_seq, ==, count);
}

typedef struct {
  GMainLoop *loop;
  gboolean   timed_out;
} LoopDeadline;

static gboolean
loop_deadline_reached (gpointer data)
{
  LoopDeadline *d = data;

  d->timed_out = TRUE;
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

void
run_loop_until_done (Collector *c)
{
  LoopDeadline d = { NULL, FALSE };
  guint timeout_id;

  if (collector_done (c))
    return;
  c->loop = g_main_loop_new (NULL, FALSE);
  d.loop = c->loop;
  timeout_id = g_timeout_add (DEADLINE_MS, loop_deadline_reached, &d);
  g_main_loop_run (c->loop);
  if (d.timed_out)
    g_error ("main loop timed out with %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " messages",
             c->received, c->expected);
  g_source_remove (timeout_id);
  g_clear_pointer (&c->loop, g_main_loop_unref);
}

void
route_until_done (Collector *c)
{
  g_autoptr(GError) error = NULL;

  if (!jr_router_route_until (c->router, collector_done, c, DEADLINE_USEC, &error))
    g_error ("route_until failed with %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " messages: %s",
             c->received, c->expected, error ? error->message : "(no error)");
  g_assert_no_error (error);
  g_assert_cmpuint (c->received, ==, c->expected);
}

/* ------------------------------------------------------------------ */
/* Sending threads                                                     */
/* ------------------------------------------------------------------ */

static gpointer
send_thread (gpointer data)
{
  SendJob *job = data;
  guint32 seq;

  for (guint i = 0; i < job->pipes->len && job->error == NULL; i++)
    jr_sender_start (((Pipe *) g_ptr_array_index (job->pipes, i))->sender, &job->error);

  for (seq = 0; job->error == NULL && (job->until_fail || seq < job->count); seq++)
    {
      if (g_atomic_int_get (&job->stop))
        break;
      for (guint i = 0; i < job->pipes->len && job->error == NULL; i++)
        {
          Pipe *pipe = g_ptr_array_index (job->pipes, i);

          if (job->mixed && seq % 2 == 0)
            {
              guint8 bytes[JR_TEST_TU_SIZE];

              jr_test_tu_serialize (bytes, pipe->id, seq);
              jr_sender_send_data (pipe->sender, G_VARIANT_TYPE ("(tu)"), bytes, sizeof bytes,
                                   &job->error);
            }
          else
            jr_sender_send (pipe->sender, g_variant_new ("(tu)", pipe->id, seq), &job->error);
        }
      if (job->error == NULL)
        g_atomic_int_set (&job->sent, (gint) seq + 1);
      if (job->interval_us > 0)
        g_usleep (job->interval_us);
    }

  while (job->hold && !g_atomic_int_get (&job->released))
    g_usleep (1000);

  for (guint i = 0; i < job->pipes->len; i++)
    {
      GError **error = job->error == NULL ? &job->error : NULL;

      jr_sender_stop (((Pipe *) g_ptr_array_index (job->pipes, i))->sender, error);
    }
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

SendJob *
send_job_start (Collector *c,
                guint      first,
                guint      n_pipes,
                guint32    count)
{
  SendJob *job = g_new0 (SendJob, 1);

  job->pipes = g_ptr_array_new ();
  for (guint i = first; i < first + n_pipes; i++)
    g_ptr_array_add (job->pipes, collector_pipe (c, i));
  job->count = count;
  return job;
}

void
send_job_run (SendJob *job)
{
  job->thread = g_thread_new ("test-sender", send_thread, job);
}

void
send_job_join (SendJob  *job,
               gboolean  may_fail)
{
  g_thread_join (g_steal_pointer (&job->thread));
  if (!may_fail)
    {
      g_assert_no_error (job->error);
      g_assert_cmpint (g_atomic_int_get (&job->sent), ==, (gint) job->count);
    }
}

void
send_job_free (SendJob *job)
{
  g_assert_null (job->thread);
  g_clear_error (&job->error);
  g_ptr_array_unref (job->pipes);
  g_free (job);
}

/* ------------------------------------------------------------------ */
/* Child processes                                                     */
/* ------------------------------------------------------------------ */

GSubprocess *
spawn_child_full (JrRouter          *router,
                  GSubprocessFlags   flags,
                  const char        *env_value,
                  const char *const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "JOBROUTER_CHANNEL_FDS");
  if (env_value != NULL)
    g_subprocess_launcher_setenv (launcher, "JOBROUTER_CHANNEL_FDS", env_value, TRUE);
  if (router != NULL)
    jr_router_prepare_launcher (router, launcher);

  g_ptr_array_add (argv, child_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_nonnull (process);
  return process;
}

GSubprocess *
spawn_child (JrRouter   *router,
             const char *mode,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  const char *arg;
  va_list ap;

  g_strv_builder_add (builder, mode);
  va_start (ap, mode);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (ap);
  args = g_strv_builder_end (builder);
  return spawn_child_full (router, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, (const char *const *) args);
}

char *
id_arg (Pipe *pipe)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, pipe->id);
}

GSubprocess *
spawn_sender_child (Collector  *c,
                    const char *mode,
                    guint32     count,
                    guint       first,
                    guint       n)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;

  g_autofree char *count_arg = g_strdup_printf ("%u", count);

  g_strv_builder_add (builder, mode);
  g_strv_builder_add (builder, count_arg);
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *id = id_arg (collector_pipe (c, i));

      g_strv_builder_add (builder, id);
    }
  args = g_strv_builder_end (builder);
  return spawn_child_full (c->router, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL,
                           (const char *const *) args);
}

void
wait_child (GSubprocess *process)
{
  gboolean exited = FALSE;

  g_subprocess_wait_async (process, NULL, jr_test_on_subprocess_exited, &exited);
  jr_test_run_until (jr_test_flag_is_set, &exited, DEADLINE_USEC, "a child to exit");
}

void
wait_child_quietly (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
}

void
assert_child_exit (GSubprocess *process,
                   int          status)
{
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, status);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */
/* ------------------------------------------------------------------ */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->transport = GPOINTER_TO_INT (data);
  jr_test_baseline_take (&f->baseline);

  f->router = jr_router_new (f->transport, NULL);
  g_assert_true (JR_IS_ROUTER (f->router));
  g_assert_cmpint (jr_router_get_transport (f->router), ==, f->transport);
  g_assert_false (jr_router_get_running (f->router));
  g_assert_cmpuint (jr_router_get_n_pipes (f->router), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_false (jr_router_get_running (f->router));
  g_object_add_weak_pointer (G_OBJECT (f->router), (gpointer *) &f->router);
  g_object_unref (f->router);
  g_assert_null (f->router);

  jr_test_check_expected_warnings ();
  jr_test_baseline_assert (&f->baseline);
}

void
start_router (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_router_start (f->router, &error));
  g_assert_no_error (error);
  g_assert_true (jr_router_get_running (f->router));
}

void
stop_router (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_router_stop (f->router, &error));
  g_assert_no_error (error);
  g_assert_false (jr_router_get_running (f->router));
}

gboolean
is_threads (Fixture *f)
{
  return f->transport == JR_TRANSPORT_THREADS;
}

gboolean
never_true (gpointer data)
{
  return FALSE;
}

static void
warm_up (void)
{
  const char *args[] = { "noop", NULL };
  g_autoptr(GSubprocess) child = NULL;

  g_main_context_default ();
  child = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, args);
  wait_child (child);
  assert_child_exit (child, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
add_test (const char  *path,
          guint        transports,
          FixtureFunc  func)
{
  static const JrTransport all[] = { JR_TRANSPORT_THREADS, JR_TRANSPORT_PROCESSES };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    if (transports & (1u << all[i]))
      {
        g_autofree char *full = g_strdup_printf ("/%s/%s/%s", test_prefix,
                                                 jr_test_transport_name (all[i]), path);

        g_test_add (full, Fixture, GINT_TO_POINTER (all[i]),
                    fixture_setup, func, fixture_teardown);
      }
}


void
router_fixture_init (int          *argc,
                     char       ***argv,
                     const char   *prefix)
{
  jr_test_init (argc, argv);
  test_prefix = prefix;
  child_path = g_test_build_filename (G_TEST_BUILT, "router-child", NULL);
  warm_up ();
}

int
router_fixture_run (void)
{
  int status = g_test_run ();

  g_clear_pointer (&child_path, g_free);
  return status;
}
