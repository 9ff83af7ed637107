/* jr-preferences-general-page.h — the preferences page of the job list
 * and the notifications.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-application.h"

G_BEGIN_DECLS

#define JR_TYPE_PREFERENCES_GENERAL_PAGE (jr_preferences_general_page_get_type ())
G_DECLARE_FINAL_TYPE (JrPreferencesGeneralPage, jr_preferences_general_page,
                      JR, PREFERENCES_GENERAL_PAGE, AdwPreferencesPage)

GtkWidget *jr_preferences_general_page_new (JrApplication *app);

G_END_DECLS
