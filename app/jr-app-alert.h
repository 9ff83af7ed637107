/* jr-app-alert.h — tell the user something failed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void jr_app_show_error (GtkWindow  *parent,
                        const char *heading,
                        const char *body);

G_END_DECLS
