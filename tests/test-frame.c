/* test-frame.c — tests of router/jr-frame.c, the byte format of a message
 * on a cross-process queue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every peek is given a buffer of exactly the length it is told about, so
 * that a read past it shows under valgrind or ASan.
 */
#include <jobrouter.h>

#include "jr-frame-private.h"
#include "jr-test.h"

#include <string.h>

/* Builds the frame of @value with jr_frame_write_header + g_variant_store,
 * the way a writer does. */
static guint8 *
frame_for_value (guint64   connection_id,
                 GVariant *value,
                 gsize    *size)
{
  const char *type = g_variant_get_type_string (value);
  gsize type_size = strlen (type) + 1;
  gsize data_size = g_variant_get_size (value);
  gsize frame_size = jr_frame_size_for (type_size, data_size);
  guint8 *frame = g_malloc (frame_size);

  /* Garbage everywhere first: the writer must set every byte it owns. */
  memset (frame, 0xcd, frame_size);
  g_assert_cmpuint (jr_frame_write_header (frame, connection_id, type, data_size), ==, frame_size);
  g_variant_store (value, frame + jr_frame_data_offset (type_size));
  *size = frame_size;
  return frame;
}

/* jr_frame_peek on an exact copy of the first @len bytes. */
static JrFrameStatus
peek_copy (const guint8  *frame,
           gsize          len,
           JrFrameHeader *header,
           gsize         *frame_size,
           GError       **error)
{
  g_autofree guint8 *copy = g_memdup2 (frame, len);
  const char *type_string = NULL;
  JrFrameStatus status;

  status = jr_frame_peek (copy, len, header, &type_string, frame_size, error);
  if (status == JR_FRAME_OK)
    g_assert_nonnull (type_string);
  return status;
}

static void
test_layout (void)
{
  static const gsize type_sizes[] = { 1, 2, 7, 8, 9, 16, 255, JR_FRAME_TYPE_MAX };
  static const gsize data_sizes[] = { 0, 1, 7, 8, 9, 4096, JR_MESSAGE_SIZE_MAX };

  for (gsize i = 0; i < G_N_ELEMENTS (type_sizes); i++)
    {
      gsize offset = jr_frame_data_offset (type_sizes[i]);

      g_assert_cmpuint (offset, ==, JR_FRAME_HEADER_SIZE + JR_FRAME_ALIGN (type_sizes[i]));
      g_assert_cmpuint (offset % 8, ==, 0);
      for (gsize j = 0; j < G_N_ELEMENTS (data_sizes); j++)
        {
          gsize size = jr_frame_size_for (type_sizes[i], data_sizes[j]);

          g_assert_cmpuint (size, ==, offset + JR_FRAME_ALIGN (data_sizes[j]));
          g_assert_cmpuint (size % 8, ==, 0);
        }
    }
}

/* The header fields and padding that jr_frame_write_header writes. */
static void
test_write_header (void)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new ("(tu)", G_GUINT64_CONSTANT (0x1122334455667788), 42u));
  g_autofree guint8 *frame = NULL;
  JrFrameHeader header;
  gsize size;

  frame = frame_for_value (G_GUINT64_CONSTANT (0x0102030405060708), value, &size);
  memcpy (&header, frame, sizeof header);
  g_assert_cmpuint (header.magic, ==, JR_FRAME_MAGIC);
  g_assert_cmpuint (header.type_size, ==, 5);
  g_assert_cmpuint (header.data_size, ==, 16);
  g_assert_cmpuint (header.connection_id, ==, G_GUINT64_CONSTANT (0x0102030405060708));
  g_assert_cmpmem (frame + JR_FRAME_HEADER_SIZE, 5, "(tu)", 5);
  /* Padding after the type string is zero, not left over garbage. */
  for (gsize i = JR_FRAME_HEADER_SIZE + 5; i < jr_frame_data_offset (5); i++)
    g_assert_cmpuint (frame[i], ==, 0);
  g_assert_cmpuint (size, ==, 16 + 8 + 16);
}

static GVariant *
round_trip_values (guint i)
{
  g_autoptr(GVariantBuilder) builder = NULL;
  g_autofree guint8 *bytes = NULL;

  switch (i)
    {
    case 0: return g_variant_new ("(tu)", G_GUINT64_CONSTANT (5), 0u);
    case 1: return g_variant_new_boolean (TRUE);
    case 2: return g_variant_new_string ("");
    case 3: return g_variant_new_string ("hello, world");
    case 4: return g_variant_new ("()");
    case 5: return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, NULL, 0, 1);
    case 6: return g_variant_new ("(sxv)", "progress", G_GINT64_CONSTANT (-3), g_variant_new_double (0.25));
    case 7: return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
    case 8:
      builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (builder, "{sv}", "a", g_variant_new_uint32 (1));
      g_variant_builder_add (builder, "{sv}", "bb", g_variant_new_strv ((const char *[]) { "x", "yy", NULL }, -1));
      return g_variant_builder_end (builder);
    case 9:
      bytes = g_malloc (100003);
      for (gsize k = 0; k < 100003; k++)
        bytes[k] = (guint8) (k * 31);
      return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, bytes, 100003, 1);
    case 10: return g_variant_new ("(a(tu)as)", NULL, NULL);
    case 11: return g_variant_new ("((((((((((((((((((((y))))))))))))))))))))", 1);
    default: return NULL;
    }
}

/* write_header + g_variant_store → peek → to_variant gives the value back,
 * not pointing into the frame. */
static void
test_round_trip (void)
{
  GVariant *floating;

  for (guint i = 0; (floating = round_trip_values (i)) != NULL; i++)
    {
      g_autoptr(GVariant) value = g_variant_ref_sink (floating);
      g_autoptr(GVariant) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *frame = NULL;
      const char *type_string = NULL;
      JrFrameHeader header;
      gsize size, frame_size = 0;

      frame = frame_for_value (1000 + i, value, &size);
      g_assert_cmpint (jr_frame_peek (frame, size, &header, &type_string, &frame_size, &error),
                       ==, JR_FRAME_OK);
      g_assert_no_error (error);
      g_assert_cmpuint (frame_size, ==, size);
      g_assert_cmpuint (header.connection_id, ==, 1000 + i);
      g_assert_cmpuint (header.data_size, ==, g_variant_get_size (value));
      g_assert_cmpstr (type_string, ==, g_variant_get_type_string (value));

      back = jr_frame_to_variant (&header, type_string, frame, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);

      /* The ring is reused as soon as the frame is consumed. */
      memset (frame, 0xee, size);
      g_assert_true (g_variant_is_normal_form (back));
      g_assert_cmpstr (g_variant_get_type_string (back), ==, g_variant_get_type_string (value));
      g_assert_true (g_variant_equal (back, value));
    }
}

/* Frames one after another are read one by one, with no overlap. */
static void
test_back_to_back (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autofree guint8 *copy = NULL;
  gsize offset = 0;
  guint n = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GVariant) value = g_variant_ref_sink (round_trip_values (i * 3));
      g_autofree guint8 *frame = NULL;
      gsize size;

      frame = frame_for_value (i, value, &size);
      g_byte_array_append (stream, frame, size);
    }
  copy = g_memdup2 (stream->data, stream->len);

  while (offset < stream->len)
    {
      g_autoptr(GVariant) expected = g_variant_ref_sink (round_trip_values (n * 3));
      g_autoptr(GVariant) value = NULL;
      g_autoptr(GError) error = NULL;
      const char *type_string;
      JrFrameHeader header;
      gsize frame_size;

      g_assert_cmpint (jr_frame_peek (copy + offset, stream->len - offset, &header, &type_string,
                                      &frame_size, &error), ==, JR_FRAME_OK);
      g_assert_cmpuint (header.connection_id, ==, n);
      value = jr_frame_to_variant (&header, type_string, copy + offset, &error);
      g_assert_no_error (error);
      g_assert_true (g_variant_equal (value, expected));
      offset += frame_size;
      n++;
    }
  g_assert_cmpuint (offset, ==, stream->len);
  g_assert_cmpuint (n, ==, 3);
}

/* Every strict prefix of a good frame is NEED_MORE. */
static void
test_need_more (void)
{
  for (guint i = 0; i < 9; i++)
    {
      g_autoptr(GVariant) value = g_variant_ref_sink (round_trip_values (i));
      g_autofree guint8 *frame = NULL;
      gsize size;

      frame = frame_for_value (3, value, &size);
      for (gsize len = 0; len < size; len++)
        {
          g_autoptr(GError) error = NULL;
          JrFrameHeader header;
          gsize frame_size;

          if (peek_copy (frame, len, &header, &frame_size, &error) != JR_FRAME_NEED_MORE)
            g_error ("value %u: a prefix of %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                     " bytes is not NEED_MORE", i, len, size);
          g_assert_no_error (error);
        }
    }
}

static void
assert_status (const guint8  *frame,
               gsize          len,
               JrFrameStatus  expected,
               const char    *what)
{
  g_autoptr(GError) error = NULL;
  JrFrameHeader header;
  gsize frame_size;
  JrFrameStatus status = peek_copy (frame, len, &header, &frame_size, &error);

  if (status != expected)
    g_error ("%s: status %d, expected %d", what, status, expected);
  if (expected == JR_FRAME_SKIP || expected == JR_FRAME_CORRUPT)
    {
      g_assert_nonnull (error);
      g_test_message ("%s: %s", what, error->message);
    }
}

static void
test_corrupt_bad_magic (void)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new ("(tu)", G_GUINT64_CONSTANT (1), 2u));
  g_autofree guint8 *frame = NULL;
  JrFrameHeader header;
  gsize size;

  frame = frame_for_value (1, value, &size);
  memcpy (&header, frame, sizeof header);
  header.magic = 0x1234;
  memcpy (frame, &header, sizeof header);
  assert_status (frame, size, JR_FRAME_CORRUPT, "bad magic, whole frame");
  assert_status (frame, JR_FRAME_HEADER_SIZE, JR_FRAME_CORRUPT, "bad magic, header only");

  /* Text where a frame should start. */
  memset (frame, 'A', size);
  assert_status (frame, size, JR_FRAME_CORRUPT, "text");
  memset (frame, 0, size);
  assert_status (frame, size, JR_FRAME_CORRUPT, "zeros");
}

/* A type size that cannot hold a type string: the frame may be skipped or
 * the stream given up, but never taken or waited for. */
static void
test_bad_type_size (void)
{
  static const guint16 sizes[] = { 0, JR_FRAME_TYPE_MAX + 1, G_MAXUINT16 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *type = g_malloc0 (sizes[i] + 1u);
      g_autofree guint8 *frame = NULL;
      g_autoptr(GError) error = NULL;
      JrFrameHeader header;
      JrFrameStatus status;
      gsize size, frame_size;

      memset (type, 'y', sizes[i]);
      frame = jr_test_build_frame (7, JR_FRAME_MAGIC, type, sizes[i], 8,
                                   "\0\0\0\0\0\0\0\0", 8, &size);
      status = peek_copy (frame, size, &header, &frame_size, &error);
      g_assert_true (status == JR_FRAME_SKIP || status == JR_FRAME_CORRUPT);
      g_assert_nonnull (error);
      if (status == JR_FRAME_SKIP)
        g_assert_cmpuint (frame_size, ==, size);
    }
}

/* Invalid type strings are skipped whole: the next frame is still read. */
static void
test_skip_invalid_type (void)
{
  static const struct {
    const char *bytes;
    gsize size;
  } types[] = {
    { "(tu", 4 },
    { "z", 2 },
    { "", 1 },            /* empty: not a type */
    { "a", 2 },
    { "*", 2 },           /* not definite */
    { "?", 2 },
    { "r", 2 },
    { "a{vs}", 6 },       /* dict key must be basic */
    { "(tu)x", 6 },       /* trailing junk */
    { "(tu)", 4 },        /* no NUL within type_size */
    { "(t\0u)", 6 },      /* NUL inside */
    { "ss", 3 },          /* two types */
  };
  g_autoptr(GVariant) next = g_variant_ref_sink (g_variant_new ("(tu)", G_GUINT64_CONSTANT (9), 9u));
  g_autofree guint8 *next_frame = NULL;
  gsize next_size;

  next_frame = frame_for_value (9, next, &next_size);

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      g_autofree guint8 *frame = NULL;
      g_autofree guint8 *copy = NULL;
      g_autoptr(GVariant) value = NULL;
      const char *type_string;
      JrFrameHeader header;
      gsize size, frame_size = 0;
      JrFrameStatus status;

      frame = jr_test_build_frame (7, JR_FRAME_MAGIC, types[i].bytes, types[i].size, 16,
                                   "0123456789abcdef", 16, &size);
      g_byte_array_append (stream, frame, size);
      g_byte_array_append (stream, next_frame, next_size);
      copy = g_memdup2 (stream->data, stream->len);

      status = jr_frame_peek (copy, stream->len, &header, &type_string, &frame_size, &error);
      if (status != JR_FRAME_SKIP)
        g_error ("type string %" G_GSIZE_FORMAT " ('%s', %" G_GSIZE_FORMAT " bytes): status %d, expected SKIP",
                 i, types[i].bytes, types[i].size, status);
      g_assert_nonnull (error);
      g_assert_cmpuint (frame_size, ==, size);
      g_clear_error (&error);

      g_assert_cmpint (jr_frame_peek (copy + frame_size, stream->len - frame_size, &header,
                                      &type_string, &frame_size, &error), ==, JR_FRAME_OK);
      value = jr_frame_to_variant (&header, type_string, copy + size, &error);
      g_assert_no_error (error);
      g_assert_true (g_variant_equal (value, next));
    }
}

/* Over JR_MESSAGE_SIZE_MAX: SKIP as soon as the header is there, without
 * waiting for the data, with the size of the whole frame to skip. */
static void
test_skip_oversize (void)
{
  static const guint32 sizes[] = { JR_MESSAGE_SIZE_MAX + 1u, JR_MESSAGE_SIZE_MAX + 8u, G_MAXUINT32 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *frame = NULL;
      g_autoptr(GError) error = NULL;
      JrFrameHeader header;
      gsize size, frame_size = 0;

      frame = jr_test_build_frame (7, JR_FRAME_MAGIC, "ay", 3, sizes[i], NULL, 0, &size);
      g_assert_cmpint (peek_copy (frame, size, &header, &frame_size, &error), ==, JR_FRAME_SKIP);
      g_assert_nonnull (error);
      g_assert_cmpuint (frame_size, ==, jr_frame_size_for (3, sizes[i]));
    }

  /* Exactly the limit is fine: wait for the data. */
  {
    g_autofree guint8 *frame = NULL;
    gsize size;

    frame = jr_test_build_frame (7, JR_FRAME_MAGIC, "ay", 3, JR_MESSAGE_SIZE_MAX, NULL, 0, &size);
    assert_status (frame, size, JR_FRAME_NEED_MORE, "exactly JR_MESSAGE_SIZE_MAX");
  }
}

/* Values not in normal form are dropped, by peek (SKIP) or by
 * to_variant (NULL and an error). */
static void
test_skip_non_normal (void)
{
  static const struct {
    const char *type;
    const char *data;
    gsize size;
  } cases[] = {
    { "b", "\x02", 1 },
    { "b", "\xff", 1 },
    { "(ss)", "a\0b\0\x09", 5 },        /* framing offset past the end */
    { "(ss)", "a\0b\0\x01", 5 },        /* offset inside the first string */
    { "s", "abc", 3 },                  /* no NUL */
    { "s", "a\0b\0", 4 },               /* NUL inside */
    { "s", "\xff\xfe\0", 3 },           /* not UTF-8 */
    { "(tu)", "0123456789abcde", 15 },  /* wrong size for a fixed type */
    { "u", "\0\0\0", 3 },
    { "(tu)", "", 0 },
    { "as", "a\0b\0\x09\x02", 6 },
    { "v", "\0\0zz", 4 },               /* variant with an invalid type */
    { "ay", NULL, 0 },                  /* (valid: control case) */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *frame = NULL;
      g_autoptr(GVariant) value = NULL;
      const char *type_string;
      JrFrameHeader header;
      gsize size, frame_size;
      JrFrameStatus status;
      gboolean valid = cases[i].data == NULL;

      frame = jr_test_build_frame (7, JR_FRAME_MAGIC, cases[i].type, strlen (cases[i].type) + 1,
                                   (guint32) cases[i].size, cases[i].data, cases[i].size, &size);
      status = jr_frame_peek (frame, size, &header, &type_string, &frame_size, &error);
      if (status == JR_FRAME_SKIP)
        {
          g_assert_false (valid);
          g_assert_nonnull (error);
          g_assert_cmpuint (frame_size, ==, size);
          continue;
        }
      g_assert_cmpint (status, ==, JR_FRAME_OK);
      g_assert_cmpuint (frame_size, ==, size);
      value = jr_frame_to_variant (&header, type_string, frame, &error);
      if (valid)
        {
          g_assert_no_error (error);
          g_assert_nonnull (value);
        }
      else if (value != NULL)
        {
          g_autofree char *text = g_variant_print (value, TRUE);

          g_error ("case %" G_GSIZE_FORMAT " (type %s) was taken as %s", i, cases[i].type, text);
        }
      else
        g_assert_nonnull (error);
    }
}

/* The fast normal-form check must agree with GLib's on every input it
 * decides: random bytes of random sizes for the layouts it handles. */
static void
test_numeric_normal_matches_glib (void)
{
  const char *types[] = {
    "y", "q", "u", "t", "d", "ay", "an", "at", "(xay)", "(yd)", "(ydy)", "(ii)",
    "(yt)", "(qay)", "(yyyyyyyx)", "(ay)", "(yat)", "(ny)", "(ys)", "(yv)", "b", "(by)",
  };
  GRand *rand = g_rand_new_with_seed (42);
  guint decided = 0;

  for (guint round = 0; round < 20000; round++)
    {
      const char *type = types[round % G_N_ELEMENTS (types)];
      gsize size = g_rand_int_range (rand, 0, 41);
      guint8 *data = g_malloc0 (size + 1);
      g_autoptr(GVariant) value = NULL;
      int fast;

      /* Mostly zeroes, so that padding is often right and sizes decide. */
      for (gsize i = 0; i < size; i++)
        if (g_rand_int_range (rand, 0, 4) == 0)
          data[i] = (guint8) g_rand_int (rand);

      fast = jr_frame_numeric_is_normal (type, data, size);
      value = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (type), data, size,
                                                           FALSE, NULL, NULL));
      if (fast != -1)
        {
          decided++;
          if (fast != (int) g_variant_is_normal_form (value))
            g_error ("type %s, %" G_GSIZE_FORMAT " bytes: fast says %d, GLib says %d",
                     type, size, fast, g_variant_is_normal_form (value));
        }
      g_clear_pointer (&value, g_variant_unref);
      g_free (data);
    }

  /* Strings, variants and booleans go to GLib's own check. */
  g_assert_cmpint (jr_frame_numeric_is_normal ("(ys)", (const guint8 *) "\0", 1), ==, -1);
  g_assert_cmpint (jr_frame_numeric_is_normal ("b", (const guint8 *) "\0", 1), ==, -1);
  g_assert_cmpuint (decided, >, 10000);
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  jr_test_init (&argc, &argv);

  g_test_add_func ("/frame/layout", test_layout);
  g_test_add_func ("/frame/write-header", test_write_header);
  g_test_add_func ("/frame/round-trip", test_round_trip);
  g_test_add_func ("/frame/back-to-back", test_back_to_back);
  g_test_add_func ("/frame/need-more", test_need_more);
  g_test_add_func ("/frame/corrupt/bad-magic", test_corrupt_bad_magic);
  g_test_add_func ("/frame/bad-type-size", test_bad_type_size);
  g_test_add_func ("/frame/skip/invalid-type", test_skip_invalid_type);
  g_test_add_func ("/frame/skip/oversize", test_skip_oversize);
  g_test_add_func ("/frame/skip/non-normal", test_skip_non_normal);
  g_test_add_func ("/frame/normal-form/fast-matches-glib", test_numeric_normal_matches_glib);

  return g_test_run ();
}
