/* jr-result-dialog.c — the result of a job as text: live while a command
 * runs; to copy, save, open or show in the file manager once done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * While the job runs, what it prints is appended as it comes, at most once
 * per frame, and followed to the bottom unless the reader scrolled up. Once
 * it is done the text is its record's text: the result, or the error and
 * what it printed. Copy and Save… take the whole text; the view shows its
 * last JR_RESULT_DIALOG_SHOWN_MAX bytes, live too (the end of a long output
 * is what matters). Copying never blocks the window (see
 * jr-app-clipboard.c).
 */
#include "jr-result-dialog.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "jr-app-alert.h"
#include "jr-app-clipboard.h"
#include "jr-app-files.h"

struct _JrResultDialog {
  AdwWindow    parent_instance;

  /* template children */
  GtkWidget   *window_title;
  GtkWidget   *copy_button;
  GtkWidget   *save_button;
  GtkWidget   *stop_button;
  GtkWidget   *file_menu_button;
  GtkWidget   *toast_overlay;
  GtkWidget   *status_label;
  GtkWidget   *scrolled;
  GtkWidget   *text_view;

  JrAppRecord *record;
  char        *text;          /* the whole text once done, else NULL */
  gsize        text_len;
  guint64      shown_end;     /* where the output in the buffer ends, in
                               * all the job printed, live */
  gboolean     clipped;       /* the buffer lost its first lines */
  guint        output_tick_id;
  GCancellable *cancellable;  /* file operations in flight */
};

G_DEFINE_FINAL_TYPE (JrResultDialog, jr_result_dialog, ADW_TYPE_WINDOW)

static void
toast (JrResultDialog *self,
       AdwToast       *toast)
{
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), toast);
}

static void
toast_text (JrResultDialog *self,
            const char     *text)
{
  toast (self, jr_app_toast_new (text));
}

/* ---- the text ---- */

static gboolean
is_at_end (JrResultDialog *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled));

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - 1.0;
}

static void
scroll_to_end (JrResultDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (self->text_view),
                                      gtk_text_buffer_get_insert (buffer));
}

static void
show_clipped_note (JrResultDialog *self,
                   gsize           shown,
                   guint64         total)
{
  g_autofree char *shown_text = g_format_size (shown);
  g_autofree char *all = g_format_size (total);
  g_autofree char *note = NULL;

  if (self->text != NULL)
    /* Translators: above a long result: both %s are sizes, “1.0 MB of
     * 12.3 MB”; “Copy” and “Save…” are the buttons of that name. */
    note = g_strdup_printf (_("Showing the last %s of %s. Copy and Save… take all of it."),
                            shown_text, all);
  else
    /* Translators: above the output of a running command; %s is its size,
     * “12.3 MB”. */
    note = g_strdup_printf (_("Showing the end of the %s printed so far."), all);
  gtk_label_set_text (GTK_LABEL (self->status_label), note);
  gtk_widget_remove_css_class (self->status_label, "error");
  gtk_widget_set_visible (self->status_label, TRUE);
}

/* @text as GTK takes it: UTF-8, with bytes that are not (file names, a
 * command's output) as U+FFFD. Save and Open keep the bytes as they are.
 * Returns @text itself when it is valid, else a copy held in @valid. */
static const char *
as_utf8 (const char  *text,
         gsize       *length,
         char       **valid)
{
  if (g_utf8_validate_len (text, *length, NULL))
    return text;
  *valid = g_utf8_make_valid (text, (gssize) *length);
  *length = strlen (*valid);
  return *valid;
}

static void
insert_shown (GtkTextBuffer *buffer,
              GtkTextIter   *iter,
              const char    *text,
              gsize          length)
{
  g_autofree char *valid = NULL;

  text = as_utf8 (text, &length, &valid);
  gtk_text_buffer_insert (buffer, iter, text, (int) length);
}

/* Drops the first lines of the buffer until it holds about the last
 * JR_RESULT_DIALOG_SHOWN_MAX characters (a bound on the view's work, so
 * characters are as good as bytes; the note gives no size for it). */
static void
trim_buffer (JrResultDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  int count = gtk_text_buffer_get_char_count (buffer);
  GtkTextIter start, cut;

  if (count <= JR_RESULT_DIALOG_SHOWN_MAX)
    return;
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_get_iter_at_offset (buffer, &cut, count - JR_RESULT_DIALOG_SHOWN_MAX);
  if (!gtk_text_iter_starts_line (&cut))
    gtk_text_iter_forward_line (&cut);
  gtk_text_buffer_delete (buffer, &start, &cut);
  self->clipped = TRUE;
}

/* Appends the output that came since the last frame, keeping the last
 * JR_RESULT_DIALOG_SHOWN_MAX of it in view. */
static gboolean
output_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  JrResultDialog *self = JR_RESULT_DIALOG (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  gsize length = 0;
  const char *output = jr_app_record_get_output (self->record, &length);
  guint64 dropped = jr_app_record_get_output_dropped (self->record);
  guint64 end = dropped + length;
  gboolean follow = is_at_end (self);

  self->output_tick_id = 0;

  if (self->text == NULL && end > self->shown_end)
    {
      guint64 from = MAX (self->shown_end, dropped);
      GtkTextIter buffer_end;

      /* More than the view keeps, or a gap (what came between went from
       * the record before we looked): the view starts again. */
      if (end - from > JR_RESULT_DIALOG_SHOWN_MAX || from > self->shown_end)
        {
          gtk_text_buffer_set_text (buffer, "", 0);
          from = dropped + jr_app_text_tail_start (output, length, JR_RESULT_DIALOG_SHOWN_MAX);
          self->clipped = TRUE;
        }
      gtk_text_buffer_get_end_iter (buffer, &buffer_end);
      insert_shown (buffer, &buffer_end, output + (from - dropped), end - from);
      self->shown_end = end;
      trim_buffer (self);
      if (follow)
        scroll_to_end (self);
    }
  if (self->text == NULL && self->clipped)
    show_clipped_note (self, (gsize) gtk_text_buffer_get_char_count (buffer), end);

  return G_SOURCE_REMOVE;
}

static void
on_output_changed (JrResultDialog *self)
{
  if (self->output_tick_id == 0)
    self->output_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), output_tick_cb,
                                                         NULL, NULL);
}

static void
set_buffer_text (JrResultDialog *self,
                 const char     *text,
                 gsize           length)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));

  gsize from = jr_app_text_tail_start (text, length, JR_RESULT_DIALOG_SHOWN_MAX);
  GtkTextIter start;

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_get_start_iter (buffer, &start);
  insert_shown (buffer, &start, text + from, length - from);
}

/* ---- following the job ---- */

static void
update (JrResultDialog *self)
{
  JrFuture *future = jr_app_record_get_future (self->record);
  JrFutureState state = jr_future_get_state (future);
  gboolean done = jr_future_get_done (future);
  g_autofree char *summary = jr_app_record_dup_summary (self->record);
  g_autofree char *subtitle = NULL;
  g_autoptr(GFile) file = NULL;
  const char *status = NULL;
  gboolean status_is_error = FALSE;

  switch (state)
    {
    case JR_FUTURE_STATE_COMPLETED:
      subtitle = g_steal_pointer (&summary);
      break;
    case JR_FUTURE_STATE_FAILED:
      /* Translators: the state of a job that failed. */
      subtitle = g_strdup (_("Failed"));
      status = jr_future_get_error (future) ? jr_future_get_error (future)->message : _("Failed");
      status_is_error = TRUE;
      break;
    case JR_FUTURE_STATE_CANCELLED:
      /* Translators: the state of a job that was cancelled. */
      subtitle = g_strdup (_("Cancelled"));
      break;
    case JR_FUTURE_STATE_WAITING:
      /* Translators: the state of a job that waits for a worker, under the
       * title of its result's window. */
      subtitle = g_strdup (_("Waiting to run"));
      status = _("The result shows here when the job ends.");
      break;
    default:
      /* Translators: the state of a job that runs now. */
      subtitle = g_strdup (_("Running"));
      status = jr_app_record_has_output (self->record)
               ? _("Running: its output shows as it comes.")
               : _("Running: the result shows here when the job ends.");
      break;
    }
  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->window_title), subtitle);

  if (done && self->text == NULL)
    {
      gboolean follow = is_at_end (self);

      if (self->output_tick_id != 0)
        {
          gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->output_tick_id);
          self->output_tick_id = 0;
        }
      self->text = jr_app_record_dup_text (self->record);
      self->text_len = strlen (self->text);
      set_buffer_text (self, self->text, self->text_len);
      if (follow && jr_app_record_has_output (self->record))
        scroll_to_end (self);
    }

  gtk_label_set_text (GTK_LABEL (self->status_label), status != NULL ? status : "");
  gtk_widget_set_visible (self->status_label, status != NULL);
  if (status_is_error)
    gtk_widget_add_css_class (self->status_label, "error");
  else
    gtk_widget_remove_css_class (self->status_label, "error");
  if (status == NULL && self->text != NULL && self->text_len > JR_RESULT_DIALOG_SHOWN_MAX)
    show_clipped_note (self, self->text_len - jr_app_text_tail_start (self->text, self->text_len,
                                                          JR_RESULT_DIALOG_SHOWN_MAX),
                       self->text_len);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.copy", done);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.save", done);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.open", done);
  file = jr_app_record_dup_result_file (self->record);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.show-in-files", file != NULL);
  gtk_widget_set_visible (self->file_menu_button, done);
  gtk_widget_set_visible (self->stop_button, !done);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.stop",
                                 jr_future_get_cancellable_now (future));
}

/* ---- copy ---- */

static void
copy_text (JrResultDialog *self,
           const char     *text,
           gsize           length)
{
  g_autofree char *size = g_format_size (length);
  g_autofree char *message = NULL;
  g_autofree char *valid = NULL;

  text = as_utf8 (text, &length, &valid);
  jr_app_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text, length);
  /* Translators: a toast; %s is a size, “12.3 MB”. */
  message = length >= 100 * 1000 ? g_strdup_printf (_("Copied %s to the clipboard"), size)
                                 : g_strdup (_("Copied to the clipboard"));
  toast_text (self, message);
}

/**
 * jr_result_dialog_copy:
 * @self: a result dialog
 *
 * Puts the whole text on the clipboard (once the job is done).
 */
void
jr_result_dialog_copy (JrResultDialog *self)
{
  g_return_if_fail (JR_IS_RESULT_DIALOG (self));

  if (self->text != NULL)
    copy_text (self, self->text, self->text_len);
}

/* Ctrl+C in the text: the selection if there is one, else everything;
 * never through GtkTextBuffer's own clipboard code, which freezes on large
 * text like gdk_clipboard_set_text(). */
static void
on_text_view_copy (JrResultDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GtkTextIter start, end;

  g_signal_stop_emission_by_name (self->text_view, "copy-clipboard");

  if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    {
      g_autofree char *selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

      copy_text (self, selected, strlen (selected));
    }
  else
    jr_result_dialog_copy (self);
}

static void
action_copy (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  jr_result_dialog_copy (JR_RESULT_DIALOG (widget));
}

/* ---- files ---- */

static void
on_file_shown (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(JrResultDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jr_app_show_in_files_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: a toast; %s is why the file manager could not show the
       * file. */
      g_autofree char *message = g_strdup_printf (_("Could not show the file: %s"), error->message);

      toast_text (self, message);
    }
}

static void
show_in_files (JrResultDialog *self,
               GFile          *file)
{
  jr_app_show_in_files (GTK_WINDOW (self), file, self->cancellable, on_file_shown,
                        g_object_ref (self));
}

static void
action_show_in_files (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  JrResultDialog *self = JR_RESULT_DIALOG (widget);
  g_autoptr(GFile) file = jr_app_record_dup_result_file (self->record);

  if (file != NULL)
    show_in_files (self, file);
}

static void
action_show_saved (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  JrResultDialog *self = JR_RESULT_DIALOG (widget);
  GFile *file = jr_app_record_get_saved_file (self->record);

  if (file != NULL)
    show_in_files (self, file);
}

static void
on_file_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(JrResultDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!jr_app_open_file_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: a toast; %s is why the result could not be opened. */
      g_autofree char *message = g_strdup_printf (_("Could not open the result: %s"), error->message);

      toast_text (self, message);
    }
}

/* A text result that was not saved is opened from a copy in the cache:
 * $XDG_CACHE_HOME/jobrouter/results/ID/NAME, written in a thread (an NFS
 * home or a slow disk must not freeze the window). */
typedef struct {
  char   *dir;
  char   *path;
  GBytes *text;
} CacheCopy;

static void
cache_copy_free (CacheCopy *copy)
{
  g_free (copy->dir);
  g_free (copy->path);
  g_bytes_unref (copy->text);
  g_free (copy);
}

static void
write_cache_copy_in_thread (GTask        *task,
                            gpointer      source,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  CacheCopy *copy = task_data;
  gsize len;
  const char *data = g_bytes_get_data (copy->text, &len);
  GError *error = NULL;

  if (g_mkdir_with_parents (copy->dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               /* Translators: the first %s is a folder, the
                                * second the system's error, “Permission
                                * denied”. */
                               _("Cannot make %s: %s"), copy->dir, g_strerror (saved_errno));
      return;
    }
  if (!g_file_set_contents (copy->path, data, (gssize) len, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_file_new_for_path (copy->path), g_object_unref);
}

static void
on_cache_copy_written (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  JrResultDialog *self = JR_RESULT_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_task_propagate_pointer (G_TASK (result), &error);

  if (file == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: a toast; %s is why the result could not be opened. */
      message = g_strdup_printf (_("Could not open the result: %s"), error->message);
      toast_text (self, message);
      return;
    }
  jr_app_open_file (GTK_WINDOW (self), file, self->cancellable, on_file_opened,
                    g_object_ref (self));
}

static void
open_cache_copy (JrResultDialog *self)
{
  g_autofree char *id = g_strdup_printf ("%u", jr_app_record_get_id (self->record));
  CacheCopy *copy = g_new0 (CacheCopy, 1);
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_cache_copy_written, NULL);

  copy->dir = g_build_filename (g_get_user_cache_dir (), "jobrouter", "results", id, NULL);
  copy->path = g_build_filename (copy->dir, jr_app_record_get_job (self->record)->result_file_name,
                                 NULL);
  copy->text = g_bytes_new (self->text, self->text_len);
  g_task_set_task_data (task, copy, (GDestroyNotify) cache_copy_free);
  g_task_set_source_tag (task, open_cache_copy);
  g_task_run_in_thread (task, write_cache_copy_in_thread);
}

static void
action_open (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  JrResultDialog *self = JR_RESULT_DIALOG (widget);
  g_autoptr(GFile) file = jr_app_record_dup_result_file (self->record);

  if (file == NULL && self->text != NULL)
    {
      open_cache_copy (self);
      return;
    }
  if (file == NULL)
    {
      toast_text (self, _("Could not open the result: no file"));
      return;
    }

  jr_app_open_file (GTK_WINDOW (self), file, self->cancellable, on_file_opened,
                    g_object_ref (self));
}

/* ---- save ---- */

typedef struct {
  JrResultDialog *self;
  GFile          *file;
} SaveData;

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(JrResultDialog) self = data->self;
  g_autoptr(GFile) file = data->file;
  g_autoptr(GError) error = NULL;

  g_free (data);

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        jr_app_show_error (GTK_WINDOW (self), _("Could Not Save the Result"), error->message);
      return;
    }

  jr_app_record_set_saved_file (self->record, file);
  update (self);

  {
    g_autofree char *name = g_file_get_basename (file);
    /* Translators: a toast; %s is the name of the file the result was
     * saved to. */
    g_autofree char *title = g_strdup_printf (_("Saved as %s"), name);
    AdwToast *saved = jr_app_toast_new (title);

    /* Translators: the button of the toast that says where a result was
     * saved: it shows the file in the file manager. */
    adw_toast_set_button_label (saved, _("Show in Files"));
    adw_toast_set_action_name (saved, "result.show-saved");
    toast (self, saved);
  }
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  JrResultDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->text != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GBytes) bytes = g_bytes_new (self->text, self->text_len);
      SaveData *data = g_new0 (SaveData, 1);

      data->self = g_object_ref (self);
      data->file = g_object_ref (file);
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION,
                                           self->cancellable, on_saved, data);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
action_save (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  JrResultDialog *self = JR_RESULT_DIALOG (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save Result"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     jr_app_record_get_job (self->record)->result_file_name);
  /* The chooser's reference is dropped in the response handler; it keeps
   * the dialog alive until then. */
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_save_response),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
action_stop (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  JrResultDialog *self = JR_RESULT_DIALOG (widget);

  jr_future_cancel (jr_app_record_get_future (self->record));
}

/* ---- life ---- */

static void
jr_result_dialog_dispose (GObject *object)
{
  JrResultDialog *self = JR_RESULT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->record != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->record, self);
      g_signal_handlers_disconnect_by_data (jr_app_record_get_future (self->record), self);
    }
  g_clear_object (&self->record);

  G_OBJECT_CLASS (jr_result_dialog_parent_class)->dispose (object);
}

static void
jr_result_dialog_finalize (GObject *object)
{
  JrResultDialog *self = JR_RESULT_DIALOG (object);

  g_free (self->text);

  G_OBJECT_CLASS (jr_result_dialog_parent_class)->finalize (object);
}

static void
jr_result_dialog_class_init (JrResultDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jr_result_dialog_dispose;
  object_class->finalize = jr_result_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/result-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, stop_button);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, file_menu_button);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, scrolled);
  gtk_widget_class_bind_template_child (widget_class, JrResultDialog, text_view);
  gtk_widget_class_bind_template_callback (widget_class, on_text_view_copy);

  gtk_widget_class_install_action (widget_class, "result.copy", NULL, action_copy);
  gtk_widget_class_install_action (widget_class, "result.save", NULL, action_save);
  gtk_widget_class_install_action (widget_class, "result.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "result.show-in-files", NULL, action_show_in_files);
  gtk_widget_class_install_action (widget_class, "result.show-saved", NULL, action_show_saved);
  gtk_widget_class_install_action (widget_class, "result.stop", NULL, action_stop);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "result.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "result.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jr_result_dialog_init (JrResultDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * jr_result_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @record: the job whose result to show, done or not
 *
 * Returns: (transfer none): a new dialog, not shown yet; it destroys
 *   itself when closed
 */
JrResultDialog *
jr_result_dialog_new (GtkWindow   *parent,
                      JrAppRecord *record)
{
  JrResultDialog *self;
  JrFuture *future;

  g_return_val_if_fail (JR_IS_APP_RECORD (record), NULL);

  /* The application's window: its shortcuts (Ctrl+W, Ctrl+Q) work here
   * too. */
  self = g_object_new (JR_TYPE_RESULT_DIALOG,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       "title", jr_app_record_get_title (record),
                       NULL);
  self->record = g_object_ref (record);
  future = jr_app_record_get_future (record);
  adw_window_title_set_title (ADW_WINDOW_TITLE (self->window_title),
                              jr_app_record_get_title (record));

  if (!jr_future_get_done (future))
    {
      g_signal_connect_object (future, "notify::state", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (future, "notify::cancellable-now", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
      if (jr_app_record_has_output (record))
        {
          g_signal_connect_object (record, "output-changed", G_CALLBACK (on_output_changed), self,
                                   G_CONNECT_SWAPPED);
          on_output_changed (self);
        }
    }
  update (self);
  /* The output, not Stop: Enter or Space, just pressed to open the
   * window, must not cancel the job. */
  gtk_window_set_focus (GTK_WINDOW (self), self->text_view);

  return self;
}

JrAppRecord *
jr_result_dialog_get_record (JrResultDialog *self)
{
  g_return_val_if_fail (JR_IS_RESULT_DIALOG (self), NULL);

  return self->record;
}

/**
 * jr_result_dialog_get_text:
 * @self: a result dialog
 *
 * Returns: (nullable): the whole text, once the job is done
 */
const char *
jr_result_dialog_get_text (JrResultDialog *self)
{
  g_return_val_if_fail (JR_IS_RESULT_DIALOG (self), NULL);

  return self->text;
}

/**
 * jr_result_dialog_dup_shown_text:
 * @self: a result dialog
 *
 * Returns: what the text view shows now
 */
char *
jr_result_dialog_dup_shown_text (JrResultDialog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (JR_IS_RESULT_DIALOG (self), NULL);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
