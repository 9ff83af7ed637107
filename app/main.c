/* main.c — the jobrouter application: a window, `jobrouter run`, or a
 * terminal demo when there is no display.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <locale.h>

#include <gtk/gtk.h>

#include "jr-app-jobs.h"
#include "jr-application.h"
#include "jr-cli.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GApplication) app = NULL;

  /* Worker processes are this same program: the jobs must be known before
   * jr_init(), which never returns in a worker. */
  jr_app_jobs_register ();
  jr_init (&argc, &argv);

  g_set_prgname ("jobrouter");
  /* Messages in the user's language and charset, window or not. */
  setlocale (LC_ALL, "");

  if (argc >= 2 && g_str_equal (argv[1], "run"))
    return jr_cli_run (argc, argv);

  /* Nothing to show a window on, and nothing asked: show what the
   * application does on the terminal instead of failing. */
  if (argc == 1 && !gtk_init_check ())
    return jr_cli_demo ();

  app = G_APPLICATION (jr_application_new ());
  return g_application_run (app, argc, argv);
}
