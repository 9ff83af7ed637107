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

#include <jobrouter.h>

G_BEGIN_DECLS

#define JR_APP_SETTINGS_MAX_WORKERS          "max-workers"
#define JR_APP_SETTINGS_WORKER_PRIORITY      "worker-priority"
#define JR_APP_SETTINGS_KEEP_FINISHED        "keep-finished"
#define JR_APP_SETTINGS_NOTIFY_ON_COMPLETION "notify-on-completion"
#define JR_APP_SETTINGS_WORKER_GROUPS        "worker-groups"
#define JR_APP_SETTINGS_SHARED_PATHS         "shared-paths"
#define JR_APP_SETTINGS_WINDOW_WIDTH         "window-width"
#define JR_APP_SETTINGS_WINDOW_HEIGHT        "window-height"
#define JR_APP_SETTINGS_WINDOW_MAXIMIZED     "window-maximized"

/**
 * JrAppWorkerPriority:
 * @JR_APP_WORKER_PRIORITY_BACKGROUND: only when nothing else wants the
 *   processor: SCHED_IDLE and nice 10 (the default)
 * @JR_APP_WORKER_PRIORITY_LOW: below other programs: nice 10
 * @JR_APP_WORKER_PRIORITY_NORMAL: like other programs
 *
 * The CPU priority of the worker processes, the nicks of the
 * "worker-priority" key.
 */
typedef enum {
  JR_APP_WORKER_PRIORITY_BACKGROUND,
  JR_APP_WORKER_PRIORITY_LOW,
  JR_APP_WORKER_PRIORITY_NORMAL,
} JrAppWorkerPriority;

GSettings          *jr_app_settings_new                (void) G_GNUC_WARN_UNUSED_RESULT;
guint               jr_app_settings_get_max_workers    (GSettings           *settings);
guint               jr_app_settings_resolve_max_workers (guint              value);
gboolean            jr_app_settings_get_boolean        (GSettings           *settings,
                                                        const char          *key);
JrAppWorkerPriority jr_app_worker_priority_from_string (const char          *nick);
const char         *jr_app_worker_priority_to_string   (JrAppWorkerPriority  priority);
void                jr_app_worker_priority_apply       (JrAppWorkerPriority  priority,
                                                        JrExecutor          *executor);

G_END_DECLS
