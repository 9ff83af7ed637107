/* jr-app-settings.h — the application's GSettings, when installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The schema may be missing (running from the build tree, a broken
 * install): then there are no settings and the defaults apply.
 *
 * Threads: main thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JR_APP_SETTINGS_MAX_WORKERS          "max-workers"
#define JR_APP_SETTINGS_KEEP_FINISHED        "keep-finished"
#define JR_APP_SETTINGS_NOTIFY_ON_COMPLETION "notify-on-completion"

GSettings *jr_app_settings_new             (void) G_GNUC_WARN_UNUSED_RESULT;
guint      jr_app_settings_get_max_workers (GSettings  *settings);
gboolean   jr_app_settings_get_boolean     (GSettings  *settings,
                                            const char *key);

G_END_DECLS
