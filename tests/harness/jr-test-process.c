/* jr-test-process.c — what this process holds, and an executor's clean
 * end; see jr-test-process.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What this process holds is read from /proc, as a leak would show there.
 */
#include "jr-test-private.h"

#include <stdlib.h>
#include <string.h>

/* Our threads (not GLib's or GTK's) when the program started. */
static guint baseline_threads;

/* ------------------------------------------------------------------ */
/* This process: threads and children                                 */
/* ------------------------------------------------------------------ */

gboolean
jr_test_read_proc_stat (const char     *path,
                        JrTestProcStat *out)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *open, *end;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* "PID (NAME) STATE PPID ...": the name may itself hold spaces and
   * parentheses, so the fields start after the last ')'. */
  open = strchr (contents, '(');
  end = strrchr (contents, ')');
  if (open == NULL || end == NULL || end < open || end[1] != ' ')
    return FALSE;
  out->pid = atoi (contents);
  g_strlcpy (out->name, open + 1, MIN (sizeof out->name, (gsize) (end - open)));
  fields = g_strsplit (end + 2, " ", -1);
  /* fields[0] is field 3 of proc(5): state; [1] ppid; [16] nice;
   * [38] policy. */
  if (g_strv_length (fields) < 39)
    return FALSE;
  out->state = fields[0][0];
  out->ppid = atoi (fields[1]);
  out->nice = strtol (fields[16], NULL, 10);
  out->policy = atoi (fields[38]);
  return TRUE;
}

static gboolean
is_gone (const JrTestProcStat *st)
{
  return st->state == 'Z' || st->state == 'X';
}

GArray *
jr_test_list_children (gboolean with_zombies)
{
  GArray *children = g_array_new (FALSE, FALSE, sizeof (JrTestProcStat));
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  int self = getpid ();

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      JrTestProcStat st;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!jr_test_read_proc_stat (path, &st) || st.ppid != self)
        continue;       /* gone meanwhile, or not ours */
      if (!with_zombies && is_gone (&st))
        continue;
      g_array_append_val (children, st);
    }
  return children;
}

guint
jr_test_count_children (gboolean with_zombies)
{
  g_autoptr(GArray) children = jr_test_list_children (with_zombies);

  return children->len;
}

char *
jr_test_describe_children (void)
{
  g_autoptr(GArray) children = jr_test_list_children (TRUE);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < children->len; i++)
    {
      const JrTestProcStat *st = &g_array_index (children, JrTestProcStat, i);

      g_string_append_printf (text, " %d(%s,%c)", st->pid, st->name, st->state);
    }
  return g_string_free (text, FALSE);
}

gboolean
jr_test_process_is_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  JrTestProcStat st;

  if (!jr_test_read_proc_stat (path, &st))
    return TRUE;
  return is_gone (&st);
}

static guint
count_dir_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

guint
jr_test_count_threads (void)
{
  return count_dir_entries ("/proc/self/task");
}

guint
jr_test_count_fds (void)
{
  return count_dir_entries ("/proc/self/fd") - 1;
}

/* Threads that GLib and GTK start on demand and keep for the life of the
 * process (the GLib worker, GDBus, thread-pool spares, Mesa/fontconfig
 * helpers): no test's to join. */
static gboolean
is_library_thread (const char *name)
{
  static const char * const prefixes[] = {
    "gmain", "gdbus", "pool-", "dconf worker", "[pango]", "llvmpipe", "gvfs",
    "threaded-ml", "pipewire",
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (name, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* Counts threads — all, or only those that are not library threads — and
 * appends " TID(NAME)" of each one counted to @names (if not NULL). */
static guint
count_threads_named (gboolean  own_only,
                     GString  *names)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *name = NULL;

      if (!g_file_get_contents (path, &name, NULL, NULL))
        continue;       /* ended meanwhile */
      g_strstrip (name);
      if (own_only && is_library_thread (name))
        continue;
      n++;
      if (names != NULL)
        g_string_append_printf (names, " %s(%s)", tid, name);
    }
  return n;
}

guint
jr_test_count_own_threads (GString *names)
{
  return count_threads_named (TRUE, names);
}

char *
jr_test_describe_threads (void)
{
  GString *names = g_string_new (NULL);

  count_threads_named (FALSE, names);
  return g_string_free (names, FALSE);
}

void
jr_test_record_thread_baseline (void)
{
  baseline_threads = jr_test_count_own_threads (NULL);
}

/* ------------------------------------------------------------------ */
/* An executor's end                                                   */
/* ------------------------------------------------------------------ */

static gboolean
no_extra_threads (gpointer unused)
{
  return jr_test_count_own_threads (NULL) <= baseline_threads;
}

static gboolean
no_children (gpointer unused)
{
  return jr_test_count_children (TRUE) == 0;
}

/**
 * jr_test_shutdown_executor:
 * @executor: an executor
 *
 * Shuts @executor down (10 s at most) and checks it ended clean: stopped,
 * no worker, no thread more than when the test program started (GLib's
 * and GTK's own threads aside), no child process left, not even a zombie.
 */
void
jr_test_shutdown_executor (JrExecutor *executor)
{
  g_autoptr(GError) error = NULL;

  if (!jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, &error))
    {
      jr_test_fail ("%s %p did not shut down: %s", G_OBJECT_TYPE_NAME (executor), executor,
                    error->message);
      return;
    }
  if (jr_executor_get_state (executor) != JR_EXECUTOR_STATE_STOPPED ||
      jr_executor_get_n_workers (executor) != 0)
    {
      jr_test_fail ("%s %p shut down, but is %s with %u workers", G_OBJECT_TYPE_NAME (executor),
                    executor,
                    jr_executor_get_state (executor) == JR_EXECUTOR_STATE_STOPPED ? "stopped"
                                                                                  : "not stopped",
                    jr_executor_get_n_workers (executor));
      return;
    }

  /* Threads end and children are reaped just after their last message:
   * give them a moment, without sleeping the main context. */
  if (!jr_test_iterate_until (NULL, no_extra_threads, NULL, 5 * G_USEC_PER_SEC))
    {
      g_autoptr(GString) names = g_string_new (NULL);
      guint n = jr_test_count_own_threads (names);

      jr_test_fail ("%u threads after shutdown, %u before the tests:%s",
                    n, baseline_threads, names->str);
    }

  if (!jr_test_iterate_until (NULL, no_children, NULL, 5 * G_USEC_PER_SEC))
    {
      g_autofree char *names = jr_test_describe_children ();

      jr_test_fail ("%u child processes left after shutdown:%s",
                    jr_test_count_children (TRUE), names);
    }
}

static void
shutdown_and_unref (gpointer executor)
{
  jr_test_shutdown_executor (executor);
  g_object_unref (executor);
}

/**
 * jr_test_shutdown_at_teardown:
 * @executor: (transfer full): an executor
 *
 * Returns: (transfer none): @executor, shut down and dropped when the
 *   running test ends
 */
JrExecutor *
jr_test_shutdown_at_teardown (JrExecutor *executor)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (executor), NULL);

  g_test_queue_destroy (shutdown_and_unref, executor);
  return executor;
}
