/* test-app-i18n.c — the application and the widgets speak the user's
 * language: their strings come from the "jobrouter" catalogue, in the
 * widgets (their own domain, whatever the program's), in the .ui files and
 * on the command line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pseudo-translation (tests/i18n/xx.po, language "xx") is compiled by
 * the build and put where gettext looks for it; LANGUAGE=xx in the C.UTF-8
 * locale then picks it, as LANGUAGE=de would pick German.
 */
#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "jobrouter-ui.h"
#include "jobrouter-test-gui.h"
#include "jr-app-jobs.h"
#include "jr-cli.h"
#include "jr-job-row-private.h"
#include "jr-test.h"
#include "ui-common.h"

/* Where the widgets bound their catalogue on their own, before this test
 * moved it. */
static char *widgets_bound_to;
static char *locale_dir;

/* The compiled pseudo-translation, put where gettext looks for language
 * "xx" under a scratch directory. */
static char *
install_catalogue (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jobrouter-i18n-XXXXXX", &error);
  g_autofree char *messages = NULL;
  g_autofree char *mo = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_no_error (error);
  messages = g_build_filename (dir, "xx", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (messages, 0700), ==, 0);
  g_file_get_contents (TEST_CATALOGUE, &contents, &length, &error);
  g_assert_no_error (error);
  mo = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);
  g_file_set_contents (mo, contents, length, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

static void
remove_catalogue (const char *dir)
{
  g_autofree char *messages = g_build_filename (dir, "xx", "LC_MESSAGES", NULL);
  g_autofree char *mo = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);
  g_autofree char *xx = g_build_filename (dir, "xx", NULL);

  g_unlink (mo);
  g_rmdir (messages);
  g_rmdir (xx);
  g_rmdir (dir);
}

/* A program that uses the widgets gets their translations from where this
 * build installs them, without binding anything itself. */
static void
test_widgets_bind_their_catalogue (void)
{
  g_assert_cmpstr (widgets_bound_to, ==, LOCALEDIR);
}

/* The widgets translate in their own domain: a program whose own domain
 * is another one still gets them in its user's language. */
static void
test_widgets_translated (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("copy", JR_JOB_KIND_PROGRESS);
  JrJobRow *row;
  GtkWidget *window;

  textdomain ("some-other-program");
  row = JR_JOB_ROW (jr_job_row_new (future));
  window = jr_test_show_in_window (GTK_WIDGET (row));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "xx Running");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (jr_job_row_get_cancel_button (row)), ==,
                   "xx Cancel job");
  gtk_window_destroy (GTK_WINDOW (window));
  textdomain (GETTEXT_PACKAGE);
}

/* GtkBuilder files take the program's domain: the application's .ui
 * files are translated once it has chosen "jobrouter". */
static void
test_builder_files_translated (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/org/jobrouter/JobRouter/gtk/help-overlay.ui");
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  g_assert_cmpstr (gtk_window_get_title (shortcuts), ==, "xx Keyboard Shortcuts");
  gtk_window_destroy (shortcuts);
}

/* `jobrouter run` says what is wrong in the user's language (on stderr:
 * its results on stdout are data and stay as they are). */
static void
test_cli_translated (void)
{
  if (g_test_subprocess ())
    {
      char *argv[] = { "jobrouter", "run", "no-such-job", NULL };

      exit (jr_cli_run (G_N_ELEMENTS (argv) - 1, argv));
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*xx Unknown job “no-such-job”*");
}

/* The list of jobs in `jobrouter run --help` stays in columns when an
 * argument's name is not ASCII: padded by characters, not bytes. */
static void
test_help_aligned (void)
{
  g_autofree char *help = jr_app_jobs_describe_all ();
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);
  const JrAppJob *jobs;
  guint n_jobs = 0;
  glong column = -1;

  g_assert_nonnull (strstr (help, "checksum DOSSIÉÉÉ"));
  jobs = jr_app_jobs_get_all (&n_jobs);
  for (guint i = 0; i < n_jobs; i++)
    for (guint j = 0; lines[j] != NULL; j++)
      if (g_str_has_prefix (lines[j], "  ") &&
          strncmp (lines[j] + 2, jobs[i].name, strlen (jobs[i].name)) == 0 &&
          lines[j][2 + strlen (jobs[i].name)] == ' ')
        {
          const char *title = strstr (lines[j], gettext (jobs[i].title));
          glong at;

          g_assert_nonnull (title);
          at = g_utf8_pointer_to_offset (lines[j], title);
          if (column < 0)
            column = at;
          g_assert_cmpint (at, ==, column);
        }
  g_assert_cmpint (column, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  jr_app_jobs_register ();
  jr_init (&argc, &argv);

  /* The user's settings: a language with a catalogue, in a locale that is
   * not "C" (where gettext ignores LANGUAGE). */
  g_setenv ("LANGUAGE", "xx", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  if (!jr_test_gui_init (&argc, &argv))
    return 0;
  setlocale (LC_ALL, "");

  /* What the widgets did on their own, then the catalogue moved to the
   * test's copy (as an installed one would be found). */
  g_type_ensure (JR_TYPE_JOB_ROW);
  g_type_class_unref (g_type_class_ref (JR_TYPE_JOB_ROW));
  widgets_bound_to = g_strdup (bindtextdomain (GETTEXT_PACKAGE, NULL));
  /* One copy for the test and the children it traps. */
  if (g_getenv ("JR_TEST_I18N_DIR") != NULL)
    locale_dir = g_strdup (g_getenv ("JR_TEST_I18N_DIR"));
  else
    {
      locale_dir = install_catalogue ();
      g_setenv ("JR_TEST_I18N_DIR", locale_dir, TRUE);
    }
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/i18n/widgets/bound", test_widgets_bind_their_catalogue);
  g_test_add_func ("/i18n/widgets/translated", test_widgets_translated);
  g_test_add_func ("/i18n/app/builder-files", test_builder_files_translated);
  g_test_add_func ("/i18n/app/cli", test_cli_translated);
  g_test_add_func ("/i18n/app/help-aligned", test_help_aligned);

  status = g_test_run ();
  if (!g_test_subprocess ())
    remove_catalogue (locale_dir);
  g_free (locale_dir);
  g_free (widgets_bound_to);
  return status;
}
