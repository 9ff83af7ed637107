/* jr-preferences-window.c — the preferences of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A shell: every topic is a page of its own, in its own file
 * (jr-preferences-*-page.c, with its .ui). To add a topic, write its page
 * with a constructor that takes the application, and list it in `pages`
 * below, in the order the window shows them.
 */
#include "jr-preferences-window.h"

#include "jr-preferences-general-page.h"
#include "jr-preferences-machines-page.h"
#include "jr-preferences-workers-page.h"

typedef GtkWidget *(*JrPreferencesPageNew) (JrApplication *app);

static const JrPreferencesPageNew pages[] = {
  jr_preferences_general_page_new,
  jr_preferences_workers_page_new,
  jr_preferences_machines_page_new,
};

struct _JrPreferencesWindow {
  AdwPreferencesWindow  parent_instance;
};

G_DEFINE_FINAL_TYPE (JrPreferencesWindow, jr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
jr_preferences_window_class_init (JrPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/preferences-window.ui");
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

  g_return_val_if_fail (JR_IS_APPLICATION (app), NULL);

  self = g_object_new (JR_TYPE_PREFERENCES_WINDOW,
                       "application", app,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "destroy-with-parent", TRUE,
                       NULL);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                ADW_PREFERENCES_PAGE (pages[i] (app)));

  return self;
}
