/* jr-app-settings.c — the application's GSettings, when installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-settings.h"

/**
 * jr_app_settings_new:
 *
 * Looks the schema up first: g_settings_new() aborts the process when the
 * schema is not installed.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when the
 *   schema is not installed
 */
GSettings *
jr_app_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;

  schema = g_settings_schema_source_lookup (source, JR_APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("Settings schema %s is not installed: using the defaults", JR_APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

/**
 * jr_app_settings_get_max_workers:
 * @settings: (nullable): the settings
 *
 * Returns: how many workers to run: the setting, or the number of
 *   processors when it is 0 or there are no settings
 */
guint
jr_app_settings_get_max_workers (GSettings *settings)
{
  return jr_app_settings_resolve_max_workers (settings != NULL
                                              ? g_settings_get_uint (settings, JR_APP_SETTINGS_MAX_WORKERS)
                                              : 0);
}

/**
 * jr_app_settings_resolve_max_workers:
 * @value: a value of the max-workers setting
 *
 * Returns: how many workers it means: @value, or the number of processors
 *   when it is 0 ("Automatic")
 */
guint
jr_app_settings_resolve_max_workers (guint value)
{
  return value > 0 ? value : g_get_num_processors ();
}

/**
 * jr_app_settings_get_boolean:
 * @settings: (nullable): the settings
 * @key: one of the boolean keys
 *
 * Returns: the value of @key; its default (%TRUE for every boolean key of
 *   the schema) when there are no settings
 */
gboolean
jr_app_settings_get_boolean (GSettings  *settings,
                             const char *key)
{
  if (settings == NULL)
    return TRUE;
  return g_settings_get_boolean (settings, key);
}

static const char * const priority_nicks[] = {
  [JR_APP_WORKER_PRIORITY_BACKGROUND] = "background",
  [JR_APP_WORKER_PRIORITY_LOW] = "low",
  [JR_APP_WORKER_PRIORITY_NORMAL] = "normal",
};

/**
 * jr_app_worker_priority_from_string:
 * @nick: (nullable): "background", "low" or "normal"
 *
 * Returns: the priority; the default, background, for anything else
 */
JrAppWorkerPriority
jr_app_worker_priority_from_string (const char *nick)
{
  for (guint i = 0; i < G_N_ELEMENTS (priority_nicks); i++)
    if (g_strcmp0 (nick, priority_nicks[i]) == 0)
      return (JrAppWorkerPriority) i;
  return JR_APP_WORKER_PRIORITY_BACKGROUND;
}

const char *
jr_app_worker_priority_to_string (JrAppWorkerPriority priority)
{
  g_return_val_if_fail (priority < G_N_ELEMENTS (priority_nicks), "background");

  return priority_nicks[priority];
}

/**
 * jr_app_worker_priority_apply:
 * @priority: a priority
 * @executor: (nullable): the executor whose workers it is for
 *
 * Gives the workers, running ones included, the nice value and scheduling
 * policy of @priority.
 */
void
jr_app_worker_priority_apply (JrAppWorkerPriority  priority,
                              JrExecutor          *executor)
{
  if (executor == NULL)
    return;

  /* Niced (and idle) workers cannot starve the window or the display
   * server of a busy machine. */
  jr_executor_set_worker_nice (executor, priority == JR_APP_WORKER_PRIORITY_NORMAL ? 0 : 10);
  jr_executor_set_worker_idle (executor, priority == JR_APP_WORKER_PRIORITY_BACKGROUND);
}
