/* jr-app-job-checksum.c — the "checksum" job: SHA-256 of every file under
 * a folder, as a report sha256sum(1) can check.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-jobs.h"
#include "jr-app-job-funcs.h"
#include "jr-app-job-util.h"

#include <glib/gstdio.h>

/* Drops the file JR_APP_CHECKSUM_SKIP_ENV names from @files, if it is
 * there: "DEV:INO:PATH", the report's own file. By its device and inode
 * here; by its path on another machine that shares the paths (where the
 * device differs), the variable carried there in the worker's HELLO. */
static void
drop_skipped (GPtrArray *files)
{
  const char *value = g_getenv (JR_APP_CHECKSUM_SKIP_ENV);
  const char *path = NULL;
  guint64 dev, ino;
  char *end;

  if (value == NULL)
    return;
  dev = g_ascii_strtoull (value, &end, 10);
  if (end == value || *end != ':')
    return;
  value = end + 1;
  ino = g_ascii_strtoull (value, &end, 10);
  if (end == value || (*end != '\0' && *end != ':'))
    return;
  if (*end == ':' && g_path_is_absolute (end + 1))
    path = end + 1;

  for (guint i = 0; i < files->len; i++)
    {
      JrAppFile *file = g_ptr_array_index (files, i);
      GStatBuf st;

      if ((path != NULL && g_str_equal (file->path, path)) ||
          (g_lstat (file->path, &st) == 0 &&
           (guint64) st.st_dev == dev && (guint64) st.st_ino == ino))
        {
          g_ptr_array_remove_index (files, i);
          return;
        }
    }
}

/* sha256sum escapes a name holding a backslash or a newline and marks the
 * line with a leading backslash; do the same so `sha256sum -c` accepts the
 * report. */
static void
append_line (GString    *report,
             const char *hash,
             const char *relpath)
{
  if (strpbrk (relpath, "\\\n") == NULL)
    {
      g_string_append_printf (report, "%s  %s\n", hash, relpath);
      return;
    }

  g_string_append_printf (report, "\\%s  ", hash);
  for (const char *p = relpath; *p; p++)
    {
      if (*p == '\\')
        g_string_append (report, "\\\\");
      else if (*p == '\n')
        g_string_append (report, "\\n");
      else
        g_string_append_c (report, *p);
    }
  g_string_append_c (report, '\n');
}

GVariant *
jr_app_job_checksum (JrJob     *job,
                     GVariant  *args,
                     GError   **error)
{
  const char *root = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *size_text = NULL;
  g_autofree char *count_text = NULL;
  JrAppProgress progress;
  guint64 total, expected = 0, hashed_size = 0;
  gsize report_size;
  g_autoptr(GBytes) report_bytes = NULL;
  guint n_hashed = 0;

  g_variant_get (args, "(^&ay)", &root);

  files = jr_app_scan_files (job, root, problems, error);
  if (files == NULL)
    return NULL;
  drop_skipped (files);

  total = jr_app_files_total_size (files);
  jr_app_progress_init (&progress, job, total);

  for (guint i = 0; i < files->len; i++)
    {
      JrAppFile *file = g_ptr_array_index (files, i);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *hash = NULL;

      hash = jr_app_sha256_file (file->path, &progress, file->display, &local_error);
      if (hash != NULL)
        {
          append_line (report, hash, file->relpath);
          n_hashed++;
          hashed_size += file->size;
        }
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      else
        {
          /* One unreadable file should not cost the whole report. */
          g_ptr_array_add (problems, g_strdup_printf ("%s: %s", file->relpath,
                                                      local_error->message));
        }

      /* Files may have grown or failed half way: keep the bar on the sizes
       * the scan promised. */
      expected += file->size;
      progress.done = expected;
    }

  /* The bytes of the files in the report, not of those it could not read. */
  size_text = g_format_size (hashed_size);
  count_text = jr_app_format_count (n_hashed);
  g_string_append_printf (report, "# %s %s, %s\n", count_text,
                          n_hashed == 1 ? "file" : "files", size_text);
  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (report, "# could not read %s\n",
                            (const char *) g_ptr_array_index (problems, i));

  if (!jr_app_progress_finish (&progress, NULL, error))
    return NULL;

  /* A bytestring: the names are as the file system has them, so that
   * `sha256sum -c` finds every file, UTF-8 or not. Its trailing NUL is
   * part of the value. */
  report_size = report->len + 1;
  report_bytes = g_bytes_new_take (g_string_free (g_steal_pointer (&report), FALSE), report_size);
  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, report_bytes, TRUE);
}

char *
jr_app_job_checksum_format (GVariant *args,
                            GVariant *result)
{
  return g_strdup (g_variant_get_bytestring (result));
}
