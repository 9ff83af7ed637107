/* main.c — the jobrouter application: a window, `jobrouter run`, or a
 * terminal demo when there is no display.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "jr-app-jobs.h"
#include "jr-application.h"
#include "jr-cli.h"

/* Whether @argv asks only for what GApplication prints without a window
 * (--help and its kind). */
static gboolean
asks_for_help (int    argc,
               char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "-h") || g_str_equal (argv[i], "-?") ||
        g_str_has_prefix (argv[i], "--help"))
      return TRUE;
  return FALSE;
}

static gboolean
is_unset (const char *variable)
{
  const char *value = g_getenv (variable);

  return value == NULL || value[0] == '\0';
}

/* The window takes no file, command or option of its own: a word on the
 * command line is a mistake, most likely a job given without `run`. Says
 * so and returns the usage exit status, or -1 when there is no such word. */
static int
refuse_arguments (int    argc,
                  char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      const JrAppJob *job;

      /* GApplication's own options pass; the window has none of its own
       * (GApplication would say so too, but only once it has a display). */
      if (g_str_has_prefix (argv[i], "--gapplication-") || g_str_equal (argv[i], "--"))
        continue;
      if (argv[i][0] == '-')
        {
          g_printerr (_("jobrouter: unknown option “%s”\n"
                        "Try “jobrouter --help” or “jobrouter run --help”.\n"), argv[i]);
          return JR_CLI_EXIT_USAGE;
        }

      job = jr_app_jobs_lookup (argv[i]);
      if (job != NULL)
        {
          g_autofree char *line = argc > i + 1 ? g_strjoinv (" ", argv + i)
                                               : g_strdup_printf ("%s %s", job->name, _(job->arg_name));

          /* Translators: the first %s is a job's command name, the second
           * the command line that runs it; “run” and “jobrouter” are
           * commands, not words to translate. */
          g_printerr (_("jobrouter: “%s” is a job. To run it without a window:\n"
                        "  jobrouter run %s\n"
                        "or start the window with “jobrouter” and use New Job.\n"),
                      job->name, line);
        }
      else
        g_printerr (_("jobrouter: unknown command “%s”\n"
                      "Try “jobrouter --help” or “jobrouter run --help”.\n"), argv[i]);
      return JR_CLI_EXIT_USAGE;
    }
  return -1;
}

/* A standard descriptor closed by the caller (`>&-`, `2>&-`) would be
 * taken by the next one opened — GLib's eventfd, a worker's pipe — and the
 * output written into that: hold /dev/null there instead. Returns whether
 * standard output was closed. */
static gboolean
hold_standard_fds (void)
{
  gboolean stdout_closed = FALSE;

  for (int fd = 0; fd <= 2; fd++)
    {
      int null;

      if (fcntl (fd, F_GETFD) >= 0 || errno != EBADF)
        continue;
      if (fd == STDOUT_FILENO)
        stdout_closed = TRUE;
      null = open ("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
      if (null >= 0 && null != fd)
        {
          dup2 (null, fd);
          close (null);
        }
    }
  return stdout_closed;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GApplication) app = NULL;
  gboolean stdout_closed;
  int status;

  stdout_closed = hold_standard_fds ();

  /* Messages and numbers in the user's language, window or not, and in
   * worker processes too (they format progress texts and errors). */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Worker processes are this same program: the jobs must be known before
   * jr_init(), which never returns in a worker. */
  jr_app_jobs_register ();
  jr_init (&argc, &argv);
  /* A worker needs none of our arguments to get there, and they may be
   * private (a command line, a folder's name): `ps` shows a worker's to
   * every user, on other machines too. */
  jr_set_worker_arguments ((const char * const[]) { NULL });

  g_set_prgname ("jobrouter");
  /* What notifications and the desktop call it. */
  g_set_application_name (_("Job Router"));

  if (argc >= 2 && g_str_equal (argv[1], "run"))
    {
      if (stdout_closed)
        jr_cli_set_stdout_closed ();
      return jr_cli_run (argc, argv);
    }

  if (!asks_for_help (argc, argv))
    {
      if ((status = refuse_arguments (argc, argv)) >= 0)
        return status;

      if (!gtk_init_check ())
        {
          /* Nothing to show a window on, and nothing asked: show what the
           * application does on the terminal instead of failing. */
          if (argc == 1)
            return jr_cli_demo ();

          g_printerr (_("jobrouter: cannot open a window: %s\n"
                        "Jobs run without a window: see “jobrouter run --help”.\n"),
                      is_unset ("DISPLAY") && is_unset ("WAYLAND_DISPLAY")
                      ? _("there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
                      : _("the display cannot be opened"));
          return JR_CLI_EXIT_JOB_FAILED;
        }
    }

  app = G_APPLICATION (jr_application_new ());
  return g_application_run (app, argc, argv);
}
