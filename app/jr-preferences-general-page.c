/* jr-preferences-general-page.c — the preferences page of the job list
 * and the notifications.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Its switches are actionable widgets on the application's stateful
 * actions (app.keep-finished, app.notify-on-completion; see
 * jr-application.c), so they need no code: the actions keep GSettings, or
 * the session's memory when the schema is missing, in step.
 */
#include "jr-preferences-general-page.h"

struct _JrPreferencesGeneralPage {
  AdwPreferencesPage  parent_instance;
};

G_DEFINE_FINAL_TYPE (JrPreferencesGeneralPage, jr_preferences_general_page,
                     ADW_TYPE_PREFERENCES_PAGE)

static void
jr_preferences_general_page_class_init (JrPreferencesGeneralPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/preferences-general-page.ui");
}

static void
jr_preferences_general_page_init (JrPreferencesGeneralPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * jr_preferences_general_page_new:
 * @app: the application whose settings it shows
 *
 * Returns: (transfer floating): a new page: keep finished jobs,
 *   notifications
 */
GtkWidget *
jr_preferences_general_page_new (JrApplication *app)
{
  g_return_val_if_fail (JR_IS_APPLICATION (app), NULL);

  return g_object_new (JR_TYPE_PREFERENCES_GENERAL_PAGE, NULL);
}
