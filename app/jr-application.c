/* jr-application.c — the GtkApplication of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor lives as long as the application: created at startup,
 * shut down at shutdown (which waits a few seconds for the jobs to stop,
 * then kills what is left), so that quitting never leaves a worker behind.
 */
#include "jr-application.h"

#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-app-window.h"

#define SHUTDOWN_TIMEOUT_US (5 * G_USEC_PER_SEC)

struct _JrApplication {
  GtkApplication  parent_instance;

  GSettings      *settings;  /* NULL when the schema is not installed */
  JrExecutor     *executor;  /* NULL when it could not start */
};

G_DEFINE_FINAL_TYPE (JrApplication, jr_application, GTK_TYPE_APPLICATION)

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Close rather than quit: a window with running jobs asks first. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *authors[] = { "The jobrouter authors", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", "Job Router",
                         "logo-icon-name", JR_APP_ID,
                         "version", JR_APP_VERSION,
                         "comments", "Run long jobs in worker processes and watch their progress",
                         "website", "https://github.com/jobrouter/jobrouter",
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         "authors", authors,
                         NULL);
}

static void
on_show_result (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = user_data;
  GtkWindow *window = gtk_application_get_active_window (app);

  /* From a notification: the window may be hidden behind others. */
  if (JR_IS_APP_WINDOW (window))
    {
      gtk_window_present (window);
      jr_app_window_show_result (JR_APP_WINDOW (window), g_variant_get_uint32 (parameter));
    }
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = on_quit },
  { .name = "about", .activate = on_about },
  { .name = "show-result", .activate = on_show_result, .parameter_type = "u" },
};

/* A boolean setting as a stateful action, for check items in menus; a
 * plain in-memory toggle when there are no settings. */
static void
add_setting_action (JrApplication *self,
                    const char    *key)
{
  g_autoptr(GAction) action = NULL;

  if (self->settings != NULL)
    action = g_settings_create_action (self->settings, key);
  else
    action = G_ACTION (g_simple_action_new_stateful (key, NULL, g_variant_new_boolean (TRUE)));
  g_action_map_add_action (G_ACTION_MAP (self), action);
}

static void
load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/org/jobrouter/JobRouter/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
jr_application_startup (GApplication *app)
{
  JrApplication *self = JR_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (jr_application_parent_class)->startup (app);

  load_css ();
  self->settings = jr_app_settings_new ();

  /* Its workers run niced (the executor's default) and under SCHED_IDLE,
   * so that busy jobs cannot starve the window or the display server. */
  self->executor = jr_executor_new (JR_TRANSPORT_PROCESSES,
                                    jr_app_settings_get_max_workers (self->settings));
  if (self->executor == NULL)
    g_warning ("Could not start the job executor: jobs cannot run");
  else
    jr_executor_set_worker_idle (self->executor, TRUE);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  add_setting_action (self, JR_APP_SETTINGS_KEEP_FINISHED);
  add_setting_action (self, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
jr_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (jr_app_window_new (JR_APPLICATION (app)));
  gtk_window_present (window);
}

static void
jr_application_shutdown (GApplication *app)
{
  JrApplication *self = JR_APPLICATION (app);

  if (self->executor != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!jr_executor_shutdown (self->executor, SHUTDOWN_TIMEOUT_US, &error))
        g_warning ("Stopping the workers: %s", error->message);
    }

  G_APPLICATION_CLASS (jr_application_parent_class)->shutdown (app);
}

static void
jr_application_dispose (GObject *object)
{
  JrApplication *self = JR_APPLICATION (object);

  g_clear_object (&self->executor);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (jr_application_parent_class)->dispose (object);
}

static void
jr_application_class_init (JrApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = jr_application_dispose;
  app_class->startup = jr_application_startup;
  app_class->activate = jr_application_activate;
  app_class->shutdown = jr_application_shutdown;
}

static void
jr_application_init (JrApplication *self)
{
  g_autofree char *jobs = jr_app_jobs_describe_all ();
  g_autofree char *description = NULL;

  description = g_strdup_printf ("%s\n"
                                 "“jobrouter run JOB ARG…” runs jobs without a window;\n"
                                 "see “jobrouter run --help”. Without a display and without\n"
                                 "arguments, jobrouter runs a short demo on the terminal.",
                                 jobs);

  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     "[run JOB ARG [[--] JOB ARG…]]");
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            "Run long jobs in worker processes and watch their progress.");
  g_application_set_option_context_description (G_APPLICATION (self), description);
}

/**
 * jr_application_new:
 *
 * Returns: (transfer full): the application
 */
JrApplication *
jr_application_new (void)
{
  return g_object_new (JR_TYPE_APPLICATION,
                       "application-id", JR_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/jobrouter/JobRouter",
                       NULL);
}

/**
 * jr_application_get_executor:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the executor, %NULL before startup
 *   or when it could not start
 */
JrExecutor *
jr_application_get_executor (JrApplication *self)
{
  g_return_val_if_fail (JR_IS_APPLICATION (self), NULL);

  return self->executor;
}

/**
 * jr_application_get_settings:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the settings, %NULL when the schema
 *   is not installed
 */
GSettings *
jr_application_get_settings (JrApplication *self)
{
  g_return_val_if_fail (JR_IS_APPLICATION (self), NULL);

  return self->settings;
}
