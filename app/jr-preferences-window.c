/* jr-preferences-window.c — the preferences of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every row works on an application action (see jr-application.c): the
 * switches directly, as actionable widgets; the number of jobs and the
 * priority through the actions' states, kept in step both ways.
 */
#include "jr-preferences-window.h"

#include "jr-app-settings.h"

struct _JrPreferencesWindow {
  AdwPreferencesWindow  parent_instance;

  GtkWidget            *automatic_row;
  GtkWidget            *automatic_switch;
  GtkWidget            *workers_row;
  GtkWidget            *workers_spin;
  GtkWidget            *priority_row;

  JrApplication        *app;
  gboolean              syncing;
};

G_DEFINE_FINAL_TYPE (JrPreferencesWindow, jr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GVariant *
get_state (JrPreferencesWindow *self,
           const char          *key)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->app), key);

  return action != NULL ? g_action_get_state (action) : NULL;
}

static void
set_state (JrPreferencesWindow *self,
           const char          *key,
           GVariant            *value)
{
  g_action_group_change_action_state (G_ACTION_GROUP (self->app), key, value);
}

/* The widgets from the actions' states. */
static void
sync_from_actions (JrPreferencesWindow *self)
{
  g_autoptr(GVariant) workers = get_state (self, JR_APP_SETTINGS_MAX_WORKERS);
  g_autoptr(GVariant) priority = get_state (self, JR_APP_SETTINGS_WORKER_PRIORITY);
  guint n = workers != NULL ? g_variant_get_uint32 (workers) : 0;
  g_autofree char *automatic = g_strdup_printf ("One job per processor: %u at once",
                                                g_get_num_processors ());

  self->syncing = TRUE;
  gtk_switch_set_active (GTK_SWITCH (self->automatic_switch), n == 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->automatic_row), automatic);
  gtk_widget_set_sensitive (self->workers_row, n != 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->workers_spin),
                             n != 0 ? n : g_get_num_processors ());
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->priority_row),
                              jr_app_worker_priority_from_string (priority != NULL
                                                                  ? g_variant_get_string (priority, NULL)
                                                                  : NULL));
  self->syncing = FALSE;
}

static void
on_automatic_changed (JrPreferencesWindow *self)
{
  gboolean automatic = gtk_switch_get_active (GTK_SWITCH (self->automatic_switch));
  guint n = (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->workers_spin));

  if (self->syncing)
    return;
  set_state (self, JR_APP_SETTINGS_MAX_WORKERS, g_variant_new_uint32 (automatic ? 0 : n));
}

static void
on_workers_changed (JrPreferencesWindow *self)
{
  if (self->syncing || gtk_switch_get_active (GTK_SWITCH (self->automatic_switch)))
    return;
  set_state (self, JR_APP_SETTINGS_MAX_WORKERS,
             g_variant_new_uint32 ((guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->workers_spin))));
}

static void
on_priority_changed (JrPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->priority_row));

  if (self->syncing || selected == GTK_INVALID_LIST_POSITION)
    return;
  set_state (self, JR_APP_SETTINGS_WORKER_PRIORITY,
             g_variant_new_string (jr_app_worker_priority_to_string (selected)));
}

static void
jr_preferences_window_dispose (GObject *object)
{
  JrPreferencesWindow *self = JR_PREFERENCES_WINDOW (object);

  g_clear_object (&self->app);

  G_OBJECT_CLASS (jr_preferences_window_parent_class)->dispose (object);
}

static void
jr_preferences_window_class_init (JrPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jr_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWindow, automatic_row);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWindow, automatic_switch);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWindow, workers_row);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWindow, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWindow, priority_row);
  gtk_widget_class_bind_template_callback (widget_class, on_automatic_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_workers_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_priority_changed);
}

static void
jr_preferences_window_init (JrPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * jr_preferences_window_new:
 * @app: the application whose settings it shows
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): a new preferences window, not shown yet
 */
JrPreferencesWindow *
jr_preferences_window_new (JrApplication *app,
                           GtkWindow     *parent)
{
  JrPreferencesWindow *self;
  static const char * const keys[] = {
    JR_APP_SETTINGS_MAX_WORKERS, JR_APP_SETTINGS_WORKER_PRIORITY,
  };

  g_return_val_if_fail (JR_IS_APPLICATION (app), NULL);

  self = g_object_new (JR_TYPE_PREFERENCES_WINDOW,
                       "application", app,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->app = g_object_ref (app);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (app), keys[i]),
                             "notify::state", G_CALLBACK (sync_from_actions), self,
                             G_CONNECT_SWAPPED);
  sync_from_actions (self);

  return self;
}
