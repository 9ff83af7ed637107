/* test-ui-widgets.c — tests of ui/: JrJobRow, JrJobList and
 * JrProgressIndicator, with futures driven by hand.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gtk/gtk.h>

#include "jobrouter-ui.h"
#include "jr-future-private.h"
#include "jr-job-list-private.h"
#include "jr-job-row-private.h"
#include "jr-progress-indicator-private.h"
#include "jobrouter-test-gui.h"
#include "jr-test.h"
#include "ui-common.h"

#define TIMEOUT (10 * G_USEC_PER_SEC)

static double
bar_fraction (JrJobRow *row)
{
  return gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (jr_job_row_get_progress_bar (row)));
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

/* ---- JrJobRow ---- */

static void
test_row_progress (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("copy", JR_JOB_KIND_PROGRESS);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  guint before;

  g_assert_true (jr_job_row_get_future (row) == future);
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_title_label (row)), ==, "copy");
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Running");

  before = jr_job_row_get_n_progress_updates (row);
  g_assert_true (jr_future_set_progress (future, 0.3, "3 of 10 files"));
  /* Nothing is applied before a frame. */
  g_assert_cmpuint (jr_job_row_get_n_progress_updates (row), ==, before);
  g_assert_cmpfloat (bar_fraction (row), !=, 0.3);

  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  g_assert_cmpuint (jr_job_row_get_n_progress_updates (row), ==, before + 1);
  g_assert_cmpfloat_with_epsilon (bar_fraction (row), 0.3, 1e-9);
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "3 of 10 files");

  /* Without a text the row shows the percentage. */
  g_assert_true (jr_future_set_progress (future, 0.5, NULL));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  g_assert_cmpfloat_with_epsilon (bar_fraction (row), 0.5, 1e-9);
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "50 %");
  /* Halfway: an estimate of the time left is shown. */
  g_assert_nonnull (strstr (ui_test_label_text (jr_job_row_get_time_label (row)), "left"));

  g_assert_true (jr_future_complete (future, NULL));
  g_assert_cmpfloat (bar_fraction (row), ==, 1.0);
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Done");
  g_assert_nonnull (strstr (ui_test_label_text (jr_job_row_get_time_label (row)), "Took"));

  /* The window owned the row; the row let go of the future. */
  g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &row);
  g_object_add_weak_pointer (G_OBJECT (future), (gpointer *) &future);
  jr_test_destroy_window (window);
  g_assert_null (row);
  g_object_unref (future);
  g_assert_null (future);
}

/* 10000 notifications between two frames cost one update of the widgets. */
static void
test_row_coalescing (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("flood", JR_JOB_KIND_PROGRESS);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  guint before, after;

  before = jr_job_row_get_n_progress_updates (row);
  for (guint i = 1; i <= 10000; i++)
    g_assert_true (jr_future_set_progress (future, i / 20000.0, NULL));
  g_assert_cmpuint (jr_job_row_get_n_progress_updates (row), ==, before);

  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 3, TIMEOUT));
  after = jr_job_row_get_n_progress_updates (row);
  g_test_message ("%u progress applications for 10000 notifications", after - before);
  g_assert_cmpuint (after - before, >=, 1);
  g_assert_cmpuint (after - before, <=, 2);
  /* The latest value won. */
  g_assert_cmpfloat_with_epsilon (bar_fraction (row), 0.5, 1e-9);

  /* Idle frames apply nothing. */
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 3, TIMEOUT));
  g_assert_cmpuint (jr_job_row_get_n_progress_updates (row), ==, after);

  jr_test_destroy_window (window);
}

/* A state change is shown at once, after the progress that preceded it. */
static void
test_row_state_at_once (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("sort", JR_JOB_KIND_PROGRESS);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  const char *icon;

  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Waiting");
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (jr_job_row_get_state_icon (row))), ==,
                   "content-loading-symbolic");
  g_assert_nonnull (strstr (ui_test_label_text (jr_job_row_get_time_label (row)), "Waiting"));

  g_assert_true (jr_future_mark_started (future));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Running");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "executing"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "waiting"));

  g_assert_true (jr_future_set_progress (future, 0.75, "three quarters"));
  g_assert_true (jr_future_cancel (future));
  /* No frame in between: the pending progress was flushed first. */
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Cancelling");
  g_assert_cmpfloat_with_epsilon (bar_fraction (row), 0.75, 1e-9);
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "three quarters");

  g_assert_true (jr_future_mark_cancelled (future));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Cancelled");
  icon = gtk_image_get_icon_name (GTK_IMAGE (jr_job_row_get_state_icon (row)));
  g_assert_cmpstr (icon, ==, "process-stop-symbolic");
  g_assert_false (gtk_widget_get_visible (jr_job_row_get_error_label (row)));

  jr_test_destroy_window (window);
}

/* A job of a group of another machine says where it runs, and ran. */
static void
test_row_where (void)
{
  g_autoptr(JrFuture) future = jr_future_new ("count", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) here = jr_future_new ("count", JR_JOB_KIND_CALL);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  JrJobRow *here_row = JR_JOB_ROW (jr_job_row_new (here));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *window;

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (here_row));
  window = jr_test_show_in_window (box);

  /* The executor says where, then that it started. */
  jr_future_set_worker (future, "cluster", "node17");
  g_assert_true (jr_future_mark_started (future));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Running on node17 (cluster)");
  g_assert_true (jr_future_complete (future, g_variant_new ("(b)", TRUE)));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Done on node17 (cluster)");

  jr_future_set_worker (here, "local", "vm");
  g_assert_true (jr_future_mark_started (here));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (here_row)), ==, "Running");

  jr_test_destroy_window (window);
}

static void
test_row_failed (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("parse", JR_JOB_KIND_CALL);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                 "line 3: unexpected token");
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));

  g_assert_false (gtk_widget_get_visible (jr_job_row_get_error_label (row)));

  g_assert_true (jr_future_fail (future, error));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Failed");
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (jr_job_row_get_state_icon (row))), ==,
                   "dialog-error-symbolic");
  g_assert_true (gtk_widget_get_visible (jr_job_row_get_error_label (row)));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_error_label (row)), ==, "line 3: unexpected token");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "failed"));

  jr_test_destroy_window (window);
}

static void
test_row_cancel_button (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("hash", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) finished = ui_test_new_running ("done", JR_JOB_KIND_CALL);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  GtkWidget *button = jr_job_row_get_cancel_button (row);

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Cancel job");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "hash");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_ROLE_GROUP);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "process-stop-symbolic");

  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_true (g_cancellable_is_cancelled (jr_future_get_cancellable (future)));
  g_assert_false (gtk_widget_get_sensitive (button));
  /* Still shown while the job stops: greyed. */
  g_assert_true (gtk_widget_get_visible (button));

  /* Done: no button at all, rather than a greyed one on every finished
   * row. */
  g_assert_true (jr_future_mark_cancelled (future));
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_get_visible (button));

  /* A row showing a finished job: no cancel. */
  g_assert_true (jr_future_complete (finished, g_variant_new_boolean (TRUE)));
  jr_job_row_set_future (row, finished);
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (jr_future_get_state (finished), ==, JR_FUTURE_STATE_COMPLETED);

  /* No future: nothing to cancel. */
  jr_job_row_set_future (row, NULL);
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_get_visible (button));

  jr_test_destroy_window (window);
}

/* A row given another future follows only the new one. */
static void
test_row_rebind (void)
{
  g_autoptr(JrFuture) first = ui_test_new_running ("first", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) second = jr_future_new ("second", JR_JOB_KIND_PROGRESS);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (first));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  guint notified = 0;

  g_signal_connect_swapped (row, "notify::future", G_CALLBACK (count_cb), &notified);

  g_object_set (row, "future", second, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_set (row, "future", second, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_title_label (row)), ==, "second");
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Waiting");
  g_assert_true (gtk_widget_get_sensitive (jr_job_row_get_cancel_button (row)));

  /* The old future no longer reaches the row. */
  g_assert_true (jr_future_set_progress (first, 0.9, "old"));
  g_assert_true (jr_future_complete (first, NULL));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Waiting");
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "");

  /* The title follows the future's. */
  jr_future_set_title (second, "Second job");
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_title_label (row)), ==, "Second job");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Second job");

  jr_test_destroy_window (window);
}

static void
test_format_duration (void)
{
  static const struct { gint64 usec; const char *text; } cases[] = {
    { -5, "0:00" },
    { 0, "0:00" },
    { 999999, "0:00" },
    { 5 * G_USEC_PER_SEC, "0:05" },
    { 62 * G_USEC_PER_SEC, "1:02" },
    { G_GINT64_CONSTANT (3723) * G_USEC_PER_SEC, "1:02:03" },
    { G_GINT64_CONSTANT (360000) * G_USEC_PER_SEC, "100:00:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = jr_format_duration (cases[i].usec);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* ---- JrJobList ---- */

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (JR_IS_JOB_ROW (widget) && jr_job_row_get_future (JR_JOB_ROW (widget)) != NULL &&
      gtk_widget_get_mapped (widget))
    {
      g_ptr_array_add (rows, jr_job_row_get_future (JR_JOB_ROW (widget)));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* The futures that have a row on screen. */
static GPtrArray *
shown_rows (JrJobList *list)
{
  GPtrArray *rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (list), rows);
  return rows;
}

static void
test_list_keep_finished (void)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(JrFuture) a = jr_future_new ("a", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) b = jr_future_new ("b", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) c = jr_future_new ("c", JR_JOB_KIND_CALL);
  g_autoptr(GPtrArray) rows = NULL;
  JrJobList *list = JR_JOB_LIST (jr_job_list_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (list));
  GListModel *shown = jr_job_list_get_model (list);
  GtkWidget *placeholder = jr_job_list_get_placeholder (list);

  g_assert_true (jr_job_list_get_keep_finished (list));
  g_assert_true (gtk_widget_get_mapped (placeholder));
  g_assert_cmpstr (ui_test_label_text (placeholder), ==, "No jobs yet");

  ui_test_fake_jobs_add (jobs, a);
  jr_job_list_set_jobs_model (list, G_LIST_MODEL (jobs));
  ui_test_fake_jobs_add (jobs, b);
  ui_test_fake_jobs_add (jobs, c);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);

  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));
  g_assert_false (gtk_widget_get_mapped (placeholder));
  rows = shown_rows (list);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_true (g_ptr_array_find (rows, a, NULL));
  g_assert_true (g_ptr_array_find (rows, c, NULL));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* The executor forgets a done future; the list keeps it. */
  jr_future_mark_started (a);
  jr_future_complete (a, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);

  /* Adding what is shown already changes nothing. */
  jr_job_list_add_future (list, b);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);

  /* Cleared at the next dispatch, not inside the call. */
  jr_job_list_clear_finished (list);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  g_assert_true (g_list_model_get_item (shown, 0) == (gpointer) b);
  g_object_unref (b);           /* the reference get_item() gave */

  /* Without keep-finished, a done job goes at once; a failed one stays
   * until cleared, to be seen (issue 11). */
  g_object_set (list, "keep-finished", FALSE, NULL);
  jr_future_fail (b, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "no" });
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  jr_job_list_clear_finished (list);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  /* A finished future from elsewhere is not even added. */
  jr_job_list_add_future (list, a);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  /* Turning keep-finished off drops the finished ones shown. */
  g_object_set (list, "keep-finished", TRUE, NULL);
  jr_job_list_add_future (list, a);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  g_object_set (list, "keep-finished", FALSE, NULL);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  jr_future_cancel (c);
  jr_future_mark_cancelled (c);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));
  g_assert_true (gtk_widget_get_mapped (placeholder));

  g_object_add_weak_pointer (G_OBJECT (list), (gpointer *) &list);
  g_object_add_weak_pointer (G_OBJECT (a), (gpointer *) &a);
  jr_test_destroy_window (window);
  g_assert_null (list);
  g_clear_object (&jobs);
  g_object_unref (a);
  g_assert_null (a);
}

static void
count_call (guint *calls)
{
  (*calls)++;
}

/* Switching the jobs model (or executor) starts a fresh list. */
static void
test_list_switch_model (void)
{
  g_autoptr(GListStore) one = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(GListStore) two = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(JrFuture) a = jr_future_new ("a", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) b = jr_future_new ("b", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) late = jr_future_new ("late", JR_JOB_KIND_CALL);
  JrJobList *list = g_object_ref_sink (JR_JOB_LIST (jr_job_list_new (NULL)));
  GListModel *shown = jr_job_list_get_model (list);

  guint changes = 0;

  ui_test_fake_jobs_add (one, a);
  ui_test_fake_jobs_add (two, b);
  jr_job_list_set_jobs_model (list, G_LIST_MODEL (one));
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  /* Never inside the call. */
  g_signal_connect_swapped (shown, "items-changed", G_CALLBACK (count_call), &changes);
  jr_job_list_set_jobs_model (list, G_LIST_MODEL (two));
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  jr_test_drain_main_context ();
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  g_assert_true (g_list_model_get_item (shown, 0) == (gpointer) b);
  g_object_unref (b);

  /* The old model no longer feeds the list. */
  ui_test_fake_jobs_add (one, late);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  g_object_unref (list);
}

/* A copy of a model kept up to date from its items-changed alone, as a
 * list view keeps its rows. */
typedef struct {
  GPtrArray *copy;      /* (element-type JrFuture) */
  guint      signals;
} Follower;

static void
follow_changes (GListModel *model,
                guint       position,
                guint       removed,
                guint       added,
                Follower   *follower)
{
  g_assert_cmpuint (position + removed, <=, follower->copy->len);
  g_ptr_array_remove_range (follower->copy, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (follower->copy, (int) (position + i),
                        g_list_model_get_item (model, position + i));
  follower->signals++;
}

static void
assert_followed (GListModel *model,
                 Follower   *follower)
{
  g_assert_cmpuint (follower->copy->len, ==, g_list_model_get_n_items (model));
  for (guint i = 0; i < follower->copy->len; i++)
    {
      g_autoptr(JrFuture) item = g_list_model_get_item (model, i);

      g_assert_true (item == follower->copy->pdata[i]);
    }
}

static gboolean
is_running (JrFuture *future)
{
  JrFutureState state = jr_future_get_state (future);

  return state == JR_FUTURE_STATE_EXECUTING ||
         (state == JR_FUTURE_STATE_CANCELLING && jr_future_get_start_time (future) != 0);
}

/* What the list shows, in its order: the popover's (unfinished only), the
 * running jobs first by start time, then the waiting in submission order;
 * or, without keep-finished and with the failures cleared, the jobs not
 * done in submission order. */
static void
assert_shown (GListModel *model,
              GPtrArray  *submitted,
              gboolean    unfinished_only)
{
  g_autoptr(GPtrArray) want = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (model);

  if (unfinished_only)
    {
      for (guint i = 0; i < submitted->len; i++)
        if (is_running (submitted->pdata[i]))
          g_ptr_array_add (want, submitted->pdata[i]);
      for (guint i = 1; i < n && i < want->len; i++)
        {
          g_autoptr(JrFuture) a = g_list_model_get_item (model, i - 1);
          g_autoptr(JrFuture) b = g_list_model_get_item (model, i);

          g_assert_cmpint (jr_future_get_start_time (a), <=, jr_future_get_start_time (b));
        }
      /* Their order among themselves is by start time: checked above. */
      for (guint i = 0; i < want->len; i++)
        {
          g_autoptr(JrFuture) item = g_list_model_get_item (model, i);

          g_assert_true (is_running (item));
        }
      g_ptr_array_set_size (want, 0);
      for (guint i = 0; i < submitted->len; i++)
        if (!is_running (submitted->pdata[i]) && !jr_future_get_done (submitted->pdata[i]))
          g_ptr_array_add (want, submitted->pdata[i]);
      for (guint i = 0; i < want->len; i++)
        {
          g_autoptr(JrFuture) item = g_list_model_get_item (model, n - want->len + i);

          g_assert_true (item == want->pdata[i]);
        }
      return;
    }

  /* (The failed ones were cleared.) */
  for (guint i = 0; i < submitted->len; i++)
    if (!jr_future_get_done (submitted->pdata[i]))
      g_ptr_array_add (want, submitted->pdata[i]);
  g_assert_cmpuint (n, ==, want->len);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JrFuture) item = g_list_model_get_item (model, i);

      g_assert_true (item == want->pdata[i]);
    }
}

/* Many jobs submitted, started, ended and cancelled at random, in rounds:
 * each round reaches the list's model at the next dispatch, as one
 * items-changed from which a view can follow it, and the list shows what
 * it should, in order. */
static void
check_batched_changes (gboolean unfinished_only)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(GPtrArray) submitted = g_ptr_array_new_with_free_func (g_object_unref);
  JrJobList *list = g_object_ref_sink (JR_JOB_LIST (jr_job_list_new (NULL)));
  GListModel *shown = jr_job_list_get_model (list);
  Follower follower = { g_ptr_array_new_with_free_func (g_object_unref), 0 };
  guint rounds = g_test_perf () || g_test_thorough () ? 400 : 60;

  jr_job_list_set_unfinished_only (list, unfinished_only);
  jr_job_list_set_keep_finished (list, FALSE);
  jr_job_list_set_jobs_model (list, G_LIST_MODEL (jobs));
  g_signal_connect (shown, "items-changed", G_CALLBACK (follow_changes), &follower);

  for (guint round = 0; round < rounds; round++)
    {
      guint n_new = g_test_rand_int_range (0, 12);
      guint n_changes = g_test_rand_int_range (0, 30);
      guint signals = follower.signals;
      guint before = g_list_model_get_n_items (shown);

      for (guint i = 0; i < n_new; i++)
        {
          g_autofree char *title = g_strdup_printf ("job %u", submitted->len);
          JrFuture *future = jr_future_new (title, JR_JOB_KIND_CALL);

          g_ptr_array_add (submitted, future);
          ui_test_fake_jobs_add (jobs, future);
        }

      for (guint i = 0; i < n_changes && submitted->len > 0; i++)
        {
          JrFuture *future = submitted->pdata[g_test_rand_int_range (0, (gint32) submitted->len)];

          switch (jr_future_get_state (future))
            {
            case JR_FUTURE_STATE_WAITING:
              if (g_test_rand_bit ())
                jr_future_mark_started (future);
              else
                jr_future_cancel (future);
              break;
            case JR_FUTURE_STATE_EXECUTING:
              switch (g_test_rand_int_range (0, 3))
                {
                case 0:
                  jr_future_complete (future, NULL);
                  break;
                case 1:
                  jr_future_fail (future, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "no" });
                  break;
                default:
                  jr_future_cancel (future);
                }
              break;
            case JR_FUTURE_STATE_CANCELLING:
              jr_future_mark_cancelled (future);
              break;
            default:
              break;
            }
        }
      if (g_test_rand_int_range (0, 10) == 0)
        jr_job_list_clear_finished (list);

      /* Nothing inside the calls: all of it at the next dispatch. */
      g_assert_cmpuint (follower.signals, ==, signals);
      g_assert_cmpuint (g_list_model_get_n_items (shown), ==, before);
      jr_test_drain_main_context ();
      g_assert_cmpuint (follower.signals, <=, signals + 1);
      assert_followed (shown, &follower);
      if (!unfinished_only)
        {
          /* Failures stay until cleared: clear them now and then. */
          jr_job_list_clear_finished (list);
          jr_test_drain_main_context ();
          assert_followed (shown, &follower);
        }
      assert_shown (shown, submitted, unfinished_only);
    }

  g_test_message ("%u jobs, %u changes of the model", submitted->len, follower.signals);
  g_signal_handlers_disconnect_by_data (shown, &follower);
  g_ptr_array_unref (follower.copy);
  g_object_unref (list);
}

static void
test_list_batched_changes (void)
{
  check_batched_changes (FALSE);
}

static void
test_list_batched_changes_unfinished (void)
{
  check_batched_changes (TRUE);
}

/* ---- JrProgressIndicator ---- */

static gboolean
fraction_is (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  double want = *(double *) user_data;
  double fraction;

  g_object_get (object, "fraction", &fraction, NULL);
  return G_APPROX_VALUE (fraction, want, 1e-9);
}

static void
test_indicator_aggregate (void)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(JrFuture) a = ui_test_new_running ("a", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) b = ui_test_new_running ("b", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) unknown = ui_test_new_running ("unknown", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) waiting = jr_future_new ("waiting", JR_JOB_KIND_PROGRESS);
  JrProgressIndicator *indicator = JR_PROGRESS_INDICATOR (jr_progress_indicator_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (indicator));
  GtkWidget *button = jr_progress_indicator_get_menu_button (indicator);
  JrJobList *popover_list = JR_JOB_LIST (jr_progress_indicator_get_job_list (indicator));
  g_autofree char *tooltip = NULL;
  double want;

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Jobs");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "No jobs running");
  g_assert_cmpuint (jr_progress_indicator_get_n_running (indicator), ==, 0);
  g_assert_cmpfloat (jr_progress_indicator_get_fraction (indicator), ==, -1.0);
  /* A header bar's button: flat, like the window's own menu beside it. */
  g_assert_false (gtk_menu_button_get_has_frame (GTK_MENU_BUTTON (button)));
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_first_child (button), "flat"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "No jobs running");

  jr_progress_indicator_set_jobs_model (indicator, G_LIST_MODEL (jobs));
  ui_test_fake_jobs_add (jobs, a);
  ui_test_fake_jobs_add (jobs, b);
  ui_test_fake_jobs_add (jobs, unknown);
  ui_test_fake_jobs_add (jobs, waiting);
  jr_future_set_progress (a, 0.2, NULL);
  jr_future_set_progress (b, 0.6, NULL);

  /* Updated by the next frame, without anyone asking. */
  want = 0.4;
  g_assert_true (jr_test_wait_property (G_OBJECT (indicator), "fraction", fraction_is, &want,
                                        TIMEOUT));
  g_assert_cmpuint (jr_progress_indicator_get_n_running (indicator), ==, 3);
  g_object_get (button, "tooltip-text", &tooltip, NULL);
  g_assert_cmpstr (tooltip, ==, "3 jobs running, 40 %");

  /* The popover lists all four (their order: tests/test-ui-job-items.c). */
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (jr_job_list_get_model (popover_list)), ==, 4);

  /* Done jobs leave the aggregate; a job with unknown progress counts as
   * running but not in the mean. */
  jr_future_complete (a, NULL);
  g_assert_cmpfloat_with_epsilon (jr_progress_indicator_get_fraction (indicator), 0.6, 1e-9);
  g_assert_cmpuint (jr_progress_indicator_get_n_running (indicator), ==, 2);

  jr_future_cancel (b);
  g_assert_cmpfloat (jr_progress_indicator_get_fraction (indicator), ==, -1.0);
  g_assert_cmpuint (jr_progress_indicator_get_n_running (indicator), ==, 1);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "1 job running");

  jr_future_mark_started (waiting);
  jr_future_set_progress (waiting, 1.0, NULL);
  want = 1.0;
  g_assert_true (jr_test_wait_property (G_OBJECT (indicator), "fraction", fraction_is, &want,
                                        TIMEOUT));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "2 jobs running, 100 %");

  jr_future_complete (unknown, NULL);
  jr_future_complete (waiting, NULL);
  jr_future_mark_cancelled (b);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (jobs)), ==, 0);
  g_assert_cmpuint (jr_progress_indicator_get_n_running (indicator), ==, 0);
  g_assert_cmpfloat (jr_progress_indicator_get_fraction (indicator), ==, -1.0);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "No jobs running");
  /* The popover lists only what runs or waits (issue 11). */
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (jr_job_list_get_model (popover_list)), ==, 0);

  jr_test_destroy_window (window);
}

/* Many progress notifications between frames: the aggregate is computed
 * once per frame, and its properties notify once. */
static void
test_indicator_coalescing (void)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(JrFuture) a = ui_test_new_running ("a", JR_JOB_KIND_PROGRESS);
  JrProgressIndicator *indicator = JR_PROGRESS_INDICATOR (jr_progress_indicator_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (indicator));
  guint notified = 0;

  ui_test_fake_jobs_add (jobs, a);
  jr_progress_indicator_set_jobs_model (indicator, G_LIST_MODEL (jobs));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (indicator), 2, TIMEOUT));

  g_signal_connect_swapped (indicator, "notify::fraction", G_CALLBACK (count_cb), &notified);
  for (guint i = 1; i <= 10000; i++)
    jr_future_set_progress (a, i / 10000.0, NULL);
  g_assert_cmpuint (notified, ==, 0);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (indicator), 3, TIMEOUT));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpfloat (jr_progress_indicator_get_fraction (indicator), ==, 1.0);

  jr_test_destroy_window (window);
}

static void
store_future (JrProgressIndicator  *indicator,
              JrFuture             *future,
              JrFuture            **activated)
{
  g_set_object (activated, future);
}

/* A row of the popover, activated (Enter, a click), closes the popover and
 * is the indicator's job-activated: the keyboard has somewhere to go. */
static void
test_indicator_activate (void)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(JrFuture) a = ui_test_new_running ("a", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) activated = NULL;
  JrProgressIndicator *indicator = JR_PROGRESS_INDICATOR (jr_progress_indicator_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (indicator));
  GtkWidget *button = jr_progress_indicator_get_menu_button (indicator);
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  JrJobList *popover_list = JR_JOB_LIST (jr_progress_indicator_get_job_list (indicator));

  ui_test_fake_jobs_add (jobs, a);
  jr_progress_indicator_set_jobs_model (indicator, G_LIST_MODEL (jobs));
  g_signal_connect (indicator, "job-activated", G_CALLBACK (store_future), &activated);

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (indicator), 2, TIMEOUT));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));

  g_signal_emit_by_name (jr_job_list_get_list_view (popover_list), "activate", 0);
  g_assert_true (activated == a);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));

  jr_future_complete (a, NULL);
  jr_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!jr_test_gui_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui/job-row/progress", test_row_progress);
  g_test_add_func ("/ui/job-row/coalescing", test_row_coalescing);
  g_test_add_func ("/ui/job-row/state-at-once", test_row_state_at_once);
  g_test_add_func ("/ui/job-row/failed", test_row_failed);
  g_test_add_func ("/ui/job-row/where", test_row_where);
  g_test_add_func ("/ui/job-row/cancel-button", test_row_cancel_button);
  g_test_add_func ("/ui/job-row/rebind", test_row_rebind);
  g_test_add_func ("/ui/job-row/format-duration", test_format_duration);
  g_test_add_func ("/ui/job-list/keep-finished", test_list_keep_finished);
  g_test_add_func ("/ui/job-list/switch-model", test_list_switch_model);
  g_test_add_func ("/ui/job-list/batched-changes", test_list_batched_changes);
  g_test_add_func ("/ui/job-list/batched-changes-unfinished", test_list_batched_changes_unfinished);
  g_test_add_func ("/ui/progress-indicator/aggregate", test_indicator_aggregate);
  g_test_add_func ("/ui/progress-indicator/coalescing", test_indicator_coalescing);
  g_test_add_func ("/ui/progress-indicator/activate", test_indicator_activate);

  return g_test_run ();
}
