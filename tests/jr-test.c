/* jr-test.c — what only jobrouter's own tests need, on top of the
 * published harness (tests/harness/); see jr-test.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jr-frame-private.h"

/* How long a baseline waits for what ends a moment after it was reported
 * (a joined thread leaving /proc, GLib closing a reaped child's pidfd). */
#define SETTLE_USEC G_USEC_PER_SEC

void
jr_test_on_subprocess_exited (GObject      *source,
                              GAsyncResult *result,
                              gpointer      flag)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  *(gboolean *) flag = TRUE;
}

void
jr_test_warm_child_watch (void)
{
  g_autoptr(GSubprocess) warm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "true", NULL);
  gboolean exited = FALSE;

  g_subprocess_wait_async (warm, NULL, jr_test_on_subprocess_exited, &exited);
  jr_test_run_until (jr_test_flag_is_set, &exited, (gint64) 60 * G_USEC_PER_SEC, "a first child");
}


/* ------------------------------------------------------------------ */
/* This process: fds, memory                                           */
/* ------------------------------------------------------------------ */

/* The link of the fd that lists /proc/self/fd, which is not counted. */
static char *
listing_fd_target (void)
{
  return g_strdup_printf ("/proc/%d/fd", (int) getpid ());
}

GHashTable *
jr_test_list_fds (void)
{
  GHashTable *fds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autofree char *listing = listing_fd_target ();
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/fd/%s", name);
      char *target = g_file_read_link (path, NULL);

      if (g_strcmp0 (target, listing) == 0)
        {
          g_free (target);
          continue;
        }
      g_hash_table_insert (fds, g_strdup (name), target != NULL ? target : g_strdup ("?"));
    }
  return fds;
}

static int
compare_fd_names (gconstpointer a,
                  gconstpointer b)
{
  int x = atoi (*(const char * const *) a);
  int y = atoi (*(const char * const *) b);

  return (x > y) - (x < y);
}

/* The fd numbers of @fds, in order. */
static GPtrArray *
sorted_fd_names (GHashTable *fds)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, fds);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_ptr_array_add (names, name);
  g_ptr_array_sort (names, compare_fd_names);
  return names;
}

char *
jr_test_describe_fds (void)
{
  g_autoptr(GHashTable) fds = jr_test_list_fds ();
  g_autoptr(GPtrArray) names = sorted_fd_names (fds);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (text, " %s=%s", (char *) names->pdata[i],
                            (char *) g_hash_table_lookup (fds, names->pdata[i]));
  return g_string_free (text, FALSE);
}

/* Appends " FD=TARGET (@what)" for each fd of @a that @b lacks or points
 * elsewhere. */
static void
append_fds_not_in (GString    *text,
                   GHashTable *a,
                   GHashTable *b,
                   const char *what)
{
  g_autoptr(GPtrArray) names = sorted_fd_names (a);

  for (guint i = 0; i < names->len; i++)
    {
      const char *target = g_hash_table_lookup (a, names->pdata[i]);

      if (g_strcmp0 (target, g_hash_table_lookup (b, names->pdata[i])) != 0)
        g_string_append_printf (text, " %s=%s (%s)", (char *) names->pdata[i], target, what);
    }
}

char *
jr_test_describe_fd_changes (GHashTable *before)
{
  g_autoptr(GHashTable) now = jr_test_list_fds ();
  GString *text = g_string_new (NULL);

  append_fds_not_in (text, now, before, "new");
  append_fds_not_in (text, before, now, "closed");
  return g_string_free (text, FALSE);
}

gboolean
jr_test_no_child_watch (gpointer unused)
{
  g_autoptr(GHashTable) fds = jr_test_list_fds ();
  GHashTableIter iter;
  gpointer target;

  g_hash_table_iter_init (&iter, fds);
  while (g_hash_table_iter_next (&iter, NULL, &target))
    if (strstr (target, "pidfd") != NULL)
      return FALSE;
  return TRUE;
}

gboolean
jr_test_read_statm (gsize *resident,
                    gsize *shared)
{
  g_autofree char *statm = NULL;
  unsigned long size, resident_pages, shared_pages;
  gsize page = (gsize) sysconf (_SC_PAGESIZE);

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu %lu", &size, &resident_pages, &shared_pages) != 3)
    return FALSE;
  if (resident != NULL)
    *resident = (gsize) resident_pages * page;
  if (shared != NULL)
    *shared = (gsize) shared_pages * page;
  return TRUE;
}

gsize
jr_test_resident_bytes (void)
{
  gsize resident = 0;

  g_assert_true (jr_test_read_statm (&resident, NULL));
  return resident;
}

void
jr_test_baseline_take (JrTestBaseline *baseline)
{
  g_assert_cmpuint (jr_test_count_children (TRUE), ==, 0);
  /* The context that jr_test_baseline_assert() iterates has its fd before
   * the count. */
  g_main_context_default ();
  jr_test_iterate_until (NULL, jr_test_no_child_watch, NULL, SETTLE_USEC);

  baseline->n_threads = jr_test_count_threads ();
  baseline->n_fds = jr_test_count_fds ();
  baseline->fds = jr_test_list_fds ();
}

static gboolean
back_to_baseline (gpointer data)
{
  JrTestBaseline *baseline = data;

  return jr_test_count_threads () <= baseline->n_threads &&
         jr_test_count_fds () <= baseline->n_fds;
}

void
jr_test_baseline_assert (JrTestBaseline *baseline)
{
  guint n_threads, n_fds, n_children;

  jr_test_iterate_until (NULL, back_to_baseline, baseline, SETTLE_USEC);

  n_threads = jr_test_count_threads ();
  if (n_threads != baseline->n_threads)
    {
      g_autofree char *names = jr_test_describe_threads ();

      g_error ("%u threads, %u before the test; now:%s",
               n_threads, baseline->n_threads, names);
    }

  n_fds = jr_test_count_fds ();
  if (n_fds != baseline->n_fds)
    {
      g_autofree char *changes = jr_test_describe_fd_changes (baseline->fds);

      g_error ("%u fds open, %u before the test; what changed:%s",
               n_fds, baseline->n_fds, changes);
    }
  jr_test_baseline_clear (baseline);

  n_children = jr_test_count_children (TRUE);
  if (n_children != 0)
    {
      g_autofree char *names = jr_test_describe_children ();

      g_error ("%u child processes left:%s", n_children, names);
    }
}

void
jr_test_baseline_clear (JrTestBaseline *baseline)
{
  g_clear_pointer (&baseline->fds, g_hash_table_unref);
}


/* ------------------------------------------------------------------ */
/* Data shared with child programs                                     */
/* ------------------------------------------------------------------ */

void
jr_test_tu_serialize (guint8  out[JR_TEST_TU_SIZE],
                      guint64 id,
                      guint32 seq)
{
  memset (out, 0, JR_TEST_TU_SIZE);
  memcpy (out, &id, sizeof id);
  memcpy (out + 8, &seq, sizeof seq);
}

guint8
jr_test_pattern_byte (gsize index)
{
  return (guint8) (index ^ (index >> 8) ^ (index >> 16) ^ 0x5a);
}

GVariant *
jr_test_new_pattern_message (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = jr_test_pattern_byte (i);
  return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, size, TRUE, g_free, data);
}

guint8 *
jr_test_build_frame (guint64        connection_id,
                     guint16        magic,
                     const char    *type_bytes,
                     gsize          type_size,
                     guint32        claimed_data_size,
                     gconstpointer  data,
                     gsize          data_size,
                     gsize         *frame_size)
{
  JrFrameHeader header = {
    .data_size = claimed_data_size,
    .type_size = (guint16) type_size,
    .magic = magic,
    .connection_id = connection_id,
  };
  gsize data_offset = JR_FRAME_HEADER_SIZE + JR_FRAME_ALIGN (type_size);
  guint8 *frame;

  *frame_size = data_offset + JR_FRAME_ALIGN (data_size);
  frame = g_malloc0 (*frame_size);
  memcpy (frame, &header, sizeof header);
  memcpy (frame + JR_FRAME_HEADER_SIZE, type_bytes, type_size);
  if (data_size > 0)
    memcpy (frame + data_offset, data, data_size);
  return frame;
}

/* ------------------------------------------------------------------ */
/* The states a future passes through                                  */
/* ------------------------------------------------------------------ */

static gboolean
state_is_final (JrFutureState state)
{
  return state == JR_FUTURE_STATE_COMPLETED ||
         state == JR_FUTURE_STATE_FAILED ||
         state == JR_FUTURE_STATE_CANCELLED;
}

/* When `state` notifies, everything derived from it already fits. */
static void
assert_consistent (JrFuture      *future,
                   JrFutureState  state)
{
  gboolean done = state_is_final (state);
  gboolean cancellable_now = state == JR_FUTURE_STATE_WAITING ||
                             state == JR_FUTURE_STATE_EXECUTING;

  g_assert_cmpint (jr_future_get_done (future), ==, done);
  g_assert_cmpint (jr_future_get_cancellable_now (future), ==, cancellable_now);
  g_assert_cmpint (jr_future_get_end_time (future) != 0, ==, done);
  if (state == JR_FUTURE_STATE_EXECUTING)
    g_assert_cmpint (jr_future_get_start_time (future), >, 0);
  if (state == JR_FUTURE_STATE_COMPLETED)
    g_assert_nonnull (jr_future_get_result (future));
  if (state == JR_FUTURE_STATE_FAILED)
    g_assert_nonnull (jr_future_get_error (future));
}

static void
on_log_state (JrFuture       *future,
              GParamSpec     *pspec,
              JrTestStateLog *log)
{
  JrFutureState state = jr_future_get_state (future);

  if (log->flags & JR_TEST_STATE_LOG_CHECK_CONSISTENT)
    assert_consistent (future, state);
  g_array_append_val (log->states, state);
}

static void
on_log_done (JrFuture       *future,
             GParamSpec     *pspec,
             JrTestStateLog *log)
{
  g_assert_true (jr_future_get_done (future));
  log->n_done_notifies++;
}

void
jr_test_state_log_init (JrTestStateLog      *log,
                        JrFuture            *future,
                        JrTestStateLogFlags  flags)
{
  log->future = g_object_ref (future);
  log->states = g_array_new (FALSE, FALSE, sizeof (JrFutureState));
  log->n_done_notifies = 0;
  log->flags = flags;
  g_signal_connect (future, "notify::state", G_CALLBACK (on_log_state), log);
  g_signal_connect (future, "notify::done", G_CALLBACK (on_log_done), log);
}

void
jr_test_state_log_assert (JrTestStateLog *log,
                          ...)
{
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  gboolean ends_final = FALSE;
  va_list args;
  int state;

  va_start (args, log);
  while ((state = va_arg (args, int)) >= 0)
    {
      g_string_append_printf (expected, "%s ", jr_test_future_state_name (state));
      ends_final = state_is_final (state);
    }
  va_end (args);
  for (guint i = 0; i < log->states->len; i++)
    g_string_append_printf (got, "%s ",
                            jr_test_future_state_name (g_array_index (log->states, JrFutureState, i)));

  g_assert_cmpstr (got->str, ==, expected->str);
  g_assert_cmpuint (log->n_done_notifies, ==, ends_final ? 1 : 0);
}

void
jr_test_state_log_clear (JrTestStateLog *log)
{
  g_signal_handlers_disconnect_by_data (log->future, log);
  g_clear_object (&log->future);
  g_clear_pointer (&log->states, g_array_unref);
}

/* ------------------------------------------------------------------ */
/* Jobs on an executor                                                 */
/* ------------------------------------------------------------------ */

JrFuture *
jr_test_submit (JrExecutor *executor,
                JrJobKind   kind,
                const char *job,
                GVariant   *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrJobOptions) options = jr_job_options_new (kind);
  JrFuture *future = jr_executor_submit_full (executor, job, args, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (future);
  return future;
}

void
jr_test_assert_completed (JrFuture *future)
{
  const GError *error = jr_future_get_error (future);

  if (error != NULL)
    g_error ("job %s failed: %s", jr_future_get_job_name (future), error->message);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
}

gboolean
jr_test_future_started (gpointer future)
{
  return jr_future_get_start_time (future) != 0 || jr_future_get_done (future);
}

gboolean
jr_test_future_done (gpointer future)
{
  return jr_future_get_done (future);
}


/* ------------------------------------------------------------------ */
/* The child programs                                                  */
/* ------------------------------------------------------------------ */

gboolean
jr_test_child_take_stream_arg (int      *argc,
                               char   ***argv,
                               gboolean *stream,
                               GError  **error)
{
  int fd;

  *stream = FALSE;
  if (*argc < 2 || !g_str_equal ((*argv)[1], "--stream"))
    return TRUE;
  fd = dup (STDOUT_FILENO);
  if (fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "could not move the stream off stdout: %s", g_strerror (saved));
      return FALSE;
    }
  if (!jr_sender_set_parent_stream (fd, error))
    {
      g_prefix_error (error, "jr_sender_set_parent_stream: ");
      return FALSE;
    }
  *stream = TRUE;
  (*argv)++;
  (*argc)--;
  return TRUE;
}


/* ------------------------------------------------------------------ */
/* Temporary folders                                                   */
/* ------------------------------------------------------------------ */

char *
jr_test_make_temp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dir);
  return dir;
}

/* Enters only real folders: a link to one goes, not what is in it. */
static void
remove_tree (GFile *file)
{
  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      g_autoptr(GFileEnumerator) children = NULL;
      GFile *child;

      children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
      while (children != NULL &&
             g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

void
jr_test_remove_temp_dir (const char *dir)
{
  g_autoptr(GFile) file = g_file_new_for_path (dir);

  remove_tree (file);
}
