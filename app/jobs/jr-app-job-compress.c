/* jr-app-job-compress.c — the "compress" job: gzip FILE into FILE.gz.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Like gzip(1) it refuses to overwrite an existing FILE.gz, and FILE.gz
 * gets FILE's permissions; unlike gzip it keeps FILE. A failed or
 * cancelled run removes its partial output.
 */
#include "jr-app-job-funcs.h"
#include "jr-app-job-util.h"

#include <glib/gi18n.h>

#define CHUNK (64 * 1024)

static gboolean
copy_compressed (GInputStream   *in,
                 GOutputStream  *out,
                 JrAppProgress  *progress,
                 const char     *text,
                 GError        **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (progress->job);
  g_autofree guint8 *buffer = g_malloc (CHUNK);

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, CHUNK, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        return g_output_stream_close (out, cancellable, error);
      if (!g_output_stream_write_all (out, buffer, n, NULL, cancellable, error) ||
          !jr_app_progress_step (progress, (guint64) n, text, error))
        return FALSE;
    }
}

GVariant *
jr_app_job_compress (JrJob     *job,
                     GVariant  *args,
                     GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  const char *path = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *display = NULL;
  g_autoptr(GFile) in_file = NULL;
  g_autoptr(GFile) out_file = NULL;
  g_autoptr(GFileInfo) in_info = NULL;
  g_autoptr(GFileInfo) out_info = NULL;
  g_autoptr(GFileInfo) header_info = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GZlibCompressor) compressor = NULL;
  g_autoptr(GOutputStream) gz = NULL;
  g_autoptr(GDateTime) mtime = NULL;
  JrAppProgress progress;

  g_variant_get (args, "(^&ay)", &path);
  in_file = g_file_new_for_path (path);
  out_path = g_strconcat (path, ".gz", NULL);
  out_file = g_file_new_for_path (out_path);
  basename = g_path_get_basename (path);
  /* For the progress text, which is UTF-8; the gzip header keeps the
   * name's own bytes. */
  display = g_filename_display_name (basename);

  in_info = g_file_query_info (in_file,
                               G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                               G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                               G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                               G_FILE_ATTRIBUTE_UNIX_MODE,
                               G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (in_info == NULL)
    return NULL;
  if (g_file_info_get_file_type (in_info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *shown = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   /* Translators: %s is a path, “/var/log”. */
                   _("“%s” is not a regular file"), shown);
      return NULL;
    }

  in = g_file_read (in_file, cancellable, error);
  if (in == NULL)
    return NULL;
  /* Private while it is written: FILE may be secret. It gets FILE's
   * permissions once complete, as gzip does. */
  out = g_file_create (out_file, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL)
    return NULL;

  /* The gzip header carries the original name and time, as gzip -N does. */
  compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  header_info = g_file_info_new ();
  g_file_info_set_name (header_info, basename);
  mtime = g_file_info_get_modification_date_time (in_info);
  if (mtime != NULL)
    g_file_info_set_modification_date_time (header_info, mtime);
  g_zlib_compressor_set_file_info (compressor, header_info);
  gz = g_converter_output_stream_new (G_OUTPUT_STREAM (out), G_CONVERTER (compressor));

  jr_app_progress_init (&progress, job, (guint64) g_file_info_get_size (in_info));
  if (!copy_compressed (G_INPUT_STREAM (in), gz, &progress, display, error))
    {
      /* Close without the cancellable, which may be cancelled already, so
       * that the descriptor is released before the file goes. */
      g_output_stream_close (gz, NULL, NULL);
      g_file_delete (out_file, NULL, NULL);
      return NULL;
    }

  /* Not the type bits, nor set-id or sticky ones, which mean nothing on a
   * .gz. Should this fail (a file system without modes) the file stays
   * private: the safe side, and gzip only warns. */
  if (g_file_info_has_attribute (in_info, G_FILE_ATTRIBUTE_UNIX_MODE))
    {
      guint32 mode = g_file_info_get_attribute_uint32 (in_info, G_FILE_ATTRIBUTE_UNIX_MODE);

      g_file_set_attribute_uint32 (out_file, G_FILE_ATTRIBUTE_UNIX_MODE, mode & 0777,
                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
    }

  out_info = g_file_query_info (out_file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                G_FILE_QUERY_INFO_NONE, NULL, error);
  if (out_info == NULL || !jr_app_progress_finish (&progress, NULL, error))
    return NULL;

  return g_variant_new ("(^aytt)", out_path,
                        (guint64) g_file_info_get_size (in_info),
                        (guint64) g_file_info_get_size (out_info));
}

char *
jr_app_job_compress_format (GVariant *args,
                            GVariant *result)
{
  const char *out_path;
  guint64 in_size, out_size;
  g_autofree char *in_text = NULL;
  g_autofree char *out_text = NULL;

  g_variant_get (result, "(^&aytt)", &out_path, &in_size, &out_size);
  in_text = g_format_size (in_size);
  out_text = g_format_size (out_size);

  return g_strdup_printf ("%s: %s → %s (%.1f%%)", out_path, in_text, out_text,
                          in_size > 0 ? 100.0 * (double) out_size / (double) in_size : 100.0);
}
