/* jr-test-gui.c — helpers for the GUI tests: wait for a property, end an
 * executor clean, skip without a display.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Waiting never sleeps: it iterates the thread-default main context, woken
 * by the awaited notification or by the deadline, and a missed deadline
 * fails the test with what was awaited and what was there instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "jr-test-gui.h"

/* Threads of this process when the test started (see count_threads()). */
static guint baseline_threads;

/* Fails the test with @message, also on stderr: g_test_fail_printf()
 * shows its message only in TAP output, not in a trapped subprocess or
 * with the default output. */
static void G_GNUC_PRINTF (1, 2)
fail_test (const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_printerr ("jr-test-gui: %s\n", message);
  g_test_fail_printf ("%s", message);
}

/* ---- threads and children of this process ---- */

/* Threads GLib and GTK start on demand and keep for the life of the process
 * (the GLib worker, GDBus, thread-pool spares, Mesa/fontconfig helpers):
 * not ours to join. */
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

static char *
read_trimmed (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

/* Counts our threads that are not library threads; @names (if not NULL)
 * gets "tid name" of each. */
static guint
count_threads (GString *names)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  if (dir == NULL)
    return 0;

  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *name = read_trimmed (path);

      if (name == NULL || is_library_thread (name))
        continue;
      n++;
      if (names != NULL)
        g_string_append_printf (names, " %s(%s)", tid, name);
    }

  return n;
}

/* Counts the processes whose parent is this process, zombies included;
 * @names (if not NULL) gets "pid name state" of each. */
static guint
count_children (GString *names)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  pid_t self = getpid ();
  const char *entry;
  guint n = 0;

  if (dir == NULL)
    return 0;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *close_paren;
      char state;
      long ppid;

      if (!g_ascii_isdigit (entry[0]))
        continue;

      path = g_strdup_printf ("/proc/%s/stat", entry);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;               /* gone meanwhile */

      /* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
      close_paren = strrchr (stat, ')');
      if (close_paren == NULL || sscanf (close_paren + 1, " %c %ld", &state, &ppid) != 2)
        continue;
      if (ppid != self)
        continue;

      n++;
      if (names != NULL)
        {
          const char *open_paren = strchr (stat, '(');
          g_autofree char *comm = open_paren != NULL && open_paren < close_paren
                                  ? g_strndup (open_paren + 1, close_paren - open_paren - 1)
                                  : g_strdup ("?");

          g_string_append_printf (names, " %s(%s,%c)", entry, comm, state);
        }
    }

  return n;
}

/* ---- waiting ---- */

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Iterates @context until @check returns TRUE or @timeout_usec pass,
 * polling every 10 ms (for things no signal announces, like a thread
 * ending). */
static gboolean
poll_until (gboolean (*check) (void),
            gint64     timeout_usec)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + timeout_usec;

  while (!check ())
    {
      g_autoptr(GSource) tick = NULL;
      gboolean fired = FALSE;

      if (g_get_monotonic_time () >= deadline)
        return FALSE;

      tick = g_timeout_source_new (10);
      g_source_set_callback (tick, set_flag_cb, &fired, NULL);
      g_source_attach (tick, context);
      while (!fired)
        g_main_context_iteration (context, TRUE);
      g_source_destroy (tick);
    }

  return TRUE;
}

typedef struct {
  JrTestCondition condition;
  gpointer user_data;
  gboolean met;
  GMainContext *context;
} Wait;

static void
on_wait_notify (GObject    *object,
                GParamSpec *pspec,
                Wait       *wait)
{
  if (!wait->met && wait->condition (object, pspec, wait->user_data))
    {
      wait->met = TRUE;
      g_main_context_wakeup (wait->context);
    }
}

/**
 * jr_test_run_until:
 * @object: the object to watch
 * @property: the property whose notifications may make @condition true
 * @condition: the awaited condition
 * @user_data: data for @condition
 * @timeout_usec: how long to wait at most
 *
 * Iterates the thread-default main context until @condition holds: it is
 * checked at once, then on each notification of @property. After
 * @timeout_usec the test is marked failed with the object's type, the
 * property and its value.
 *
 * Returns: %TRUE if the condition holds; %FALSE on timeout (the test has
 *   failed: return from it)
 */
gboolean
jr_test_run_until (GObject         *object,
                   const char      *property,
                   JrTestCondition  condition,
                   gpointer         user_data,
                   gint64           timeout_usec)
{
  g_autoptr(GObject) hold = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autofree char *signal = NULL;
  GParamSpec *pspec;
  gboolean timed_out = FALSE;
  gulong handler;
  Wait wait;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  if (pspec == NULL)
    g_error ("jr_test_run_until: %s has no property '%s'",
             G_OBJECT_TYPE_NAME (object), property);

  if (condition (object, NULL, user_data))
    return TRUE;

  hold = g_object_ref (object);
  context = g_main_context_ref_thread_default ();
  wait = (Wait) { condition, user_data, FALSE, context };

  signal = g_strconcat ("notify::", property, NULL);
  handler = g_signal_connect (object, signal, G_CALLBACK (on_wait_notify), &wait);

  timeout = g_timeout_source_new (MAX (timeout_usec, 0) / 1000);
  g_source_set_callback (timeout, set_flag_cb, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!wait.met && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_signal_handler_disconnect (object, handler);

  if (!wait.met)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autofree char *contents = NULL;

      g_value_init (&value, pspec->value_type);
      g_object_get_property (object, property, &value);
      contents = g_strdup_value_contents (&value);
      fail_test ("%s %p: condition on '%s' not met after %.1f s; '%s' is %s",
                          G_OBJECT_TYPE_NAME (object), object, property,
                          timeout_usec / (double) G_USEC_PER_SEC, property, contents);
    }

  return wait.met;
}

/**
 * jr_test_state_is:
 *
 * A #JrTestCondition: the future's state is GPOINTER_TO_INT (@user_data).
 */
gboolean
jr_test_state_is (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  return jr_future_get_state (JR_FUTURE (object)) == (JrFutureState) GPOINTER_TO_INT (user_data);
}

/**
 * jr_test_done:
 *
 * A #JrTestCondition: the future is done.
 */
gboolean
jr_test_done (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  return jr_future_get_done (JR_FUTURE (object));
}

static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  guint *left = user_data;

  if (*left > 0)
    (*left)--;
  return *left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/**
 * jr_test_wait_frames:
 * @widget: a widget in a shown window
 * @n_frames: how many frames to wait for
 * @timeout_usec: how long to wait at most
 *
 * Returns: %TRUE once @n_frames frames have begun since the call, their
 *   tick callbacks run; %FALSE on timeout (the test has failed)
 */
gboolean
jr_test_wait_frames (GtkWidget *widget,
                     guint      n_frames,
                     gint64     timeout_usec)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = NULL;
  gboolean timed_out = FALSE;
  guint left = n_frames;
  guint id;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  if (n_frames == 0)
    return TRUE;

  /* A tick callback keeps the frame clock running: frames come even when
   * nothing needs drawing. */
  id = gtk_widget_add_tick_callback (widget, count_tick_cb, &left, NULL);

  timeout = g_timeout_source_new (MAX (timeout_usec, 0) / 1000);
  g_source_set_callback (timeout, set_flag_cb, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (left > 0 && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  if (left > 0)
    {
      gtk_widget_remove_tick_callback (widget, id);
      fail_test ("%s %p: %u of %u frames still awaited after %.1f s (mapped: %d)",
                          G_OBJECT_TYPE_NAME (widget), widget, left, n_frames,
                          timeout_usec / (double) G_USEC_PER_SEC,
                          gtk_widget_get_mapped (widget));
      return FALSE;
    }

  return TRUE;
}

/**
 * jr_test_drain_main_context:
 *
 * Dispatches what is ready in the thread-default main context, without
 * blocking (bounded, as pulsing widgets always have a next frame).
 */
void
jr_test_drain_main_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  for (guint i = 0; i < 1000 && g_main_context_pending (context); i++)
    g_main_context_iteration (context, FALSE);
}

/**
 * jr_test_show_in_window:
 * @child: (transfer floating): the widget to show
 *
 * Returns: (transfer none): a presented window holding @child, after its
 *   first frames; destroy it with jr_test_destroy_window()
 */
GtkWidget *
jr_test_show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 400);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));

  /* Tick callbacks run once the window is realized: two frames later it
   * is mapped and painted. */
  jr_test_wait_frames (child, 2, 10 * G_USEC_PER_SEC);

  return window;
}

/**
 * jr_test_destroy_window:
 * @window: a window from jr_test_show_in_window()
 */
void
jr_test_destroy_window (GtkWidget *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  jr_test_drain_main_context ();
}

/**
 * jr_test_find_widget:
 * @root: where to search
 * @match: the test
 * @user_data: data for @match
 *
 * Returns: (transfer none) (nullable): the first mapped widget, depth
 *   first, for which @match returns %TRUE
 */
GtkWidget *
jr_test_find_widget (GtkWidget *root,
                     gboolean (*match) (GtkWidget *widget,
                                        gpointer   user_data),
                     gpointer   user_data)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (match (root, user_data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = jr_test_find_widget (child, match, user_data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/**
 * jr_test_gui_init:
 * @argc: main()'s argc
 * @argv: main()'s argv
 *
 * g_test_init() and gtk_init_check(), with GTK's test accessibility
 * backend unless GTK_A11Y asks for another. Without a display, prints the TAP
 * line of a skipped program and returns %FALSE: main() then returns 0.
 *
 * Returns: %TRUE if the tests can run
 */
gboolean
jr_test_gui_init (int    *argc,
                  char ***argv)
{
  const char *a11y = g_getenv ("GTK_A11Y");

  g_test_init (argc, argv, NULL);

  /* Without a session bus, GTK's test AT context still records accessible
   * names and roles, so tests can check them; a run that asked for AT-SPI
   * on purpose keeps it. */
  if (a11y == NULL || g_str_equal (a11y, "none"))
    g_setenv ("GTK_A11Y", "test", TRUE);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      fflush (stdout);
      return FALSE;
    }

  baseline_threads = count_threads (NULL);

  return TRUE;
}

static gboolean
no_extra_threads (void)
{
  return count_threads (NULL) <= baseline_threads;
}

static gboolean
no_children (void)
{
  return count_children (NULL) == 0;
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
  gboolean ok;

  ok = jr_executor_shutdown (executor, 10 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
  g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);

  /* Threads end and children are reaped just after their last message:
   * give them a moment, without sleeping the main context. */
  if (!poll_until (no_extra_threads, 5 * G_USEC_PER_SEC))
    {
      g_autoptr(GString) names = g_string_new (NULL);
      guint n = count_threads (names);

      fail_test ("%u threads after shutdown, %u before the tests:%s",
                          n, baseline_threads, names->str);
    }

  if (!poll_until (no_children, 5 * G_USEC_PER_SEC))
    {
      g_autoptr(GString) names = g_string_new (NULL);
      guint n = count_children (names);

      fail_test ("%u child processes left after shutdown:%s", n, names->str);
    }
}
