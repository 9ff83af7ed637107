/* fuzz-frame.c — libFuzzer target for the frame decoder (router/jr-frame.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds arbitrary bytes through the loop a queue reader runs: peek, decode
 * whole frames, consume frame_size bytes on OK and SKIP, stop on NEED_MORE
 * and CORRUPT. Besides the sanitizers it checks the decoder's promises: an
 * OK frame fits in what was given and decodes to a normal-form value of
 * its type; OK and SKIP always move forward.
 *
 * Run: ./fuzz-frame -max_total_time=20 NEW_CORPUS_DIR tests/fuzz/corpus
 */
#include "jr-frame-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A ring hands out frames at 8-byte aligned addresses; a malloc'd copy
   * of exactly @size bytes keeps that and lets ASan see any over-read. */
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
      gsize left = size - offset;
      JrFrameStatus status;

      status = jr_frame_peek (buf + offset, left, &header, &type_string, &frame_size, &error);

      if (status == JR_FRAME_OK)
        {
          GVariant *value;

          if (error != NULL || type_string == NULL || frame_size == 0 || frame_size > left ||
              header.magic != JR_FRAME_MAGIC)
            abort ();

          value = jr_frame_to_variant (&header, type_string, buf + offset, &error);
          if (value != NULL)
            {
              char *text;

              if (error != NULL || !g_variant_is_normal_form (value) ||
                  strcmp (g_variant_get_type_string (value), type_string) != 0)
                abort ();
              /* Walk the whole value, as a receiver would. */
              text = g_variant_print (value, TRUE);
              g_free (text);
              g_variant_unref (value);
            }
          else
            {
              /* Refused: GLib must agree that it is not in normal form. */
              GVariant *untrusted = g_variant_ref_sink (
                g_variant_new_from_data (G_VARIANT_TYPE (type_string),
                                         buf + offset + jr_frame_data_offset (header.type_size),
                                         header.data_size, FALSE, NULL, NULL));

              if (error == NULL || g_variant_is_normal_form (untrusted))
                abort ();
              g_variant_unref (untrusted);
            }
          g_clear_error (&error);
          offset += frame_size;
        }
      else if (status == JR_FRAME_SKIP)
        {
          if (error == NULL || frame_size == 0)
            abort ();
          g_clear_error (&error);
          if (frame_size >= left)
            break;  /* the reader would skip past what we have */
          offset += frame_size;
        }
      else if (status == JR_FRAME_NEED_MORE || status == JR_FRAME_CORRUPT)
        {
          if ((status == JR_FRAME_CORRUPT) != (error != NULL))
            abort ();
          g_clear_error (&error);
          break;
        }
      else
        abort ();
    }

  g_free (buf);
  return 0;
}
