/* hostile-child.c — the misbehaving worker process that test-hostile spawns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: hostile-child [--stream] MODE ARGS...
 *
 * With --stream the queue to the parent is standard output, a byte stream
 * (jr_sender_set_parent_stream()), and "R" goes to standard error.
 *
 * Each mode plays one thing a child process can do to its parent through
 * the queue it inherited. Connection ids come from the parent as decimal
 * numbers. Ordinary messages are "(tu)": the connection id they are sent
 * on and a sequence number, as in router-child.
 *
 * Modes that must stay alive while the parent looks (half-frame,
 * scribble-tail) write "R" to stdout once they are in place, then wait for
 * stdin to close — or HOLD_SECONDS at most, so that a parent that cannot
 * get past them fails its test instead of hanging.
 *
 * Exit status: 0 when the mode did what it was asked, 1 when a check
 * failed (the reason is on stderr), 2 on bad usage, 3 when the router went
 * away while writing (JR_ROUTER_ERROR_DISCONNECTED), 4 when the child could
 * resize its queue's memory.
 */
#define _GNU_SOURCE 1
#include <jobrouter.h>

#include "jr-channel-private.h"
#include "jr-frame-private.h"
#include "jr-test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_CHECK_FAILED  1
#define EXIT_USAGE         2
#define EXIT_DISCONNECTED  3
#define EXIT_RESIZED       4

#define HOLD_SECONDS       5

/* The queue is a stream on stdout (--stream). */
static gboolean stream_mode;

static void G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN
fail (const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("hostile-child[%d]: %s\n", (int) getpid (), text);
  exit (EXIT_CHECK_FAILED);
}

static void G_GNUC_NORETURN
fail_error (const char   *what,
            const GError *error)
{
  if (error != NULL && g_error_matches (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED))
    {
      g_printerr ("hostile-child[%d]: %s: %s\n", (int) getpid (), what, error->message);
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
      g_printerr ("hostile-child: bad number '%s': %s\n", text, error->message);
      exit (EXIT_USAGE);
    }
  return value;
}

static JrChannel *
get_channel (void)
{
  g_autoptr(GError) error = NULL;
  JrChannel *channel = jr_channel_get_for_parent (&error);

  if (channel == NULL)
    fail_error ("jr_channel_get_for_parent", error);
  return channel;
}

/* One "(tu)" message on @connection_id, straight into the queue. */
static void
write_seq (JrChannel *channel,
           guint64    connection_id,
           guint32    seq)
{
  g_autoptr(GError) error = NULL;
  guint8 data[JR_TEST_TU_SIZE];

  jr_test_tu_serialize (data, connection_id, seq);
  if (!jr_channel_write_data (channel, connection_id, "(tu)", data, sizeof data, &error))
    fail_error ("jr_channel_write_data", error);
}

/* A whole frame of @type_string carrying @data, built by hand. */
static GBytes *
build_frame (guint64       connection_id,
             const char   *type_string,
             gconstpointer data,
             gsize         size)
{
  gsize frame_size = jr_frame_size_for (strlen (type_string) + 1, size);
  guint8 *frame = g_malloc0 (frame_size);

  jr_frame_write_header (frame, connection_id, type_string, size);
  memcpy (frame + jr_frame_data_offset (strlen (type_string) + 1), data, size);
  return g_bytes_new_take (frame, frame_size);
}

/* Tells the parent we are in place, then waits for stdin to close. */
static void
hold (void)
{
  struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
  gint64 until = g_get_monotonic_time () + HOLD_SECONDS * G_USEC_PER_SEC;
  char buf[64];

  /* What was written must be on its way before the parent looks. */
  if (stream_mode)
    {
      g_autoptr(GError) error = NULL;

      if (!jr_channel_flush (get_channel (), &error))
        fail_error ("flushing the stream", error);
    }
  if (write (stream_mode ? STDERR_FILENO : STDOUT_FILENO, "R", 1) != 1)
    fail ("could not tell the parent we are ready: %s", g_strerror (errno));

  for (;;)
    {
      gint64 left = until - g_get_monotonic_time ();
      int ready;

      if (left <= 0)
        return;
      ready = poll (&pfd, 1, (int) (left / 1000) + 1);
      if (ready < 0 && errno != EINTR)
        fail ("poll: %s", g_strerror (errno));
      if (ready > 0 && read (STDIN_FILENO, buf, sizeof buf) <= 0)
        return;
    }
}

/* send ID COUNT: the ordinary child API, COUNT messages on ID. */
static int
mode_send (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  guint64 id;
  guint32 count;

  if (argc != 2)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  count = (guint32) parse_u64 (argv[1]);

  sender = jr_sender_new_for_parent (id, &error);
  if (sender == NULL || !jr_sender_start (sender, &error))
    fail_error ("opening the sender", error);
  for (guint32 seq = 0; seq < count; seq++)
    if (!jr_sender_send (sender, g_variant_new ("(tu)", id, seq), &error))
      fail_error ("jr_sender_send", error);
  if (!jr_sender_stop (sender, &error))
    fail_error ("jr_sender_stop", error);
  return EXIT_SUCCESS;
}

/* truncate-ring ID: tries to shrink and to grow the queue's memory, which
 * would make the parent's next read of it fault (SIGBUS). Both must fail;
 * then the queue still works: seq 0 on ID. */
static int
mode_truncate_ring (int    argc,
                    char **argv)
{
  const char *env = g_getenv (JR_CHANNEL_ENV);
  int mem_fd = -1, bell_fd, parent_pid;
  int seals;

  if (argc != 1)
    return EXIT_USAGE;
  if (env == NULL || sscanf (env, "%d,%d,%d", &mem_fd, &bell_fd, &parent_pid) != 3)
    fail ("%s is not set", JR_CHANNEL_ENV);

  /* Before anything maps the ring: this process must not fault either. */
  if (ftruncate (mem_fd, 0) == 0)
    {
      g_printerr ("hostile-child[%d]: shrank the queue memory\n", (int) getpid ());
      return EXIT_RESIZED;
    }
  if (errno != EPERM)
    fail ("shrinking failed with %s, not EPERM", g_strerror (errno));
  if (ftruncate (mem_fd, 64 * 1024 * 1024) == 0)
    {
      g_printerr ("hostile-child[%d]: grew the queue memory\n", (int) getpid ());
      return EXIT_RESIZED;
    }
  if (errno != EPERM)
    fail ("growing failed with %s, not EPERM", g_strerror (errno));

  seals = fcntl (mem_fd, F_GET_SEALS);
  if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) !=
                   (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
    fail ("the queue memory has seals 0x%x", seals);
  if (fcntl (mem_fd, F_ADD_SEALS, F_SEAL_WRITE) == 0)
    fail ("could add a seal to the queue memory");

  write_seq (get_channel (), parse_u64 (argv[0]), 0);
  return EXIT_SUCCESS;
}

/* forge-id OWN OTHER: seq 0 on OWN, then seq 0 on OTHER (not ours), then
 * seq 1 on OWN. */
static int
mode_forge_id (int    argc,
               char **argv)
{
  JrChannel *channel;
  guint64 own, other;

  if (argc != 2)
    return EXIT_USAGE;
  own = parse_u64 (argv[0]);
  other = parse_u64 (argv[1]);
  channel = get_channel ();

  write_seq (channel, own, 0);
  write_seq (channel, other, 0);
  write_seq (channel, own, 1);
  return EXIT_SUCCESS;
}

/* half-frame ID: seq 0 on ID, then the first half of a frame for seq 1,
 * and stays alive without ever writing the rest. */
static int
mode_half_frame (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  JrChannel *channel;
  guint8 data[JR_TEST_TU_SIZE];
  guint64 id;

  if (argc != 1)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  channel = get_channel ();

  write_seq (channel, id, 0);
  jr_test_tu_serialize (data, id, 1);
  frame = build_frame (id, "(tu)", data, sizeof data);
  if (!jr_channel_write_raw (channel, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame) / 2,
                             &error))
    fail_error ("jr_channel_write_raw", error);
  hold ();
  return EXIT_SUCCESS;
}

/* scribble-tail ID: seq 0 on ID; once the parent has read it, fills the
 * ring with good frames for ID that tile it exactly (so that, read round
 * and round, they stay good) and moves the write position far beyond
 * anything a writer could have written (more than a ring ahead of the
 * reader). */
static int
mode_scribble_tail (int    argc,
                    char **argv)
{
  JrChannel *channel;
  g_autoptr(GByteArray) fill = g_byte_array_new ();
  /* "ay" frames of exactly 4 KiB: a 16-byte header, "ay" padded to 8. */
  guint8 data[4096 - 16 - 8];
  guint64 id, read, written;
  gint64 until = g_get_monotonic_time () + HOLD_SECONDS * G_USEC_PER_SEC;

  if (argc != 1)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  channel = get_channel ();

  write_seq (channel, id, 0);
  do
    {
      if (g_get_monotonic_time () > until)
        fail ("the parent never read seq 0");
      g_usleep (1000);
      jr_channel_get_positions (channel, &read, &written);
    }
  while (read != written);

  memset (data, 0x5a, sizeof data);
  while (fill->len < JR_CHANNEL_RING_SIZE)
    {
      g_autoptr(GBytes) frame = build_frame (id, "ay", data, sizeof data);

      g_assert (g_bytes_get_size (frame) == 4096);
      g_byte_array_append (fill, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
    }
  jr_channel_scribble (channel, fill->data, JR_CHANNEL_RING_SIZE, G_GUINT64_CONSTANT (1) << 40);
  hold ();
  return EXIT_SUCCESS;
}

/* big-messages ID COUNT SIZE: COUNT "ay" messages of SIZE bytes on ID;
 * byte i of message k is (i + k) & 0xff. */
static int
mode_big_messages (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  guint64 id, count, size;

  if (argc != 3)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  count = parse_u64 (argv[1]);
  size = parse_u64 (argv[2]);

  sender = jr_sender_new_for_parent (id, &error);
  if (sender == NULL || !jr_sender_start (sender, &error))
    fail_error ("opening the sender", error);
  for (guint64 k = 0; k < count; k++)
    {
      guint8 *bytes = g_malloc (size);

      for (gsize i = 0; i < size; i++)
        bytes[i] = (guint8) (i + k);
      if (!jr_sender_send (sender, g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, size,
                                                            TRUE, g_free, bytes), &error))
        fail_error ("jr_sender_send", error);
    }
  if (!jr_sender_stop (sender, &error))
    fail_error ("jr_sender_stop", error);
  return EXIT_SUCCESS;
}

/* bad-frames ID COUNT: COUNT well-framed frames on ID whose value is not
 * in normal form (a boolean of 2), each dropped with a warning, then one
 * good seq 0 on ID. */
static int
mode_bad_frames (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GByteArray) many = g_byte_array_new ();
  const guint8 two = 2;
  JrChannel *channel;
  guint64 id, count;

  if (argc != 2)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  count = parse_u64 (argv[1]);
  channel = get_channel ();

  frame = build_frame (id, "b", &two, 1);
  /* In runs of 1024 frames: one write each, so that this is quick. */
  for (guint i = 0; i < 1024; i++)
    g_byte_array_append (many, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
  for (guint64 left = count; left > 0;)
    {
      guint64 n = MIN (left, 1024);

      if (!jr_channel_write_raw (channel, many->data, n * g_bytes_get_size (frame), &error))
        fail_error ("jr_channel_write_raw", error);
      left -= n;
    }
  write_seq (channel, id, 0);
  return EXIT_SUCCESS;
}

/* A frame of "(tu)" whose type string says @type_size bytes of @type
 * instead, unterminated if @type holds no NUL within them. */
static GBytes *
build_frame_typed (guint64     connection_id,
                   const char *type,
                   guint16     type_size)
{
  guint8 data[JR_TEST_TU_SIZE];
  g_autoptr(GBytes) good = NULL;
  guint8 *frame;
  JrFrameHeader header;
  gsize size;

  jr_test_tu_serialize (data, connection_id, 7);
  good = build_frame (connection_id, "(tu)", data, sizeof data);
  frame = g_bytes_unref_to_data (g_steal_pointer (&good), &size);
  memcpy (&header, frame, sizeof header);
  header.type_size = type_size;
  memcpy (frame, &header, sizeof header);
  /* "(tu)" and its NUL fill 5 of the 8 bytes this size keeps for the
   * type: @type_size up to 8 keeps the frame's layout. */
  g_assert (type_size >= 1 && type_size <= 8);
  memset (frame + JR_FRAME_HEADER_SIZE, 0, 8);
  memcpy (frame + JR_FRAME_HEADER_SIZE, type, MIN (strlen (type) + 1, type_size));
  return g_bytes_new_take (frame, size);
}

/* bad-types ID: frames on ID whose type string is empty, or a prefix of
 * the last valid one without its end, around good seqs 0 and 1. */
static int
mode_bad_types (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  const struct { const char *type; guint16 size; } bad[] = {
    { "", 1 }, { "(", 1 }, { "(t", 2 }, { "(tu", 3 }, { "(tu)", 4 },
  };
  JrChannel *channel;
  guint64 id;

  if (argc != 1)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  channel = get_channel ();

  /* The empty type first, before any valid type was seen. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) frame = build_frame_typed (id, bad[i].type, bad[i].size);

      if (i == 1)
        write_seq (channel, id, 0);
      if (!jr_channel_write_raw (channel, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                                 &error))
        fail_error ("jr_channel_write_raw", error);
    }
  write_seq (channel, id, 1);
  return EXIT_SUCCESS;
}

/* flood-id ID COUNT: COUNT good messages on ID, whoever's pipe it is. */
static int
mode_flood_id (int    argc,
               char **argv)
{
  JrChannel *channel;
  guint64 id, count;

  if (argc != 2)
    return EXIT_USAGE;
  id = parse_u64 (argv[0]);
  count = parse_u64 (argv[1]);
  channel = get_channel ();

  for (guint64 seq = 0; seq < count; seq++)
    write_seq (channel, id, (guint32) seq);
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
    { "truncate-ring", mode_truncate_ring },
    { "forge-id", mode_forge_id },
    { "half-frame", mode_half_frame },
    { "scribble-tail", mode_scribble_tail },
    { "big-messages", mode_big_messages },
    { "bad-frames", mode_bad_frames },
    { "bad-types", mode_bad_types },
    { "flood-id", mode_flood_id },
  };

  {
    g_autoptr(GError) error = NULL;

    if (!jr_test_child_take_stream_arg (&argc, &argv, &stream_mode, &error))
      fail ("%s", error->message);
  }

  if (argc < 2)
    {
      g_printerr ("usage: hostile-child [--stream] MODE ARGS...\n");
      return EXIT_USAGE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (argv[1], modes[i].name))
      {
        int status = modes[i].run (argc - 2, argv + 2);

        if (status == EXIT_USAGE)
          g_printerr ("hostile-child: bad arguments for mode '%s'\n", argv[1]);
        if (stream_mode)
          {
            g_autoptr(GError) error = NULL;

            if (!jr_channel_flush (get_channel (), &error))
              fail_error ("flushing the stream", error);
          }
        return status;
      }

  g_printerr ("hostile-child: unknown mode '%s'\n", argv[1]);
  return EXIT_USAGE;
}
