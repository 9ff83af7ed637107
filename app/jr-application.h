/* jr-application.h — the application: one executor of worker processes for
 * all its windows, the settings, the app-wide actions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread.
 */
#pragma once

#include <adwaita.h>

#include <jobrouter.h>

G_BEGIN_DECLS

#define JR_TYPE_APPLICATION (jr_application_get_type ())
G_DECLARE_FINAL_TYPE (JrApplication, jr_application, JR, APPLICATION, AdwApplication)

JrApplication *jr_application_new               (void) G_GNUC_WARN_UNUSED_RESULT;
JrExecutor    *jr_application_get_executor      (JrApplication *self);
GSettings     *jr_application_get_settings      (JrApplication *self);
gboolean       jr_application_get_flag          (JrApplication *self,
                                                 const char    *key);
void           jr_application_send_notification (JrApplication *self,
                                                 const char    *id,
                                                 GNotification *notification);
void           jr_application_withdraw_notification (JrApplication *self,
                                                     const char    *id);
guint          jr_application_get_n_notifications (JrApplication *self);

G_END_DECLS
