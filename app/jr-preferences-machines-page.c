/* jr-preferences-machines-page.c — the preferences page of workers on
 * other machines: ssh hosts and a Slurm group with their numbers of
 * workers, and whether those machines see this one's files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rows work on the application's actions (see jr-application.c): the
 * groups are the state of "app.worker-groups", a list in the syntax of
 * `jobrouter run --workers` (jr-app-groups.h), which every change rewrites
 * and the rows follow; entries the page does not show ("local:2" written
 * by hand) are kept. "Same files" is a switch on "app.shared-paths", in
 * the .ui file. A host that cannot be one is refused with a message under
 * the list, and nothing is written.
 */
#include "jr-preferences-machines-page.h"

#include <glib/gi18n.h>

#include "jr-app-groups.h"
#include "jr-app-settings.h"

struct _JrPreferencesMachinesPage {
  AdwPreferencesPage  parent_instance;

  GtkWidget          *ssh_group;
  GtkWidget          *add_row;
  GtkWidget          *add_error;
  GtkWidget          *slurm_switch;
  GtkWidget          *slurm_size_row;
  GtkWidget          *slurm_spin;

  GPtrArray          *host_rows;   /* AdwActionRow, in the setting's order */
  JrApplication      *app;
  gboolean            syncing;
};

G_DEFINE_FINAL_TYPE (JrPreferencesMachinesPage, jr_preferences_machines_page,
                     ADW_TYPE_PREFERENCES_PAGE)

static char **
get_specs (JrPreferencesMachinesPage *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->app),
                                                JR_APP_SETTINGS_WORKER_GROUPS);
  g_autoptr(GVariant) state = action != NULL ? g_action_get_state (action) : NULL;

  return state != NULL ? g_variant_dup_strv (state, NULL) : g_new0 (char *, 1);
}

/* Replaces the setting with @specs (consumed). */
static void
set_specs (JrPreferencesMachinesPage *self,
           char                     **specs)
{
  g_action_group_change_action_state (G_ACTION_GROUP (self->app), JR_APP_SETTINGS_WORKER_GROUPS,
                                      g_variant_new_strv ((const char * const *) specs, -1));
  g_strfreev (specs);
}

static void
show_error (JrPreferencesMachinesPage *self,
            const char                *message)
{
  gtk_label_set_text (GTK_LABEL (self->add_error), message != NULL ? message : "");
  gtk_widget_set_visible (self->add_error, message != NULL);
  if (message != NULL)
    {
      gtk_widget_add_css_class (self->add_row, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
    }
  else
    {
      gtk_widget_remove_css_class (self->add_row, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->add_row),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static const char *
row_host (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "host");
}

static void
on_host_size_changed (GtkSpinButton             *spin,
                      JrPreferencesMachinesPage *self)
{
  g_auto(GStrv) specs = NULL;

  if (self->syncing)
    return;
  specs = get_specs (self);
  set_specs (self, jr_app_groups_set_ssh ((const char * const *) specs,
                                          g_object_get_data (G_OBJECT (spin), "host"),
                                          (guint) gtk_spin_button_get_value_as_int (spin)));
}

static void
on_remove_clicked (GtkButton                 *button,
                   JrPreferencesMachinesPage *self)
{
  g_auto(GStrv) specs = get_specs (self);

  set_specs (self, jr_app_groups_set_ssh ((const char * const *) specs,
                                          g_object_get_data (G_OBJECT (button), "host"), 0));
}

/* A host's row: its name, its number of workers, a remove button. */
static GtkWidget *
host_row_new (JrPreferencesMachinesPage *self,
              const char                *host,
              guint                      size)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (1, JR_APP_GROUP_MAX_SIZE, 1);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  /* Translators: the name of a host's spin button for screen readers; %s
   * is the host, “box” or “user@box”. */
  g_autofree char *spin_label = g_strdup_printf (_("Workers on %s"), host);
  /* Translators: the name of a host's remove button for screen readers:
   * “Remove” is a verb; %s is the host, “box” or “user@box”. */
  g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), host);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), host);
  g_object_set_data_full (G_OBJECT (row), "host", g_strdup (host), g_free);
  g_object_set_data (G_OBJECT (row), "spin", spin);

  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), size);
  /* Translators: the tooltip of a host's number of workers. */
  gtk_widget_set_tooltip_text (spin, _("Workers"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  spin_label, -1);
  g_object_set_data_full (G_OBJECT (spin), "host", g_strdup (host), g_free);
  g_signal_connect (spin, "value-changed", G_CALLBACK (on_host_size_changed), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  /* libadwaita labels it by the row's title too: "Workers on box box". */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_RELATION_LABELLED_BY);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  /* Translators: the tooltip of a button that takes a host out of the
   * list: a verb. */
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_object_set_data_full (G_OBJECT (remove), "host", g_strdup (host), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  return row;
}

static gboolean
has_focus_within (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* The host rows for @groups (JrAppGroup, ssh ones only), before the row
 * that adds one: rebuilt when the hosts changed, else only their sizes. */
static void
sync_hosts (JrPreferencesMachinesPage *self,
            GPtrArray                 *groups)
{
  gboolean same = groups->len == self->host_rows->len;
  gboolean refocus;

  for (guint i = 0; same && i < groups->len; i++)
    same = g_str_equal (((JrAppGroup *) g_ptr_array_index (groups, i))->name,
                        row_host (g_ptr_array_index (self->host_rows, i)));
  if (same)
    {
      for (guint i = 0; i < groups->len; i++)
        gtk_spin_button_set_value (g_object_get_data (g_ptr_array_index (self->host_rows, i), "spin"),
                                   ((JrAppGroup *) g_ptr_array_index (groups, i))->size);
      return;
    }

  /* The keyboard focus, in a row that goes, is given to the add row. */
  refocus = has_focus_within (self->add_row);
  for (guint i = 0; i < self->host_rows->len; i++)
    {
      refocus |= has_focus_within (g_ptr_array_index (self->host_rows, i));
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->ssh_group),
                                    g_ptr_array_index (self->host_rows, i));
    }
  g_ptr_array_set_size (self->host_rows, 0);

  /* The group only appends: the add row goes after the hosts again. */
  g_object_ref (self->add_row);
  adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->ssh_group), self->add_row);
  for (guint i = 0; i < groups->len; i++)
    {
      JrAppGroup *group = g_ptr_array_index (groups, i);
      GtkWidget *row = host_row_new (self, group->name, group->size);

      g_ptr_array_add (self->host_rows, row);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->ssh_group), row);
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->ssh_group), self->add_row);
  g_object_unref (self->add_row);
  if (refocus)
    gtk_widget_grab_focus (self->add_row);
}

/* The rows from the action's state. */
static void
sync_from_actions (JrPreferencesMachinesPage *self)
{
  g_auto(GStrv) specs = get_specs (self);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) ssh = g_ptr_array_new ();
  guint slurm = 0;

  /* One by one: an entry that is not valid is kept, not shown. */
  for (guint i = 0; specs[i] != NULL; i++)
    {
      const char *one[] = { specs[i], NULL };
      GPtrArray *groups = jr_app_groups_parse (one, FALSE, NULL);
      JrAppGroup *group;

      if (groups == NULL || groups->len != 1)
        {
          g_clear_pointer (&groups, g_ptr_array_unref);
          continue;
        }
      g_ptr_array_add (hosts, groups);
      group = g_ptr_array_index (groups, 0);
      if (group->kind == JR_APP_GROUP_SSH)
        g_ptr_array_add (ssh, group);
      else if (group->kind == JR_APP_GROUP_SLURM)
        slurm = group->size;
    }

  self->syncing = TRUE;
  sync_hosts (self, ssh);
  gtk_switch_set_active (GTK_SWITCH (self->slurm_switch), slurm > 0);
  if (slurm > 0)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->slurm_spin), slurm);
  gtk_widget_set_sensitive (self->slurm_size_row, slurm > 0);
  self->syncing = FALSE;
}

static void
on_add_apply (JrPreferencesMachinesPage *self)
{
  g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->add_row))));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) specs = NULL;

  if (!jr_app_groups_check_host (host, &error))
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < self->host_rows->len; i++)
    if (g_str_equal (row_host (g_ptr_array_index (self->host_rows, i)), host))
      {
        /* Translators: %s is a host, “box” or “user@box”. */
        g_autofree char *message = g_strdup_printf (_("“%s” is in the list already"), host);

        show_error (self, message);
        return;
      }
  specs = get_specs (self);
  set_specs (self, jr_app_groups_set_ssh ((const char * const *) specs, host, 1));
  gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
  show_error (self, NULL);
}

static void
on_add_changed (JrPreferencesMachinesPage *self)
{
  show_error (self, NULL);
}

static void
on_slurm_changed (JrPreferencesMachinesPage *self)
{
  gboolean on = gtk_switch_get_active (GTK_SWITCH (self->slurm_switch));
  g_auto(GStrv) specs = NULL;

  if (self->syncing || self->app == NULL)
    return;
  specs = get_specs (self);
  set_specs (self, jr_app_groups_set_slurm ((const char * const *) specs,
                                            on ? (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->slurm_spin))
                                               : 0));
}

static void
jr_preferences_machines_page_dispose (GObject *object)
{
  JrPreferencesMachinesPage *self = JR_PREFERENCES_MACHINES_PAGE (object);

  g_clear_object (&self->app);

  G_OBJECT_CLASS (jr_preferences_machines_page_parent_class)->dispose (object);
}

static void
jr_preferences_machines_page_finalize (GObject *object)
{
  JrPreferencesMachinesPage *self = JR_PREFERENCES_MACHINES_PAGE (object);

  g_ptr_array_unref (self->host_rows);

  G_OBJECT_CLASS (jr_preferences_machines_page_parent_class)->finalize (object);
}

static void
jr_preferences_machines_page_class_init (JrPreferencesMachinesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jr_preferences_machines_page_dispose;
  object_class->finalize = jr_preferences_machines_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/preferences-machines-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesMachinesPage, ssh_group);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesMachinesPage, add_row);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesMachinesPage, add_error);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesMachinesPage, slurm_switch);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesMachinesPage, slurm_size_row);
  gtk_widget_class_bind_template_child (widget_class, JrPreferencesMachinesPage, slurm_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_add_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_add_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_slurm_changed);
}

static void
jr_preferences_machines_page_init (JrPreferencesMachinesPage *self)
{
  /* The rows belong to the group; these are borrowed. */
  self->host_rows = g_ptr_array_new ();
  self->syncing = TRUE;  /* until there is an application */
  gtk_widget_init_template (GTK_WIDGET (self));
  self->syncing = FALSE;
}

/**
 * jr_preferences_machines_page_new:
 * @app: the application whose settings it shows
 *
 * Returns: (transfer floating): a new page: ssh hosts, the Slurm group,
 *   shared paths
 */
GtkWidget *
jr_preferences_machines_page_new (JrApplication *app)
{
  JrPreferencesMachinesPage *self;

  g_return_val_if_fail (JR_IS_APPLICATION (app), NULL);

  self = g_object_new (JR_TYPE_PREFERENCES_MACHINES_PAGE, NULL);
  self->app = g_object_ref (app);

  g_signal_connect_object (g_action_map_lookup_action (G_ACTION_MAP (app),
                                                       JR_APP_SETTINGS_WORKER_GROUPS),
                           "notify::state", G_CALLBACK (sync_from_actions), self,
                           G_CONNECT_SWAPPED);
  sync_from_actions (self);

  return GTK_WIDGET (self);
}
