/* jr-result-dialog.h — shows the result of a job as text, to copy to the
 * clipboard or save to a file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: a GTK widget; main thread.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define JR_TYPE_RESULT_DIALOG (jr_result_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JrResultDialog, jr_result_dialog, JR, RESULT_DIALOG, GtkWindow)

JrResultDialog *jr_result_dialog_new      (GtkWindow      *parent,
                                           const char     *title,
                                           const char     *text,
                                           const char     *file_name);
const char     *jr_result_dialog_get_text (JrResultDialog *self);
void            jr_result_dialog_copy     (JrResultDialog *self);

G_END_DECLS
