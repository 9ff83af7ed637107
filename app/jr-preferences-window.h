/* jr-preferences-window.h — the preferences of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-application.h"

G_BEGIN_DECLS

#define JR_TYPE_PREFERENCES_WINDOW (jr_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (JrPreferencesWindow, jr_preferences_window, JR, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

JrPreferencesWindow *jr_preferences_window_new (JrApplication *app,
                                                GtkWindow     *parent);

G_END_DECLS
