/* jr-frame-private.h — the byte format of a message on a cross-process queue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A frame is a 16-byte header, the NUL-terminated GVariant type string
 * padded to 8 bytes, then the serialized value padded to 8 bytes:
 *
 *   guint32 data_size   serialized size of the value
 *   guint16 type_size   bytes of the type string, NUL included
 *   guint16 magic       JR_FRAME_MAGIC
 *   guint64 connection_id
 *
 * Host byte order: both ends are on one machine. Pure functions; any thread.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define JR_FRAME_MAGIC        0x4a52u   /* "JR" */
#define JR_FRAME_HEADER_SIZE  16u
#define JR_FRAME_TYPE_MAX     256u
#define JR_FRAME_ALIGN(n)     (((gsize) (n) + 7u) & ~(gsize) 7u)

typedef struct {
  guint32 data_size;
  guint16 type_size;
  guint16 magic;
  guint64 connection_id;
} JrFrameHeader;

G_STATIC_ASSERT (sizeof (JrFrameHeader) == JR_FRAME_HEADER_SIZE);

typedef enum {
  JR_FRAME_OK,          /* a whole frame: *frame_size bytes */
  JR_FRAME_NEED_MORE,   /* not enough bytes yet */
  JR_FRAME_SKIP,        /* a well-framed frame to drop: *frame_size bytes; error says why */
  JR_FRAME_CORRUPT,     /* framing is lost: the stream cannot go on */
} JrFrameStatus;

/* Size of the frame that carries @value_size bytes of a value of @type. */
gsize         jr_frame_size_for     (gsize          type_size,
                                     gsize          data_size);

/* Writes the header and type string; the caller stores the value at
 * out + jr_frame_data_offset (type_size). Returns the frame size. */
gsize         jr_frame_write_header (guint8        *out,
                                     guint64        connection_id,
                                     const char    *type_string,
                                     gsize          data_size);
gsize         jr_frame_data_offset  (gsize          type_size);

/* Whether @type_size bytes at @type are a NUL-terminated, valid and
 * definite GVariant type string. */
gboolean      jr_frame_type_is_valid (const char *type,
                                      gsize       type_size);

/* Only the framing: the header, and whether the frame is all there (or
 * too large, SKIP, or unreadable, CORRUPT). The type string is not
 * checked: for a reader that checks it later, on a copy. */
JrFrameStatus jr_frame_peek_framing (const guint8  *data,
                                     gsize          len,
                                     JrFrameHeader *header,
                                     gsize         *frame_size,
                                     GError       **error);

/* Looks at the bytes at @data; on OK, @header and @type_string describe the
 * frame and its value starts at data + jr_frame_data_offset(). On SKIP and
 * CORRUPT, @error says why. Reads at most @len bytes. */
JrFrameStatus jr_frame_peek         (const guint8  *data,
                                     gsize          len,
                                     JrFrameHeader *header,
                                     const char   **type_string,
                                     gsize         *frame_size,
                                     GError       **error);

/* Turns a whole frame into its message, checking that the value is in
 * normal form. Returns NULL with @error set for a frame to drop. The
 * value copies its bytes, or, when @block is given and holds @frame,
 * shares them. */
GVariant     *jr_frame_to_variant   (const JrFrameHeader *header,
                                     const char          *type_string,
                                     const guint8        *frame,
                                     GError             **error);
GVariant     *jr_frame_to_variant_in (const JrFrameHeader *header,
                                      const char          *type_string,
                                      const guint8        *frame,
                                      GBytes              *block,
                                      GError             **error);

/* 1 or 0 when @type is a numeric layout whose normal form is checked
 * directly; -1 otherwise (ask g_variant_is_normal_form()). */
int           jr_frame_numeric_is_normal (const char   *type,
                                          const guint8 *data,
                                          gsize         size);

/* Whether a reader of frames, which takes @value's bytes as untrusted
 * data, accepts them: GLib checks a value made here only when asked, and
 * refuses from outside what nests deeper than it allows. */
gboolean      jr_frame_value_readable (GVariant *value);

G_END_DECLS
