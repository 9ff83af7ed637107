/* jr-app-alert.c — tell the user something failed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-alert.h"

/**
 * jr_app_show_error:
 * @parent: the window it is about
 * @primary: what failed, short
 * @secondary: why: the error message
 *
 * Shows a modal error dialog that goes away when closed. (GtkMessageDialog:
 * GtkAlertDialog is GTK 4.10.)
 */
void
jr_app_show_error (GtkWindow  *parent,
                   const char *primary,
                   const char *secondary)
{
  GtkWidget *dialog;

  g_return_if_fail (primary != NULL);

  dialog = gtk_message_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", primary);
  if (secondary != NULL)
    gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}
