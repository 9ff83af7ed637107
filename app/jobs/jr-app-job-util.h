/* jr-app-job-util.h — what the built-in file jobs share: throttled
 * progress, walking a folder, hashing a file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: used by one job function at a time, on its worker thread.
 */
#pragma once

#include <jobrouter.h>

G_BEGIN_DECLS

/* Progress by units done (bytes, numbers) over a known total. Reports go
 * out at most every 1% or every 100 ms, whichever comes first: enough for a
 * smooth bar without flooding the pipe to the main process. */
typedef struct {
  JrJob   *job;
  guint64  total;
  guint64  done;
  double   last_fraction;
  gint64   last_usec;
} JrAppProgress;

void      jr_app_progress_init    (JrAppProgress *progress,
                                   JrJob         *job,
                                   guint64        total);
gboolean  jr_app_progress_advance (JrAppProgress *progress,
                                   guint64        n_units,
                                   GError       **error);
gboolean  jr_app_progress_due     (JrAppProgress *progress);
gboolean  jr_app_progress_report  (JrAppProgress *progress,
                                   const char    *text,
                                   GError       **error);
gboolean  jr_app_progress_step    (JrAppProgress *progress,
                                   guint64        n_units,
                                   const char    *text,
                                   GError       **error);
gboolean  jr_app_progress_finish  (JrAppProgress *progress,
                                   const char    *text,
                                   GError       **error);

/* A regular file found under a scanned root. */
typedef struct {
  char    *path;     /* absolute, in the file system's encoding */
  char    *relpath;  /* relative to the root, in the same encoding */
  char    *display;  /* relpath in UTF-8, for progress and messages */
  guint64  size;
} JrAppFile;

GPtrArray *jr_app_scan_files      (JrJob         *job,
                                   const char    *root,
                                   GPtrArray     *problems,
                                   GError       **error) G_GNUC_WARN_UNUSED_RESULT;
guint64    jr_app_files_total_size (GPtrArray    *files);
char      *jr_app_sha256_file     (const char    *path,
                                   JrAppProgress *progress,
                                   const char    *progress_text,
                                   GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
