/* fuzz-job-message.c — libFuzzer target for the reader of the messages a
 * worker sends its executor (router/jr-job-message.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is what a worker process writes to its queue: frames. Each one
 * that the monitor would accept (framing, type string, normal form) is
 * read as the executor reads it. Besides the sanitizers it checks the
 * reader's promises: a message it accepts has a known tag that fits its
 * shape, a job id exactly when the tag is a job's, a progress text that is
 * valid UTF-8 inside the message, and an error payload always gives a
 * GError. A flat message read where it lies (jr_job_message_parse_flat(),
 * as the executor's pipes take a worker's STARTED) reads the same as
 * through its GVariant.
 *
 * Run: ./fuzz-job-message -max_total_time=20 NEW_CORPUS_DIR tests/fuzz/corpus-job-message
 */
#include "jr-frame-private.h"
#include "jr-job-message-private.h"
#include "jr-sender-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The reader never sends: these only satisfy the linker. */
gboolean
jr_sender_send (JrSender  *self,
                GVariant  *message,
                GError   **error)
{
  abort ();
}

gboolean
jr_sender_send_data (JrSender           *self,
                     const GVariantType *type,
                     gconstpointer       data,
                     gsize               size,
                     GError            **error)
{
  abort ();
}

gboolean
jr_sender_send_data_deferred (JrSender           *self,
                              const GVariantType *type,
                              gconstpointer       data,
                              gsize               size,
                              GError            **error)
{
  abort ();
}

static gboolean
is_worker_tag (guchar tag)
{
  return tag == JR_JOB_MSG_READY || tag == JR_JOB_MSG_FATAL || tag == JR_JOB_MSG_EXITED;
}

static void
read_message (GVariant *message)
{
  JrJobMessageParts parts;
  const guint8 *bytes = g_variant_get_data (message);
  gsize size = g_variant_get_size (message);

  const char *type = g_variant_get_type_string (message);
  gboolean is_flat = strcmp (type, "(ty)") == 0 || strcmp (type, "(tyd)") == 0 ||
                     strcmp (type, "(tyds)") == 0;
  JrJobMessageParts flat;
  gboolean flat_read = jr_job_message_parse_flat (type, bytes, size, &flat);
  gboolean read = jr_job_message_parse (message, &parts);

  if (flat_read && (!is_flat || !read || flat.job_id != parts.job_id || flat.tag != parts.tag ||
                    memcmp (&flat.fraction, &parts.fraction, sizeof (double)) != 0 ||
                    flat.text != parts.text || flat.payload != NULL))
    abort ();
  if (is_flat && read && !flat_read)
    abort ();
  if (!read)
    {
      if (parts.payload != NULL)
        abort ();
      return;
    }

  if ((parts.job_id == 0) != is_worker_tag (parts.tag))
    abort ();
  if (parts.text != NULL &&
      ((const guint8 *) parts.text < bytes || (const guint8 *) parts.text >= bytes + size ||
       !g_utf8_validate (parts.text, -1, NULL)))
    abort ();
  switch (parts.tag)
    {
    case JR_JOB_MSG_RESULT:
    case JR_JOB_MSG_YIELD:
    case JR_JOB_MSG_FATAL:
      if (parts.payload == NULL)
        abort ();
      break;
    case JR_JOB_MSG_READY:
      /* With or without a payload: a stream worker says where it runs (the
       * pool takes only a vardict, and from it one bounded line). */
      break;
    case JR_JOB_MSG_ERROR:
      {
        GError *error = jr_job_message_to_error (parts.payload);

        if (error == NULL || error->message == NULL)
          abort ();
        g_error_free (error);
      }
      break;
    default:
      if (parts.payload != NULL)
        abort ();
      break;
    }
  jr_job_message_parts_clear (&parts);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* Frames come 8-byte aligned; an exact copy lets ASan see over-reads. */
  guint8 *buf = g_malloc (MAX (size, 1));
  gsize offset = 0;

  if (size > 0)
    memcpy (buf, data, size);

  while (offset < size)
    {
      GError *error = NULL;
      JrFrameHeader header;
      const char *type_string = NULL;
      gsize frame_size = 0;
      JrFrameStatus status = jr_frame_peek (buf + offset, size - offset, &header, &type_string,
                                            &frame_size, &error);

      g_clear_error (&error);
      if (status == JR_FRAME_OK)
        {
          GVariant *message = jr_frame_to_variant (&header, type_string, buf + offset, NULL);

          if (message != NULL)
            {
              read_message (message);
              g_variant_unref (message);
            }
          offset += frame_size;
        }
      else if (status == JR_FRAME_SKIP && frame_size > 0 && frame_size < size - offset)
        offset += frame_size;
      else
        break;
    }

  g_free (buf);
  return 0;
}
