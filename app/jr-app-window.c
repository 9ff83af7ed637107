/* jr-app-window.c — the main window of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two views: Jobs, the list of the executor's jobs (rows show their
 * progress, then what they gave; activating one opens its result, live for
 * a running command), and Results, the latest finished jobs: completed,
 * failed, or commands cancelled (what they printed is kept). New Job
 * (Ctrl+N) has one item per built-in job; folder and file jobs open a file
 * chooser, the others a prompt.
 *
 * Every job submitted here gets a JrAppRecord: which job, its arguments,
 * what it printed. Records stay while their job runs or is in Results;
 * asking for one that is gone (a row of the Jobs view, an old toast or
 * notification) says so in a toast.
 *
 * When a job ends, the person using the window sees it there (a toast if
 * it failed); only when no window of the application is in use — none is
 * active and no file chooser is open — a notification says so.
 */
#include "jr-app-window.h"

#include <glib/gi18n.h>
#include <jobrouter-ui.h>

#include "jr-app-alert.h"
#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-prompt-dialog.h"
#include "jr-result-dialog.h"

struct _JrAppWindow {
  AdwApplicationWindow  parent_instance;

  /* template children */
  GtkWidget            *new_job_squeezer;
  GtkWidget            *new_job_button;
  GtkWidget            *new_job_icon_button;
  GtkWidget            *indicator_box;
  GtkWidget            *toast_overlay;
  GtkWidget            *view_stack;
  GtkWidget            *jobs_stack;
  GtkWidget            *jobs_page;
  GtkWidget            *unavailable_page;
  GtkWidget            *results_stack;
  GtkWidget            *no_results_page;
  GtkWidget            *results_page;
  GtkWidget            *results_list;

  GtkWidget            *job_list;     /* NULL without an executor */
  GtkWidget            *empty_page;   /* the job list's placeholder */
  GHashTable           *records;      /* id → JrAppRecord */
  GHashTable           *by_future;    /* JrFuture → JrAppRecord, borrowed */
  guint                 n_results;
  guint                 next_id;
  guint                 n_choosers;   /* file choosers open */
  gint64                last_active_end;  /* a window of ours stopped being active */
  GtkWidget            *close_question;  /* weak: "Stop Jobs and Quit?" on show */
  AdwToast             *answer;          /* weak: the last toast of say() */
  gboolean              close_confirmed;
  gboolean              narrow;
  guint                 narrow_idle_id;
};

/* Below this width (in px) the header bar keeps only what it must: the
 * title, New Job as an icon, the main menu. The Jobs view, one tap away at
 * the bottom, shows what the indicator would. A threshold on the window's
 * width, not on what fits, so that nothing flips back and forth. */
#define NARROW_WIDTH 450

G_DEFINE_FINAL_TYPE (JrAppWindow, jr_app_window, ADW_TYPE_APPLICATION_WINDOW)

static JrApplication *
get_app (JrAppWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return JR_IS_APPLICATION (app) ? JR_APPLICATION (app) : NULL;
}

static JrExecutor *
get_executor (JrAppWindow *self)
{
  JrApplication *app = get_app (self);

  return app != NULL ? jr_application_get_executor (app) : NULL;
}

static gboolean
get_flag (JrAppWindow *self,
          const char  *key)
{
  JrApplication *app = get_app (self);

  return app != NULL ? jr_application_get_flag (app, key) : TRUE;
}

/**
 * jr_app_window_add_toast:
 * @self: the window
 * @toast: (transfer full): a toast
 */
void
jr_app_window_add_toast (JrAppWindow *self,
                         AdwToast    *toast)
{
  g_return_if_fail (JR_IS_APP_WINDOW (self));

  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), toast);
}

static void
forget_record (JrAppWindow *self,
               JrAppRecord *record)
{
  g_hash_table_remove (self->by_future, jr_app_record_get_future (record));
  /* Last: it holds the record. */
  g_hash_table_remove (self->records, GUINT_TO_POINTER (jr_app_record_get_id (record)));
}

/**
 * jr_app_window_get_record:
 * @self: the window
 * @future: a job's future
 *
 * Returns: (transfer none) (nullable): the record of a job submitted here
 *   and still kept
 */
JrAppRecord *
jr_app_window_get_record (JrAppWindow *self,
                          JrFuture    *future)
{
  g_return_val_if_fail (JR_IS_APP_WINDOW (self), NULL);

  return g_hash_table_lookup (self->by_future, future);
}

/* ---- results ---- */

static JrResultDialog *
open_record (JrAppWindow *self,
             JrAppRecord *record)
{
  JrApplication *app = get_app (self);
  JrResultDialog *dialog;
  g_autofree char *id = g_strdup_printf ("job-%u", jr_app_record_get_id (record));

  /* Seen: its notification has done its work. */
  if (app != NULL)
    jr_application_withdraw_notification (app, id);

  dialog = jr_result_dialog_new (GTK_WINDOW (self), record);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* A toast that answers what the user just did: shown at once (a normal
 * toast would wait for the one on show), and replacing the previous
 * answer rather than queueing behind it when they ask again. */
static void
say (JrAppWindow *self,
     const char  *text)
{
  AdwToast *toast = jr_app_toast_new (text);

  if (self->answer != NULL)
    adw_toast_dismiss (self->answer);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_set_weak_pointer (&self->answer, toast);
  jr_app_window_add_toast (self, toast);
}

/* What asking for a forgotten record gets instead of nothing: a row of
 * the Jobs view, a toast or a notification can outlive it. */
static void
say_not_kept (JrAppWindow *self)
{
  g_autofree char *text = NULL;

  /* Translators: a toast; %u is how many results the Results view keeps. */
  text = g_strdup_printf (g_dngettext (NULL,
                                       "This job’s result is no longer kept: "
                                       "the Results view keeps the last %u",
                                       "This job’s result is no longer kept: "
                                       "the Results view keeps the last %u",
                                       JR_APP_WINDOW_RESULTS_MAX),
                          JR_APP_WINDOW_RESULTS_MAX);

  say (self, text);
}

/**
 * jr_app_window_show_result:
 * @self: the window
 * @result_id: the id a Results row or a notification carries
 *
 * Opens the result of a finished job, completed, failed or cancelled, in
 * a dialog to copy, save or open it. A result no longer kept gets a toast
 * that says so.
 *
 * Returns: %FALSE if that result is not kept any more (or its job has not
 *   finished)
 */
gboolean
jr_app_window_show_result (JrAppWindow *self,
                           guint        result_id)
{
  JrAppRecord *record;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), FALSE);

  record = g_hash_table_lookup (self->records, GUINT_TO_POINTER (result_id));
  if (record == NULL)
    {
      say_not_kept (self);
      return FALSE;
    }
  /* Notifications and toasts are of jobs that ended: one of a job that
   * runs is another run's, left behind. */
  if (!jr_future_get_done (jr_app_record_get_future (record)))
    {
      say_not_kept (self);
      return FALSE;
    }

  open_record (self, record);
  return TRUE;
}

static void
on_result_row_activated (GtkListBox    *list,
                         GtkListBoxRow *row,
                         JrAppWindow   *self)
{
  jr_app_window_show_result (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "jr-result-id")));
}

static void
update_results_page (JrAppWindow *self)
{
  gtk_stack_set_visible_child (GTK_STACK (self->results_stack),
                               self->n_results > 0 ? self->results_page : self->no_results_page);
}

static void
add_to_results (JrAppWindow *self,
                JrAppRecord *record)
{
  JrFutureState state = jr_future_get_state (jr_app_record_get_future (record));
  g_autofree char *summary = jr_app_record_dup_summary (record);
  const char *icon_name, *icon_class, *icon_label;
  GtkWidget *row, *icon, *arrow;

  /* As the rows of the Jobs view show each state. */
  switch (state)
    {
    case JR_FUTURE_STATE_FAILED:
      icon_name = "dialog-error-symbolic";
      icon_class = "error";
      /* Translators: the state of a job that failed. */
      icon_label = _("Failed");
      break;
    case JR_FUTURE_STATE_CANCELLED:
      icon_name = "process-stop-symbolic";
      icon_class = "dim-label";
      /* Translators: the state of a job that was cancelled. */
      icon_label = _("Cancelled");
      break;
    default:
      icon_name = "emblem-ok-symbolic";
      icon_class = "success";
      /* Translators: the state of a job that completed. */
      icon_label = _("Done");
      break;
    }

  row = adw_action_row_new ();
  /* File names and command lines are not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), jr_app_record_get_title (record));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), summary);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), "jr-result-id",
                     GUINT_TO_POINTER (jr_app_record_get_id (record)));

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, icon_class);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, icon_label,
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);

  gtk_list_box_prepend (GTK_LIST_BOX (self->results_list), row);
  self->n_results++;

  /* Forget the oldest result beyond JR_APP_WINDOW_RESULTS_MAX. */
  if (self->n_results > JR_APP_WINDOW_RESULTS_MAX)
    {
      GtkListBoxRow *oldest = gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->results_list),
                                                             JR_APP_WINDOW_RESULTS_MAX);
      guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (oldest), "jr-result-id"));
      JrAppRecord *gone = g_hash_table_lookup (self->records, GUINT_TO_POINTER (id));

      gtk_list_box_remove (GTK_LIST_BOX (self->results_list), GTK_WIDGET (oldest));
      self->n_results--;
      if (gone != NULL)
        forget_record (self, gone);
    }

  update_results_page (self);
}

/**
 * jr_app_window_get_results_list:
 * @self: the window
 *
 * Returns: (transfer none): the list box of the Results view, newest first
 */
GtkWidget *
jr_app_window_get_results_list (JrAppWindow *self)
{
  g_return_val_if_fail (JR_IS_APP_WINDOW (self), NULL);

  return self->results_list;
}

/* ---- following submitted jobs ---- */

/* The focus moves between our windows (a dialog closes, the window
 * comes back) through a moment when none of them is active: the
 * application is still in use for this long after one stopped being. */
#define IN_USE_GRACE_USEC (G_USEC_PER_SEC)

static void
on_toplevel_active (GtkWindow   *window,
                    GParamSpec  *pspec,
                    JrAppWindow *self)
{
  if (!gtk_window_is_active (window))
    self->last_active_end = g_get_monotonic_time ();
}

static void
watch_toplevels (JrAppWindow *self,
                 guint        position,
                 guint        removed,
                 guint        added,
                 GListModel  *toplevels)
{
  /* A window that goes away may go without saying it is inactive. */
  if (removed > 0)
    self->last_active_end = g_get_monotonic_time ();
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      g_signal_handlers_disconnect_by_func (window, on_toplevel_active, self);
      g_signal_connect_object (window, "notify::is-active", G_CALLBACK (on_toplevel_active), self, 0);
    }
}

/**
 * jr_app_window_is_in_use:
 * @self: the window
 *
 * Whether someone is using the application: one of its windows (this one,
 * a dialog, a file chooser of GTK's) is active, or was less than a second
 * ago (the focus passing from a closed dialog back to the window), or a
 * file chooser it opened is on screen (a portal's is another process's
 * window).
 *
 * Returns: %TRUE while the application is in use
 */
gboolean
jr_app_window_is_in_use (JrAppWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), FALSE);

  if (self->n_choosers > 0)
    return TRUE;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      /* A window closed by hiding it (the shortcuts window) may still say
       * it is active: nobody uses what is not on screen. */
      if (gtk_widget_get_visible (GTK_WIDGET (window)) && gtk_window_is_active (window))
        return TRUE;
    }
  return self->last_active_end != 0 &&
         g_get_monotonic_time () - self->last_active_end < IN_USE_GRACE_USEC;
}

static void
notify_done (JrAppWindow *self,
             JrAppRecord *record)
{
  JrApplication *app = get_app (self);
  JrFuture *future = jr_app_record_get_future (record);
  JrFutureState state = jr_future_get_state (future);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *summary = jr_app_record_dup_summary (record);
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  /* Cancelled: the user did it. */
  if (app == NULL || state == JR_FUTURE_STATE_CANCELLED)
    return;

  if (jr_app_window_is_in_use (self))
    {
      /* They see a completed job in its row; a failure gets a word more. */
      if (state == JR_FUTURE_STATE_FAILED)
        {
          /* Translators: a toast; %s is the job's title, "Checksum of
           * /etc". */
          g_autofree char *title = g_strdup_printf (_("%s failed"), jr_app_record_get_title (record));
          AdwToast *toast = jr_app_toast_new (title);

          /* Translators: the button of a toast that says a job failed. */
          adw_toast_set_button_label (toast, _("Details"));
          adw_toast_set_action_name (toast, "win.show-result");
          adw_toast_set_action_target_value (toast, g_variant_new_uint32 (jr_app_record_get_id (record)));
          adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
          jr_app_window_add_toast (self, toast);
        }
      return;
    }

  if (!get_flag (self, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION))
    return;

  notification = g_notification_new (state == JR_FUTURE_STATE_COMPLETED ? _("Job finished")
                                                                         : _("Job failed"));
  body = g_strdup_printf ("%s\n%s", jr_app_record_get_title (record), summary);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-result",
                                                "u", jr_app_record_get_id (record));
  if (state == JR_FUTURE_STATE_FAILED)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);

  id = g_strdup_printf ("job-%u", jr_app_record_get_id (record));
  jr_application_send_notification (app, id, notification);
}

static void
on_record_state (JrFuture    *future,
                 GParamSpec  *pspec,
                 JrAppRecord *record)
{
  JrAppWindow *self = g_object_get_data (G_OBJECT (record), "jr-window");

  if (!jr_future_get_done (future))
    return;

  g_signal_handlers_disconnect_by_func (future, on_record_state, record);
  notify_done (self, record);

  /* A cancelled command's output is what it did before it stopped: a
   * result to read like a failed one's. Other cancelled jobs leave
   * nothing. */
  if (jr_future_get_state (future) == JR_FUTURE_STATE_CANCELLED &&
      !jr_app_record_has_output (record))
    forget_record (self, record);
  else
    add_to_results (self, record);
}

/**
 * jr_app_window_submit:
 * @self: the window
 * @job_name: a built-in job
 * @args: its arguments
 * @error: return location for an error
 *
 * Submits a job to the application's executor and follows it: its result
 * goes to the Results view, and a notification says when it ends while the
 * application is not in use.
 *
 * Returns: (transfer none) (nullable): the job's future
 */
JrFuture *
jr_app_window_submit (JrAppWindow  *self,
                      const char   *job_name,
                      GVariant     *args,
                      GError      **error)
{
  JrExecutor *executor;
  const JrAppJob *job;
  g_autoptr(JrJobOptions) options = NULL;
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GVariant) owned_args = NULL;
  g_autofree char *title = NULL;
  JrAppRecord *record;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), NULL);
  g_return_val_if_fail (job_name != NULL, NULL);
  g_return_val_if_fail (args != NULL, NULL);

  owned_args = g_variant_ref_sink (args);
  job = jr_app_jobs_lookup (job_name);
  g_return_val_if_fail (job != NULL, NULL);

  executor = get_executor (self);
  if (executor == NULL)
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                           _("The job executor is not running"));
      return NULL;
    }

  title = jr_app_job_describe (job, owned_args);
  options = jr_job_options_new (job->kind);
  jr_job_options_set_title (options, title);
  future = jr_executor_submit_full (executor, job->name, owned_args, options, error);
  if (future == NULL)
    return NULL;

  record = jr_app_record_new (++self->next_id, job, owned_args, future);
  g_object_set_data (G_OBJECT (record), "jr-window", self);
  g_hash_table_insert (self->records, GUINT_TO_POINTER (jr_app_record_get_id (record)), record);
  g_hash_table_insert (self->by_future, future, record);

  g_signal_connect (future, "notify::state", G_CALLBACK (on_record_state), record);
  if (jr_future_get_done (future))
    on_record_state (future, NULL, record);

  /* The executor's list holds it; ours is only borrowed. */
  return future;
}

static void
submit_or_complain (JrAppWindow *self,
                    const char  *job_name,
                    GVariant    *args)
{
  g_autoptr(GError) error = NULL;

  if (jr_app_window_submit (self, job_name, args, &error) == NULL)
    jr_app_show_error (GTK_WINDOW (self), _("Could Not Start the Job"), error->message);
}

/* ---- the job list ---- */

static char *
summarize_job (JrFuture *future,
               gpointer  user_data)
{
  JrAppWindow *self = user_data;
  JrAppRecord *record = g_hash_table_lookup (self->by_future, future);

  /* A job submitted elsewhere keeps its last progress text. */
  return record != NULL ? jr_app_record_dup_summary (record) : NULL;
}

/* A row of the Jobs view or of the indicator's popover was activated. */
static void
on_job_activated (GtkWidget   *list,
                  JrFuture    *future,
                  JrAppWindow *self)
{
  JrAppRecord *record = g_hash_table_lookup (self->by_future, future);

  if (record != NULL)
    open_record (self, record);
  else if (jr_future_get_state (future) == JR_FUTURE_STATE_CANCELLED &&
           jr_future_get_kind (future) != JR_JOB_KIND_ITERATION)
    /* Forgotten at once: it printed nothing (see on_record_state()). */
    say (self, _("This job was cancelled: it has no result"));
  else if (jr_future_get_done (future))
    say_not_kept (self);
}

static void
update_empty_page (JrAppWindow *self)
{
  /* Once jobs ran, "yet" is wrong: the list was cleared. */
  if (self->next_id == 0)
    {
      adw_status_page_set_title (ADW_STATUS_PAGE (self->empty_page), _("No Jobs Yet"));
      adw_status_page_set_description (ADW_STATUS_PAGE (self->empty_page),
                                       /* Translators: “New Job” is the button's
                                        * label (without its “_”). */
                                       _("Start one with New Job (Ctrl+N): checksum files, find "
                                         "duplicates, compress a file, run a command or count primes."));
    }
  else
    {
      adw_status_page_set_title (ADW_STATUS_PAGE (self->empty_page), _("No Jobs in the List"));
      adw_status_page_set_description (ADW_STATUS_PAGE (self->empty_page),
                                       /* Translators: “Results” is the view of
                                        * that name (without its “_”). */
                                       _("Finished jobs were cleared. Their results are under Results."));
    }
}

/* ---- "New Job" ---- */

static void
on_path_chosen (GtkNativeDialog *chooser,
                int              response,
                JrAppWindow     *self)
{
  const JrAppJob *job = g_object_get_data (G_OBJECT (chooser), "jr-app-job");

  self->n_choosers--;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GVariant) args = NULL;
      g_autoptr(GError) error = NULL;

      /* Workers open plain paths: a location without one (a remote share
       * not mounted through FUSE) cannot be worked on. */
      if (path == NULL)
        jr_app_show_error (GTK_WINDOW (self), _("Only Local Files Can Be Used"),
                           _("This location has no local path."));
      else if ((args = jr_app_job_parse_args (job, path, &error)) == NULL)
        jr_app_show_error (GTK_WINDOW (self), _("Could Not Start the Job"), error->message);
      else
        submit_or_complain (self, job->name, args);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_path (JrAppWindow          *self,
             const char           *job_name,
             const char           *title,
             GtkFileChooserAction  action)
{
  const JrAppJob *job = jr_app_jobs_lookup (job_name);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "jr-app-job", (gpointer) job);
  /* The chooser unrefs itself in the handler; it holds the window. */
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_path_chosen),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  self->n_choosers++;
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_prompt_accepted (JrPromptDialog *dialog,
                    GVariant       *args,
                    JrAppWindow    *self)
{
  submit_or_complain (self, jr_prompt_dialog_get_job (dialog)->name, args);
}

static void
prompt (JrAppWindow *self,
        const char  *job_name,
        const char  *heading,
        const char  *body,
        const char  *initial_text)
{
  JrPromptDialog *dialog;

  dialog = jr_prompt_dialog_new (GTK_WINDOW (self), jr_app_jobs_lookup (job_name),
                                 heading, body, initial_text);
  g_signal_connect_object (dialog, "accepted", G_CALLBACK (on_prompt_accepted), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_new_job (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  JrAppWindow *self = user_data;
  GtkWidget *button = adw_squeezer_get_visible_child (ADW_SQUEEZER (self->new_job_squeezer));

  if (GTK_IS_MENU_BUTTON (button))
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
}

static void
on_new_checksum (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  /* A folder or one file: GTK 4.8's chooser picks one kind at a time. */
  if (g_str_equal (g_variant_get_string (parameter, NULL), "file"))
    choose_path (user_data, "checksum", _("File to Checksum"), GTK_FILE_CHOOSER_ACTION_OPEN);
  else
    choose_path (user_data, "checksum", _("Folder to Checksum"),
                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
on_new_find_duplicates (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  choose_path (user_data, "find-duplicates", _("Folder to Search for Duplicates"),
               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
on_new_compress (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  choose_path (user_data, "compress", _("File to Compress"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
on_new_run_command (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  prompt (user_data, "run-command", _("Run a Command"),
          _("Its output shows as it comes. A shell runs it if it uses pipes, "
            "redirections or wildcards."),
          NULL);
}

static void
on_new_count_primes (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  prompt (user_data, "count-primes", _("Count Primes"),
          _("Count the prime numbers up to N. A billion keeps one processor busy for a few "
            "seconds."),
          /* Read whatever separates the groups of three (see
           * jr_app_job_parse_args()): not translated. */
          "1,000,000,000");
}

static void
on_clear_finished (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  JrAppWindow *self = user_data;

  if (self->job_list != NULL)
    jr_job_list_clear_finished (JR_JOB_LIST (self->job_list));
}

static void cancel_all (JrAppWindow *self);

static void
on_cancel_all (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  cancel_all (user_data);
}

static void
on_show_result (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  jr_app_window_show_result (JR_APP_WINDOW (user_data), g_variant_get_uint32 (parameter));
}

static void
on_show_jobs (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  JrAppWindow *self = user_data;

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "jobs");
}

static void
on_show_results (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  JrAppWindow *self = user_data;

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "results");
}

static const GActionEntry win_actions[] = {
  { .name = "new-job", .activate = on_new_job },
  { .name = "new-checksum", .activate = on_new_checksum, .parameter_type = "s" },
  { .name = "new-find-duplicates", .activate = on_new_find_duplicates },
  { .name = "new-compress", .activate = on_new_compress },
  { .name = "new-run-command", .activate = on_new_run_command },
  { .name = "new-count-primes", .activate = on_new_count_primes },
  { .name = "clear-finished", .activate = on_clear_finished },
  { .name = "cancel-all", .activate = on_cancel_all },
  { .name = "show-result", .activate = on_show_result, .parameter_type = "u" },
  { .name = "show-jobs", .activate = on_show_jobs },
  { .name = "show-results", .activate = on_show_results },
};

/* ---- closing ---- */

static void
count_jobs (JrAppWindow *self,
            guint       *n_running,
            guint       *n_waiting)
{
  JrExecutor *executor = get_executor (self);
  GListModel *jobs;

  *n_running = *n_waiting = 0;
  if (executor == NULL)
    return;

  jobs = jr_executor_get_jobs (executor);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (jobs, i);

      switch (jr_future_get_state (future))
        {
        case JR_FUTURE_STATE_WAITING:
          (*n_waiting)++;
          break;
        case JR_FUTURE_STATE_EXECUTING:
        case JR_FUTURE_STATE_CANCELLING:
          (*n_running)++;
          break;
        default:
          break;
        }
    }
}

/**
 * jr_app_window_get_n_running:
 * @self: the window
 *
 * Returns: how many jobs of the executor run now (cancelling ones too)
 */
guint
jr_app_window_get_n_running (JrAppWindow *self)
{
  guint n_running, n_waiting;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), 0);

  count_jobs (self, &n_running, &n_waiting);
  return n_running;
}

/**
 * jr_app_window_get_n_waiting:
 * @self: the window
 *
 * Returns: how many jobs of the executor wait for a worker
 */
guint
jr_app_window_get_n_waiting (JrAppWindow *self)
{
  guint n_running, n_waiting;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), 0);

  count_jobs (self, &n_running, &n_waiting);
  return n_waiting;
}

static void
cancel_all (JrAppWindow *self)
{
  JrExecutor *executor = get_executor (self);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *jobs;

  if (executor == NULL)
    return;

  /* A copy: cancelling may change the model (not today, at the next
   * dispatch; but that is the executor's business). */
  jobs = jr_executor_get_jobs (executor);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    g_ptr_array_add (futures, g_list_model_get_item (jobs, i));
  for (guint i = 0; i < futures->len; i++)
    jr_future_cancel (futures->pdata[i]);
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   JrAppWindow      *self)
{
  /* Every response closes it: the next close asks anew. */
  g_clear_weak_pointer (&self->close_question);
  if (!g_str_equal (response, "stop"))
    return;

  /* Let go of the parent now: the dialog closes only when this signal
   * emission ends, and by then the window may be gone. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);

  /* The application's shutdown waits for the cancelled jobs to stop. */
  cancel_all (self);
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* The body of the question: "2 jobs are running and 17 are waiting.
 * Quitting cancels them; the work done so far is lost." */
static char *
describe_jobs (guint n_running,
               guint n_waiting)
{
  g_autofree char *waiting = NULL;

  if (n_running > 0 && n_waiting > 0)
    {
      /* Translators: two numbers, two plurals: this is the phrase of the
       * jobs that wait, put in “%u job is running and %s.” below; %u is
       * how many wait. */
      waiting = g_strdup_printf (g_dngettext (NULL, "%u is waiting", "%u are waiting", n_waiting),
                                 n_waiting);
      /* Translators: %u is how many jobs run; %s is how many wait, “17 are
       * waiting”. Asked before quitting, with at least two jobs in all:
       * “them”. */
      return g_strdup_printf (g_dngettext (NULL,
                                           "%u job is running and %s. Quitting cancels them; "
                                           "the work done so far is lost.",
                                           "%u jobs are running and %s. Quitting cancels them; "
                                           "the work done so far is lost.",
                                           n_running),
                              n_running, waiting);
    }
  if (n_running > 0)
    /* Translators: asked before quitting; %u is how many jobs run. */
    return g_strdup_printf (g_dngettext (NULL,
                                         "%u job is running. Quitting cancels it; "
                                         "the work done so far is lost.",
                                         "%u jobs are running. Quitting cancels them; "
                                         "the work done so far is lost.",
                                         n_running),
                            n_running);
  /* Translators: asked before quitting; %u is how many jobs wait. */
  return g_strdup_printf (g_dngettext (NULL,
                                       "%u job is waiting to run. Quitting cancels it; "
                                       "the work done so far is lost.",
                                       "%u jobs are waiting to run. Quitting cancels them; "
                                       "the work done so far is lost.",
                                       n_waiting),
                          n_waiting);
}

static void
save_window_state (JrAppWindow *self)
{
  JrApplication *app = get_app (self);
  GSettings *settings = app != NULL ? jr_application_get_settings (app) : NULL;
  int width = 0, height = 0;

  if (settings == NULL)
    return;

  g_settings_set_boolean (settings, JR_APP_SETTINGS_WINDOW_MAXIMIZED,
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  /* The default size follows the window's size while it is not maximized
   * or full screen: the size to come back to. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (settings, JR_APP_SETTINGS_WINDOW_WIDTH, width);
      g_settings_set_int (settings, JR_APP_SETTINGS_WINDOW_HEIGHT, height);
    }
}

static gboolean
jr_app_window_close_request (GtkWindow *window)
{
  JrAppWindow *self = JR_APP_WINDOW (window);
  guint n_running, n_waiting;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  count_jobs (self, &n_running, &n_waiting);
  if (self->close_confirmed || n_running + n_waiting == 0)
    {
      save_window_state (self);
      return GTK_WINDOW_CLASS (jr_app_window_parent_class)->close_request (window);
    }

  body = describe_jobs (n_running, n_waiting);

  /* Asked again (Ctrl+Q twice, app.quit from elsewhere): the same
   * question, counted anew, not a second one under it. */
  if (self->close_question != NULL)
    {
      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self->close_question), body);
      gtk_window_present (GTK_WINDOW (self->close_question));
      return TRUE;
    }

  dialog = adw_message_dialog_new (window, _("Stop Jobs and Quit?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep Running"),
                                    "stop", _("_Stop Jobs and Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_response), self, 0);
  g_set_weak_pointer (&self->close_question, dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;  /* not now */
}

/* ---- adaptive ---- */

static gboolean
apply_narrow (gpointer user_data)
{
  JrAppWindow *self = user_data;

  self->narrow_idle_id = 0;
  gtk_widget_set_visible (self->indicator_box, !self->narrow);
  return G_SOURCE_REMOVE;
}

static void
jr_app_window_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  JrAppWindow *self = JR_APP_WINDOW (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (jr_app_window_parent_class)->size_allocate (widget, width, height, baseline);

  /* Not during the allocation: it would change what is being laid out. */
  if (narrow != self->narrow)
    {
      self->narrow = narrow;
      if (self->narrow_idle_id == 0)
        self->narrow_idle_id = g_idle_add_full (GTK_PRIORITY_RESIZE - 1, apply_narrow, self, NULL);
    }
}

/* ---- setup ---- */

static void
sync_keep_finished (JrAppWindow *self)
{
  if (self->job_list != NULL)
    jr_job_list_set_keep_finished (JR_JOB_LIST (self->job_list),
                                   get_flag (self, JR_APP_SETTINGS_KEEP_FINISHED));
}

static void
restore_window_state (JrAppWindow   *self,
                      JrApplication *app)
{
  GSettings *settings = jr_application_get_settings (app);

  if (settings == NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), 720, 560);
      return;
    }

  gtk_window_set_default_size (GTK_WINDOW (self),
                               MAX (g_settings_get_int (settings, JR_APP_SETTINGS_WINDOW_WIDTH), 360),
                               MAX (g_settings_get_int (settings, JR_APP_SETTINGS_WINDOW_HEIGHT), 294));
  if (g_settings_get_boolean (settings, JR_APP_SETTINGS_WINDOW_MAXIMIZED))
    gtk_window_maximize (GTK_WINDOW (self));
}

/* Builds what needs the application: the job list and the indicator show
 * its executor. Without one, the window still opens and says why nothing
 * can run. */
static void
setup_for_application (JrAppWindow   *self,
                       JrApplication *app)
{
  JrExecutor *executor = jr_application_get_executor (app);
  GAction *keep_finished;
  GtkWidget *indicator;

  restore_window_state (self, app);

  if (executor == NULL)
    {
      static const char * const job_actions[] = {
        "new-job", "new-checksum", "new-find-duplicates", "new-compress",
        "new-run-command", "new-count-primes",
      };

      for (guint i = 0; i < G_N_ELEMENTS (job_actions); i++)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                                  job_actions[i])),
                                     FALSE);
      gtk_stack_set_visible_child (GTK_STACK (self->jobs_stack), self->unavailable_page);
      return;
    }

  self->empty_page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->empty_page), JR_APP_ID);
  update_empty_page (self);

  self->job_list = jr_job_list_new (executor);
  gtk_widget_set_vexpand (self->job_list, TRUE);
  jr_job_list_set_placeholder (JR_JOB_LIST (self->job_list), self->empty_page);
  jr_job_list_set_result_func (JR_JOB_LIST (self->job_list), summarize_job, self, NULL);
  g_signal_connect_object (self->job_list, "job-activated", G_CALLBACK (on_job_activated), self, 0);
  g_signal_connect_object (jr_job_list_get_model (JR_JOB_LIST (self->job_list)), "items-changed",
                           G_CALLBACK (update_empty_page), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self->jobs_page), self->job_list);

  indicator = jr_progress_indicator_new (executor);
  g_signal_connect_object (indicator, "job-activated", G_CALLBACK (on_job_activated), self, 0);
  gtk_box_append (GTK_BOX (self->indicator_box), indicator);
  gtk_stack_set_visible_child (GTK_STACK (self->jobs_stack), self->jobs_page);

  keep_finished = g_action_map_lookup_action (G_ACTION_MAP (app), JR_APP_SETTINGS_KEEP_FINISHED);
  if (keep_finished != NULL)
    g_signal_connect_object (keep_finished, "notify::state",
                             G_CALLBACK (sync_keep_finished), self, G_CONNECT_SWAPPED);
  sync_keep_finished (self);
}

static void
jr_app_window_dispose (GObject *object)
{
  JrAppWindow *self = JR_APP_WINDOW (object);

  g_clear_handle_id (&self->narrow_idle_id, g_source_remove);
  g_clear_weak_pointer (&self->close_question);
  g_clear_weak_pointer (&self->answer);

  /* The list's result function reads our records: it goes first. */
  if (self->job_list != NULL)
    jr_job_list_set_result_func (JR_JOB_LIST (self->job_list), NULL, NULL, NULL);
  self->job_list = NULL;

  /* Futures outlive the window in the executor's list: freeing the
   * records disconnects from them. */
  if (self->records != NULL)
    {
      GHashTableIter iter;
      gpointer record;

      g_hash_table_iter_init (&iter, self->records);
      while (g_hash_table_iter_next (&iter, NULL, &record))
        g_signal_handlers_disconnect_by_func (jr_app_record_get_future (record),
                                              on_record_state, record);
    }
  g_clear_pointer (&self->by_future, g_hash_table_unref);
  g_clear_pointer (&self->records, g_hash_table_unref);

  G_OBJECT_CLASS (jr_app_window_parent_class)->dispose (object);
}

static void
jr_app_window_class_init (JrAppWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = jr_app_window_dispose;
  widget_class->size_allocate = jr_app_window_size_allocate;
  window_class->close_request = jr_app_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/window.ui");
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, new_job_squeezer);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, new_job_button);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, new_job_icon_button);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, indicator_box);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, jobs_stack);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, jobs_page);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, results_stack);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, results_page);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, results_list);
}

static void
jr_app_window_init (JrAppWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->records = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->by_future = g_hash_table_new (NULL, NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  g_signal_connect (self->results_list, "row-activated", G_CALLBACK (on_result_row_activated), self);
  update_results_page (self);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    g_signal_connect_object (toplevels, "items-changed", G_CALLBACK (watch_toplevels), self,
                             G_CONNECT_SWAPPED);
    watch_toplevels (self, 0, 0, g_list_model_get_n_items (toplevels), toplevels);
  }
}

/**
 * jr_app_window_new:
 * @app: the application
 *
 * Returns: (transfer none): a new window of @app, not shown yet
 */
JrAppWindow *
jr_app_window_new (JrApplication *app)
{
  JrAppWindow *self;

  g_return_val_if_fail (JR_IS_APPLICATION (app), NULL);

  self = g_object_new (JR_TYPE_APP_WINDOW, "application", app, NULL);
  setup_for_application (self, app);
  return self;
}
