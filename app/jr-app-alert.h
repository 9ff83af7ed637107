/* jr-app-alert.h — tell the user something: a toast, or a failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

AdwToast *jr_app_toast_new (const char *text);

void jr_app_show_error (GtkWindow  *parent,
                        const char *heading,
                        const char *body);

G_END_DECLS
