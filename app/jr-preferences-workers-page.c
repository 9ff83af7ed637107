/* jr-preferences-workers-page.c — the preferences page of the worker
 * processes: how many run jobs at once, and at what CPU priority.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rows work on the application's stateful actions (see
 * jr-application.c) through their states, kept in step both ways: the
 * number of jobs is one action state (0 for automatic) shown as a switch
 * and a spin button, the priority a nick shown as a combo row.
 */
#include "jr-preferences-workers-page.h"

#include <glib/gi18n.h>

#include "jr-app-settings.h"

struct _JrPreferencesWorkersPage {
  AdwPreferencesPage  parent_instance;

  GtkWidget          *automatic_row;
  GtkWidget          *automatic_switch;
  GtkWidget          *workers_row;
  GtkWidget          *workers_spin;
  GtkWidget          *priority_row;

  JrApplication      *app;
  gboolean            syncing;
};

G_DEFINE_FINAL_TYPE (JrPreferencesWorkersPage, jr_preferences_workers_page,
                     ADW_TYPE_PREFERENCES_PAGE)

static GVariant *
get_state (JrPreferencesWorkersPage *self,
           const char               *key)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->app), key);

  return action != NULL ? g_action_get_state (action) : NULL;
}

static void
set_state (JrPreferencesWorkersPage *self,
           const char               *key,
           GVariant                 *value)
{
  g_action_group_change_action_state (G_ACTION_GROUP (self->app), key, value);
}

/* The widgets from the actions' states. */
static void
sync_from_actions (JrPreferencesWorkersPage *self)
{
  g_autoptr(GVariant) workers = get_state (self, JR_APP_SETTINGS_MAX_WORKERS);
  g_autoptr(GVariant) priority = get_state (self, JR_APP_SETTINGS_WORKER_PRIORITY);
  guint n = workers != NULL ? g_variant_get_uint32 (workers) : 0;
  guint n_processors = g_get_num_processors ();
  /* Translators: the subtitle of “Automatic Number of Jobs”; %u is how
   * many processors this machine has, so how many jobs run at once. */
  g_autofree char *automatic = g_strdup_printf (g_dngettext (NULL,
                                                             "One job per processor: %u at once",
                                                             "One job per processor: %u at once",
                                                             n_processors),
                                                n_processors);

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
on_automatic_changed (JrPreferencesWorkersPage *self)
{
  gboolean automatic = gtk_switch_get_active (GTK_SWITCH (self->automatic_switch));
  guint n = (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->workers_spin));

  if (self->syncing || self->app == NULL)
    return;
  set_state (self, JR_APP_SETTINGS_MAX_WORKERS, g_variant_new_uint32 (automatic ? 0 : n));
}

static void
on_workers_changed (JrPreferencesWorkersPage *self)
{
  if (self->syncing || self->app == NULL ||
      gtk_switch_get_active (GTK_SWITCH (self->automatic_switch)))
    return;
  set_state (self, JR_APP_SETTINGS_MAX_WORKERS,
             g_variant_new_uint32 ((guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->workers_spin))));
}

static void
on_priority_changed (JrPreferencesWorkersPage *self)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->priority_row));

  if (self->syncing || self->app == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;
  set_state (self, JR_APP_SETTINGS_WORKER_PRIORITY,
             g_variant_new_string (jr_app_worker_priority_to_string (selected)));
}

static void
jr_preferences_workers_page_dispose (GObject *object)
{
  JrPreferencesWorkersPage *self = JR_PREFERENCES_WORKERS_PAGE (object);

  g_clear_object (&self->app);

  G_OBJECT_CLASS (jr_preferences_workers_page_parent_class)->dispose (object);
}

static void
jr_preferences_workers_page_class_init (JrPreferencesWorkersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jr_preferences_workers_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/preferences-workers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWorkersPage, automatic_row);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWorkersPage, automatic_switch);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWorkersPage, workers_row);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWorkersPage, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesWorkersPage, priority_row);
  gtk_widget_class_bind_template_callback (widget_class, on_automatic_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_workers_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_priority_changed);
}

static void
jr_preferences_workers_page_init (JrPreferencesWorkersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * jr_preferences_workers_page_new:
 * @app: the application whose settings it shows
 *
 * Returns: (transfer floating): a new page: jobs at once, job priority
 */
GtkWidget *
jr_preferences_workers_page_new (JrApplication *app)
{
  JrPreferencesWorkersPage *self;
  static const char * const keys[] = {
    JR_APP_SETTINGS_MAX_WORKERS, JR_APP_SETTINGS_WORKER_PRIORITY,
  };

  g_return_val_if_fail (JR_IS_APPLICATION (app), NULL);

  self = g_object_new (JR_TYPE_PREFERENCES_WORKERS_PAGE, NULL);
  self->app = g_object_ref (app);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (app), keys[i]),
                             "notify::state", G_CALLBACK (sync_from_actions), self,
                             G_CONNECT_SWAPPED);
  sync_from_actions (self);

  return GTK_WIDGET (self);
}
