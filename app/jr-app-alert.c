/* jr-app-alert.c — tell the user something: a toast, or a failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-alert.h"

#include <adwaita.h>
#include <glib/gi18n.h>

/**
 * jr_app_toast_new:
 * @text: what to say, plain text (a job's title, a file name, an error)
 *
 * libadwaita 1.2 reads a toast's title as Pango markup, and cannot be told
 * not to: a title such as `grep '<x>' f` would show as nothing, with a
 * warning. The text is escaped.
 *
 * Returns: (transfer floating): a new toast
 */
AdwToast *
jr_app_toast_new (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

/**
 * jr_app_show_error:
 * @parent: the window it is about
 * @heading: what failed, short, in title case
 * @body: (nullable): why: the error message
 *
 * Shows a modal message dialog that goes away when closed.
 */
void
jr_app_show_error (GtkWindow  *parent,
                   const char *heading,
                   const char *body)
{
  GtkWidget *dialog;

  g_return_if_fail (heading != NULL);

  dialog = adw_message_dialog_new (parent, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}
