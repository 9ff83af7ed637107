/* fuzz-request-reader.c — libFuzzer target for a worker's reader of its
 * requests (router/jr-request-reader.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first byte sets how many bytes each read gives (1 to 256); the rest
 * are what the worker's socket or standard input holds. Feeds them a read
 * at a time and takes every request it can after each, as a worker does.
 * Besides the sanitizers it checks the reader's promises: a request taken
 * or dropped always moves forward, a read is asked for whenever nothing
 * can be taken, and GLib never complains (a failed g_return_if_fail()
 * here once left a worker spinning for ever).
 *
 * Run: ./fuzz-request-reader -max_total_time=20 NEW_CORPUS_DIR tests/fuzz/corpus-request-reader
 */
#include "jr-request-reader-private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* What is buffered and still to drop: a request taken or dropped lessens
 * it, or ends the skipping of one. */
static guint64
pending (JrRequestReader *reader)
{
  return reader->buffer->len + reader->skip;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  JrRequestReader reader;
  gsize chunk, offset = 1;
  gboolean corrupt = FALSE;

  if (size < 1)
    return 0;
  chunk = (gsize) data[0] + 1;
  jr_request_reader_init (&reader);

  while (offset < size && !corrupt)
    {
      gsize n = MIN (chunk, size - offset);

      jr_request_reader_add (&reader, data + offset, n);
      offset += n;

      for (;;)
        {
          GError *error = NULL;
          JrWorkerRequest request;
          guint64 before = pending (&reader);
          JrFrameStatus status = jr_request_reader_next (&reader, &request, &error);

          if (status == JR_FRAME_NEED_MORE)
            {
              if (error != NULL || jr_request_reader_want (&reader) == 0)
                abort ();
              break;
            }
          if (status == JR_FRAME_CORRUPT)
            {
              if (error == NULL)
                abort ();
              g_error_free (error);
              corrupt = TRUE;
              break;
            }
          if ((status == JR_FRAME_SKIP) != (error != NULL))
            abort ();
          if (pending (&reader) >= before && !(status == JR_FRAME_SKIP && reader.skip > 0))
            abort ();
          if (status == JR_FRAME_OK)
            {
              if (request.value == NULL || request.name == NULL)
                abort ();
              jr_worker_request_clear (&request);
            }
          g_clear_error (&error);
        }
    }

  jr_request_reader_clear (&reader);
  return 0;
}
