/* jr-test.c — the harness that every test program here links; see
 * jr-test.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Waiting never sleeps: it iterates a main context, woken by its sources,
 * a 10 ms tick and the deadline. What this process holds is read from
 * /proc, as a leak would show there.
 */
#include "jr-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jr-frame-private.h"

/* How often a wait looks at its condition when no source announces it. */
#define TICK_MS 10u
/* How long a baseline waits for what ends a moment after it was reported
 * (a joined thread leaving /proc, GLib closing a reaped child's pidfd). */
#define SETTLE_USEC G_USEC_PER_SEC

static GThread *main_thread;

/* ------------------------------------------------------------------ */
/* Setup and failing                                                   */
/* ------------------------------------------------------------------ */

static GLogWriterOutput test_log_writer (GLogLevelFlags   log_level,
                                         const GLogField *fields,
                                         gsize            n_fields,
                                         gpointer         user_data);

void
jr_test_init (int    *argc,
              char ***argv)
{
  g_log_set_writer_func (test_log_writer, NULL, NULL);
  g_test_init (argc, argv, NULL);
  main_thread = g_thread_self ();
}

GThread *
jr_test_get_main_thread (void)
{
  return main_thread;
}

void
jr_test_fail (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_printerr ("jr-test: %s\n", message);
  g_test_fail_printf ("%s", message);
}

const char *
jr_test_transport_name (JrTransport transport)
{
  return transport == JR_TRANSPORT_PROCESSES ? "processes" : "threads";
}

const char *
jr_test_future_state_name (JrFutureState state)
{
  GEnumClass *states = g_type_class_ref (JR_TYPE_FUTURE_STATE);
  GEnumValue *value = g_enum_get_value (states, state);

  g_type_class_unref (states);
  g_assert (value != NULL);
  /* Static data of a static type: it outlives the class reference. */
  return value->value_nick;
}

/* ------------------------------------------------------------------ */
/* Waiting on a main context                                           */
/* ------------------------------------------------------------------ */

gboolean
jr_test_set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
jr_test_flag_is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

gboolean
jr_test_pointer_is_set (gpointer location)
{
  return *(gpointer *) location != NULL;
}

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

static gboolean
keep_ticking (gpointer unused)
{
  return G_SOURCE_CONTINUE;
}

static GSource *
attach_timeout (GMainContext *context,
                guint         msec,
                GSourceFunc   func,
                gpointer      data)
{
  GSource *source = g_timeout_source_new (msec);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

static guint
usec_to_msec (gint64 usec)
{
  return (guint) CLAMP (usec / 1000, 0, (gint64) G_MAXUINT);
}

gboolean
jr_test_iterate_until (GMainContext    *context,
                       JrConditionFunc  condition,
                       gpointer         data,
                       gint64           timeout_usec)
{
  g_autoptr(GMainContext) ctx = NULL;
  g_autoptr(GSource) deadline = NULL;
  g_autoptr(GSource) tick = NULL;
  gboolean timed_out = FALSE;
  gboolean met;

  if (condition (data))
    return TRUE;

  ctx = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  deadline = attach_timeout (ctx, usec_to_msec (timeout_usec), jr_test_set_flag, &timed_out);
  tick = attach_timeout (ctx, TICK_MS, keep_ticking, NULL);

  while (!(met = condition (data)) && !timed_out)
    g_main_context_iteration (ctx, TRUE);

  g_source_destroy (tick);
  g_source_destroy (deadline);
  return met;
}

void
jr_test_run_until_in (GMainContext    *context,
                      JrConditionFunc  condition,
                      gpointer         data,
                      gint64           timeout_usec,
                      const char      *what)
{
  if (!jr_test_iterate_until (context, condition, data, timeout_usec))
    g_error ("timed out after %.1f s waiting for %s",
             timeout_usec / (double) G_USEC_PER_SEC, what);
}

void
jr_test_run_until (JrConditionFunc  condition,
                   gpointer         data,
                   gint64           timeout_usec,
                   const char      *what)
{
  jr_test_run_until_in (NULL, condition, data, timeout_usec, what);
}

static gboolean
future_is_done (gpointer future)
{
  return jr_future_get_done (future);
}

void
jr_test_run_until_done_in (GMainContext *context,
                           JrFuture     *future,
                           gint64        timeout_usec)
{
  if (!jr_test_iterate_until (context, future_is_done, future, timeout_usec))
    g_error ("timed out after %.1f s waiting for job '%s' (title '%s') to be done; it is %s",
             timeout_usec / (double) G_USEC_PER_SEC, jr_future_get_job_name (future),
             jr_future_get_title (future),
             jr_test_future_state_name (jr_future_get_state (future)));
}

void
jr_test_run_until_done (JrFuture *future,
                        gint64    timeout_usec)
{
  jr_test_run_until_done_in (NULL, future, timeout_usec);
}

void
jr_test_run_for (guint msec)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = NULL;
  gboolean over = FALSE;

  timeout = attach_timeout (context, msec, jr_test_set_flag, &over);
  while (!over)
    g_main_context_iteration (context, TRUE);
}

void
jr_test_drain_main_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  for (guint i = 0; i < 1000 && g_main_context_pending (context); i++)
    g_main_context_iteration (context, FALSE);
}

typedef struct {
  JrTestCondition condition;
  gpointer        user_data;
  gboolean        met;
} PropertyWait;

static void
on_wait_notify (GObject      *object,
                GParamSpec   *pspec,
                PropertyWait *wait)
{
  if (!wait->met && wait->condition (object, pspec, wait->user_data))
    wait->met = TRUE;
}

gboolean
jr_test_wait_property (GObject         *object,
                       const char      *property,
                       JrTestCondition  condition,
                       gpointer         user_data,
                       gint64           timeout_usec)
{
  g_autoptr(GObject) hold = NULL;
  g_autofree char *signal = NULL;
  PropertyWait wait = { condition, user_data, FALSE };
  GParamSpec *pspec;
  gulong handler;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  if (pspec == NULL)
    g_error ("jr_test_wait_property: %s has no property '%s'",
             G_OBJECT_TYPE_NAME (object), property);

  if (condition (object, NULL, user_data))
    return TRUE;

  hold = g_object_ref (object);
  signal = g_strconcat ("notify::", property, NULL);
  handler = g_signal_connect (object, signal, G_CALLBACK (on_wait_notify), &wait);
  jr_test_iterate_until (NULL, jr_test_flag_is_set, &wait.met, timeout_usec);
  g_signal_handler_disconnect (object, handler);

  if (!wait.met)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autofree char *contents = NULL;

      g_value_init (&value, pspec->value_type);
      g_object_get_property (object, property, &value);
      contents = g_strdup_value_contents (&value);
      jr_test_fail ("%s %p: condition on '%s' not met after %.1f s; '%s' is %s",
                    G_OBJECT_TYPE_NAME (object), object, property,
                    timeout_usec / (double) G_USEC_PER_SEC, property, contents);
    }

  return wait.met;
}

gboolean
jr_test_state_is (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  return jr_future_get_state (JR_FUTURE (object)) == (JrFutureState) GPOINTER_TO_INT (user_data);
}

gboolean
jr_test_done (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  return jr_future_get_done (JR_FUTURE (object));
}

/* ------------------------------------------------------------------ */
/* This process: threads, fds, children, memory                       */
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

/* The link of the fd that lists /proc/self/fd, which is not counted. */
static char *
listing_fd_target (void)
{
  return g_strdup_printf ("/proc/%d/fd", (int) getpid ());
}

guint
jr_test_count_fds (void)
{
  return count_dir_entries ("/proc/self/fd") - 1;
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
      g_autoptr(GString) names = g_string_new (NULL);

      count_threads_named (FALSE, names);
      g_error ("%u threads, %u before the test; now:%s",
               n_threads, baseline->n_threads, names->str);
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
/* Expected warnings                                                   */
/* ------------------------------------------------------------------ */

typedef struct {
  char     *pattern;
  gboolean  required;
  guint     hits;
} Expectation;

static GMutex expect_lock;
static GPtrArray *expectations;   /* Expectation*, guarded by expect_lock */
static GPtrArray *seen_warnings;  /* char*, guarded by expect_lock */

static void
expectation_free (gpointer data)
{
  Expectation *e = data;

  g_free (e->pattern);
  g_free (e);
}

static void
add_expectation (const char *pattern,
                 gboolean    required)
{
  Expectation *e = g_new0 (Expectation, 1);

  e->pattern = g_strdup (pattern);
  e->required = required;
  g_mutex_lock (&expect_lock);
  if (expectations == NULL)
    {
      expectations = g_ptr_array_new_with_free_func (expectation_free);
      seen_warnings = g_ptr_array_new_with_free_func (g_free);
    }
  g_ptr_array_add (expectations, e);
  g_mutex_unlock (&expect_lock);
}

void
jr_test_expect_warning (const char *pattern)
{
  add_expectation (pattern, TRUE);
}

void
jr_test_allow_warnings (const char *pattern)
{
  add_expectation (pattern, FALSE);
}

gboolean
jr_test_expected_warnings_seen (gpointer unused)
{
  gboolean all = TRUE;

  g_mutex_lock (&expect_lock);
  for (guint i = 0; expectations != NULL && i < expectations->len; i++)
    {
      Expectation *e = g_ptr_array_index (expectations, i);

      if (e->required && e->hits == 0)
        all = FALSE;
    }
  g_mutex_unlock (&expect_lock);
  return all;
}

void
jr_test_check_expected_warnings (void)
{
  g_autofree char *missing = NULL;

  g_mutex_lock (&expect_lock);
  if (expectations == NULL)
    {
      g_mutex_unlock (&expect_lock);
      return;
    }
  for (guint i = 0; i < seen_warnings->len; i++)
    g_test_message ("expected warning: %s", (char *) g_ptr_array_index (seen_warnings, i));
  for (guint i = 0; i < expectations->len && missing == NULL; i++)
    {
      Expectation *e = g_ptr_array_index (expectations, i);

      if (e->required && e->hits == 0)
        missing = g_strdup (e->pattern);
    }
  g_ptr_array_set_size (expectations, 0);
  g_ptr_array_set_size (seen_warnings, 0);
  g_mutex_unlock (&expect_lock);

  if (missing != NULL)
    g_error ("no \"jobrouter\" warning matching \"%s\" was logged", missing);
}

/* Matches "jobrouter" warnings against the expectations: a match is
 * counted and not printed; anything else goes to the default writer,
 * which makes warnings and criticals fatal under g_test. A match wakes
 * the default main context so that a test waiting for it sees it. (The
 * router logs with structured logging, which g_test_expect_message() of
 * GLib 2.74 does not see.) */
static GLogWriterOutput
test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  g_autofree char *domain = NULL;
  g_autofree char *message = NULL;
  gboolean matched = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    {
      char **slot = NULL;

      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        slot = &domain;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        slot = &message;
      if (slot != NULL && *slot == NULL && fields[i].value != NULL)
        *slot = fields[i].length < 0 ? g_strdup (fields[i].value)
                                     : g_strndup (fields[i].value, fields[i].length);
    }

  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "jobrouter") == 0 && message != NULL)
    {
      g_mutex_lock (&expect_lock);
      for (guint i = 0; expectations != NULL && i < expectations->len && !matched; i++)
        {
          Expectation *e = g_ptr_array_index (expectations, i);

          if (g_pattern_match_simple (e->pattern, message))
            {
              e->hits++;
              matched = TRUE;
              g_ptr_array_add (seen_warnings, g_strdup (message));
            }
        }
      g_mutex_unlock (&expect_lock);
    }

  if (matched)
    {
      g_main_context_wakeup (NULL);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
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
