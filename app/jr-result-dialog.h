/* jr-result-dialog.h — the result of a job as text: live while a command
 * runs; to copy, save, open or show in the file manager once done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <adwaita.h>

#include "jr-app-record.h"

G_BEGIN_DECLS

/* Shown of a result at most: a text view with tens of megabytes of text
 * lays it out for seconds. Copy and Save… take the whole. */
#define JR_RESULT_DIALOG_SHOWN_MAX (2 * 1024 * 1024)

#define JR_TYPE_RESULT_DIALOG (jr_result_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JrResultDialog, jr_result_dialog, JR, RESULT_DIALOG, AdwWindow)

JrResultDialog *jr_result_dialog_new        (GtkWindow      *parent,
                                             JrAppRecord    *record);
JrAppRecord    *jr_result_dialog_get_record (JrResultDialog *self);
const char     *jr_result_dialog_get_text   (JrResultDialog *self);
char           *jr_result_dialog_dup_shown_text (JrResultDialog *self) G_GNUC_WARN_UNUSED_RESULT;
void            jr_result_dialog_copy       (JrResultDialog *self);

G_END_DECLS
