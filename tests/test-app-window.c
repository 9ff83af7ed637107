/* test-app-window.c — tests of the application (app/jr-application.c,
 * app/jr-app-window.c, the dialogs) and of its settings
 * (app/jr-app-settings.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The settings tests run anywhere; the window tests need a display and
 * skip without one. The application's executor runs worker processes:
 * this program is its own worker, so it registers the jobs and calls
 * jr_init() first thing.
 *
 * With JR_APP_SCREENSHOT=FILE.png set, the window test also saves a
 * picture of the window with jobs running (docs/screenshot.png).
 */
#include <stdio.h>

#include "jobrouter-ui.h"

#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-app-window.h"
#include "jr-application.h"
#include "jr-prompt-dialog.h"
#include "jr-result-dialog.h"
#include "jobrouter-test-gui.h"
#include "jr-test.h"

#define WAIT_USEC (30 * G_USEC_PER_SEC)

static gboolean have_display;

/* ---- settings ---- */

static void
test_settings_installed (void)
{
  g_autoptr(GSettings) settings = jr_app_settings_new ();

  g_assert_nonnull (settings);
  /* 0 means one worker per processor */
  g_assert_cmpuint (jr_app_settings_get_max_workers (settings), ==, g_get_num_processors ());
  g_settings_set_uint (settings, JR_APP_SETTINGS_MAX_WORKERS, 3);
  g_assert_cmpuint (jr_app_settings_get_max_workers (settings), ==, 3);
  g_settings_reset (settings, JR_APP_SETTINGS_MAX_WORKERS);

  g_assert_true (jr_app_settings_get_boolean (settings, JR_APP_SETTINGS_KEEP_FINISHED));
  g_settings_set_boolean (settings, JR_APP_SETTINGS_KEEP_FINISHED, FALSE);
  g_assert_false (jr_app_settings_get_boolean (settings, JR_APP_SETTINGS_KEEP_FINISHED));
  g_settings_reset (settings, JR_APP_SETTINGS_KEEP_FINISHED);
}

static void
test_settings_missing (void)
{
  if (g_test_subprocess ())
    {
      /* Nowhere to find the schema; nothing has read these yet in this
       * process. g_settings_new() would abort here. */
      g_setenv ("GSETTINGS_SCHEMA_DIR", "/nonexistent", TRUE);
      g_setenv ("XDG_DATA_DIRS", "/nonexistent", TRUE);

      g_assert_null (jr_app_settings_new ());
      g_assert_cmpuint (jr_app_settings_get_max_workers (NULL), ==, g_get_num_processors ());
      g_assert_true (jr_app_settings_get_boolean (NULL, JR_APP_SETTINGS_KEEP_FINISHED));
      g_assert_true (jr_app_settings_get_boolean (NULL, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- the window ---- */

static gboolean
is_of_type (GtkWidget *widget,
            gpointer   type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  return jr_test_find_widget (root, is_of_type, GSIZE_TO_POINTER (type));
}

/* The one toplevel of @type, once it is shown. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_assert_null (found);
          found = window;
        }
    }

  g_assert_nonnull (found);
  jr_test_wait_frames (GTK_WIDGET (found), 2, WAIT_USEC);
  return found;
}

static JrFuture *
last_job (JrExecutor *executor)
{
  GListModel *jobs = jr_executor_get_jobs (executor);
  guint n = g_list_model_get_n_items (jobs);
  g_autoptr(JrFuture) future = NULL;

  g_assert_cmpuint (n, >, 0);
  future = g_list_model_get_item (jobs, n - 1);
  /* The executor's list keeps it alive. */
  return future;
}

static JrFuture *
submit (JrAppWindow *window,
        const char  *name,
        const char  *arg)
{
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GError) error = NULL;
  JrFuture *future;

  args = jr_app_job_parse_args (jr_app_jobs_lookup (name), arg, &error);
  g_assert_no_error (error);
  future = jr_app_window_submit (window, name, args, &error);
  g_assert_no_error (error);
  g_assert_nonnull (future);
  return future;
}

static void
on_text (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_text, &text);
  jr_test_run_until (jr_test_pointer_is_set, &text, WAIT_USEC, "the clipboard's text");
  return text;
}

/* Opens result @id, checks its text, copies it and closes the dialog. */
static void
check_result (JrAppWindow *window,
              guint        id,
              const char  *expected)
{
  JrResultDialog *dialog;
  g_autofree char *copied = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-result", "u", id);
  dialog = JR_RESULT_DIALOG (find_toplevel (JR_TYPE_RESULT_DIALOG));
  g_assert_cmpstr (jr_result_dialog_get_text (dialog), ==, expected);

  jr_result_dialog_copy (dialog);
  copied = read_clipboard (GTK_WIDGET (dialog));
  g_assert_cmpstr (copied, ==, expected);

  gtk_window_destroy (GTK_WINDOW (dialog));
  jr_test_drain_main_context ();
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

typedef struct {
  JrApplication *app;
  JrFuture      *sleeper;   /* the job running when the window closes */
  gboolean       done;
} Scenario;

static gboolean
run_scenario (gpointer user_data)
{
  Scenario *scenario = user_data;
  GtkApplication *app = GTK_APPLICATION (scenario->app);
  JrExecutor *executor = jr_application_get_executor (scenario->app);
  const char *screenshot = g_getenv ("JR_APP_SCREENSHOT");
  JrAppWindow *window;
  JrPromptDialog *prompt;
  GtkWidget *job_list, *entry;
  JrFuture *future;
  GtkWidget *dialog;

  g_assert_nonnull (executor);
  /* Without a notification server GLib warns, and warnings are fatal here;
   * under Xvfb with no window manager the window is never active. */
  g_action_group_change_action_state (G_ACTION_GROUP (app), "notify-on-completion",
                                      g_variant_new_boolean (FALSE));

  window = JR_APP_WINDOW (gtk_application_get_active_window (app));
  g_assert_nonnull (window);
  jr_test_wait_frames (GTK_WIDGET (window), 2, WAIT_USEC);

  /* The window shows the application's jobs. */
  job_list = find_widget (GTK_WIDGET (window), JR_TYPE_JOB_LIST);
  g_assert_nonnull (job_list);
  g_assert_true (jr_job_list_get_executor (JR_JOB_LIST (job_list)) == executor);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), JR_TYPE_PROGRESS_INDICATOR));

  /* New Job → Count Primes: the prompt refuses what is no number, then
   * submits what is. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-count-primes", NULL);
  prompt = JR_PROMPT_DIALOG (find_toplevel (JR_TYPE_PROMPT_DIALOG));
  entry = find_widget (GTK_WIDGET (prompt), GTK_TYPE_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), "lots");
  g_assert_false (jr_prompt_dialog_accept (prompt));
  gtk_editable_set_text (GTK_EDITABLE (entry), "100000");
  g_assert_true (jr_prompt_dialog_accept (prompt));

  future = last_job (executor);
  g_assert_cmpstr (jr_future_get_job_name (future), ==, "count-primes");
  g_assert_cmpstr (jr_future_get_title (future), ==, "Primes up to 100000");
  jr_test_wait_done (future, WAIT_USEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  check_result (window, 1, "9592 primes up to 100000");

  /* What a command prints is its result. */
  future = submit (window, "run-command", "echo hello");
  jr_test_wait_done (future, WAIT_USEC);
  check_result (window, 2, "hello\n# 1 line of output\n");

  /* A failed job has no result to show. */
  future = submit (window, "checksum", "/nonexistent/folder");
  jr_test_wait_done (future, WAIT_USEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  g_assert_false (jr_app_window_show_result (window, 3));

  if (screenshot != NULL)
    {
      JrFuture *primes, *checksum;

      /* Two workers on two processors: the last one waits its turn. */
      primes = submit (window, "count-primes", "300000000000");
      checksum = submit (window, "checksum", "/usr/share/doc");
      future = submit (window, "find-duplicates", "/usr/share");
      jr_test_wait_state (checksum, JR_FUTURE_STATE_EXECUTING, WAIT_USEC);
      /* Long enough for the bars to move, whatever the machine. */
      jr_test_wait_frames (GTK_WIDGET (window), 60, WAIT_USEC);
      save_screenshot (GTK_WIDGET (window), screenshot);
      g_test_message ("screenshot saved to %s", screenshot);

      jr_future_cancel (primes);
      jr_future_cancel (checksum);
      jr_future_cancel (future);
      jr_test_wait_done (primes, WAIT_USEC);
      jr_test_wait_done (checksum, WAIT_USEC);
      jr_test_wait_done (future, WAIT_USEC);
    }

  /* The keep-finished action is the setting, and the list follows it. */
  g_assert_true (jr_job_list_get_keep_finished (JR_JOB_LIST (job_list)));
  g_action_group_change_action_state (G_ACTION_GROUP (app), "keep-finished",
                                      g_variant_new_boolean (FALSE));
  g_assert_false (jr_job_list_get_keep_finished (JR_JOB_LIST (job_list)));
  g_assert_false (g_settings_get_boolean (jr_application_get_settings (scenario->app),
                                          JR_APP_SETTINGS_KEEP_FINISHED));
  g_action_group_change_action_state (G_ACTION_GROUP (app), "keep-finished",
                                      g_variant_new_boolean (TRUE));
  g_assert_true (jr_job_list_get_keep_finished (JR_JOB_LIST (job_list)));

  /* Closing with a job running asks first. */
  scenario->sleeper = g_object_ref (submit (window, "run-command", "sleep 600"));
  jr_test_wait_state (scenario->sleeper, JR_FUTURE_STATE_EXECUTING, WAIT_USEC);
  g_assert_cmpuint (jr_app_window_get_n_running (window), ==, 1);

  gtk_window_close (GTK_WINDOW (window));
  jr_test_drain_main_context ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = GTK_WIDGET (find_toplevel (GTK_TYPE_MESSAGE_DIALOG));

  /* "Stop Jobs and Close": the jobs are cancelled, the window goes, and
   * with it the application (its shutdown stops the workers). */
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  scenario->done = TRUE;

  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app,
             Scenario     *scenario)
{
  g_idle_add (run_scenario, scenario);
}

static void
test_window (void)
{
  g_autoptr(JrApplication) app = NULL;
  Scenario scenario = { 0 };
  JrExecutor *executor;
  int status;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  app = jr_application_new ();
  /* Not the one instance on the session bus: a running jobrouter must
   * not get this test's window. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  scenario.app = app;
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &scenario);

  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (scenario.done);

  /* Quitting left nothing running. */
  g_assert_cmpint (jr_future_get_state (scenario.sleeper), ==, JR_FUTURE_STATE_CANCELLED);
  executor = jr_application_get_executor (app);
  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
  g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);
  g_clear_object (&scenario.sleeper);
}

int
main (int    argc,
      char **argv)
{
  jr_app_jobs_register ();
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);

  /* A child of g_test_trap_subprocess() must start with no settings read
   * and no GTK. */
  if (!g_test_subprocess ())
    {
      g_autofree char *schemas = g_test_build_filename (G_TEST_BUILT, "..", "data", NULL);
      const char *a11y = g_getenv ("GTK_A11Y");

      g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
      if (a11y == NULL || g_str_equal (a11y, "none"))
        g_setenv ("GTK_A11Y", "test", TRUE);
      have_display = gtk_init_check ();
    }

  g_test_add_func ("/app/settings/installed", test_settings_installed);
  g_test_add_func ("/app/settings/missing", test_settings_missing);
  g_test_add_func ("/app/window/jobs-results-close", test_window);

  return g_test_run ();
}
