/* jr-prompt-dialog.h — asks for the text argument of a built-in job (a
 * command line, a number) and checks it before the job is submitted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-app-jobs.h"

G_BEGIN_DECLS

#define JR_TYPE_PROMPT_DIALOG (jr_prompt_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JrPromptDialog, jr_prompt_dialog, JR, PROMPT_DIALOG, AdwMessageDialog)

JrPromptDialog *jr_prompt_dialog_new       (GtkWindow      *parent,
                                            const JrAppJob *job,
                                            const char     *heading,
                                            const char     *body,
                                            const char     *initial_text);
const JrAppJob *jr_prompt_dialog_get_job   (JrPromptDialog *self);
gboolean        jr_prompt_dialog_accept    (JrPromptDialog *self);

G_END_DECLS
