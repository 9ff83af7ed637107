/* jr-app-window.c — the main window of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The header bar has the "New Job" menu (one item per built-in job), the
 * Results menu (the latest finished jobs; an item opens the result to copy
 * or save), the progress indicator and the main menu. The content is the
 * list of jobs of the application's executor.
 *
 * Every job submitted here gets a record: which job, its arguments, and for
 * run-command the lines it printed. Finished records stay while they are in
 * the Results menu.
 */
#include "jr-app-window.h"

#include <jobrouter-ui.h>

#include "jr-app-alert.h"
#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-prompt-dialog.h"
#include "jr-result-dialog.h"

/* How many finished jobs the Results menu lists. */
#define RESULTS_MAX 20
/* What a run-command keeps of its output for the result dialog. */
#define OUTPUT_MAX  (1024 * 1024)

typedef struct {
  JrAppWindow    *window;     /* records die with their window */
  guint           id;
  const JrAppJob *job;
  GVariant       *args;
  char           *title;
  JrFuture       *future;
  GString        *output;     /* run-command: the yielded lines */
  gboolean        truncated;  /* output stopped at OUTPUT_MAX */
} Record;

struct _JrAppWindow {
  GtkApplicationWindow  parent_instance;

  /* template children */
  GtkWidget            *indicator_box;
  GtkWidget            *results_button;
  GtkWidget            *content_stack;
  GtkWidget            *list_box;
  GtkWidget            *unavailable_label;

  GtkWidget            *job_list;     /* NULL without an executor */
  GMenu                *results_menu;
  GHashTable           *records;      /* id → Record */
  guint                 next_id;
  gboolean              close_confirmed;
};

G_DEFINE_FINAL_TYPE (JrAppWindow, jr_app_window, GTK_TYPE_APPLICATION_WINDOW)

static void
record_free (gpointer data)
{
  Record *record = data;

  if (record->future != NULL)
    g_signal_handlers_disconnect_by_data (record->future, record);
  g_clear_object (&record->future);
  g_clear_pointer (&record->args, g_variant_unref);
  if (record->output != NULL)
    g_string_free (record->output, TRUE);
  g_free (record->title);
  g_free (record);
}

static JrExecutor *
get_executor (JrAppWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return JR_IS_APPLICATION (app) ? jr_application_get_executor (JR_APPLICATION (app)) : NULL;
}

static gboolean
get_app_flag (JrAppWindow *self,
              const char  *action_name)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GAction *action = app ? g_action_map_lookup_action (G_ACTION_MAP (app), action_name) : NULL;
  g_autoptr(GVariant) state = action ? g_action_get_state (action) : NULL;

  if (state == NULL || !g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN))
    return TRUE;  /* the defaults of the schema */
  return g_variant_get_boolean (state);
}

/* ---- results ---- */

static void
add_to_results_menu (JrAppWindow *self,
                     Record      *record)
{
  g_autoptr(GMenuItem) item = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *label = NULL;
  int n;

  /* Menus read "_" as a mnemonic: a file name keeps its underscores. */
  parts = g_strsplit (record->title, "_", -1);
  label = g_strjoinv ("__", parts);
  item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, "win.show-result",
                                           g_variant_new_uint32 (record->id));
  g_menu_prepend_item (self->results_menu, item);
  gtk_widget_set_sensitive (self->results_button, TRUE);

  /* Forget the oldest result beyond RESULTS_MAX. */
  n = g_menu_model_get_n_items (G_MENU_MODEL (self->results_menu));
  if (n > RESULTS_MAX)
    {
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (G_MENU_MODEL (self->results_menu),
                                                                          n - 1, G_MENU_ATTRIBUTE_TARGET,
                                                                          G_VARIANT_TYPE_UINT32);

      g_menu_remove (self->results_menu, n - 1);
      if (target != NULL)
        g_hash_table_remove (self->records, GUINT_TO_POINTER (g_variant_get_uint32 (target)));
    }
}

static char *
record_result_text (Record *record)
{
  g_autofree char *summary = jr_app_job_format_result (record->job, record->args,
                                                       jr_future_get_result (record->future));

  if (record->output == NULL)
    return g_steal_pointer (&summary);

  return g_strdup_printf ("%s%s# %s\n", record->output->str,
                          record->truncated ? "# (output cut short)\n" : "", summary);
}

/**
 * jr_app_window_show_result:
 * @self: the window
 * @result_id: the id a Results menu item or a notification carries
 *
 * Opens the result of a finished job in a dialog to copy or save it.
 *
 * Returns: %FALSE if that result is not kept any more
 */
gboolean
jr_app_window_show_result (JrAppWindow *self,
                           guint        result_id)
{
  Record *record;
  g_autofree char *text = NULL;
  JrResultDialog *dialog;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), FALSE);

  record = g_hash_table_lookup (self->records, GUINT_TO_POINTER (result_id));
  if (record == NULL || jr_future_get_state (record->future) != JR_FUTURE_STATE_COMPLETED)
    return FALSE;

  text = record_result_text (record);
  dialog = jr_result_dialog_new (GTK_WINDOW (self), record->title, text,
                                 record->job->result_file_name);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
on_show_result (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  jr_app_window_show_result (JR_APP_WINDOW (user_data), g_variant_get_uint32 (parameter));
}

/* ---- following submitted jobs ---- */

static void
notify_done (JrAppWindow *self,
             Record      *record)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  JrFutureState state = jr_future_get_state (record->future);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  /* The user sees it happen in the window, or cancelled it: no need.
   * Notifications travel on the session bus; without one GLib's backends
   * complain instead of sending nothing. */
  if (app == NULL || g_application_get_dbus_connection (app) == NULL ||
      gtk_window_is_active (GTK_WINDOW (self)) ||
      state == JR_FUTURE_STATE_CANCELLED ||
      !get_app_flag (self, JR_APP_SETTINGS_NOTIFY_ON_COMPLETION))
    return;

  if (state == JR_FUTURE_STATE_COMPLETED)
    {
      g_autofree char *summary = jr_app_job_format_result (record->job, record->args,
                                                           jr_future_get_result (record->future));
      const char *last_line = g_strrstr (g_strchomp (summary), "\n");

      notification = g_notification_new ("Job finished");
      /* Multi-line results end with their summary line. */
      body = g_strdup_printf ("%s\n%s", record->title, last_line ? last_line + 1 : summary);
      g_notification_set_default_action_and_target (notification, "app.show-result",
                                                    "u", record->id);
    }
  else
    {
      const GError *error = jr_future_get_error (record->future);

      notification = g_notification_new ("Job failed");
      body = g_strdup_printf ("%s\n%s", record->title, error ? error->message : "");
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
    }

  g_notification_set_body (notification, body);
  id = g_strdup_printf ("job-%u", record->id);
  g_application_send_notification (app, id, notification);
}

static void
on_record_state (JrFuture    *future,
                 GParamSpec  *pspec,
                 Record      *record)
{
  JrAppWindow *self = record->window;

  if (!jr_future_get_done (future))
    return;

  notify_done (self, record);

  if (jr_future_get_state (future) == JR_FUTURE_STATE_COMPLETED)
    {
      g_signal_handlers_disconnect_by_data (future, record);
      add_to_results_menu (self, record);
    }
  else
    g_hash_table_remove (self->records, GUINT_TO_POINTER (record->id));
}

static void
on_record_yielded (JrFuture *future,
                   GVariant *value,
                   Record   *record)
{
  if (record->output->len >= OUTPUT_MAX)
    {
      record->truncated = TRUE;
      return;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    g_string_append (record->output, g_variant_get_string (value, NULL));
  else
    g_variant_print_string (value, record->output, FALSE);
  g_string_append_c (record->output, '\n');
}

/**
 * jr_app_window_submit:
 * @self: the window
 * @job_name: a built-in job
 * @args: its arguments
 * @error: return location for an error
 *
 * Submits a job to the application's executor and follows it: its result
 * goes to the Results menu, and a notification says when it ends while the
 * window is not active.
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
  g_autofree char *title = NULL;
  Record *record;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), NULL);
  g_return_val_if_fail (job_name != NULL, NULL);

  job = jr_app_jobs_lookup (job_name);
  g_return_val_if_fail (job != NULL, NULL);

  executor = get_executor (self);
  if (executor == NULL)
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                           "The job executor is not running");
      return NULL;
    }

  title = jr_app_job_describe (job, args);
  options = jr_job_options_new (job->kind);
  jr_job_options_set_title (options, title);
  future = jr_executor_submit_full (executor, job->name, args, options, error);
  if (future == NULL)
    return NULL;

  record = g_new0 (Record, 1);
  record->window = self;
  record->id = ++self->next_id;
  record->job = job;
  record->args = g_variant_ref_sink (args);
  record->title = g_steal_pointer (&title);
  record->future = g_object_ref (future);
  if (job->kind == JR_JOB_KIND_ITERATION)
    {
      record->output = g_string_new (NULL);
      g_signal_connect (future, "yielded", G_CALLBACK (on_record_yielded), record);
    }
  g_hash_table_insert (self->records, GUINT_TO_POINTER (record->id), record);

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
    jr_app_show_error (GTK_WINDOW (self), "Could not start the job", error->message);
}

/* ---- "New Job" actions ---- */

static void
on_path_chosen (GtkNativeDialog *chooser,
                int              response,
                JrAppWindow     *self)
{
  const JrAppJob *job = g_object_get_data (G_OBJECT (chooser), "jr-app-job");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GVariant) args = NULL;
      g_autoptr(GError) error = NULL;

      /* Workers open plain paths: a location without one (a remote share
       * not mounted through FUSE) cannot be worked on. */
      if (path == NULL)
        jr_app_show_error (GTK_WINDOW (self), "Only local files can be used",
                           "This location has no local path.");
      else if ((args = jr_app_job_parse_args (job, path, &error)) == NULL)
        jr_app_show_error (GTK_WINDOW (self), "Could not start the job", error->message);
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

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, "_Select", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "jr-app-job", (gpointer) job);
  /* The chooser unrefs itself in the handler; it holds the window. */
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_path_chosen),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
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
        const char  *text,
        const char  *initial_text)
{
  JrPromptDialog *dialog;

  dialog = jr_prompt_dialog_new (GTK_WINDOW (self), jr_app_jobs_lookup (job_name),
                                 text, initial_text);
  g_signal_connect_object (dialog, "accepted", G_CALLBACK (on_prompt_accepted), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_new_checksum (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  choose_path (user_data, "checksum", "Folder to Checksum",
               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
on_new_find_duplicates (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  choose_path (user_data, "find-duplicates", "Folder to Search for Duplicates",
               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
on_new_compress (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  choose_path (user_data, "compress", "File to Compress", GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
on_new_run_command (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  prompt (user_data, "run-command",
          "Command line to run. Its output shows as it comes; a shell runs it "
          "if it uses pipes, redirections or wildcards.",
          NULL);
}

static void
on_new_count_primes (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  prompt (user_data, "count-primes",
          "Count the prime numbers up to N. A billion keeps one core busy for a few seconds.",
          "1000000000");
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

static const GActionEntry win_actions[] = {
  { .name = "new-checksum", .activate = on_new_checksum },
  { .name = "new-find-duplicates", .activate = on_new_find_duplicates },
  { .name = "new-compress", .activate = on_new_compress },
  { .name = "new-run-command", .activate = on_new_run_command },
  { .name = "new-count-primes", .activate = on_new_count_primes },
  { .name = "clear-finished", .activate = on_clear_finished },
  { .name = "show-result", .activate = on_show_result, .parameter_type = "u" },
};

/* ---- closing ---- */

/**
 * jr_app_window_get_n_running:
 * @self: the window
 *
 * Returns: how many jobs of the executor are not done yet
 */
guint
jr_app_window_get_n_running (JrAppWindow *self)
{
  JrExecutor *executor;
  GListModel *jobs;
  guint n_running = 0;

  g_return_val_if_fail (JR_IS_APP_WINDOW (self), 0);

  executor = get_executor (self);
  if (executor == NULL)
    return 0;

  jobs = jr_executor_get_jobs (executor);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (jobs, i);

      if (!jr_future_get_done (future))
        n_running++;
    }
  return n_running;
}

static void
cancel_all (JrAppWindow *self)
{
  JrExecutor *executor = get_executor (self);
  GListModel *jobs;

  if (executor == NULL)
    return;

  jobs = jr_executor_get_jobs (executor);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(JrFuture) future = g_list_model_get_item (jobs, i);

      jr_future_cancel (future);
    }
}

static void
on_close_response (GtkDialog   *dialog,
                   int          response,
                   JrAppWindow *self)
{
  /* Let go of the parent now: the dialog is finalized only when this
   * signal emission ends, and by then the window may be gone. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  /* The application's shutdown waits for the cancelled jobs to stop. */
  cancel_all (self);
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
jr_app_window_close_request (GtkWindow *window)
{
  JrAppWindow *self = JR_APP_WINDOW (window);
  guint n_running = jr_app_window_get_n_running (self);
  g_autofree char *question = NULL;
  GtkWidget *dialog;

  if (self->close_confirmed || n_running == 0)
    return GTK_WINDOW_CLASS (jr_app_window_parent_class)->close_request (window);

  question = n_running == 1 ? g_strdup ("Stop the running job?")
                            : g_strdup_printf ("Stop the %u running jobs?", n_running);
  dialog = gtk_message_dialog_new (window, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", question);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            "Closing the window cancels them; "
                                            "their work so far is lost.");
  gtk_dialog_add_button (GTK_DIALOG (dialog), "_Keep Running", GTK_RESPONSE_CANCEL);
  gtk_dialog_add_button (GTK_DIALOG (dialog), "_Stop Jobs and Close", GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog),
                                                                GTK_RESPONSE_ACCEPT),
                            "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;  /* not now */
}

/* ---- setup ---- */

static void
sync_keep_finished (JrAppWindow *self)
{
  if (self->job_list != NULL)
    jr_job_list_set_keep_finished (JR_JOB_LIST (self->job_list),
                                   get_app_flag (self, JR_APP_SETTINGS_KEEP_FINISHED));
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

  if (executor == NULL)
    {
      static const char * const job_actions[] = {
        "new-checksum", "new-find-duplicates", "new-compress",
        "new-run-command", "new-count-primes",
      };

      for (guint i = 0; i < G_N_ELEMENTS (job_actions); i++)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                                  job_actions[i])),
                                     FALSE);
      gtk_stack_set_visible_child (GTK_STACK (self->content_stack), self->unavailable_label);
      return;
    }

  self->job_list = jr_job_list_new (executor);
  gtk_widget_set_vexpand (self->job_list, TRUE);
  gtk_box_append (GTK_BOX (self->list_box), self->job_list);
  gtk_box_append (GTK_BOX (self->indicator_box), jr_progress_indicator_new (executor));
  gtk_stack_set_visible_child (GTK_STACK (self->content_stack), self->list_box);

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

  /* Futures outlive the window in the executor's list: freeing the
   * records disconnects from them. */
  g_clear_pointer (&self->records, g_hash_table_unref);
  g_clear_object (&self->results_menu);
  /* No gtk_widget_dispose_template(): it would unparent the window's
   * child behind GtkWindow's back, and GtkWindow disposes it anyway. */

  G_OBJECT_CLASS (jr_app_window_parent_class)->dispose (object);
}

static void
jr_app_window_class_init (JrAppWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = jr_app_window_dispose;
  window_class->close_request = jr_app_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/jobrouter/JobRouter/ui/window.ui");
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, indicator_box);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, results_button);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, JrAppWindow, unavailable_label);
}

static void
jr_app_window_init (JrAppWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->records = g_hash_table_new_full (NULL, NULL, NULL, record_free);
  self->results_menu = g_menu_new ();
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->results_button),
                                  G_MENU_MODEL (self->results_menu));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
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
