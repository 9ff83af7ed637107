/* jr-app-job-util.c — throttled progress, folder walking and hashing for
 * the built-in jobs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-job-util.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "jr-app-jobs.h"

#define REPORT_STEP        0.01
#define REPORT_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)
#define READ_CHUNK         (64 * 1024)

/* ---- progress ---- */

void
jr_app_progress_init (JrAppProgress *progress,
                      JrJob         *job,
                      guint64        total)
{
  progress->job = job;
  progress->total = total;
  progress->done = 0;
  progress->last_fraction = -1.0;
  progress->last_usec = 0;
}

static double
progress_fraction (JrAppProgress *progress)
{
  if (progress->total == 0)
    return 0.0;
  return MIN (1.0, (double) progress->done / (double) progress->total);
}

/* Counts @n_units as done. Fails once the job is cancelled, so that every
 * loop that advances progress also stops promptly on cancel. */
gboolean
jr_app_progress_advance (JrAppProgress *progress,
                         guint64        n_units,
                         GError       **error)
{
  progress->done += n_units;
  return !g_cancellable_set_error_if_cancelled (jr_job_get_cancellable (progress->job),
                                                error);
}

gboolean
jr_app_progress_due (JrAppProgress *progress)
{
  double fraction = progress_fraction (progress);

  if (progress->last_fraction < 0 || fraction - progress->last_fraction >= REPORT_STEP)
    return TRUE;

  return fraction != progress->last_fraction &&
         g_get_monotonic_time () - progress->last_usec >= REPORT_INTERVAL_US;
}

gboolean
jr_app_progress_report (JrAppProgress *progress,
                        const char    *text,
                        GError       **error)
{
  progress->last_fraction = progress_fraction (progress);
  progress->last_usec = g_get_monotonic_time ();
  return jr_job_progress (progress->job, progress->last_fraction, text, error);
}

gboolean
jr_app_progress_step (JrAppProgress *progress,
                      guint64        n_units,
                      const char    *text,
                      GError       **error)
{
  if (!jr_app_progress_advance (progress, n_units, error))
    return FALSE;
  if (jr_app_progress_due (progress))
    return jr_app_progress_report (progress, text, error);
  return TRUE;
}

/* Reports 100%, whatever was counted: the work is done. */
gboolean
jr_app_progress_finish (JrAppProgress *progress,
                        const char    *text,
                        GError       **error)
{
  progress->done = progress->total;
  progress->last_fraction = 1.0;
  progress->last_usec = g_get_monotonic_time ();
  return jr_job_progress (progress->job, 1.0, text, error);
}

/* ---- scanning ---- */

static void
jr_app_file_free (gpointer data)
{
  JrAppFile *file = data;

  g_free (file->path);
  g_free (file->relpath);
  g_free (file->display);
  g_free (file);
}

static void
add_file (GPtrArray  *files,
          const char *path,
          const char *relpath,
          guint64     size)
{
  JrAppFile *file = g_new0 (JrAppFile, 1);

  file->path = g_strdup (path);
  file->relpath = g_strdup (relpath);
  /* Progress texts and messages are GVariant strings: UTF-8. */
  file->display = g_filename_display_name (relpath);
  file->size = size;
  g_ptr_array_add (files, file);
}

static int
compare_relpath (gconstpointer a,
                 gconstpointer b)
{
  const JrAppFile *fa = *(const JrAppFile * const *) a;
  const JrAppFile *fb = *(const JrAppFile * const *) b;

  return strcmp (fa->relpath, fb->relpath);
}

static void
add_problem (GPtrArray    *problems,
             const char   *relpath,
             const GError *error)
{
  /* The name as it is, as in the rest of a report. */
  if (problems != NULL)
    g_ptr_array_add (problems, g_strdup_printf ("%s: %s", relpath, error->message));
}

#define SCAN_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_NAME "," \
                        G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                        G_FILE_ATTRIBUTE_STANDARD_SIZE

/* Lists the files of one folder; sub-folders go on @pending as relative
 * paths. */
static gboolean
scan_folder (GFile         *root,
             const char    *reldir,
             GPtrArray     *files,
             GQueue        *pending,
             GPtrArray     *problems,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFile) dir = reldir[0] ? g_file_resolve_relative_path (root, reldir)
                                   : g_object_ref (root);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) local_error = NULL;

  enumerator = g_file_enumerate_children (dir, SCAN_ATTRIBUTES,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                          cancellable, &local_error);
  if (enumerator == NULL)
    goto failed;

  for (;;)
    {
      GFileInfo *info = NULL;
      g_autofree char *relpath = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, cancellable, &local_error))
        goto failed;
      if (info == NULL)
        break;

      relpath = reldir[0] ? g_build_filename (reldir, g_file_info_get_name (info), NULL)
                          : g_strdup (g_file_info_get_name (info));

      /* Symbolic links are not followed: they could loop, or count a file
       * twice. Sockets, fifos and devices have no content to hash. */
      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          g_queue_push_tail (pending, g_steal_pointer (&relpath));
          break;
        case G_FILE_TYPE_REGULAR:
          {
            g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));
            g_autofree char *path = g_file_get_path (child);

            add_file (files, path, relpath, (guint64) g_file_info_get_size (info));
          }
          break;
        default:
          break;
        }
    }

  return TRUE;

failed:
  /* An unreadable sub-folder is a problem to report, not a reason to stop;
   * cancellation and an unreadable root are. */
  if (reldir[0] == '\0' || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  add_problem (problems, reldir, local_error);
  return TRUE;
}

/**
 * jr_app_scan_files:
 * @job: the running job: for cancellation and "scanning" progress
 * @root: a folder or a regular file
 * @problems: (nullable): where to add "path: message" for what could not be read
 * @error: return location for an error
 *
 * Lists every regular file under @root, without following symbolic links,
 * sorted by relative path. A regular file as @root lists itself.
 *
 * Returns: (transfer container): an array of #JrAppFile, or %NULL when
 *   @root cannot be read or the job was cancelled
 */
GPtrArray *
jr_app_scan_files (JrJob       *job,
                   const char  *root,
                   GPtrArray   *problems,
                   GError     **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  g_autoptr(GFile) root_file = g_file_new_for_path (root);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (jr_app_file_free);
  g_autoptr(GFileInfo) info = NULL;
  GQueue pending = G_QUEUE_INIT;
  gint64 last_report = 0;
  gboolean ok = TRUE;

  info = g_file_query_info (root_file, SCAN_ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return NULL;

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      g_autofree char *base = g_path_get_basename (root);

      add_file (files, root, base, (guint64) g_file_info_get_size (info));
      return g_steal_pointer (&files);
    }

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_UNKNOWN)
    {
      g_autofree char *display = g_filename_display_name (root);
      GStatBuf st;

      /* GLib answers a path it may not look at (a folder on the way that
       * this user cannot enter: likely on another machine, as another
       * user) with a file of no type, not an error. */
      if (g_stat (root, &st) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       /* Translators: the first %s is a path, “/srv/x”; the
                        * second, the system's error, “Permission denied”. */
                       _("Could not read “%s”: %s"), display, g_strerror (saved));
          return NULL;
        }
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_autofree char *display = g_filename_display_name (root);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   /* Translators: %s is a path, “/dev/null”. */
                   _("“%s” is neither a folder nor a regular file"), display);
      return NULL;
    }

  g_queue_push_tail (&pending, g_strdup (""));
  while (ok && !g_queue_is_empty (&pending))
    {
      g_autofree char *reldir = g_queue_pop_head (&pending);
      gint64 now;

      ok = scan_folder (root_file, reldir, files, &pending, problems, cancellable, error);

      now = g_get_monotonic_time ();
      if (ok && now - last_report >= REPORT_INTERVAL_US)
        {
          g_autofree char *count = jr_app_format_count (files->len);
          /* Translators: the progress of a job that lists a folder first; %s
           * is how many files so far, “1,234”. (The English says “files”
           * whatever the number.) */
          g_autofree char *text = g_strdup_printf (g_dngettext (NULL, "Scanning: %s files",
                                                                "Scanning: %s files", files->len),
                                                   count);

          last_report = now;
          ok = jr_job_progress (job, 0.0, text, error);
        }
    }
  g_queue_clear_full (&pending, g_free);

  if (!ok)
    return NULL;

  g_ptr_array_sort (files, compare_relpath);
  return g_steal_pointer (&files);
}

guint64
jr_app_files_total_size (GPtrArray *files)
{
  guint64 total = 0;

  for (guint i = 0; i < files->len; i++)
    total += ((JrAppFile *) g_ptr_array_index (files, i))->size;
  return total;
}

/**
 * jr_app_sha256_file:
 * @path: the file to hash
 * @progress: advanced by the bytes read; reports carry @progress_text
 * @progress_text: (nullable): what the progress reports say
 * @error: return location for an error
 *
 * Hashes a file in chunks; checks for cancellation between chunks.
 *
 * Returns: the SHA-256 in lower-case hex, or %NULL with @error set
 */
char *
jr_app_sha256_file (const char     *path,
                    JrAppProgress  *progress,
                    const char     *progress_text,
                    GError        **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (progress->job);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (READ_CHUNK);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, READ_CHUNK,
                                      cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;

      g_checksum_update (checksum, buffer, n);
      if (!jr_app_progress_step (progress, (guint64) n, progress_text, error))
        return NULL;
    }

  return g_strdup (g_checksum_get_string (checksum));
}
