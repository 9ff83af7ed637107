/* test-wire-formats.c — tests of the executor's two wire formats: the job
 * messages a worker sends (router/jr-job-message.c) and the requests it
 * is sent (router/jr-worker-request.c). Round trips, and what the readers
 * refuse.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "jr-frame-private.h"
#include "jr-job-message-private.h"
#include "jr-request-reader-private.h"
#include "jr-worker-request-private.h"

/* ---- job messages: through a real pipe ---- */

typedef struct {
  JrRouter   *router;
  JrSender   *sender;
  JrReceiver *receiver;
  GPtrArray  *received;   /* GVariant */
} Pipe;

static void
on_message (JrReceiver *receiver,
            GVariant   *message,
            Pipe       *pipe)
{
  g_ptr_array_add (pipe->received, g_variant_ref (message));
}

static void
pipe_open (Pipe *pipe)
{
  g_autoptr(GError) error = NULL;

  pipe->router = jr_router_new (JR_TRANSPORT_THREADS, NULL);
  g_assert_true (jr_router_start (pipe->router, &error));
  g_assert_true (jr_router_pipe (pipe->router, &pipe->sender, &pipe->receiver, &error));
  g_assert_no_error (error);
  g_assert_true (jr_sender_start (pipe->sender, &error));
  pipe->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_signal_connect (pipe->receiver, "message", G_CALLBACK (on_message), pipe);
}

static gboolean
received_enough (gpointer data)
{
  Pipe *pipe = data;

  return pipe->received->len > 0;
}

/* The one message sent since the last call, as the executor reads it. */
static GVariant *
pipe_receive (Pipe *pipe)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_router_route_until (pipe->router, received_enough, pipe, 10 * G_USEC_PER_SEC,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pipe->received->len, ==, 1);
  return g_ptr_array_steal_index (pipe->received, 0);
}

static void
pipe_close (Pipe *pipe)
{
  jr_sender_stop (pipe->sender, NULL);
  jr_router_close_pipe (pipe->router, pipe->receiver, NULL);
  jr_router_stop (pipe->router, NULL);
  g_clear_object (&pipe->sender);
  g_clear_object (&pipe->receiver);
  g_clear_object (&pipe->router);
  g_ptr_array_unref (pipe->received);
}

static void
test_job_message_tags (void)
{
  static const JrJobMessage tags[] = {
    JR_JOB_MSG_STARTED, JR_JOB_MSG_CANCELLED, JR_JOB_MSG_RETURNED,
  };
  Pipe pipe;

  pipe_open (&pipe);
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      g_autoptr(GVariant) message = NULL;
      JrJobMessageParts parts;

      g_assert_true (jr_job_message_send_tag (pipe.sender, G_GUINT64_CONSTANT (0x1122334455667788) + i,
                                              tags[i], NULL));
      message = pipe_receive (&pipe);
      g_assert_cmpstr (g_variant_get_type_string (message), ==, "(ty)");
      g_assert_true (jr_job_message_parse (message, &parts));
      g_assert_cmpuint (parts.job_id, ==, G_GUINT64_CONSTANT (0x1122334455667788) + i);
      g_assert_cmpint (parts.tag, ==, tags[i]);
      g_assert_null (parts.payload);
    }
  pipe_close (&pipe);
}

static void
test_job_message_progress (void)
{
  Pipe pipe;
  g_autoptr(GVariant) plain = NULL;
  g_autoptr(GVariant) texted = NULL;
  JrJobMessageParts parts;

  pipe_open (&pipe);
  g_assert_true (jr_job_message_send_progress (pipe.sender, 7, 0.25, NULL, NULL));
  plain = pipe_receive (&pipe);
  g_assert_true (jr_job_message_parse (plain, &parts));
  g_assert_cmpuint (parts.job_id, ==, 7);
  g_assert_cmpint (parts.tag, ==, JR_JOB_MSG_PROGRESS);
  g_assert_cmpfloat (parts.fraction, ==, 0.25);
  g_assert_null (parts.text);

  g_assert_true (jr_job_message_send_progress (pipe.sender, 8, 0.5, "half way — ½", NULL));
  texted = pipe_receive (&pipe);
  g_assert_true (jr_job_message_parse (texted, &parts));
  g_assert_cmpuint (parts.job_id, ==, 8);
  g_assert_cmpfloat (parts.fraction, ==, 0.5);
  g_assert_cmpstr (parts.text, ==, "half way — ½");
  pipe_close (&pipe);
}

static void
test_job_message_values (void)
{
  Pipe pipe;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) error_message = NULL;
  g_autoptr(GError) job_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_autoptr(GError) read_back = NULL;
  JrJobMessageParts parts;

  pipe_open (&pipe);
  g_assert_true (jr_job_message_send_value (pipe.sender, 9, JR_JOB_MSG_RESULT,
                                            g_variant_new ("(sau)", "x", NULL), NULL));
  result = pipe_receive (&pipe);
  g_assert_true (jr_job_message_parse (result, &parts));
  g_assert_cmpuint (parts.job_id, ==, 9);
  g_assert_cmpint (parts.tag, ==, JR_JOB_MSG_RESULT);
  g_assert_cmpstr (g_variant_get_type_string (parts.payload), ==, "(sau)");
  jr_job_message_parts_clear (&parts);
  g_assert_null (parts.payload);

  g_assert_true (jr_job_message_send_error (pipe.sender, 10, job_error, NULL));
  error_message = pipe_receive (&pipe);
  g_assert_true (jr_job_message_parse (error_message, &parts));
  g_assert_cmpint (parts.tag, ==, JR_JOB_MSG_ERROR);
  read_back = jr_job_message_to_error (parts.payload);
  g_assert_error (read_back, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (read_back->message, ==, "gone");
  jr_job_message_parts_clear (&parts);
  pipe_close (&pipe);
}

/* Shapes a worker could send that the executor must refuse. */
static void
test_job_message_refused (void)
{
  static const char *const refused[] = {
    "(y)",                    /* the old format, no job id */
    "(tyd)",                  /* job 0, tag 0 */
    "(ts)",
    "u",
  };
  JrJobMessageParts parts;
  g_autoptr(GVariant) no_id = g_variant_ref_sink (g_variant_new ("(ty)", (guint64) 0,
                                                                 (guchar) JR_JOB_MSG_STARTED));
  g_autoptr(GVariant) ready_with_id = g_variant_ref_sink (g_variant_new ("(ty)", (guint64) 3,
                                                                         (guchar) JR_JOB_MSG_READY));
  g_autoptr(GVariant) unknown_tag = g_variant_ref_sink (g_variant_new ("(ty)", (guint64) 3,
                                                                       (guchar) 'z'));
  g_autoptr(GVariant) progress_as_tag = g_variant_ref_sink (g_variant_new ("(tyd)", (guint64) 3,
                                                                           (guchar) JR_JOB_MSG_STARTED,
                                                                           0.5));
  g_autoptr(GVariant) result_as_text = g_variant_ref_sink (g_variant_new ("(tyds)", (guint64) 3,
                                                                          (guchar) JR_JOB_MSG_RESULT,
                                                                          0.5, "x"));

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_from_data (
        G_VARIANT_TYPE (refused[i]), "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24, FALSE,
        NULL, NULL));

      g_assert_false (jr_job_message_parse (value, &parts));
      g_assert_null (parts.payload);
    }
  g_assert_false (jr_job_message_parse (no_id, &parts));
  g_assert_false (jr_job_message_parse (ready_with_id, &parts));
  g_assert_false (jr_job_message_parse (unknown_tag, &parts));
  g_assert_false (jr_job_message_parse (progress_as_tag, &parts));
  g_assert_false (jr_job_message_parse (result_as_text, &parts));
}

static void
test_job_message_error_shapes (void)
{
  g_autoptr(GVariant) odd = g_variant_ref_sink (g_variant_new_string ("not an error"));
  g_autoptr(GVariant) empty_domain = g_variant_ref_sink (g_variant_new ("(sis)", "", 3, "why"));
  g_autoptr(GError) from_odd = jr_job_message_to_error (odd);
  g_autoptr(GError) from_empty = jr_job_message_to_error (empty_domain);

  g_assert_error (from_odd, JR_JOB_ERROR, JR_JOB_ERROR_FAILED);
  g_assert_error (from_empty, JR_JOB_ERROR, JR_JOB_ERROR_FAILED);
  g_assert_cmpstr (from_empty->message, ==, "why");
}

/* A domain this process does not know becomes a quark, for ever: a
 * worker may not make the parent keep one of any length, nor any number. */
static void
test_job_message_error_domains (void)
{
  g_autofree char *long_domain = g_strnfill (100000, 'd');
  g_autoptr(GVariant) long_payload = g_variant_ref_sink (g_variant_new ("(sis)", long_domain, 4,
                                                                        "why"));
  g_autoptr(GError) from_long = jr_job_message_to_error (long_payload);
  g_autofree char *shown = g_strdup_printf ("why (error domain “%.64s…”, code 4)", long_domain);
  guint n_taken = 0;

  g_assert_error (from_long, JR_JOB_ERROR, JR_JOB_ERROR_FAILED);
  g_assert_cmpstr (from_long->message, ==, shown);
  g_assert_cmpuint (g_quark_try_string (long_domain), ==, 0);

  /* New names: a few hundred are taken, then no more; known ones still are. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *domain = g_strdup_printf ("jr-test-made-up-%u-quark", i);
      g_autoptr(GVariant) payload = g_variant_ref_sink (g_variant_new ("(sis)", domain, 5, "x"));
      g_autoptr(GError) error = jr_job_message_to_error (payload);

      if (error->domain != JR_JOB_ERROR)
        {
          g_assert_cmpuint (error->domain, ==, g_quark_try_string (domain));
          n_taken++;
        }
      else
        g_assert_cmpuint (g_quark_try_string (domain), ==, 0);
    }
  g_assert_cmpuint (n_taken, >, 0);
  g_assert_cmpuint (n_taken, <=, 256);
  {
    g_autoptr(GVariant) payload = g_variant_ref_sink (g_variant_new ("(sis)", "g-io-error-quark",
                                                                    G_IO_ERROR_NOT_FOUND, "x"));
    g_autoptr(GError) error = jr_job_message_to_error (payload);

    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

/* ---- worker requests ---- */

static void
assert_request (const guint8        *data,
                gsize                len,
                JrWorkerRequestKind  kind,
                guint64              job_id,
                const char          *name,
                const char          *args_text,
                gsize                expected_size)
{
  g_autoptr(GError) error = NULL;
  JrWorkerRequest request;
  gsize frame_size;

  g_assert_cmpint (jr_worker_request_decode (data, len, &request, &frame_size, &error), ==,
                   JR_FRAME_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (frame_size, ==, expected_size);
  g_assert_cmpint (request.kind, ==, kind);
  g_assert_cmpuint (request.job_id, ==, job_id);
  g_assert_cmpstr (request.name, ==, name);
  if (args_text == NULL)
    g_assert_null (request.args);
  else
    {
      g_autofree char *text = g_variant_print (request.args, TRUE);

      g_assert_cmpstr (text, ==, args_text);
    }
  jr_worker_request_clear (&request);
}

static void
test_request_round_trip (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autofree guint8 *run = NULL;
  g_autofree guint8 *cancel = NULL;
  g_autofree guint8 *recall = NULL;
  gsize run_size, cancel_size, recall_size;

  run = jr_worker_request_encode (JR_WORKER_REQUEST_RUN, 42, "count-primes",
                                  g_variant_new ("(ts)", (guint64) 1000, "ü"), &run_size);
  cancel = jr_worker_request_encode (JR_WORKER_REQUEST_CANCEL, 42, NULL, NULL, &cancel_size);
  recall = jr_worker_request_encode (JR_WORKER_REQUEST_RECALL, G_MAXUINT64, NULL, NULL, &recall_size);
  g_assert_cmpuint (run_size % 8, ==, 0);

  /* One after the other, as on the socket. */
  g_byte_array_append (stream, run, (guint) run_size);
  g_byte_array_append (stream, cancel, (guint) cancel_size);
  g_byte_array_append (stream, recall, (guint) recall_size);
  assert_request (stream->data, stream->len, JR_WORKER_REQUEST_RUN, 42, "count-primes",
                  "(uint64 1000, 'ü')", run_size);
  assert_request (stream->data + run_size, stream->len - run_size, JR_WORKER_REQUEST_CANCEL, 42,
                  "", NULL, cancel_size);
  assert_request (stream->data + run_size + cancel_size, recall_size, JR_WORKER_REQUEST_RECALL,
                  G_MAXUINT64, "", NULL, recall_size);
}

/* The ACK a command worker gets back (jr-worker-pool-worker.c): a request
 * of its own, small, that decodes. */
static void
test_request_ack (void)
{
  gsize size;
  g_autofree guint8 *ack = jr_worker_request_encode (JR_WORKER_REQUEST_ACK, 0, NULL, NULL, &size);

  g_assert_cmpuint (size, <=, 64);
  assert_request (ack, size, JR_WORKER_REQUEST_ACK, 0, "", NULL, size);
}

/* A frame comes in pieces: the reader waits for the rest, and says how
 * much the whole frame is once it has the header. */
static void
test_request_partial (void)
{
  g_autofree guint8 *run = NULL;
  gsize size;

  run = jr_worker_request_encode (JR_WORKER_REQUEST_RUN, 1, "echo", NULL, &size);
  for (gsize len = 0; len < size; len++)
    {
      JrWorkerRequest request;
      gsize frame_size;

      g_assert_cmpint (jr_worker_request_decode (run, len, &request, &frame_size, NULL), ==,
                       JR_FRAME_NEED_MORE);
      g_assert_cmpuint (frame_size, ==, len < JR_FRAME_HEADER_SIZE ? 0 : size);
    }
  assert_request (run, size, JR_WORKER_REQUEST_RUN, 1, "echo", NULL, size);
}

static void
test_request_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *frame = NULL;
  g_autoptr(GVariant) odd_kind = NULL;
  guint8 garbage[32] = { 0xde, 0xad };
  guint8 wrong_type[64];
  JrWorkerRequest request;
  gsize size, frame_size;

  /* No magic: the stream is lost. */
  g_assert_cmpint (jr_worker_request_decode (garbage, sizeof garbage, &request, &frame_size, &error),
                   ==, JR_FRAME_CORRUPT);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A well-framed value of another type: skipped. */
  size = jr_frame_write_header (wrong_type, 5, "u", 4);
  memset (wrong_type + jr_frame_data_offset (2), 0, 4);
  g_assert_cmpint (jr_worker_request_decode (wrong_type, size, &request, &frame_size, &error), ==,
                   JR_FRAME_SKIP);
  g_assert_cmpuint (frame_size, ==, size);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* An unknown kind: skipped. */
  frame = jr_worker_request_encode ('?', 5, NULL, NULL, &size);
  g_assert_cmpint (jr_worker_request_decode (frame, size, &request, &frame_size, &error), ==,
                   JR_FRAME_SKIP);
  g_assert_null (request.value);
  g_assert_nonnull (error);
}

/* ---- a worker's reader of its requests ---- */

/* Feeds @data @chunk bytes at a time; returns the kinds of the requests
 * taken, in order, and counts those dropped. */
static GString *
read_in_pieces (const guint8 *data,
                gsize         len,
                gsize         chunk,
                guint        *n_dropped)
{
  JrRequestReader reader;
  GString *kinds = g_string_new (NULL);

  *n_dropped = 0;
  jr_request_reader_init (&reader);
  for (gsize offset = 0; offset < len; offset += chunk)
    {
      JrFrameStatus status;

      jr_request_reader_add (&reader, data + offset, MIN (chunk, len - offset));
      do
        {
          g_autoptr(GError) error = NULL;
          JrWorkerRequest request;

          status = jr_request_reader_next (&reader, &request, &error);
          g_assert_cmpint (status, !=, JR_FRAME_CORRUPT);
          if (status == JR_FRAME_OK)
            {
              g_string_append_c (kinds, (char) request.kind);
              jr_worker_request_clear (&request);
            }
          else if (status == JR_FRAME_SKIP)
            (*n_dropped)++;
          else
            g_assert_cmpuint (jr_request_reader_want (&reader), >=, 4096);
        }
      while (status != JR_FRAME_NEED_MORE);
    }
  g_assert_false (jr_request_reader_has_unread (&reader));
  jr_request_reader_clear (&reader);
  return kinds;
}

static void
append_request (GByteArray          *stream,
                JrWorkerRequestKind  kind,
                const char          *name,
                GVariant            *args)
{
  gsize size;
  g_autofree guint8 *frame = jr_worker_request_encode (kind, 1, name, args, &size);

  g_byte_array_append (stream, frame, (guint) size);
}

/* Requests come out whole and in order however the reads cut them. */
static void
test_request_reader_in_pieces (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  static const gsize chunks[] = { 1, 3, 16, 17, 4096 };

  append_request (stream, JR_WORKER_REQUEST_RUN, "echo", g_variant_new ("(s)", "x"));
  append_request (stream, JR_WORKER_REQUEST_CANCEL, NULL, NULL);
  append_request (stream, JR_WORKER_REQUEST_ACK, NULL, NULL);
  append_request (stream, JR_WORKER_REQUEST_QUIT, NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      guint n_dropped;
      g_autoptr(GString) kinds = read_in_pieces (stream->data, stream->len, chunks[i], &n_dropped);

      g_assert_cmpstr (kinds->str, ==, "RCAQ");
      g_assert_cmpuint (n_dropped, ==, 0);
    }
}

/* A request it refuses from its header alone (over the size limit, a type
 * no request has) is dropped as the rest of it comes, however it comes;
 * the next one is read. */
static void
test_request_reader_drops_what_it_refuses (void)
{
  gsize over_size = jr_frame_size_for (strlen (JR_WORKER_REQUEST_TYPE) + 1, JR_MESSAGE_SIZE_MAX + 1);
  gsize bad_size = jr_frame_size_for (3, 100);
  static const gsize chunks[] = { 1, 24, 4096, 1 << 20 };

  for (guint which = 0; which < 2; which++)
    {
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      gsize size = which == 0 ? over_size : bad_size;

      g_byte_array_set_size (stream, (guint) size);
      memset (stream->data, 0, size);
      if (which == 0)
        jr_frame_write_header (stream->data, 1, JR_WORKER_REQUEST_TYPE, JR_MESSAGE_SIZE_MAX + 1);
      else
        jr_frame_write_header (stream->data, 1, "zz", 100);
      append_request (stream, JR_WORKER_REQUEST_CANCEL, NULL, NULL);
      for (gsize i = 0; i < G_N_ELEMENTS (chunks); i++)
        {
          guint n_dropped;
          g_autoptr(GString) kinds = NULL;

          /* One byte at a time through 32 MiB is slow: not for that one. */
          if (which == 0 && chunks[i] == 1)
            continue;
          kinds = read_in_pieces (stream->data, stream->len, chunks[i], &n_dropped);
          g_assert_cmpstr (kinds->str, ==, "C");
          g_assert_cmpuint (n_dropped, ==, 1);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/job-message/tags", test_job_message_tags);
  g_test_add_func ("/wire/job-message/progress", test_job_message_progress);
  g_test_add_func ("/wire/job-message/values", test_job_message_values);
  g_test_add_func ("/wire/job-message/refused", test_job_message_refused);
  g_test_add_func ("/wire/job-message/error-shapes", test_job_message_error_shapes);
  g_test_add_func ("/wire/job-message/error-domains", test_job_message_error_domains);
  g_test_add_func ("/wire/worker-request/round-trip", test_request_round_trip);
  g_test_add_func ("/wire/worker-request/ack", test_request_ack);
  g_test_add_func ("/wire/worker-request/partial", test_request_partial);
  g_test_add_func ("/wire/worker-request/refused", test_request_refused);
  g_test_add_func ("/wire/request-reader/in-pieces", test_request_reader_in_pieces);
  g_test_add_func ("/wire/request-reader/drops-what-it-refuses",
                   test_request_reader_drops_what_it_refuses);

  return g_test_run ();
}
