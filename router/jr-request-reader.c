/* jr-request-reader.c — a worker's side of its request stream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "jr-request-reader-private.h"

#define READ_MIN   4096u
/* What is read at a time of a request being dropped. */
#define SKIP_READ_MAX (1u << 20)

void
jr_request_reader_init (JrRequestReader *reader)
{
  reader->buffer = g_byte_array_new ();
  reader->want = READ_MIN;
  reader->skip = 0;
}

void
jr_request_reader_clear (JrRequestReader *reader)
{
  g_clear_pointer (&reader->buffer, g_byte_array_unref);
}

void
jr_request_reader_add (JrRequestReader *reader,
                       const guint8    *data,
                       gsize            len)
{
  g_byte_array_append (reader->buffer, data, (guint) len);
}

gsize
jr_request_reader_want (JrRequestReader *reader)
{
  return MAX (reader->want, READ_MIN);
}

gboolean
jr_request_reader_has_unread (JrRequestReader *reader)
{
  return reader->buffer->len > 0;
}

/* Drops what is here of the request being skipped. TRUE once all of it
 * has gone. */
static gboolean
skip_some (JrRequestReader *reader)
{
  gsize dropped = (gsize) MIN (reader->skip, (guint64) reader->buffer->len);

  g_byte_array_remove_range (reader->buffer, 0, (guint) dropped);
  reader->skip -= dropped;
  if (reader->skip == 0)
    return TRUE;
  reader->want = (gsize) MIN (reader->skip, (guint64) SKIP_READ_MAX);
  return FALSE;
}

JrFrameStatus
jr_request_reader_next (JrRequestReader *reader,
                        JrWorkerRequest *request,
                        GError         **error)
{
  GByteArray *buffer = reader->buffer;
  JrFrameStatus status;
  gsize frame_size, dropped;

  if (reader->skip > 0 && !skip_some (reader))
    return JR_FRAME_NEED_MORE;

  status = jr_worker_request_decode (buffer->data, buffer->len, request, &frame_size, error);
  switch (status)
    {
    case JR_FRAME_NEED_MORE:
      reader->want = frame_size > buffer->len ? frame_size - buffer->len : READ_MIN;
      return status;
    case JR_FRAME_OK:
      g_byte_array_remove_range (buffer, 0, (guint) frame_size);
      reader->want = READ_MIN;
      return status;
    case JR_FRAME_SKIP:
      /* Maybe before the rest of it is here. */
      dropped = MIN (frame_size, (gsize) buffer->len);
      g_byte_array_remove_range (buffer, 0, (guint) dropped);
      reader->skip = frame_size - dropped;
      reader->want = READ_MIN;
      return status;
    case JR_FRAME_CORRUPT:
    default:
      return JR_FRAME_CORRUPT;
    }
}
