/* jr-launcher.h — how an executor starts the workers of a group: here,
 * or through a command (ssh, srun, a sandbox) that may put them on
 * another machine.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a launcher is set up on one thread, then given to an executor
 * ([method@Jr.Executor.add_group]), which only reads it, on its own
 * thread. Do not change a launcher an executor uses.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#include <glib-object.h>

#include "jr-version.h"

G_BEGIN_DECLS

#define JR_TYPE_LAUNCHER (jr_launcher_get_type ())
JR_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (JrLauncher, jr_launcher, JR, LAUNCHER, GObject)

JR_AVAILABLE_IN_0_2
JrLauncher         *jr_launcher_new_local         (void) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_0_2
JrLauncher         *jr_launcher_new_command       (const char * const *command) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_0_2
JrLauncher         *jr_launcher_new_ssh           (const char         *destination,
                                                   const char * const *options) G_GNUC_WARN_UNUSED_RESULT;
JR_AVAILABLE_IN_0_2
gboolean            jr_launcher_ssh_destination_is_valid (const char *destination);
JR_AVAILABLE_IN_0_2
JrLauncher         *jr_launcher_new_srun          (const char * const *options) G_GNUC_WARN_UNUSED_RESULT;

JR_AVAILABLE_IN_0_2
gboolean            jr_launcher_get_is_local      (JrLauncher         *self);
JR_AVAILABLE_IN_0_2
const char * const *jr_launcher_get_command       (JrLauncher         *self);
JR_AVAILABLE_IN_0_2
const char * const *jr_launcher_get_program       (JrLauncher         *self);
JR_AVAILABLE_IN_0_2
void                jr_launcher_set_program       (JrLauncher         *self,
                                                   const char * const *program);
JR_AVAILABLE_IN_0_2
gboolean            jr_launcher_get_shell_command (JrLauncher         *self);
JR_AVAILABLE_IN_0_2
void                jr_launcher_set_shell_command (JrLauncher         *self,
                                                   gboolean            shell_command);
JR_AVAILABLE_IN_0_2
gboolean            jr_launcher_get_shared_paths  (JrLauncher         *self);
JR_AVAILABLE_IN_0_2
void                jr_launcher_set_shared_paths  (JrLauncher         *self,
                                                   gboolean            shared_paths);
JR_AVAILABLE_IN_0_2
gint64              jr_launcher_get_start_timeout (JrLauncher         *self);
JR_AVAILABLE_IN_0_2
void                jr_launcher_set_start_timeout (JrLauncher         *self,
                                                   gint64              timeout_usec);
JR_AVAILABLE_IN_0_2
char               *jr_launcher_describe          (JrLauncher         *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
