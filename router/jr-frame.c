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

gboolean
jr_frame_type_is_valid (const char *type,
                        gsize       type_size)
{
  return type_size > 0 && type[type_size - 1] == '\0' &&
         strlen (type) == type_size - 1 &&
         g_variant_type_string_is_valid (type) &&
         g_variant_type_is_definite ((const GVariantType *) type);
}

JrFrameStatus
jr_frame_peek_framing (const guint8  *data,
                       gsize          len,
                       JrFrameHeader *header,
                       gsize         *frame_size,
                       GError       **error)
{
  *frame_size = 0;

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

  return len < *frame_size ? JR_FRAME_NEED_MORE : JR_FRAME_OK;
}

JrFrameStatus
jr_frame_peek (const guint8  *data,
               gsize          len,
               JrFrameHeader *header,
               const char   **type_string,
               gsize         *frame_size,
               GError       **error)
{
  JrFrameStatus status = jr_frame_peek_framing (data, len, header, frame_size, error);
  const char *type;

  *type_string = NULL;
  /* Before its header is all there, the header is not read. */
  if (status == JR_FRAME_CORRUPT || status == JR_FRAME_SKIP || len < JR_FRAME_HEADER_SIZE ||
      len < JR_FRAME_HEADER_SIZE + header->type_size)
    return status;

  /* The type string is judged as soon as it is there, so that a frame that
   * will be dropped anyway is not waited for. */
  type = (const char *) data + JR_FRAME_HEADER_SIZE;
  if (!jr_frame_type_is_valid (type, header->type_size))
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "invalid GVariant type string");
      return JR_FRAME_SKIP;
    }

  if (status == JR_FRAME_OK)
    *type_string = type;
  return status;
}

/* Size of a fixed-size numeric basic type (its alignment too), or 0.
 * Booleans are left out: only 0 and 1 are normal. */
static gsize
numeric_size (char c)
{
  switch (c)
    {
    case 'y':
      return 1;
    case 'n': case 'q':
      return 2;
    case 'i': case 'u': case 'h':
      return 4;
    case 'x': case 't': case 'd':
      return 8;
    default:
      return 0;
    }
}

static gboolean
zeroes (const guint8 *data,
        gsize         from,
        gsize         to)
{
  for (gsize i = from; i < to; i++)
    if (data[i] != 0)
      return FALSE;
  return TRUE;
}

/* The layouts messages mostly have — a numeric, an array of numerics, or
 * a tuple of numerics that may end in one array of numerics — have no
 * framing offsets: they are in normal form exactly when their sizes fit
 * and their padding is zero. Checking that directly is far cheaper than
 * GLib's walk over every element. Returns -1 for any other type. */
int
jr_frame_numeric_is_normal (const char   *type,
                            const guint8 *data,
                            gsize         size)
{
  gsize offset = 0, align = 1, elem;

  /* The type string was checked: a single complete type. */
  if ((elem = numeric_size (type[0])) != 0 && type[1] == '\0')
    return size == elem;
  if (type[0] == 'a' && (elem = numeric_size (type[1])) != 0 && type[2] == '\0')
    return size % elem == 0;
  if (type[0] != '(' || type[1] == ')')
    return -1;

  for (const char *t = type + 1; *t != ')'; t++)
    {
      if (*t == 'a' && (elem = numeric_size (t[1])) != 0 && t[2] == ')' && t[3] == '\0')
        {
          /* The last member may be an array: it takes the rest. */
          gsize start = (offset + elem - 1) & ~(elem - 1);

          return start <= size && zeroes (data, offset, start) && (size - start) % elem == 0;
        }
      if ((elem = numeric_size (*t)) == 0)
        return -1;
      {
        gsize start = (offset + elem - 1) & ~(elem - 1);

        if (start + elem > size || !zeroes (data, offset, start))
          return 0;
        offset = start + elem;
        align = MAX (align, elem);
      }
    }
  /* All fixed: the tuple is padded to its alignment. */
  {
    gsize total = (offset + align - 1) & ~(align - 1);

    return size == total && zeroes (data, offset, total);
  }
}

GVariant *
jr_frame_to_variant (const JrFrameHeader *header,
                     const char          *type_string,
                     const guint8        *frame,
                     GError             **error)
{
  return jr_frame_to_variant_in (header, type_string, frame, NULL, error);
}

GVariant *
jr_frame_to_variant_in (const JrFrameHeader *header,
                        const char          *type_string,
                        const guint8        *frame,
                        GBytes              *block,
                        GError             **error)
{
  const guint8 *data = frame + jr_frame_data_offset (header->type_size);
  /* jr_frame_peek() has checked the type string. */
  const GVariantType *type = (const GVariantType *) type_string;
  int normal = jr_frame_numeric_is_normal (type_string, data, header->data_size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) value = NULL;

  if (normal == 0)
    goto not_normal;

  if (block != NULL)
    bytes = g_bytes_new_from_bytes (block, data - (const guint8 *) g_bytes_get_data (block, NULL),
                                    header->data_size);
  else
    bytes = g_bytes_new (data, header->data_size);

  /* Known normal: GLib need not check again on every access. */
  value = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, normal == 1));
  if (normal == -1 && !g_variant_is_normal_form (value))
    goto not_normal;

  return g_steal_pointer (&value);

not_normal:
  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
               "message of type %s is not in normal form", type_string);
  return NULL;
}

gboolean
jr_frame_value_readable (GVariant *value)
{
  g_autoptr(GVariant) untrusted = NULL;

  untrusted = g_variant_ref_sink (g_variant_new_from_data (g_variant_get_type (value),
                                                           g_variant_get_data (value),
                                                           g_variant_get_size (value),
                                                           FALSE, NULL, NULL));
  return g_variant_is_normal_form (untrusted);
}
