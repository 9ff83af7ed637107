/* jr-frame.c — encode and check the frames of a cross-process queue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The decoder never trusts its input: a worker may write anything. It
 * tells apart a frame that can be skipped (framing intact, content bad)
 * from a stream that has lost its framing for good.
 */
#include "jr-frame-private.h"

#include <string.h>

#include "jobrouter.h"

gsize
jr_frame_data_offset (gsize type_size)
{
  return JR_FRAME_HEADER_SIZE + JR_FRAME_ALIGN (type_size);
}

gsize
jr_frame_size_for (gsize type_size,
                   gsize data_size)
{
  return jr_frame_data_offset (type_size) + JR_FRAME_ALIGN (data_size);
}

gsize
jr_frame_write_header (guint8     *out,
                       guint64     connection_id,
                       const char *type_string,
                       gsize       data_size)
{
  gsize type_size = strlen (type_string) + 1;
  gsize data_offset = jr_frame_data_offset (type_size);
  gsize frame_size = jr_frame_size_for (type_size, data_size);
  JrFrameHeader header = {
    .data_size = (guint32) data_size,
    .type_size = (guint16) type_size,
    .magic = JR_FRAME_MAGIC,
    .connection_id = connection_id,
  };

  g_assert (type_size <= JR_FRAME_TYPE_MAX);
  g_assert (data_size <= G_MAXUINT32);

  memcpy (out, &header, sizeof header);
  memcpy (out + JR_FRAME_HEADER_SIZE, type_string, type_size);
  memset (out + JR_FRAME_HEADER_SIZE + type_size, 0, data_offset - JR_FRAME_HEADER_SIZE - type_size);
  /* Zero the tail padding now; the value is stored in front of it later. */
  memset (out + data_offset + data_size, 0, frame_size - data_offset - data_size);

  return frame_size;
}

JrFrameStatus
jr_frame_peek (const guint8  *data,
               gsize          len,
               JrFrameHeader *header,
               const char   **type_string,
               gsize         *frame_size,
               GError       **error)
{
  const char *type;

  *frame_size = 0;
  *type_string = NULL;

  if (len < JR_FRAME_HEADER_SIZE)
    return JR_FRAME_NEED_MORE;

  memcpy (header, data, sizeof *header);

  if (header->magic != JR_FRAME_MAGIC)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "bad frame magic 0x%04x", header->magic);
      return JR_FRAME_CORRUPT;
    }
  if (header->type_size == 0 || header->type_size > JR_FRAME_TYPE_MAX)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "bad type size %u", header->type_size);
      return JR_FRAME_CORRUPT;
    }

  *frame_size = jr_frame_size_for (header->type_size, header->data_size);

  if (header->data_size > JR_MESSAGE_SIZE_MAX)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE,
                   "message of %u bytes is over the limit of %u bytes",
                   header->data_size, JR_MESSAGE_SIZE_MAX);
      return JR_FRAME_SKIP;
    }

  if (len < JR_FRAME_HEADER_SIZE + header->type_size)
    return JR_FRAME_NEED_MORE;

  type = (const char *) data + JR_FRAME_HEADER_SIZE;
  if (type[header->type_size - 1] != '\0' ||
      strlen (type) != (gsize) header->type_size - 1u ||
      !g_variant_type_string_is_valid (type) ||
      !g_variant_type_is_definite (G_VARIANT_TYPE (type)))
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "invalid GVariant type string");
      return JR_FRAME_SKIP;
    }

  if (len < *frame_size)
    return JR_FRAME_NEED_MORE;

  *type_string = type;
  return JR_FRAME_OK;
}

GVariant *
jr_frame_to_variant (const JrFrameHeader *header,
                     const char          *type_string,
                     const guint8        *frame,
                     GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) value = NULL;

  bytes = g_bytes_new (frame + jr_frame_data_offset (header->type_size), header->data_size);
  value = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type_string), bytes, FALSE));

  if (!g_variant_is_normal_form (value))
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "message of type %s is not in normal form", type_string);
      return NULL;
    }

  return g_steal_pointer (&value);
}
