/* jr-preferences-workers-page.h — the preferences page of the worker
 * processes: how many run jobs at once, and at what CPU priority.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-application.h"

G_BEGIN_DECLS

#define JR_TYPE_PREFERENCES_WORKERS_PAGE (jr_preferences_workers_page_get_type ())
G_DECLARE_FINAL_TYPE (JrPreferencesWorkersPage, jr_preferences_workers_page,
                      JR, PREFERENCES_WORKERS_PAGE, AdwPreferencesPage)

GtkWidget *jr_preferences_workers_page_new (JrApplication *app);

G_END_DECLS
