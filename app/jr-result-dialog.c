/* jr-result-dialog.c — the result of a job as text: copy or save it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-result-dialog.h"

#include "jr-app-alert.h"

struct _JrResultDialog {
  GtkWindow  parent_instance;

  GtkWidget *text_view;

  char      *text;
  char      *file_name;
};

G_DEFINE_FINAL_TYPE (JrResultDialog, jr_result_dialog, GTK_TYPE_WINDOW)

/**
 * jr_result_dialog_copy:
 * @self: a result dialog
 *
 * Puts the whole text on the clipboard.
 */
void
jr_result_dialog_copy (JrResultDialog *self)
{
  g_return_if_fail (JR_IS_RESULT_DIALOG (self));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->text);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(JrResultDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    jr_app_show_error (GTK_WINDOW (self), "Could not save the result", error->message);
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  JrResultDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GBytes) bytes = g_bytes_new (self->text, strlen (self->text));

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION,
                                           NULL, on_saved, g_object_ref (self));
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_save (JrResultDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new ("Save Result", GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         "_Save", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), self->file_name);
  /* The chooser's reference is dropped in the response handler; it keeps
   * the dialog alive until then. */
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_save_response),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_copy (JrResultDialog *self)
{
  jr_result_dialog_copy (self);
}

static void
jr_result_dialog_finalize (GObject *object)
{
  JrResultDialog *self = JR_RESULT_DIALOG (object);

  g_free (self->text);
  g_free (self->file_name);

  G_OBJECT_CLASS (jr_result_dialog_parent_class)->finalize (object);
}

static void
jr_result_dialog_class_init (JrResultDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = jr_result_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/result-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, text_view);
  gtk_widget_class_bind_template_callback (widget_class, on_copy);
  gtk_widget_class_bind_template_callback (widget_class, on_save);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jr_result_dialog_init (JrResultDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * jr_result_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @title: the dialog's title: which job, on what
 * @text: the result as text
 * @file_name: the name the save dialog suggests
 *
 * Returns: (transfer none): a new dialog, not shown yet; it destroys
 *   itself when closed
 */
JrResultDialog *
jr_result_dialog_new (GtkWindow  *parent,
                      const char *title,
                      const char *text,
                      const char *file_name)
{
  JrResultDialog *self;

  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (file_name != NULL, NULL);

  self = g_object_new (JR_TYPE_RESULT_DIALOG,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       "title", title,
                       NULL);
  self->text = g_strdup (text);
  self->file_name = g_strdup (file_name);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)),
                            text, -1);

  return self;
}

const char *
jr_result_dialog_get_text (JrResultDialog *self)
{
  g_return_val_if_fail (JR_IS_RESULT_DIALOG (self), NULL);

  return self->text;
}
