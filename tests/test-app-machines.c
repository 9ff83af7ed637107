/* test-app-machines.c — workers on other machines in the application:
 * the worker-groups list (app/jr-app-groups.c), the Other Machines page
 * of the preferences (app/jr-preferences-machines-page.c) and the
 * executor that follows it (app/jr-application.c), and rows that say
 * where their jobs ran.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The window tests need a display and skip without one. "ssh" and "srun"
 * are found first in a folder of this test's own (made in main()):
 *
 * - its ssh sends the hosts of the test sshd (jr-ssh, jr-ssh-root) to the
 *   real ssh with the sshd's configuration (JR_TEST_SSH_CONFIG); any other
 *   host ("box") is this machine: it runs the worker's command itself;
 * - its srun is the real one when SLURM_CONF is set (from
 *   JR_TEST_SLURM_CONF), else runs the worker here.
 *
 * So the page's groups really start workers everywhere, and .ci/run (which
 * sets JR_TEST_SSH_CONFIG and JR_TEST_SLURM_CONF once it started the
 * engines, tests/remote-engines.sh) also runs a job from the window
 * through the real sshd and the real Slurm.
 */
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "jobrouter-ui.h"
#include "jr-job-row-private.h"

#include "jr-app-groups.h"
#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-app-window.h"
#include "jr-application.h"
#include "jr-preferences-machines-page.h"
#include "jr-preferences-window.h"
#include "jobrouter-test-gui.h"
#include "jr-test.h"
#include "app-common.h"
#include "remote-fixture.h"

#define WAIT_USEC APP_TEST_WAIT_USEC

static gboolean have_display;
static char *self_path;
static char *fakes_dir;

static const char fake_ssh[] =
  "#!/bin/sh\n"
  "# ssh for test-app-machines: the test sshd's hosts (jr-ssh…) through ssh,\n"
  "# any other host is this machine, without ssh.\n"
  "skip=\n"
  "for arg; do\n"
  "  if [ -n \"$skip\" ]; then skip=; continue; fi\n"
  "  case \"$arg\" in -[oeFpilJ]) skip=1 ;; -*) ;; *) dest=$arg; break ;; esac\n"
  "done\n"
  "case \"$dest\" in jr-ssh*) exec /usr/bin/ssh -F \"$JR_TEST_SSH_CONFIG\" \"$@\" ;; esac\n"
  "if [ -n \"$dest\" ]; then\n"
  "  while [ \"$1\" != \"$dest\" ]; do shift; done\n"
  "  shift\n"
  "  exec /bin/sh -c \"$*\"\n"
  "fi\n"
  "exit 255\n";

static const char fake_srun[] =
  "#!/bin/sh\n"
  "# srun for test-app-machines: the real one where there is a Slurm.\n"
  "if [ -n \"$SLURM_CONF\" ]; then exec /usr/bin/srun \"$@\"; fi\n"
  "while [ $# -gt 0 ]; do case \"$1\" in -*) shift ;; *) break ;; esac; done\n"
  "exec \"$@\"\n";

static void
write_fake (const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (fakes_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

/* ---- the list of groups, without a window ---- */

static void
assert_specs (char              **specs,   /* consumed */
              const char * const *expected)
{
  g_autofree char *got = g_strjoinv (" ", specs);
  g_autofree char *want = g_strjoinv (" ", (char **) expected);

  g_assert_cmpstr (got, ==, want);
  g_strfreev (specs);
}

static void
test_specs (void)
{
  const char * const none[] = { NULL };
  const char * const start[] = { "local:2", "bogus", "ssh:me@box:3", NULL };
  g_auto(GStrv) specs = NULL;
  g_autoptr(GError) error = NULL;

  /* Added at the end, replaced where it is, removed; what is not a group
   * of another machine is kept. */
  assert_specs (jr_app_groups_set_ssh (none, "box", 1), (const char *[]) { "ssh:box:1", NULL });
  assert_specs (jr_app_groups_set_ssh (start, "other", 2),
                (const char *[]) { "local:2", "bogus", "ssh:me@box:3", "ssh:other:2", NULL });
  assert_specs (jr_app_groups_set_ssh (start, "me@box", 5),
                (const char *[]) { "local:2", "bogus", "ssh:me@box:5", NULL });
  assert_specs (jr_app_groups_set_ssh (start, "me@box", 0), (const char *[]) { "local:2", "bogus", NULL });
  assert_specs (jr_app_groups_set_ssh (start, "nobody", 0), (const char *[]) { "local:2", "bogus", "ssh:me@box:3", NULL });
  specs = jr_app_groups_set_slurm (start, 4);
  assert_specs (jr_app_groups_set_slurm ((const char * const *) specs, 6),
                (const char *[]) { "local:2", "bogus", "ssh:me@box:3", "slurm:6", NULL });
  g_clear_pointer (&specs, g_strfreev);
  assert_specs (jr_app_groups_set_slurm ((const char *[]) { "slurm", "ssh:box", NULL }, 0),
                (const char *[]) { "ssh:box", NULL });
  /* At most 256 workers a group, as the spin buttons and the parser say. */
  assert_specs (jr_app_groups_set_slurm (none, 1000), (const char *[]) { "slurm:256", NULL });

  /* Hosts. */
  g_assert_true (jr_app_groups_check_host ("box", NULL));
  g_assert_true (jr_app_groups_check_host ("me@node-17.cluster.example", NULL));
  g_assert_true (jr_app_groups_check_host ("10.0.0.7", NULL));
  {
    static const struct {
      const char *host;
      const char *error;
    } bad[] = {
      { "", "Write the host’s name or address" },
      { "two words", "without spaces" },
      { "box:22", "without a port" },
      { "[::1]", "For an IPv6 address, give it a name in ~/.ssh/config" },
      { "fe80::1", "For an IPv6 address" },
      { "a,b", "cannot contain “,”" },
      { "-oProxyCommand=x", "cannot begin with “-”" },
      { "me@-x", "cannot begin with “-”" },
      { "@box", "user@host" },
      { "me@", "user@host" },
      { "a@b@c", "user@host" },
      { "slurm", "names another group" },
      { "local", "names another group" },
      { "b\xc3\xa9", "letters, digits" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (jr_app_groups_check_host (bad[i].host, &error));
        g_assert_nonnull (strstr (error->message, bad[i].error));
        g_assert_true (g_utf8_validate (error->message, -1, NULL));
        g_clear_error (&error);
      }
  }
  /* The command line refuses them too, naming the group. */
  g_assert_null (jr_app_groups_parse ((const char *[]) { "ssh:two words", NULL }, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "“ssh:two words”: Write the host without spaces"));
}

/* jr_app_groups_update() on a running executor: added, resized, left with
 * no worker, back again. The groups' workers really start (through this
 * test's ssh, on this machine). */
static void
test_update (void)
{
  g_autoptr(JrExecutor) executor = jr_executor_new (JR_TRANSPORT_PROCESSES, 1);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  {
    g_autoptr(GPtrArray) groups = jr_app_groups_parse ((const char *[]) { "ssh:box:2", "slurm:1", NULL },
                                                       FALSE, &error);

    g_assert_no_error (error);
    g_assert_true (jr_app_groups_update (executor, groups, &error));
    g_assert_no_error (error);
  }
  names = jr_executor_dup_group_names (executor);
  g_assert_cmpstr (names[0], ==, "local");
  g_assert_cmpstr (names[1], ==, "box");
  g_assert_cmpstr (names[2], ==, "slurm");
  g_assert_cmpuint (jr_executor_get_group_size (executor, "box"), ==, 2);
  g_assert_cmpuint (jr_executor_get_group_size (executor, "slurm"), ==, 1);
  g_assert_cmpuint (jr_executor_get_group_size (executor, "local"), ==, 1);

  {
    /* A local group in the list is the executor's business, not this. */
    g_autoptr(GPtrArray) groups = jr_app_groups_parse ((const char *[]) { "local:5", "ssh:box:1", NULL },
                                                       FALSE, &error);

    g_assert_true (jr_app_groups_update (executor, groups, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (jr_executor_get_group_size (executor, "box"), ==, 1);
  g_assert_null (jr_executor_get_group_launcher (executor, "slurm"));
  g_assert_cmpuint (jr_executor_get_group_size (executor, "local"), ==, 1);
  g_clear_pointer (&names, g_strfreev);
  names = jr_executor_dup_group_names (executor);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[1], ==, "box");

  {
    g_autoptr(GPtrArray) groups = jr_app_groups_parse ((const char *[]) { "slurm:3", NULL }, FALSE, &error);

    g_assert_true (jr_app_groups_update (executor, groups, &error));
    g_assert_no_error (error);
  }
  g_assert_null (jr_executor_get_group_launcher (executor, "box"));
  g_assert_cmpuint (jr_executor_get_group_size (executor, "slurm"), ==, 3);
  g_assert_false (jr_launcher_get_shared_paths (jr_executor_get_group_launcher (executor, "slurm")));

  {
    /* Paths shared now: the group is replaced by one whose launcher says so. */
    g_autoptr(GPtrArray) groups = jr_app_groups_parse ((const char *[]) { "slurm:2", NULL }, TRUE, &error);

    g_assert_true (jr_app_groups_update (executor, groups, &error));
    g_assert_no_error (error);
  }
  g_assert_true (jr_launcher_get_shared_paths (jr_executor_get_group_launcher (executor, "slurm")));
  g_assert_cmpuint (jr_executor_get_group_size (executor, "slurm"), ==, 2);

  g_assert_true (jr_executor_shutdown (executor, WAIT_USEC, &error));
  g_assert_no_error (error);
}

/* ---- the application, run for one scenario ---- */

typedef void (*Scenario) (JrApplication *app,
                          JrAppWindow   *window);

static Scenario current_scenario;
static gboolean scenario_done;

static gboolean
run_scenario (gpointer user_data)
{
  GApplication *app = g_application_get_default ();
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (JR_IS_APP_WINDOW (window));
  jr_test_wait_frames (GTK_WIDGET (window), 2, WAIT_USEC);
  current_scenario (JR_APPLICATION (app), JR_APP_WINDOW (window));
  scenario_done = TRUE;

  /* Nothing runs any more: the window closes without a question. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app)
{
  g_idle_add (run_scenario, NULL);
}

/* Runs the application with its window and @scenario in it, with
 * @shared_paths, from the defaults otherwise; then quits and checks that
 * nothing was left running. */
static void
run_app (Scenario scenario,
         gboolean shared_paths)
{
  g_autoptr(JrApplication) app = NULL;
  g_autoptr(GSettings) settings = jr_app_settings_new ();

  app_test_reset_settings (settings);
  g_settings_set_uint (settings, JR_APP_SETTINGS_MAX_WORKERS, 1);
  g_settings_set_boolean (settings, JR_APP_SETTINGS_SHARED_PATHS, shared_paths);
  /* No notification server here. */
  g_settings_set_boolean (settings, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION, FALSE);

  current_scenario = scenario;
  scenario_done = FALSE;
  app = jr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_true (scenario_done);

  app_test_assert_quit_clean (app);
  g_settings_reset (settings, JR_APP_SETTINGS_WORKER_GROUPS);
}

/* ---- helpers ---- */

/* Also among the children not shown (the pages other than the first, a
 * hidden message). */
static GtkWidget *
find_hidden (GtkWidget  *root,
             gboolean  (*check) (GtkWidget *widget, gpointer data),
             gpointer    data)
{
  if (check (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_hidden (child, check, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  return jr_test_find_widget (root, is_row_titled, (gpointer) title);
}

static gboolean
is_remove_button (GtkWidget *widget,
                  gpointer   data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Remove") == 0;
}

static void
click_remove (GtkWidget *row)
{
  GtkWidget *button;

  g_assert_nonnull (row);
  button = jr_test_find_widget (row, is_remove_button, NULL);
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
is_error_label (GtkWidget *widget,
                gpointer   data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error");
}

typedef struct {
  GSettings          *settings;
  const char * const *specs;
} SpecsWait;

static gboolean
specs_are (gpointer data)
{
  SpecsWait *wait = data;
  g_auto(GStrv) specs = g_settings_get_strv (wait->settings, JR_APP_SETTINGS_WORKER_GROUPS);
  g_autofree char *got = g_strjoinv (" ", specs);
  g_autofree char *want = g_strjoinv (" ", (char **) wait->specs);

  return g_str_equal (got, want);
}

#define assert_setting(settings, ...) \
  G_STMT_START { \
    SpecsWait wait_ = { (settings), (const char *[]) { __VA_ARGS__ } }; \
    app_test_wait_for (specs_are, &wait_, "the worker-groups setting: " #__VA_ARGS__); \
  } G_STMT_END

typedef struct {
  JrExecutor *executor;
  const char *group;
  guint       size;
} SizeWait;

static gboolean
size_is (gpointer data)
{
  SizeWait *wait = data;

  return jr_executor_get_group_size (wait->executor, wait->group) == wait->size;
}

static void
assert_group_size (JrExecutor *executor,
                   const char *group,
                   guint       size)
{
  SizeWait wait = { executor, group, size };

  app_test_wait_for (size_is, &wait, group);
}

static GtkWidget *
open_page (JrApplication *app)
{
  GtkWindow *preferences = NULL;
  GtkWidget *page;
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  while (preferences == NULL && g_get_monotonic_time () < deadline)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

          if (JR_IS_PREFERENCES_WINDOW (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
            preferences = window;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_nonnull (preferences);
  page = find_hidden (GTK_WIDGET (preferences), app_test_is_of_type,
                      GSIZE_TO_POINTER (JR_TYPE_PREFERENCES_MACHINES_PAGE));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (page)), ==, "Other Machines");
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (preferences),
                                           ADW_PREFERENCES_PAGE (page));
  jr_test_wait_frames (page, 2, WAIT_USEC);
  return page;
}

static void
close_page (GtkWidget *page)
{
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (page)));
  jr_test_drain_main_context ();
}

static void
add_host (GtkWidget  *page,
          const char *host)
{
  GtkWidget *add_row = app_test_find_widget (page, ADW_TYPE_ENTRY_ROW);

  g_assert_nonnull (add_row);
  gtk_editable_set_text (GTK_EDITABLE (add_row), host);
  g_signal_emit_by_name (add_row, "apply");
}

static GtkWidget *
slurm_switch (GtkWidget *page)
{
  GtkWidget *row = find_row (page, "Run Jobs on the _Cluster");

  g_assert_nonnull (row);
  return app_test_find_widget (row, GTK_TYPE_SWITCH);
}

/* ---- the page ---- */

static void
scenario_page (JrApplication *app,
               JrAppWindow   *window)
{
  GSettings *settings = jr_application_get_settings (app);
  JrExecutor *executor = jr_application_get_executor (app);
  GtkWidget *page = open_page (app);
  GtkWidget *add_row = app_test_find_widget (page, ADW_TYPE_ENTRY_ROW);
  GtkWidget *error = find_hidden (page, is_error_label, NULL);
  GtkWidget *row, *spin, *slurm;

  g_assert_nonnull (error);
  g_assert_false (gtk_widget_get_visible (error));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (slurm_switch (page))));

  /* A host that cannot be one: said under the list, nothing written. */
  add_host (page, "two words");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_true (gtk_widget_has_css_class (add_row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "without spaces"));
  add_host (page, "");
  g_assert_true (gtk_widget_get_visible (error));
  assert_setting (settings, NULL);
  /* Typing again takes the message away. */
  gtk_editable_set_text (GTK_EDITABLE (add_row), "bo");
  g_assert_false (gtk_widget_get_visible (error));
  g_assert_false (gtk_widget_has_css_class (add_row, "error"));

  /* A host: one worker, at once; the entry is emptied for the next. */
  add_host (page, " box ");
  assert_setting (settings, "ssh:box:1", NULL);
  assert_group_size (executor, "box", 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (add_row)), ==, "");
  g_assert_false (gtk_widget_get_visible (error));
  add_host (page, "box");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "“box” is in the list already"));
  assert_setting (settings, "ssh:box:1", NULL);

  /* Its row: the number of workers, then a remove button. */
  jr_test_wait_frames (page, 2, WAIT_USEC);
  row = find_row (page, "box");
  g_assert_nonnull (row);
  spin = app_test_find_widget (row, GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  /* Its name is its own label alone: labelled by the row's title too, a
   * screen reader said "Workers on box box". */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Workers on box");
  g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (spin),
                                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  assert_setting (settings, "ssh:box:3", NULL);
  assert_group_size (executor, "box", 3);

  /* Slurm: a switch, then its size. */
  slurm = slurm_switch (page);
  gtk_switch_set_active (GTK_SWITCH (slurm), TRUE);
  assert_setting (settings, "ssh:box:3", "slurm:1", NULL);
  assert_group_size (executor, "slurm", 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (app_test_find_widget (find_row (page, "_Workers on the Cluster"),
                                                                    GTK_TYPE_SPIN_BUTTON)), 2);
  assert_setting (settings, "ssh:box:3", "slurm:2", NULL);
  assert_group_size (executor, "slurm", 2);

  /* Removing the host leaves its group with no worker. */
  click_remove (row);
  assert_setting (settings, "slurm:2", NULL);
  assert_group_size (executor, "box", 0);
  jr_test_wait_frames (page, 2, WAIT_USEC);
  g_assert_null (find_row (page, "box"));

  /* The setting changed elsewhere (gsettings set): the page and the
   * executor follow; what the page does not show is kept. */
  g_settings_set_strv (settings, JR_APP_SETTINGS_WORKER_GROUPS,
                       (const char *[]) { "local:3", "ssh:box:2", "ssh:me@other", NULL });
  assert_group_size (executor, "box", 2);
  assert_group_size (executor, "slurm", 0);
  assert_group_size (executor, "me@other", 1);
  jr_test_wait_frames (page, 2, WAIT_USEC);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (slurm)));
  g_assert_nonnull (find_row (page, "me@other"));
  spin = app_test_find_widget (find_row (page, "box"), GTK_TYPE_SPIN_BUTTON);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 2);
  /* The local group stays the max-workers setting's. */
  g_assert_cmpuint (jr_executor_get_group_size (executor, "local"), ==, 1);
  click_remove (find_row (page, "me@other"));
  assert_setting (settings, "local:3", "ssh:box:2", NULL);

  /* The shared-paths switch is the setting's. */
  {
    GtkWidget *shared = app_test_find_widget (find_row (page, "_Same Files at the Same Paths"), GTK_TYPE_SWITCH);

    g_assert_false (gtk_switch_get_active (GTK_SWITCH (shared)));
    gtk_switch_set_active (GTK_SWITCH (shared), TRUE);
    jr_test_wait_frames (page, 2, WAIT_USEC);
    g_assert_true (g_settings_get_boolean (settings, JR_APP_SETTINGS_SHARED_PATHS));
  }
  close_page (page);
}

static void
test_page (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  run_app (scenario_page, FALSE);
}

/* ---- a job from the window, on a group of another machine ---- */

static const char *remote_host;    /* the host the scenario adds; NULL: Slurm */
static char *shared_dir;           /* a folder every test user can read */

static JrFuture *
submit (JrAppWindow  *window,
        const char   *name,
        const char   *arg,
        GError      **error)
{
  g_autoptr(GVariant) args = NULL;

  args = jr_app_job_parse_args (jr_app_jobs_lookup (name), arg, NULL);
  g_assert_nonnull (args);
  return jr_app_window_submit (window, name, args, error);
}

/* The state that @future's row shows, once done. */
static const char *
row_state (JrAppWindow *window,
           JrFuture    *future)
{
  JrJobRow *row;

  app_test_wait_for (jr_test_future_done, future, "the job");
  jr_test_wait_frames (GTK_WIDGET (window), 2, WAIT_USEC);
  row = JR_JOB_ROW (jr_test_find_widget (GTK_WIDGET (window), app_test_is_row_of, future));
  g_assert_nonnull (row);
  return gtk_label_get_text (GTK_LABEL (jr_job_row_get_state_label (row)));
}

/* Runs jobs on the group that the page adds, none of this machine's: they
 * run there, and their rows say so. */
static void
run_there (JrApplication *app,
           JrAppWindow   *window,
           gboolean       shared_paths)
{
  JrExecutor *executor = jr_application_get_executor (app);
  GtkWidget *page = open_page (app);
  const char *group = remote_host != NULL ? remote_host : "slurm";
  g_autofree char *where = g_strdup_printf (" (%s)", group);
  g_autoptr(GError) error = NULL;
  JrFuture *future;
  const char *state;

  if (remote_host != NULL)
    add_host (page, remote_host);
  else
    gtk_switch_set_active (GTK_SWITCH (slurm_switch (page)), TRUE);
  close_page (page);
  assert_group_size (executor, group, 1);
  /* No worker here: the job has nowhere else to go. */
  g_assert_true (jr_executor_set_group_size (executor, "local", 0, &error));
  g_assert_no_error (error);

  future = submit (window, "count-primes", "100000", &error);
  g_assert_no_error (error);
  state = row_state (window, future);
  g_test_message ("count-primes: %s", state);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_true (g_str_has_prefix (state, "Done on "));
  g_assert_true (g_str_has_suffix (state, where));
  g_assert_cmpstr (jr_future_get_worker_group (future), ==, group);

  /* A job that reads paths goes there only when they are shared. */
  future = submit (window, "checksum", shared_dir, &error);
  if (!shared_paths)
    {
      GtkWidget *shared;

      g_assert_error (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER);
      g_assert_null (future);
      g_clear_error (&error);

      /* The user says they are: it applies at once, the group's worker
       * replaced by one that takes such jobs. */
      page = open_page (app);
      shared = app_test_find_widget (find_row (page, "_Same Files at the Same Paths"), GTK_TYPE_SWITCH);
      gtk_switch_set_active (GTK_SWITCH (shared), TRUE);
      close_page (page);
      g_assert_true (jr_launcher_get_shared_paths (jr_executor_get_group_launcher (executor, group)));
      assert_group_size (executor, group, 1);
      future = submit (window, "checksum", shared_dir, &error);
    }
  g_assert_no_error (error);
  state = row_state (window, future);
  g_test_message ("checksum: %s", state);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_true (g_str_has_suffix (state, where));
}

static void
scenario_run_there (JrApplication *app,
                    JrAppWindow   *window)
{
  run_there (app, window, FALSE);
}

static void
scenario_run_there_shared (JrApplication *app,
                           JrAppWindow   *window)
{
  run_there (app, window, TRUE);
}

static void
test_run_there (gconstpointer data)
{
  const char *engine = data;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  if (g_str_equal (engine, "box"))
    remote_host = "box";
  else if (g_str_equal (engine, "ssh"))
    {
      if (g_getenv ("JR_TEST_SSH_CONFIG") == NULL)
        {
          g_test_skip ("no sshd to run on: JR_TEST_SSH_CONFIG is not set (.ci/run sets it)");
          return;
        }
      remote_host = remote_ssh_host_through (g_getenv ("JR_TEST_SSH_CONFIG"), self_path);
    }
  else
    {
      if (g_getenv ("SLURM_CONF") == NULL)
        {
          g_test_skip ("no Slurm to run on: JR_TEST_SLURM_CONF is not set (.ci/run sets it)");
          return;
        }
      remote_host = NULL;
    }
  run_app (scenario_run_there, FALSE);
  run_app (scenario_run_there_shared, TRUE);
}

/* ---- main ---- */

int
main (int    argc,
      char **argv)
{
  int status;

  jr_app_jobs_register ();
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);
  self_path = g_canonicalize_filename (argv[0], NULL);

  {
    g_autofree char *schemas = g_test_build_filename (G_TEST_BUILT, "..", "data", NULL);
    g_autofree char *path = NULL;
    g_autofree char *file = NULL;
    const char *slurm_conf = g_getenv ("JR_TEST_SLURM_CONF");
    const char *a11y = g_getenv ("GTK_A11Y");

    g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
    g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
    if (a11y == NULL || g_str_equal (a11y, "none"))
      g_setenv ("GTK_A11Y", "test", TRUE);
    if (slurm_conf != NULL)
      g_setenv ("SLURM_CONF", slurm_conf, TRUE);
    else
      g_unsetenv ("SLURM_CONF");

    /* This test's ssh and srun first (see the top). */
    fakes_dir = jr_test_make_temp_dir ("jr-app-machines-XXXXXX");
    write_fake ("ssh", fake_ssh);
    write_fake ("srun", fake_srun);
    path = g_strdup_printf ("%s:%s", fakes_dir, g_getenv ("PATH"));
    g_setenv ("PATH", path, TRUE);

    /* What checksum reads: the test users of the engines too. */
    shared_dir = jr_test_make_temp_dir ("jr-app-machines-files-XXXXXX");
    file = g_build_filename (shared_dir, "abc.txt", NULL);
    g_assert_true (g_file_set_contents (file, "abc", -1, NULL));
    g_assert_cmpint (g_chmod (shared_dir, 0755), ==, 0);
    g_assert_cmpint (g_chmod (file, 0644), ==, 0);

    have_display = gtk_init_check ();
  }

  g_test_add_func ("/app/machines/specs", test_specs);
  g_test_add_func ("/app/machines/executor-update", test_update);
  g_test_add_func ("/app/machines/page", test_page);
  g_test_add_data_func ("/app/machines/run-there/box", "box", test_run_there);
  g_test_add_data_func ("/app/machines/run-there/ssh", "ssh", test_run_there);
  g_test_add_data_func ("/app/machines/run-there/slurm", "slurm", test_run_there);

  status = g_test_run ();
  jr_test_remove_temp_dir (shared_dir);
  jr_test_remove_temp_dir (fakes_dir);
  return status;
}
