/* jr-prompt-dialog.c — asks for the text argument of a built-in job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The text is read with jr_app_job_parse_args(), the parser of the command
 * line, so the window and `jobrouter run` accept the same things ("50,000,000"
 * too). The Run response stays disabled while the text does not parse, and
 * the reason shows under the entry.
 */
#include "jr-prompt-dialog.h"

struct _JrPromptDialog {
  AdwMessageDialog  parent_instance;

  GtkWidget        *entry;
  GtkWidget        *error_label;

  const JrAppJob   *job;
};

G_DEFINE_FINAL_TYPE (JrPromptDialog, jr_prompt_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SIGNAL_ACCEPTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Returns the parsed arguments, or NULL with the reason shown. */
static GVariant *
validate (JrPromptDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  GVariant *args;
  gboolean invalid;

  if (self->job == NULL)
    return NULL;

  args = jr_app_job_parse_args (self->job, text, &error);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "run", args != NULL);
  /* An empty entry is not an error yet, just not done. */
  invalid = args == NULL && text[0] != '\0';
  gtk_widget_set_visible (self->error_label, invalid);
  if (error != NULL)
    gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
  /* Said to a screen reader as it is shown: the entry is invalid, and
   * why (as the preferences' host entry does). */
  if (invalid)
    {
      gtk_widget_add_css_class (self->entry, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      error != NULL ? error->message : "", -1);
    }
  else
    {
      gtk_widget_remove_css_class (self->entry, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->entry),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }

  return args;
}

static void
on_entry_changed (JrPromptDialog *self)
{
  GVariant *args = validate (self);

  g_clear_pointer (&args, g_variant_unref);
}

/**
 * jr_prompt_dialog_accept:
 * @self: a prompt dialog
 *
 * What the Run response does: if the text parses, emits
 * [signal@Jr.PromptDialog::accepted] and closes the dialog.
 *
 * Returns: whether the text was accepted
 */
gboolean
jr_prompt_dialog_accept (JrPromptDialog *self)
{
  g_autoptr(GVariant) args = NULL;

  g_return_val_if_fail (JR_IS_PROMPT_DIALOG (self), FALSE);

  args = validate (self);
  if (args == NULL)
    return FALSE;

  g_signal_emit (self, signals[SIGNAL_ACCEPTED], 0, args);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
jr_prompt_dialog_response (AdwMessageDialog *dialog,
                           const char       *response)
{
  JrPromptDialog *self = JR_PROMPT_DIALOG (dialog);

  /* The dialog closes itself after a response: take the text first. */
  if (g_str_equal (response, "run"))
    {
      g_autoptr(GVariant) args = validate (self);

      if (args != NULL)
        g_signal_emit (self, signals[SIGNAL_ACCEPTED], 0, args);
    }
}

static void
jr_prompt_dialog_class_init (JrPromptDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  dialog_class->response = jr_prompt_dialog_response;

  /**
   * JrPromptDialog::accepted:
   * @self: the dialog
   * @args: the job's arguments, parsed from the entry
   *
   * Emitted when Run is chosen on a valid text, just before the dialog
   * closes.
   */
  signals[SIGNAL_ACCEPTED] =
    g_signal_new ("accepted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__VARIANT,
                  G_TYPE_NONE, 1, G_TYPE_VARIANT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/prompt-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JrPromptDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, JrPromptDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
}

static void
jr_prompt_dialog_init (JrPromptDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * jr_prompt_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @job: the job whose argument it asks for
 * @heading: what the dialog is for, e.g. "Count Primes"
 * @body: what to tell the user
 * @initial_text: (nullable): what the entry starts with
 *
 * Returns: (transfer none): a new modal dialog, not shown yet; it destroys
 *   itself when closed
 */
JrPromptDialog *
jr_prompt_dialog_new (GtkWindow      *parent,
                      const JrAppJob *job,
                      const char     *heading,
                      const char     *body,
                      const char     *initial_text)
{
  JrPromptDialog *self;

  g_return_val_if_fail (job != NULL, NULL);
  g_return_val_if_fail (heading != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  self = g_object_new (JR_TYPE_PROMPT_DIALOG,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "destroy-with-parent", TRUE,
                       "heading", heading,
                       "body", body,
                       NULL);
  self->job = job;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, heading,
                                  -1);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), initial_text ? initial_text : "");
  if (job->arg_kind == JR_APP_ARG_NUMBER)
    gtk_entry_set_input_purpose (GTK_ENTRY (self->entry), GTK_INPUT_PURPOSE_DIGITS);
  on_entry_changed (self);

  return self;
}

const JrAppJob *
jr_prompt_dialog_get_job (JrPromptDialog *self)
{
  g_return_val_if_fail (JR_IS_PROMPT_DIALOG (self), NULL);

  return self->job;
}
