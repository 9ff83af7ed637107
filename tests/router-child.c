/* router-child.c — the worker process that the router's tests spawn
 * (test-router, test-channel, test-inbox, test-monitor).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: router-child [--stream] MODE ARGS...
 *
 * With --stream the queue to the parent is standard output, a byte stream
 * the parent reads with jr_router_add_stream() (the stream transport).
 *
 * Connection ids are made in the parent with jr_router_pipe() and given
 * here as decimal numbers. Every ordinary message is "(tu)": the
 * connection id it is sent on and its sequence number on that pipe, so
 * the parent can tell a lost, doubled, reordered or misrouted message.
 *
 * Exit status: 0 when the mode did what it was asked and every check held,
 * 1 when a check failed (the reason is on stderr), 2 on bad usage, 3 when
 * the router went away while writing (JR_ROUTER_ERROR_DISCONNECTED).
 * Nothing is written to stdout except where a mode says so.
 */
#include <jobrouter.h>

#include "jr-channel-private.h"
#include "jr-frame-private.h"
#include "jr-test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_CHECK_FAILED  JR_TEST_CHILD_EXIT_CHECK_FAILED
#define EXIT_USAGE         JR_TEST_CHILD_EXIT_USAGE
#define EXIT_DISCONNECTED  JR_TEST_CHILD_EXIT_DISCONNECTED

static void G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN
fail (const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("router-child[%d]: %s\n", (int) getpid (), text);
  exit (EXIT_CHECK_FAILED);
}

static void G_GNUC_NORETURN
fail_error (const char   *what,
            const GError *error)
{
  if (error != NULL && g_error_matches (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED))
    {
      g_printerr ("router-child[%d]: %s: %s\n", (int) getpid (), what, error->message);
      exit (EXIT_DISCONNECTED);
    }
  fail ("%s: %s", what, error != NULL ? error->message : "(no error set)");
}

static guint64
parse_u64 (const char *text)
{
  guint64 value;
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &value, &error))
    {
      g_printerr ("router-child: bad number '%s': %s\n", text, error->message);
      exit (EXIT_USAGE);
    }
  return value;
}

static JrSender *
open_sender (guint64 connection_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = jr_sender_new_for_parent (connection_id, &error);

  if (sender == NULL)
    fail_error ("jr_sender_new_for_parent", error);
  if (jr_sender_get_connection_id (sender) != connection_id)
    fail ("sender has connection id %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
          jr_sender_get_connection_id (sender), connection_id);
  if (!jr_sender_start (sender, &error))
    fail_error ("jr_sender_start", error);
  return g_steal_pointer (&sender);
}

static void
close_sender (JrSender *sender)
{
  g_autoptr(GError) error = NULL;

  if (!jr_sender_stop (sender, &error))
    fail_error ("jr_sender_stop", error);
}

static void
send_seq (JrSender *sender,
          guint32   seq)
{
  g_autoptr(GError) error = NULL;

  if (!jr_sender_send (sender, g_variant_new ("(tu)", jr_sender_get_connection_id (sender), seq), &error))
    fail_error ("jr_sender_send", error);
}

static void
send_seq_data (JrSender *sender,
               guint32   seq)
{
  g_autoptr(GError) error = NULL;
  guint8 data[JR_TEST_TU_SIZE];

  jr_test_tu_serialize (data, jr_sender_get_connection_id (sender), seq);
  if (!jr_sender_send_data (sender, G_VARIANT_TYPE ("(tu)"), data, sizeof data, &error))
    fail_error ("jr_sender_send_data", error);
}

/* send-not-normal ID: seq 0 as a value whose padding is not zero (not in
 * normal form, which the parent would drop), then seq 1. */
static int
mode_send_not_normal (int    argc,
                      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  guint8 *tu = g_malloc (JR_TEST_TU_SIZE);

  if (argc != 1)
    return EXIT_USAGE;
  sender = open_sender (parse_u64 (argv[0]));
  jr_test_tu_serialize (tu, jr_sender_get_connection_id (sender), 0);
  tu[JR_TEST_TU_SIZE - 1] = 1;
  if (!jr_sender_send (sender, g_variant_new_from_data (G_VARIANT_TYPE ("(tu)"), tu, JR_TEST_TU_SIZE,
                                                        FALSE, g_free, tu), &error))
    fail_error ("jr_sender_send", error);
  send_seq (sender, 1);
  close_sender (sender);
  return EXIT_SUCCESS;
}

/* A value that is not in normal form is refused at once, and the sender
 * goes on working. */
static void
send_not_normal (JrSender *sender)
{
  g_autoptr(GError) error = NULL;
  guint8 data[JR_TEST_TU_SIZE];

  jr_test_tu_serialize (data, jr_sender_get_connection_id (sender), 0);
  data[JR_TEST_TU_SIZE - 1] = 1;
  if (jr_sender_send_data (sender, G_VARIANT_TYPE ("(tu)"), data, sizeof data, &error))
    fail ("a value not in normal form was sent");
  if (!g_error_matches (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE))
    fail_error ("jr_sender_send_data (not normal)", error);
}

/* COUNT messages on each id, interleaved, one thread; with @with_data,
 * every other one with jr_sender_send_data(), after one refused value per
 * id. */
static int
send_interleaved (int       argc,
                  char    **argv,
                  gboolean  with_data)
{
  guint64 count;
  g_autoptr(GPtrArray) senders = g_ptr_array_new_with_free_func (g_object_unref);

  if (argc < 2)
    return EXIT_USAGE;
  count = parse_u64 (argv[0]);
  for (int i = 1; i < argc; i++)
    {
      g_ptr_array_add (senders, open_sender (parse_u64 (argv[i])));
      if (with_data)
        send_not_normal (g_ptr_array_index (senders, senders->len - 1));
    }

  for (guint64 seq = 0; seq < count; seq++)
    for (guint i = 0; i < senders->len; i++)
      {
        if (with_data && seq % 2 == 0)
          send_seq_data (g_ptr_array_index (senders, i), (guint32) seq);
        else
          send_seq (g_ptr_array_index (senders, i), (guint32) seq);
      }

  for (guint i = 0; i < senders->len; i++)
    close_sender (g_ptr_array_index (senders, i));
  return EXIT_SUCCESS;
}

/* send COUNT ID...: COUNT messages on each id, interleaved, one thread. */
static int
mode_send (int    argc,
           char **argv)
{
  return send_interleaved (argc, argv, FALSE);
}

/* send-data COUNT ID...: as send, every other message with
 * jr_sender_send_data(), after one refused value per id. */
static int
mode_send_data (int    argc,
                char **argv)
{
  return send_interleaved (argc, argv, TRUE);
}

typedef struct {
  guint64 connection_id;
  guint64 count;
} ThreadJob;

static gpointer
send_thread (gpointer data)
{
  ThreadJob *job = data;
  g_autoptr(JrSender) sender = open_sender (job->connection_id);

  for (guint64 seq = 0; seq < job->count; seq++)
    send_seq (sender, (guint32) seq);
  close_sender (sender);
  return NULL;
}

/* send-mt COUNT ID...: one thread per id; they share the process's queue. */
static int
mode_send_mt (int    argc,
              char **argv)
{
  guint64 count;
  g_autofree ThreadJob *jobs = NULL;
  g_autofree GThread **threads = NULL;

  if (argc < 2)
    return EXIT_USAGE;
  count = parse_u64 (argv[0]);
  jobs = g_new0 (ThreadJob, argc - 1);
  threads = g_new0 (GThread *, argc - 1);
  for (int i = 1; i < argc; i++)
    {
      jobs[i - 1].connection_id = parse_u64 (argv[i]);
      jobs[i - 1].count = count;
      threads[i - 1] = g_thread_new ("send", send_thread, &jobs[i - 1]);
    }
  for (int i = 1; i < argc; i++)
    g_thread_join (threads[i - 1]);
  return EXIT_SUCCESS;
}

/* send-wait COUNT ID: sends, stops, says "R" on stdout, then waits for
 * stdin to close before it exits: the parent routes while it is alive. */
static int
mode_send_wait (int    argc,
                char **argv)
{
  guint64 count;
  g_autoptr(JrSender) sender = NULL;
  char byte;

  if (argc != 2)
    return EXIT_USAGE;
  count = parse_u64 (argv[0]);
  sender = open_sender (parse_u64 (argv[1]));
  for (guint64 seq = 0; seq < count; seq++)
    send_seq (sender, (guint32) seq);
  close_sender (sender);

  if (write (STDOUT_FILENO, "R", 1) != 1)
    fail ("could not write to stdout: %s", g_strerror (errno));
  while (read (STDIN_FILENO, &byte, 1) > 0 || errno == EINTR)
    ;
  return EXIT_SUCCESS;
}

/* send-slow INTERVAL_MS MAX ID: one message every INTERVAL_MS, MAX at most. */
static int
mode_send_slow (int    argc,
                char **argv)
{
  guint64 interval_ms, max;
  g_autoptr(JrSender) sender = NULL;

  if (argc != 3)
    return EXIT_USAGE;
  interval_ms = parse_u64 (argv[0]);
  max = parse_u64 (argv[1]);
  sender = open_sender (parse_u64 (argv[2]));
  for (guint64 seq = 0; seq < max; seq++)
    {
      send_seq (sender, (guint32) seq);
      g_usleep (interval_ms * 1000);
    }
  close_sender (sender);
  return EXIT_SUCCESS;
}

/* flood ID: sends until killed (or until the router goes away). */
static int
mode_flood (int    argc,
            char **argv)
{
  g_autoptr(JrSender) sender = NULL;

  if (argc != 1)
    return EXIT_USAGE;
  sender = open_sender (parse_u64 (argv[0]));
  for (guint32 seq = 0; seq < G_MAXUINT32; seq++)
    send_seq (sender, seq);
  close_sender (sender);
  return EXIT_SUCCESS;
}

/* large ID SIZE: one "ay" message of SIZE pattern bytes. */
static int
mode_large (int    argc,
            char **argv)
{
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    return EXIT_USAGE;
  sender = open_sender (parse_u64 (argv[0]));
  if (!jr_sender_send (sender, jr_test_new_pattern_message (parse_u64 (argv[1])), &error))
    fail_error ("jr_sender_send (large)", error);
  close_sender (sender);
  return EXIT_SUCCESS;
}

/* too-large ID: a message one byte over the limit must be refused with
 * MESSAGE_TOO_LARGE; then seq 0 goes through as usual. */
static int
mode_too_large (int    argc,
                char **argv)
{
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *data;
  GVariant *message;

  if (argc != 1)
    return EXIT_USAGE;
  sender = open_sender (parse_u64 (argv[0]));

  data = g_malloc0 (JR_MESSAGE_SIZE_MAX + 1u);
  message = g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, JR_MESSAGE_SIZE_MAX + 1u,
                                     TRUE, g_free, data);
  if (jr_sender_send (sender, message, &error))
    fail ("a message of JR_MESSAGE_SIZE_MAX + 1 bytes was accepted");
  if (!g_error_matches (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE))
    fail_error ("expected JR_ROUTER_ERROR_MESSAGE_TOO_LARGE", error);

  send_seq (sender, 0);
  close_sender (sender);
  return EXIT_SUCCESS;
}

static void
expect_state_error (gboolean    ok,
                    GError    **error,
                    const char *what)
{
  if (ok)
    fail ("%s succeeded; expected JR_ROUTER_ERROR_SENDER_STATE", what);
  if (!g_error_matches (*error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_SENDER_STATE))
    fail_error (what, *error);
  g_clear_error (error);
}

/* sender-state ID: a child's sender is single-use, like a thread's. */
static int
mode_sender_state (int    argc,
                   char **argv)
{
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(GError) error = NULL;
  guint64 id;

  if (argc != 1)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  sender = jr_sender_new_for_parent (id, &error);
  if (sender == NULL)
    fail_error ("jr_sender_new_for_parent", error);

  expect_state_error (jr_sender_send (sender, g_variant_new ("(tu)", id, 99u), &error), &error,
                      "send before start");
  expect_state_error (jr_sender_stop (sender, &error), &error, "stop before start");
  if (!jr_sender_start (sender, &error))
    fail_error ("jr_sender_start", error);
  expect_state_error (jr_sender_start (sender, &error), &error, "start twice");
  send_seq (sender, 0);
  if (!jr_sender_stop (sender, &error))
    fail_error ("jr_sender_stop", error);
  expect_state_error (jr_sender_stop (sender, &error), &error, "stop twice");
  expect_state_error (jr_sender_start (sender, &error), &error, "start after stop");
  expect_state_error (jr_sender_send (sender, g_variant_new ("(tu)", id, 99u), &error), &error,
                      "send after stop");
  return EXIT_SUCCESS;
}

/* no-parent: started without a prepared launcher. */
static int
mode_no_parent (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = jr_sender_new_for_parent (1, &error);
  gboolean any_code = argc == 1 && g_str_equal (argv[0], "any-code");

  if (sender != NULL)
    fail ("jr_sender_new_for_parent succeeded without a parent router");
  if (error == NULL)
    fail ("jr_sender_new_for_parent returned NULL without an error");
  if (any_code ? error->domain != JR_ROUTER_ERROR
               : !g_error_matches (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NO_PARENT))
    fail_error ("expected JR_ROUTER_ERROR_NO_PARENT", error);
  /* Asking again gives the same answer and does not crash. */
  g_clear_error (&error);
  g_clear_object (&sender);
  sender = jr_sender_new_for_parent (2, &error);
  if (sender != NULL || error == NULL)
    fail ("second jr_sender_new_for_parent gave a different answer");
  return EXIT_SUCCESS;
}

/* Whether the link of an inherited fd names something with no path on
 * disk: a memfd, a socket or an anonymous inode. */
static gboolean
link_is_anonymous (const char *link)
{
  return g_str_has_prefix (link, "/memfd:") || g_str_has_prefix (link, "memfd:") ||
         g_str_has_prefix (link, "socket:[") || g_str_has_prefix (link, "anon_inode:");
}

/* check-fds ID: every fd the child inherited besides stdio, and the ones
 * JR_CHANNEL_ENV names, have no filesystem path; then seq 0 is sent. */
static int
mode_check_fds (int    argc,
                char **argv)
{
  const char *env = g_getenv (JR_CHANNEL_ENV);
  g_auto(GStrv) parts = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  guint n_checked = 0;
  const char *name;

  if (argc != 1)
    return EXIT_USAGE;
  if (env == NULL)
    fail ("%s is not set", JR_CHANNEL_ENV);

  /* The variable starts with the fds ("fd,fd", maybe more fields after). */
  parts = g_strsplit (env, ",", -1);
  if (g_strv_length (parts) < 2)
    fail ("%s='%s' does not name two fds", JR_CHANNEL_ENV, env);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/fd/%s", parts[i]);
      g_autofree char *link = g_file_read_link (path, &error);
      struct stat st;

      if (link == NULL)
        fail_error ("fd named in " JR_CHANNEL_ENV " is not open", error);
      if (!link_is_anonymous (link))
        fail ("fd %s from %s links to '%s', a filesystem path", parts[i], JR_CHANNEL_ENV, link);
      if (g_str_has_prefix (link, "/memfd:") &&
          (stat (path, &st) != 0 || st.st_nlink != 0))
        fail ("memfd %s has %d links", parts[i], (int) st.st_nlink);
    }

  /* Nothing else leaked into the child with a path either. */
  dir = g_dir_open ("/proc/self/fd", 0, &error);
  if (dir == NULL)
    fail_error ("g_dir_open /proc/self/fd", error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/fd/%s", name);
      g_autofree char *link = g_file_read_link (path, NULL);
      int fd = atoi (name);

      if (fd <= 2 || link == NULL || g_str_has_prefix (link, "/proc/"))
        continue;  /* stdio, and the directory being read */
      if (!link_is_anonymous (link))
        fail ("inherited fd %d links to '%s', a filesystem path", fd, link);
      n_checked++;
    }
  if (n_checked < 2)
    fail ("only %u inherited fds besides stdio", n_checked);

  sender = open_sender (parse_u64 (argv[0]));
  send_seq (sender, 0);
  close_sender (sender);
  return EXIT_SUCCESS;
}

/* A frame built by hand (jr_test_build_frame()), where any field can be
 * wrong. */
static GBytes *
build_frame (guint64       connection_id,
             guint16       magic,
             const char   *type_bytes,
             gsize         type_size,
             const void   *data,
             gsize         data_size,
             guint32       claimed_data_size)
{
  gsize size;
  guint8 *frame = jr_test_build_frame (connection_id, magic, type_bytes, type_size,
                                       claimed_data_size, data, data_size, &size);

  return g_bytes_new_take (frame, size);
}

static void
write_raw (JrChannel *channel,
           GBytes    *bytes,
           gsize      len)
{
  g_autoptr(GError) error = NULL;

  if (!jr_channel_write_raw (channel, g_bytes_get_data (bytes, NULL), len, &error))
    fail_error ("jr_channel_write_raw", error);
}

static void
write_good (JrChannel *channel,
            guint64    connection_id,
            guint64    on_id,
            guint32    seq)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) message = g_variant_ref_sink (g_variant_new ("(tu)", on_id, seq));

  if (!jr_channel_write_message (channel, connection_id, message, &error))
    fail_error ("jr_channel_write_message", error);
}

/* bad KIND ID: plays a misbehaving worker on the raw queue. Writes seq 0
 * for ID, then the bad bytes; when the stream can go on after them, seq 1
 * for ID. Everything goes through the channel so the order is exact. */
static int
mode_bad (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  JrChannel *channel;
  const char *kind;
  guint64 id;
  const guint8 zeros[16] = { 0 };

  if (argc != 2)
    return EXIT_USAGE;
  kind = argv[0];
  id = parse_u64 (argv[1]);

  channel = jr_channel_get_for_parent (&error);
  if (channel == NULL)
    fail_error ("jr_channel_get_for_parent", error);

  write_good (channel, id, id, 0);

  if (g_str_equal (kind, "truncated"))
    {
      /* Half of a good frame, then exit: the rest never comes. */
      g_autoptr(GVariant) message = g_variant_ref_sink (g_variant_new ("(tu)", id, 1u));
      g_autoptr(GBytes) frame = build_frame (id, JR_FRAME_MAGIC, "(tu)", 5,
                                             g_variant_get_data (message),
                                             g_variant_get_size (message),
                                             (guint32) g_variant_get_size (message));

      write_raw (channel, frame, g_bytes_get_size (frame) - 12);
      return EXIT_SUCCESS;
    }
  else if (g_str_equal (kind, "garbage"))
    {
      guint8 garbage[64];

      memset (garbage, 0xa5, sizeof garbage);
      if (!jr_channel_write_raw (channel, garbage, sizeof garbage, &error))
        fail_error ("jr_channel_write_raw", error);
      return EXIT_SUCCESS;
    }
  else if (g_str_equal (kind, "unknown-id"))
    {
      write_good (channel, JR_TEST_UNKNOWN_CONNECTION_ID, JR_TEST_UNKNOWN_CONNECTION_ID, 0);
    }
  else if (g_str_equal (kind, "non-normal-bool"))
    {
      const guint8 two = 0x02;
      g_autoptr(GBytes) frame = build_frame (id, JR_FRAME_MAGIC, "b", 2, &two, 1, 1);

      write_raw (channel, frame, g_bytes_get_size (frame));
    }
  else if (g_str_equal (kind, "non-normal-tuple"))
    {
      /* "(ss)" = "a\0" "b\0" + one framing offset; 9 points past the end. */
      const guint8 data[5] = { 'a', 0, 'b', 0, 9 };
      g_autoptr(GBytes) frame = build_frame (id, JR_FRAME_MAGIC, "(ss)", 5, data, sizeof data,
                                             sizeof data);

      write_raw (channel, frame, g_bytes_get_size (frame));
    }
  else if (g_str_equal (kind, "invalid-type"))
    {
      g_autoptr(GBytes) frame = build_frame (id, JR_FRAME_MAGIC, "(tu", 4, zeros, 16, 16);

      write_raw (channel, frame, g_bytes_get_size (frame));
    }
  else if (g_str_equal (kind, "oversize") || g_str_equal (kind, "oversize-header-only"))
    {
      /* A header that announces more than JR_MESSAGE_SIZE_MAX bytes. */
      guint32 claimed = JR_MESSAGE_SIZE_MAX + 8u;
      g_autoptr(GBytes) frame = build_frame (id, JR_FRAME_MAGIC, "ay", 3, NULL, 0, claimed);
      g_autofree guint8 *chunk = NULL;
      gsize chunk_size = 256 * 1024;

      write_raw (channel, frame, g_bytes_get_size (frame));
      if (g_str_equal (kind, "oversize-header-only"))
        return EXIT_SUCCESS;

      /* Then the announced bytes, so that the frame is whole. */
      chunk = g_malloc0 (chunk_size);
      for (gsize left = claimed; left > 0;)
        {
          gsize n = MIN (left, chunk_size);

          if (!jr_channel_write_raw (channel, chunk, n, &error))
            fail_error ("jr_channel_write_raw (oversize body)", error);
          left -= n;
        }
    }
  else
    {
      g_printerr ("router-child: unknown bad kind '%s'\n", kind);
      return EXIT_USAGE;
    }

  write_good (channel, id, id, 1);
  return EXIT_SUCCESS;
}

int
main (int    argc,
      char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
  } modes[] = {
    { "send", mode_send },
    { "send-data", mode_send_data },
    { "send-mt", mode_send_mt },
    { "send-wait", mode_send_wait },
    { "send-not-normal", mode_send_not_normal },
    { "send-slow", mode_send_slow },
    { "flood", mode_flood },
    { "large", mode_large },
    { "too-large", mode_too_large },
    { "sender-state", mode_sender_state },
    { "no-parent", mode_no_parent },
    { "check-fds", mode_check_fds },
    { "bad", mode_bad },
  };

  gboolean stream = FALSE;

  /* --stream: the queue to the parent is standard output, a byte stream
   * (the parent reads it with jr_router_add_stream()); anything else this
   * process would print goes to standard error. */
  {
    g_autoptr(GError) error = NULL;

    if (!jr_test_child_take_stream_arg (&argc, &argv, &stream, &error))
      fail ("%s", error->message);
  }

  if (argc < 2)
    {
      g_printerr ("usage: router-child [--stream] MODE ARGS...\n");
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "noop"))
    return EXIT_SUCCESS;

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (argv[1], modes[i].name))
      {
        int status = modes[i].run (argc - 2, argv + 2);

        if (status == EXIT_USAGE)
          g_printerr ("router-child: bad arguments for mode '%s'\n", argv[1]);
        /* Raw bytes (mode "bad") go out through the stream's thread:
         * wait for them before exiting. */
        if (stream)
          {
            g_autoptr(GError) error = NULL;
            JrChannel *channel = jr_channel_get_for_parent (&error);

            if (channel == NULL || !jr_channel_flush (channel, &error))
              fail_error ("flushing the stream", error);
          }
        return status;
      }

  g_printerr ("router-child: unknown mode '%s'\n", argv[1]);
  return EXIT_USAGE;
}
