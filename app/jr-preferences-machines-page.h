/* jr-preferences-machines-page.h — the preferences page of workers on
 * other machines: ssh hosts and a Slurm group with their numbers of
 * workers, and whether those machines see this one's files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-application.h"

G_BEGIN_DECLS

#define JR_TYPE_PREFERENCES_MACHINES_PAGE (jr_preferences_machines_page_get_type ())
G_DECLARE_FINAL_TYPE (JrPreferencesMachinesPage, jr_preferences_machines_page,
                      JR, PREFERENCES_MACHINES_PAGE, AdwPreferencesPage)

GtkWidget *jr_preferences_machines_page_new (JrApplication *app);

G_END_DECLS
