/* jr-application.c — the application of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor lives as long as the application: created at startup,
 * shut down at shutdown (which waits a few seconds for the jobs to stop,
 * then kills what is left), so that quitting never leaves a worker behind.
 *
 * Every setting is also an application action ("app.keep-finished",
 * "app.max-workers"…): backed by GSettings when the schema is installed,
 * in memory for the session otherwise. Menus, the preferences and the
 * window all go through the actions.
 *
 * The executor follows the worker-groups and shared-paths settings while
 * it runs: a group of other machines is added, resized, removed or, when
 * shared-paths changes, replaced by one with the new launcher as the
 * settings change (jr-app-groups.c, as for `jobrouter run --workers`).
 * Jobs running on a group that goes finish there.
 */
#include "jr-application.h"

#include <glib/gi18n.h>

#include "jr-app-groups.h"
#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-app-window.h"
#include "jr-preferences-window.h"

#define SHUTDOWN_TIMEOUT_US (5 * G_USEC_PER_SEC)

struct _JrApplication {
  AdwApplication  parent_instance;

  GSettings      *settings;  /* NULL when the schema is not installed */
  JrExecutor     *executor;  /* NULL when it could not start */
  GtkWindow      *preferences;  /* weak: the preferences window on show */
  guint           n_notifications;
  GHashTable     *notified;  /* ids of the notifications on show */
};

G_DEFINE_FINAL_TYPE (JrApplication, jr_application, ADW_TYPE_APPLICATION)

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Close rather than quit: a window with running jobs asks first. The
   * main window first, so that its question is the one asked. */
  for (GList *l = windows; l != NULL; l = l->next)
    if (JR_IS_APP_WINDOW (l->data))
      gtk_window_close (l->data);
  g_list_free (windows);
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The jobrouter authors"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application", app,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Job Router"),
                        "application-icon", JR_APP_ID,
                        "developer-name", _("The jobrouter authors"),
                        "version", JR_APP_VERSION,
                        "comments", _("Run long jobs in worker processes and watch their progress, "
                                      "without the window ever freezing."),
                        /* Translators: not to translate: put your name here,
                         * and your address if you like ("Name <a@b.org>"), a
                         * line each for several. */
                        "translator-credits", _("translator-credits"),
                        "website", "https://github.com/jobrouter/jobrouter",
                        "issue-url", "https://github.com/jobrouter/jobrouter/issues",
                        "license-type", GTK_LICENSE_LGPL_2_1,
                        "developers", developers,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static JrAppWindow *
get_main_window (JrApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (JR_IS_APP_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
on_preferences (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  JrApplication *self = user_data;

  /* One preferences window: Ctrl+, again (from it too) brings it back.
   * It belongs to the main window, not to whichever window is active. */
  if (self->preferences == NULL)
    {
      GtkWindow *parent = GTK_WINDOW (get_main_window (self));

      g_set_weak_pointer (&self->preferences,
                          GTK_WINDOW (jr_preferences_window_new (self, parent)));
    }
  gtk_window_present (self->preferences);
}

static void
on_show_result (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  JrApplication *self = user_data;
  JrAppWindow *window = get_main_window (self);

  /* From a notification: the window may be hidden behind others. */
  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      jr_app_window_show_result (window, g_variant_get_uint32 (parameter));
    }
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = on_quit },
  { .name = "about", .activate = on_about },
  { .name = "preferences", .activate = on_preferences },
  { .name = "show-result", .activate = on_show_result, .parameter_type = "u" },
};

/* A setting as a stateful action; without settings, an action that keeps
 * its state for the session. */
static void
add_setting_action (JrApplication *self,
                    const char    *key,
                    GVariant      *fallback)
{
  g_autoptr(GAction) action = NULL;
  g_autoptr(GVariant) initial = g_variant_ref_sink (fallback);

  if (self->settings != NULL)
    action = g_settings_create_action (self->settings, key);
  else
    action = G_ACTION (g_simple_action_new_stateful (key,
                                                     g_variant_is_of_type (initial, G_VARIANT_TYPE_BOOLEAN)
                                                     ? NULL : g_variant_get_type (initial),
                                                     initial));
  g_action_map_add_action (G_ACTION_MAP (self), action);
}

static void
apply_worker_priority (JrApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), JR_APP_SETTINGS_WORKER_PRIORITY);
  g_autoptr(GVariant) state = g_action_get_state (action);

  jr_app_worker_priority_apply (jr_app_worker_priority_from_string (g_variant_get_string (state, NULL)),
                                self->executor);
}

static GVariant *
get_setting_state (JrApplication *self,
                   const char    *key)
{
  return g_action_get_state (g_action_map_lookup_action (G_ACTION_MAP (self), key));
}

/* The workers here, as many as the setting says now: a group that shrinks
 * lets its busy workers finish their jobs. */
static void
apply_max_workers (JrApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) state = get_setting_state (self, JR_APP_SETTINGS_MAX_WORKERS);

  if (self->executor == NULL || jr_executor_get_state (self->executor) != JR_EXECUTOR_STATE_RUNNING)
    return;
  /* From the action: without the settings schema it is the only store. */
  if (!jr_executor_set_group_size (self->executor, "local",
                                   jr_app_settings_resolve_max_workers (g_variant_get_uint32 (state)),
                                   &error))
    g_warning ("Jobs at once: %s", error->message);
}

/* The groups of other machines, as the setting has them now. */
static void
apply_worker_groups (JrApplication *self)
{
  g_autoptr(GVariant) state = get_setting_state (self, JR_APP_SETTINGS_WORKER_GROUPS);
  g_autoptr(GVariant) shared = get_setting_state (self, JR_APP_SETTINGS_SHARED_PATHS);
  g_autofree const char **specs = g_variant_get_strv (state, NULL);
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;

  if (self->executor == NULL || jr_executor_get_state (self->executor) != JR_EXECUTOR_STATE_RUNNING)
    return;
  groups = jr_app_groups_parse (specs, g_variant_get_boolean (shared), &error);
  if (groups == NULL || !jr_app_groups_update (self->executor, groups, &error))
    g_warning ("Workers on other machines: %s", error->message);
}

static void
jr_application_startup (GApplication *app)
{
  JrApplication *self = JR_APPLICATION (app);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.new-job", { "<Control>n", NULL } },
    { "win.show-jobs", { "<Alt>1", NULL } },
    { "win.show-results", { "<Alt>2", NULL } },
  };

  G_APPLICATION_CLASS (jr_application_parent_class)->startup (app);

  self->settings = jr_app_settings_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  add_setting_action (self, JR_APP_SETTINGS_KEEP_FINISHED, g_variant_new_boolean (TRUE));
  add_setting_action (self, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION, g_variant_new_boolean (TRUE));
  add_setting_action (self, JR_APP_SETTINGS_MAX_WORKERS, g_variant_new_uint32 (0));
  add_setting_action (self, JR_APP_SETTINGS_WORKER_PRIORITY, g_variant_new_string ("background"));
  add_setting_action (self, JR_APP_SETTINGS_WORKER_GROUPS, g_variant_new_strv (NULL, 0));
  add_setting_action (self, JR_APP_SETTINGS_SHARED_PATHS, g_variant_new_boolean (FALSE));

  self->executor = jr_executor_new (JR_TRANSPORT_PROCESSES,
                                    jr_app_settings_get_max_workers (self->settings));
  if (self->executor == NULL)
    g_warning ("Could not start the job executor: jobs cannot run");
  /* Niced and, by default, under SCHED_IDLE: busy jobs cannot starve the
   * window or the display server. Changes apply to running workers. */
  apply_worker_priority (self);
  g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                       JR_APP_SETTINGS_WORKER_PRIORITY),
                           "notify::state", G_CALLBACK (apply_worker_priority), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                       JR_APP_SETTINGS_MAX_WORKERS),
                           "notify::state", G_CALLBACK (apply_max_workers), self,
                           G_CONNECT_SWAPPED);
  /* Workers on other machines, kept in step with the setting. */
  apply_worker_groups (self);
  g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                       JR_APP_SETTINGS_WORKER_GROUPS),
                           "notify::state", G_CALLBACK (apply_worker_groups), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                       JR_APP_SETTINGS_SHARED_PATHS),
                           "notify::state", G_CALLBACK (apply_worker_groups), self,
                           G_CONNECT_SWAPPED);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
}

static void
jr_application_activate (GApplication *app)
{
  JrAppWindow *window = get_main_window (JR_APPLICATION (app));

  if (window == NULL)
    window = jr_app_window_new (JR_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
}

static void
jr_application_shutdown (GApplication *app)
{
  JrApplication *self = JR_APPLICATION (app);

  GHashTableIter iter;
  gpointer id;

  if (self->executor != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!jr_executor_shutdown (self->executor, SHUTDOWN_TIMEOUT_US, &error))
        g_warning ("Stopping the workers: %s", error->message);
    }

  /* The results they open go with this process: left in the desktop's
   * list, one would open another run's job of the same number. */
  g_hash_table_iter_init (&iter, self->notified);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_application_withdraw_notification (app, id);
  g_hash_table_remove_all (self->notified);

  G_APPLICATION_CLASS (jr_application_parent_class)->shutdown (app);
}

static void
jr_application_dispose (GObject *object)
{
  JrApplication *self = JR_APPLICATION (object);

  g_clear_weak_pointer (&self->preferences);
  g_clear_object (&self->executor);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->notified, g_hash_table_unref);

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

  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  description = g_strdup_printf ("%s\n%s", jobs,
                                 /* Translators: the end of “jobrouter --help”,
                                  * after the list of jobs. Keep the commands
                                  * as they are, but for JOB and ARG (what the
                                  * user writes); a line at most 64 columns
                                  * wide. */
                                 _("“jobrouter run JOB ARG…” runs jobs without a window;\n"
                                   "see “jobrouter run --help”. Without a display and without\n"
                                   "arguments, jobrouter runs a short demo on the terminal."));

  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     /* Translators: what follows the
                                                      * options in “jobrouter --help”:
                                                      * keep “run” and “--”; JOB and
                                                      * ARG stand for what the user
                                                      * writes. */
                                                     _("[run JOB ARG [[--] JOB ARG…]]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Run long jobs in worker processes and watch their progress."));
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

/**
 * jr_application_get_flag:
 * @self: the application
 * @key: a boolean setting
 *
 * Returns: the state of the setting's action; %TRUE (the schema's default
 *   for every boolean key) before startup
 */
gboolean
jr_application_get_flag (JrApplication *self,
                         const char    *key)
{
  GAction *action;
  g_autoptr(GVariant) state = NULL;

  g_return_val_if_fail (JR_IS_APPLICATION (self), TRUE);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), key);
  state = action != NULL ? g_action_get_state (action) : NULL;
  if (state == NULL || !g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN))
    return TRUE;
  return g_variant_get_boolean (state);
}

/**
 * jr_application_send_notification:
 * @self: the application
 * @id: its id
 * @notification: the notification
 *
 * Sends @notification when there is a session bus to send it on (without
 * one GLib would complain rather than do nothing), and counts it.
 */
void
jr_application_send_notification (JrApplication *self,
                                  const char    *id,
                                  GNotification *notification)
{
  g_return_if_fail (JR_IS_APPLICATION (self));

  if (g_application_get_dbus_connection (G_APPLICATION (self)) == NULL)
    return;

  self->n_notifications++;
  g_debug ("Notification %s (%u sent)", id, self->n_notifications);
  g_hash_table_add (self->notified, g_strdup (id));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/**
 * jr_application_withdraw_notification:
 * @self: the application
 * @id: the id it was sent with
 *
 * Withdraws a notification sent with jr_application_send_notification().
 */
void
jr_application_withdraw_notification (JrApplication *self,
                                      const char    *id)
{
  g_return_if_fail (JR_IS_APPLICATION (self));

  if (g_hash_table_remove (self->notified, id))
    g_application_withdraw_notification (G_APPLICATION (self), id);
}

/**
 * jr_application_get_n_notifications:
 * @self: the application
 *
 * Returns: how many notifications were sent
 */
guint
jr_application_get_n_notifications (JrApplication *self)
{
  g_return_val_if_fail (JR_IS_APPLICATION (self), 0);

  return self->n_notifications;
}
