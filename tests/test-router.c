/* test-router.c — tests of router/jr-router.c, its pipes, senders and
 * receivers, on both transports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test runs in a fixture that counts the process's threads and fds
 * before and after, and checks that no child process is left: a test ends
 * with its router stopped and nothing behind.
 *
 * Process tests spawn tests/router-child.c. Ordinary messages are "(tu)":
 * the connection id they were sent on and their sequence number on that
 * pipe, so the receiving handler can check, message by message, that each
 * arrives exactly once, in order, at the right receiver, on this thread.
 *
 * The router logs with structured logging (G_LOG_USE_STRUCTURED), which
 * g_test_expect_message() of GLib 2.74 does not see; warnings are checked
 * by a log writer of our own (expect_warning() and friends below).
 */
#include <jobrouter.h>
#include "router-test-data.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* How long to wait for something that must happen: far above any normal
 * run, only there so that a broken build fails instead of hanging. */
#define DEADLINE_MS   20000u
#define DEADLINE_USEC ((gint64) DEADLINE_MS * 1000)

#define UNKNOWN_CONNECTION_ID G_GUINT64_CONSTANT (987654321)

static GThread *main_thread;
static char *child_path;

/* ------------------------------------------------------------------ */
/* Expected warnings                                                   */
/* ------------------------------------------------------------------ */

typedef struct {
  char     *pattern;
  gboolean  required;
  guint     hits;
} Expectation;

static GMutex expect_lock;
static GPtrArray *expectations;   /* Expectation*, guarded by expect_lock */
static GPtrArray *seen_warnings;  /* char*, guarded by expect_lock */

static void
expectation_free (gpointer data)
{
  Expectation *e = data;

  g_free (e->pattern);
  g_free (e);
}

static void
add_expectation (const char *pattern,
                 gboolean    required)
{
  Expectation *e = g_new0 (Expectation, 1);

  e->pattern = g_strdup (pattern);
  e->required = required;
  g_mutex_lock (&expect_lock);
  g_ptr_array_add (expectations, e);
  g_mutex_unlock (&expect_lock);
}

/* A "jobrouter" warning matching @pattern (g_pattern_match_simple) must be
 * logged before the test ends; it may be logged more than once. */
static void
expect_warning (const char *pattern)
{
  add_expectation (pattern, TRUE);
}

/* "jobrouter" warnings matching @pattern may be logged (or not). */
static void
allow_warnings (const char *pattern)
{
  add_expectation (pattern, FALSE);
}

static gboolean
expected_warnings_seen (gpointer unused)
{
  gboolean all = TRUE;

  g_mutex_lock (&expect_lock);
  for (guint i = 0; i < expectations->len; i++)
    {
      Expectation *e = g_ptr_array_index (expectations, i);

      if (e->required && e->hits == 0)
        all = FALSE;
    }
  g_mutex_unlock (&expect_lock);
  return all;
}

/* Asserts that every expected warning was logged, and forgets them all. */
static void
check_expected_warnings (void)
{
  g_mutex_lock (&expect_lock);
  for (guint i = 0; i < seen_warnings->len; i++)
    g_test_message ("expected warning: %s", (char *) g_ptr_array_index (seen_warnings, i));
  for (guint i = 0; i < expectations->len; i++)
    {
      Expectation *e = g_ptr_array_index (expectations, i);

      if (e->required && e->hits == 0)
        {
          g_autofree char *pattern = g_strdup (e->pattern);

          g_ptr_array_set_size (expectations, 0);
          g_ptr_array_set_size (seen_warnings, 0);
          g_mutex_unlock (&expect_lock);
          g_error ("no \"jobrouter\" warning matching \"%s\" was logged", pattern);
        }
    }
  g_ptr_array_set_size (expectations, 0);
  g_ptr_array_set_size (seen_warnings, 0);
  g_mutex_unlock (&expect_lock);
}

/* Matches "jobrouter" warnings against the expectations: a match is
 * counted and not printed; anything else goes to the default writer,
 * which makes warnings and criticals fatal under g_test. A match wakes
 * the default main context so that a test waiting for it sees it. */
static GLogWriterOutput
test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  g_autofree char *domain = NULL;
  g_autofree char *message = NULL;
  gboolean matched = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    {
      char **slot = NULL;

      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        slot = &domain;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        slot = &message;
      if (slot != NULL && *slot == NULL && fields[i].value != NULL)
        *slot = fields[i].length < 0 ? g_strdup (fields[i].value)
                                     : g_strndup (fields[i].value, fields[i].length);
    }

  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "jobrouter") == 0 && message != NULL)
    {
      g_mutex_lock (&expect_lock);
      for (guint i = 0; expectations != NULL && i < expectations->len && !matched; i++)
        {
          Expectation *e = g_ptr_array_index (expectations, i);

          if (g_pattern_match_simple (e->pattern, message))
            {
              e->hits++;
              matched = TRUE;
              g_ptr_array_add (seen_warnings, g_strdup (message));
            }
        }
      g_mutex_unlock (&expect_lock);
    }

  if (matched)
    {
      g_main_context_wakeup (NULL);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* ------------------------------------------------------------------ */
/* Process state: threads, fds, children, memory                      */
/* ------------------------------------------------------------------ */

static guint
count_dir_entries (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static guint
count_threads (void)
{
  return count_dir_entries ("/proc/self/task");
}

static guint
count_fds (void)
{
  return count_dir_entries ("/proc/self/fd");
}

/* What each open fd is, for a failure message. */
static char *
describe_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  GString *text = g_string_new (NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/fd/%s", name);
      g_autofree char *link = g_file_read_link (path, NULL);

      g_string_append_printf (text, " %s=%s", name, link ? link : "?");
    }
  return g_string_free (text, FALSE);
}

/* Whether GLib still holds the pidfd of a child watch for a child that
 * has already exited (it closes it on its worker thread, a bit later). */
static gboolean
has_pidfd (void)
{
  g_autofree char *fds = describe_fds ();

  return strstr (fds, "[pidfd]") != NULL;
}

/* Children not yet reaped (zombies included), from every thread's
 * /proc/self/task/TID/children. */
static guint
count_children (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/children", tid);
      g_autofree char *contents = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;  /* kernel without CONFIG_PROC_CHILDREN, or thread gone */
      pids = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        if (pids[i][0] != '\0')
          n++;
    }
  return n;
}

static gsize
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  g_assert_cmpint (sscanf (statm, "%lu %lu", &size, &resident), ==, 2);
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

/* ------------------------------------------------------------------ */
/* Main-loop helpers                                                   */
/* ------------------------------------------------------------------ */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until @cond holds; fails the test if
 * it does not within DEADLINE_MS. */
static void
iterate_until (JrConditionFunc  cond,
               gpointer         data,
               const char      *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (DEADLINE_MS, set_flag, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (timeout_id);
}

static gboolean
always_true (gpointer data)
{
  return TRUE;
}

static gboolean
never_true (gpointer data)
{
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Pipes and the receiving side                                        */
/* ------------------------------------------------------------------ */

typedef struct _Collector Collector;

typedef struct {
  Collector  *collector;
  JrSender   *sender;
  JrReceiver *receiver;
  guint64     id;
  guint32     next_seq;   /* = messages received, since they come in order */
  guint32     target;     /* for pipe_done() */
  gboolean    closed;
} Pipe;

struct _Collector {
  JrRouter  *router;
  GPtrArray *pipes;       /* Pipe* */
  guint64    received;
  guint64    expected;    /* for collector_done() */
  GMainLoop *loop;        /* quit once received == expected, if set */
};

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

  g_assert_true (g_thread_self () == main_thread);
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

static Collector *
collector_new (JrRouter *router)
{
  Collector *c = g_new0 (Collector, 1);

  c->router = router;
  c->pipes = g_ptr_array_new_with_free_func (pipe_free);
  return c;
}

static Pipe *
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

static Pipe *
collector_pipe (Collector *c,
                guint      index)
{
  return g_ptr_array_index (c->pipes, index);
}

static void
collector_close_pipe (Collector *c,
                      Pipe      *pipe)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pipe->closed);
  g_assert_true (jr_router_close_pipe (c->router, pipe->receiver, &error));
  g_assert_no_error (error);
  pipe->closed = TRUE;
}

static void
collector_close_all (Collector *c)
{
  for (guint i = 0; i < c->pipes->len; i++)
    if (!collector_pipe (c, i)->closed)
      collector_close_pipe (c, collector_pipe (c, i));
  g_assert_cmpuint (jr_router_get_n_pipes (c->router), ==, 0);
}

static void
collector_free (Collector *c)
{
  for (guint i = 0; i < c->pipes->len; i++)
    g_signal_handlers_disconnect_by_data (collector_pipe (c, i)->receiver, collector_pipe (c, i));
  g_ptr_array_unref (c->pipes);
  g_clear_pointer (&c->loop, g_main_loop_unref);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collector, collector_free)

static gboolean
collector_done (gpointer data)
{
  Collector *c = data;

  return c->received >= c->expected;
}

static gboolean
pipe_done (gpointer data)
{
  Pipe *pipe = data;

  return pipe->next_seq >= pipe->target;
}

static void
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

/* Runs a GMainLoop until the collector has everything. */
static void
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

static void
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

typedef struct {
  GPtrArray *pipes;        /* Pipe*, borrowed; sent on interleaved */
  guint32    count;        /* messages per pipe */
  guint      interval_us;  /* pause after each round */
  gboolean   hold;         /* wait for release before stopping */
  gboolean   until_fail;   /* keep sending until send fails */
  gboolean   mixed;        /* every other message with jr_sender_send_data() */

  gint       stop;         /* atomic: stop early */
  gint       released;     /* atomic: see hold */
  gint       done;         /* atomic */
  gint       sent;         /* atomic: rounds fully sent */
  GError    *error;        /* the first failure */
  GThread   *thread;
} SendJob;

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
              guint8 bytes[TU_SIZE];

              tu_serialize (bytes, pipe->id, seq);
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

static SendJob *
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

static void
send_job_run (SendJob *job)
{
  job->thread = g_thread_new ("test-sender", send_thread, job);
}

/* Joins the thread; asserts it sent everything unless @may_fail. */
static void
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

static void
send_job_free (SendJob *job)
{
  g_assert_null (job->thread);
  g_clear_error (&job->error);
  g_ptr_array_unref (job->pipes);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendJob, send_job_free)

/* ------------------------------------------------------------------ */
/* Child processes                                                     */
/* ------------------------------------------------------------------ */

/* Spawns router-child with a launcher prepared by @router (if not NULL),
 * freeing the launcher at once so the router sees the child's exit. */
static GSubprocess *
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

/* spawn_child (router, mode, arg..., NULL) */
static GSubprocess * G_GNUC_NULL_TERMINATED
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

static char *
id_arg (Pipe *pipe)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, pipe->id);
}

/* Spawns "MODE COUNT ID..." for pipes [first, first + n). */
static GSubprocess *
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

static void
child_waited (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Waits for the child's exit while the main context (and so the router)
 * keeps running: the child may be waiting for room in its queue. */
static void
wait_child (GSubprocess *process)
{
  gboolean exited = FALSE;

  g_subprocess_wait_async (process, NULL, child_waited, &exited);
  iterate_until (flag_is_set, &exited, "a child to exit");
}

/* Waits without routing anything (a private main context). */
static void
wait_child_quietly (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_child_exit (GSubprocess *process,
                   int          status)
{
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, status);
}

/* Whether the child is still running (not a zombie), without reaping it. */
static gboolean
child_is_running (GSubprocess *process)
{
  const char *pid = g_subprocess_get_identifier (process);
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *end;

  if (pid == NULL)
    return FALSE;
  path = g_strdup_printf ("/proc/%s/stat", pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  end = strrchr (stat, ')');
  g_assert_nonnull (end);
  return end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  JrTransport  transport;
  JrRouter    *router;
  guint        n_threads;
  guint        n_fds;
  char        *fds;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

  f->transport = GPOINTER_TO_INT (data);
  g_assert_cmpuint (count_children (), ==, 0);
  while (has_pidfd () && g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  f->n_threads = count_threads ();
  f->n_fds = count_fds ();
  f->fds = describe_fds ();

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
  gint64 until;

  g_assert_false (jr_router_get_running (f->router));
  g_object_add_weak_pointer (G_OBJECT (f->router), (gpointer *) &f->router);
  g_object_unref (f->router);
  g_assert_null (f->router);

  check_expected_warnings ();

  /* A joined thread can linger in /proc for a moment after
   * pthread_join() returns, and GSubprocess's child watch closes its pidfd
   * on GLib's worker thread a moment after the exit was reported: allow
   * that moment. */
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  while ((count_threads () > f->n_threads || count_fds () > f->n_fds) &&
         g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (count_threads (), ==, f->n_threads);
  if (count_fds () != f->n_fds)
    {
      g_autofree char *now = describe_fds ();

      g_test_message ("fds before:%s", f->fds);
      g_test_message ("fds after:%s", now);
    }
  g_assert_cmpuint (count_fds (), ==, f->n_fds);
  g_clear_pointer (&f->fds, g_free);
  g_assert_cmpuint (count_children (), ==, 0);
}

static void
start_router (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_router_start (f->router, &error));
  g_assert_no_error (error);
  g_assert_true (jr_router_get_running (f->router));
}

static void
stop_router (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_router_stop (f->router, &error));
  g_assert_no_error (error);
  g_assert_false (jr_router_get_running (f->router));
}

static gboolean
is_threads (Fixture *f)
{
  return f->transport == JR_TRANSPORT_THREADS;
}

/* ------------------------------------------------------------------ */
/* 1. Lifecycle                                                        */
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

  expect_warning ("*");
  stop_router (f);
  check_expected_warnings ();

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
  iterate_until (pipe_done, pipe, "the flood to start");

  pattern = g_strdup_printf ("*%" G_GUINT64_FORMAT "*", pipe->id);
  allow_warnings (pattern);
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
      assert_child_exit (child, 3);
    }
}

/* ------------------------------------------------------------------ */
/* 2. Delivery                                                         */
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

  iterate_until (restart_done_first, &r, "the first pipe's messages");
  g_assert_nonnull (r.sender2);
  /* The restarted router is woken by, and has room for, a new sender. */
  g_thread_join (g_thread_new ("send-100", send_100, r.sender2));
  iterate_until (restart_done, &r, "messages after the restart");
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
  guint8 tu[TU_SIZE];
  gsize strv_size = g_variant_get_size (strv);

  start_router (f);
  g_assert_true (jr_router_pipe (f->router, &sender, &receiver, &error));
  g_assert_no_error (error);
  g_signal_connect (receiver, "message", G_CALLBACK (on_any_message), received);
  g_assert_true (jr_sender_start (sender, &error));

  tu_serialize (tu, 7, 8);
  tu[TU_SIZE - 1] = 1;                              /* padding not zero */
  assert_refused (sender, G_VARIANT_TYPE ("(tu)"), tu, sizeof tu);
  assert_refused (sender, G_VARIANT_TYPE ("(tu)"), tu, sizeof tu - 8);   /* too short */
  bad_strv[strv_size - 1] = 0xff;                   /* framing offset past the end */
  assert_refused (sender, G_VARIANT_TYPE ("as"), bad_strv, strv_size);

  tu_serialize (tu, 7, 8);
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
  expect_warning (pattern);

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
  iterate_until (pipe_done, open, "the open pipe's messages");
  iterate_until (expected_warnings_seen, NULL, "the closed pipe's warning");
  if (child != NULL)
    {
      wait_child (child);
      assert_child_exit (child, 0);
    }
  check_expected_warnings ();
  g_assert_cmpuint (closed->next_seq, ==, 0);
  g_assert_cmpuint (open->next_seq, ==, 3);

  collector_close_all (c);
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 4. route_until                                                      */
/* ------------------------------------------------------------------ */

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
  iterate_until (collector_done, c, "the rest after route_until");
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
never (gpointer user_data)
{
  return FALSE;
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
  allow_warnings ("*");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = NULL;

      g_assert_true (jr_router_pipe (f->router, &senders[i], &receivers[i], &error));
      g_signal_connect (receivers[i], "message", G_CALLBACK (on_slow_message), &n);
      id = g_strdup_printf ("%" G_GUINT64_FORMAT, jr_sender_get_connection_id (senders[i]));
      children[i] = spawn_child (f->router, "flood", id, NULL);
    }

  g_assert_false (jr_router_route_until (f->router, never, NULL, 200 * 1000, &error));
  g_assert_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpuint (n, >, 0);

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
      allow_warnings ("*");
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

/* ------------------------------------------------------------------ */
/* 5. Bad input from a worker (processes)                              */
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
  expect_warning (pattern);

  bad = spawn_child (f->router, "bad", kind, id, NULL);
  good = spawn_sender_child (c, "send", 64, 1, 1);

  p1->target = 64;
  iterate_until (pipe_done, p1, "the good child's messages");
  wait_child (bad);
  wait_child (good);
  assert_child_exit (good, 0);
  if (g_subprocess_get_if_exited (bad) && g_subprocess_get_exit_status (bad) == 3)
    {
      /* Refusing the frame by closing the child's queue is allowed too. */
      g_test_message ("the router closed the queue of the bad child");
      stream_goes_on = FALSE;
    }
  else
    assert_child_exit (bad, 0);

  iterate_until (expected_warnings_seen, NULL, "the warning about the bad bytes");
  p0->target = stream_goes_on ? 2 : 1;
  iterate_until (pipe_done, p0, "the bad child's good messages");

  /* The router still takes new children. */
  later = spawn_sender_child (c, "send", 16, 2, 1);
  p2->target = 16;
  iterate_until (pipe_done, p2, "a later child's messages");
  wait_child (later);
  assert_child_exit (later, 0);

  check_expected_warnings ();
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
  run_bad_input (f, "unknown-id", "*987654321*", TRUE);
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
  allow_warnings ("*");

  flood = spawn_child (f->router, "flood", id, NULL);
  good = spawn_sender_child (c, "send", 20000, 1, 1);

  p0->target = 2000;
  iterate_until (pipe_done, p0, "the flood");
  g_subprocess_send_signal (flood, SIGKILL);
  wait_child (flood);
  g_assert_true (g_subprocess_get_if_signaled (flood));
  g_assert_cmpint (g_subprocess_get_term_sig (flood), ==, SIGKILL);

  p1->target = 20000;
  iterate_until (pipe_done, p1, "the other child's messages");
  wait_child (good);
  assert_child_exit (good, 0);

  later = spawn_sender_child (c, "send", 100, 2, 1);
  p2->target = 100;
  iterate_until (pipe_done, p2, "a later child's messages");
  wait_child (later);
  assert_child_exit (later, 0);

  g_test_message ("the killed child's messages that arrived: %u", p0->next_seq);
  g_assert_cmpuint (p1->next_seq, ==, 20000);
  g_assert_cmpuint (p2->next_seq, ==, 100);

  collector_close_all (c);
  stop_router (f);
}

/* ------------------------------------------------------------------ */
/* 6. Large messages                                                   */
/* ------------------------------------------------------------------ */

static inline guint8
pattern_byte (gsize index)
{
  return (guint8) (index ^ (index >> 8) ^ (index >> 16) ^ 0x5a);
}

static GVariant *
new_pattern_message (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = pattern_byte (i);
  return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, size, TRUE, g_free, data);
}

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

  g_assert_true (g_thread_self () == main_thread);
  g_assert_cmpstr (g_variant_get_type_string (message), ==, "ay");
  data = g_variant_get_fixed_array (message, &size, 1);
  g_assert_cmpuint (size, ==, sink->size);
  for (gsize i = 0; i < size; i++)
    if (data[i] != pattern_byte (i))
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
  g_assert_true (jr_sender_send (job->sender, new_pattern_message (job->size), &error));
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

/* ------------------------------------------------------------------ */
/* 7. Backpressure                                                     */
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

  rss_before = resident_bytes ();
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
  rss_after = resident_bytes ();
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
/* 8. Process transport specifics                                      */
/* ------------------------------------------------------------------ */

static void
test_child_no_parent (Fixture       *f,
                      gconstpointer  data)
{
  const char *plain[] = { "no-parent", NULL };
  const char *any[] = { "no-parent", "any-code", NULL };
  g_autoptr(GSubprocess) unset = NULL;
  g_autoptr(GSubprocess) closed_fds = NULL;
  g_autoptr(GSubprocess) garbage = NULL;
  g_autofree char *env = g_strdup_printf ("200,201,%d", (int) getpid ());

  /* No variable at all. */
  unset = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, plain);
  wait_child_quietly (unset);
  assert_child_exit (unset, 0);

  /* A variable naming fds the child does not have, or nonsense. */
  closed_fds = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, env, any);
  wait_child_quietly (closed_fds);
  assert_child_exit (closed_fds, 0);
  garbage = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, "x,y", any);
  wait_child_quietly (garbage);
  assert_child_exit (garbage, 0);
}

/* The queue has no name on the filesystem. */
static void
test_child_fds_anonymous (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *id = NULL;

  start_router (f);
  id = id_arg (collector_add_pipe (c));
  child = spawn_child (f->router, "check-fds", id, NULL);
  c->expected = 1;
  route_until_done (c);
  wait_child (child);
  assert_child_exit (child, 0);

  collector_close_all (c);
  stop_router (f);
}

/* Children that exit without sending leave nothing behind. */
static void
test_child_exit_without_sending (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);

  start_router (f);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (children, spawn_child (f->router, "noop", NULL));
  for (guint i = 0; i < children->len; i++)
    {
      wait_child (g_ptr_array_index (children, i));
      assert_child_exit (g_ptr_array_index (children, i), 0);
    }
  /* Give the router a chance to see the EOFs before it stops. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  stop_router (f);
}

/* ------------------------------------------------------------------ */

/* Makes what GLib creates once per process (the default main context,
 * the worker thread that watches children) exist before any fixture
 * counts threads and fds. */
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

typedef void (*FixtureFunc) (Fixture *f, gconstpointer data);

enum {
  THREADS = 1 << JR_TRANSPORT_THREADS,
  PROCESSES = 1 << JR_TRANSPORT_PROCESSES,
  BOTH = THREADS | PROCESSES,
};

static void
add_test (const char  *path,
          guint        transports,
          FixtureFunc  func)
{
  static const struct {
    JrTransport transport;
    const char *name;
  } all[] = {
    { JR_TRANSPORT_THREADS, "threads" },
    { JR_TRANSPORT_PROCESSES, "processes" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    if (transports & (1u << all[i].transport))
      {
        g_autofree char *full = g_strdup_printf ("/router/%s/%s", all[i].name, path);

        g_test_add (full, Fixture, GINT_TO_POINTER (all[i].transport),
                    fixture_setup, func, fixture_teardown);
      }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_log_set_writer_func (test_log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  main_thread = g_thread_self ();
  expectations = g_ptr_array_new_with_free_func (expectation_free);
  seen_warnings = g_ptr_array_new_with_free_func (g_free);
  child_path = g_test_build_filename (G_TEST_BUILT, "router-child", NULL);
  warm_up ();

  add_test ("lifecycle/start-twice", BOTH, test_lifecycle_start_twice);
  add_test ("lifecycle/stop-before-start", BOTH, test_lifecycle_stop_before_start);
  add_test ("lifecycle/stop-twice", BOTH, test_lifecycle_stop_twice);
  add_test ("lifecycle/pipe-not-running", BOTH, test_lifecycle_pipe_not_running);
  add_test ("lifecycle/stop-with-open-pipes", BOTH, test_lifecycle_stop_with_open_pipes);
  add_test ("lifecycle/restart", BOTH, test_lifecycle_restart);
  add_test ("lifecycle/sender-state", BOTH, test_lifecycle_sender_state);
  add_test ("lifecycle/child-sender-state", PROCESSES, test_child_sender_state);
  add_test ("lifecycle/stop-while-sending", BOTH, test_lifecycle_stop_while_sending);
  add_test ("lifecycle/restart-in-handler", BOTH, test_lifecycle_restart_in_handler);

  add_test ("delivery/many-pipes/route-until", BOTH, test_delivery_many_pipes_route_until);
  add_test ("delivery/many-pipes/main-loop", BOTH, test_delivery_many_pipes_main_loop);
  add_test ("delivery/local-threads", PROCESSES, test_delivery_local_threads);
  add_test ("delivery/closed-pipe", BOTH, test_delivery_closed_pipe);
  add_test ("delivery/stream-then-single", BOTH, test_delivery_stream_then_single);
  add_test ("delivery/few-per-pipe", BOTH, test_delivery_few_per_pipe);
  add_test ("data/mixed", BOTH, test_data_mixed);
  add_test ("data/not-normal", BOTH, test_data_not_normal);

  add_test ("route-until/stops-at-condition", BOTH, test_route_until_stops_at_condition);
  add_test ("route-until/timeout", BOTH, test_route_until_timeout);
  add_test ("route-until/zero-timeout", BOTH, test_route_until_zero_timeout);
  add_test ("route-until/deadline-under-flood", PROCESSES, test_route_until_deadline_under_flood);

  add_test ("bad-input/truncated", PROCESSES, test_bad_truncated);
  add_test ("bad-input/garbage", PROCESSES, test_bad_garbage);
  add_test ("bad-input/unknown-id", PROCESSES, test_bad_unknown_id);
  add_test ("bad-input/non-normal-bool", PROCESSES, test_bad_non_normal_bool);
  add_test ("bad-input/non-normal-tuple", PROCESSES, test_bad_non_normal_tuple);
  add_test ("bad-input/invalid-type", PROCESSES, test_bad_invalid_type);
  add_test ("bad-input/oversize", PROCESSES, test_bad_oversize);
  add_test ("bad-input/oversize-header-only", PROCESSES, test_bad_oversize_header_only);
  add_test ("bad-input/killed-child", PROCESSES, test_bad_killed_child);

  add_test ("large/messages", BOTH, test_large_messages);
  add_test ("large/too-large", BOTH, test_large_too_large);

  add_test ("backpressure/flood", BOTH, test_backpressure);

  add_test ("child/no-parent", PROCESSES, test_child_no_parent);
  add_test ("child/fds-anonymous", PROCESSES, test_child_fds_anonymous);
  add_test ("child/exit-without-sending", PROCESSES, test_child_exit_without_sending);

  status = g_test_run ();

  g_clear_pointer (&expectations, g_ptr_array_unref);
  g_clear_pointer (&seen_warnings, g_ptr_array_unref);
  g_free (child_path);
  return status;
}
