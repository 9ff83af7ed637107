/* test-ui-job-items.c — tests of the rows of ui/ as items a person uses
 * (issue 11): what a finished row says, the live last line, rows reached
 * and activated from the keyboard, a new job scrolled into view, a failed
 * job that stays, a custom placeholder, and the indicator's popover that
 * lists only what runs or waits, running first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Futures are driven by hand (jr-future-private.h), as in
 * test-ui-widgets.c.
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

static char *
count_result (JrFuture *future,
              gpointer  user_data)
{
  guint *calls = user_data;
  GVariant *result = jr_future_get_result (future);

  (*calls)++;
  if (result == NULL || !g_variant_is_of_type (result, G_VARIANT_TYPE_UINT64))
    return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT " things", g_variant_get_uint64 (result));
}

/* ---- JrJobRow ---- */

/* A completed row says what the job gave, and so does its accessible
 * description; without a word from the function the last progress text
 * stays. */
static void
test_row_result (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("count", JR_JOB_KIND_PROGRESS);
  g_autoptr(JrFuture) other = ui_test_new_running ("other", JR_JOB_KIND_PROGRESS);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  guint calls = 0;

  jr_job_row_set_result_func (row, count_result, &calls, NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Running");

  g_assert_true (jr_future_set_progress (future, 0.5, "halfway"));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "halfway");
  g_assert_cmpuint (calls, ==, 0);

  g_assert_true (jr_future_complete (future, g_variant_new_uint64 (42)));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_state_label (row)), ==, "Done");
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "42 things");
  g_assert_true (gtk_widget_get_visible (jr_job_row_get_progress_label (row)));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Done: 42 things");
  g_assert_cmpuint (calls, ==, 1);

  /* A result the function has no words for: the progress text stays. */
  jr_job_row_set_future (row, other);
  g_assert_true (jr_future_set_progress (other, 1.0, "7 updates"));
  g_assert_true (jr_future_complete (other, g_variant_new_string ("unknown")));
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_progress_label (row)), ==, "7 updates");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Done");

  jr_test_destroy_window (window);
}

static void
test_row_failed_description (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("fails", JR_JOB_KIND_CALL);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));

  jr_future_fail (future, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "disk on fire" });
  g_assert_cmpstr (ui_test_label_text (jr_job_row_get_error_label (row)), ==, "disk on fire");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Failed: disk on fire");

  jr_test_destroy_window (window);
}

/* A job that yields lines (a command's output) shows the last one while it
 * runs, updated once per frame, blank lines skipped. */
static void
test_row_last_line (void)
{
  g_autoptr(JrFuture) future = ui_test_new_running ("command", JR_JOB_KIND_ITERATION);
  JrJobRow *row = JR_JOB_ROW (jr_job_row_new (future));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (row));
  GtkWidget *label = jr_job_row_get_progress_label (row);
  guint before;

  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  before = jr_job_row_get_n_progress_updates (row);
  for (guint i = 1; i <= 1000; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u", i);

      g_assert_true (jr_future_emit_yielded (future, g_variant_new_string (line)));
    }
  g_assert_true (jr_future_emit_yielded (future, g_variant_new_string ("   ")));
  g_assert_true (jr_future_emit_yielded (future, g_variant_new_uint32 (7)));

  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  g_assert_cmpstr (ui_test_label_text (label), ==, "line 1000");
  g_assert_true (gtk_widget_get_visible (label));
  /* A thousand lines, one update of the widgets. */
  g_assert_cmpuint (jr_job_row_get_n_progress_updates (row), <=, before + 2);

  /* A bytestring line (output that need not be UTF-8) shows too, its
   * bytes that are not UTF-8 as U+FFFD. */
  g_assert_true (jr_future_emit_yielded (future, g_variant_new_bytestring ("caf\xe9 au lait")));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (row), 2, TIMEOUT));
  g_assert_cmpstr (ui_test_label_text (label), ==, "caf\xef\xbf\xbd au lait");

  /* Once done, the line goes with the run. */
  g_assert_true (jr_future_complete (future, g_variant_new_uint64 (1000)));
  g_assert_cmpstr (ui_test_label_text (label), !=, "caf\xef\xbf\xbd au lait");

  jr_test_destroy_window (window);
}

/* ---- JrJobList ---- */

static void
on_activated (JrJobList *list,
              JrFuture  *future,
              JrFuture **activated)
{
  *activated = future;
}

static JrJobRow *
row_of (GtkWidget *widget)
{
  for (GtkWidget *child = widget; child != NULL; child = gtk_widget_get_first_child (child))
    if (JR_IS_JOB_ROW (child))
      return JR_JOB_ROW (child);
  return NULL;
}

/* Tab reaches a row (not the scrolled window around the rows), the row
 * shows that it has the focus, and Enter on it (the row's activate
 * binding) activates it. */
static void
test_list_keyboard (void)
{
  g_autoptr(JrFuture) a = ui_test_new_running ("a", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) b = ui_test_new_running ("b", JR_JOB_KIND_CALL);
  JrJobList *list = JR_JOB_LIST (jr_job_list_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (list));
  JrFuture *activated = NULL;
  GtkWidget *focus;
  JrJobRow *row;

  jr_job_list_add_future (list, a);
  jr_job_list_add_future (list, b);
  g_signal_connect (list, "job-activated", G_CALLBACK (on_activated), &activated);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 3, TIMEOUT));

  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_test_message ("Tab focused a %s", G_OBJECT_TYPE_NAME (focus));
  g_assert_false (GTK_IS_SCROLLED_WINDOW (focus));
  row = row_of (focus);
  g_assert_nonnull (row);
  g_assert_true (jr_job_row_get_future (row) == a);
  g_assert_true (gtk_widget_has_visible_focus (focus));
  g_assert_true (gtk_widget_get_state_flags (focus) & GTK_STATE_FLAG_FOCUS_VISIBLE);
  /* What has the focus is the list item around the row: a screen reader
   * says its name and state there (it was an empty "list item"). */
  g_assert_false (JR_IS_JOB_ROW (focus));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (focus), GTK_ACCESSIBLE_PROPERTY_LABEL, "a");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (focus),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Running");

  /* Down goes to the next row. */
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_DOWN));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (row_of (focus));
  g_assert_true (jr_job_row_get_future (row_of (focus)) == b);

  /* What Enter and Space do on a row. */
  g_assert_true (gtk_widget_activate (focus));
  jr_test_drain_main_context ();
  g_assert_true (activated == b);

  /* What Delete does: cancel the focused row's job, only that one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "job-list.cancel-focused", NULL));
  g_assert_cmpint (jr_future_get_state (b), ==, JR_FUTURE_STATE_CANCELLING);
  g_assert_cmpint (jr_future_get_state (a), ==, JR_FUTURE_STATE_EXECUTING);

  jr_test_destroy_window (window);
}

/* A job added below what the list shows is scrolled into view. */
static void
test_list_scroll_to_new (void)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  JrJobList *list = JR_JOB_LIST (jr_job_list_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (list));
  GtkAdjustment *adjustment;
  JrFuture *last = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 240);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("job %u", i);

      last = ui_test_new_running (name, JR_JOB_KIND_CALL);
      g_ptr_array_add (futures, last);
      jr_job_list_add_future (list, last);
      /* Added one by one, as people start jobs. */
      g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 1, TIMEOUT));
    }
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 3, TIMEOUT));

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (jr_job_list_get_list_view (list)));
  g_test_message ("value %.0f, upper %.0f, page %.0f", gtk_adjustment_get_value (adjustment),
                  gtk_adjustment_get_upper (adjustment), gtk_adjustment_get_page_size (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment),
                     >=, gtk_adjustment_get_upper (adjustment) - 1.0);

  jr_test_destroy_window (window);
}

/* Without keep-finished, completed and cancelled jobs leave and a failed
 * one stays until cleared. */
static void
test_list_keep_failed (void)
{
  g_autoptr(JrFuture) ok = ui_test_new_running ("ok", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) bad = ui_test_new_running ("bad", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) stopped = ui_test_new_running ("stopped", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) failed_before = ui_test_new_running ("failed before", JR_JOB_KIND_CALL);
  JrJobList *list = JR_JOB_LIST (jr_job_list_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (list));
  GListModel *shown = jr_job_list_get_model (list);

  jr_job_list_set_keep_finished (list, FALSE);
  jr_job_list_add_future (list, ok);
  jr_job_list_add_future (list, bad);
  jr_job_list_add_future (list, stopped);
  /* Shown at the next dispatch, together. */
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);

  jr_future_complete (ok, NULL);
  jr_future_fail (bad, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "no" });
  jr_future_cancel (stopped);
  jr_future_mark_cancelled (stopped);
  /* They leave together at the next dispatch, never inside the calls
   * that ended them (GTask's rule). */
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  g_assert_true (g_list_model_get_item (shown, 0) == (gpointer) bad);
  g_object_unref (bad);

  /* A failed future from elsewhere is added too. */
  jr_future_fail (failed_before, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "no" });
  jr_job_list_add_future (list, failed_before);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);

  jr_job_list_clear_finished (list);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);

  jr_test_destroy_window (window);
}

static void
test_list_placeholder (void)
{
  g_autoptr(JrFuture) a = ui_test_new_running ("a", JR_JOB_KIND_CALL);
  JrJobList *list = JR_JOB_LIST (jr_job_list_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (list));
  GtkWidget *own = jr_job_list_get_placeholder (list);
  GtkWidget *custom = gtk_label_new ("Nothing here");

  g_assert_true (gtk_widget_get_mapped (own));
  jr_job_list_set_placeholder (list, custom);
  g_assert_true (jr_job_list_get_placeholder (list) == custom);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));
  g_assert_true (gtk_widget_get_mapped (custom));
  g_assert_false (gtk_widget_get_mapped (own));

  jr_job_list_add_future (list, a);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));
  g_assert_false (gtk_widget_get_mapped (custom));

  jr_job_list_clear_finished (list);
  jr_future_complete (a, NULL);
  jr_job_list_clear_finished (list);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));
  g_assert_true (gtk_widget_get_mapped (custom));

  jr_job_list_set_placeholder (list, NULL);
  g_assert_true (jr_job_list_get_placeholder (list) == own);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 2, TIMEOUT));
  g_assert_true (gtk_widget_get_mapped (own));

  jr_test_destroy_window (window);
}

/* A job submitted while the program has pushed a thread-default context of
 * its own (a synchronous wrapper's private loop, say), which never runs
 * again: the list still shows it, and every job after it. */
static void
test_list_pushed_context (void)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  JrJobList *list = g_object_ref_sink (JR_JOB_LIST (jr_job_list_new (NULL)));
  GListModel *shown = jr_job_list_get_model (list);
  g_autoptr(JrFuture) a = jr_future_new ("a", JR_JOB_KIND_CALL);
  GMainContext *private = g_main_context_new ();

  jr_job_list_set_jobs_model (list, G_LIST_MODEL (jobs));
  g_main_context_push_thread_default (private);
  ui_test_fake_jobs_add (jobs, a);
  g_main_context_pop_thread_default (private);
  g_main_context_unref (private);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JrFuture) b = jr_future_new ("b", JR_JOB_KIND_CALL);

      ui_test_fake_jobs_add (jobs, b);
    }
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 6);

  g_object_unref (list);
}

/* Cleared, then added again before the next dispatch: it stays. */
static void
test_list_clear_then_add (void)
{
  g_autoptr(JrFuture) f = ui_test_new_running ("f", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) g = ui_test_new_running ("g", JR_JOB_KIND_CALL);
  JrJobList *list = g_object_ref_sink (JR_JOB_LIST (jr_job_list_new (NULL)));
  GListModel *shown = jr_job_list_get_model (list);

  jr_job_list_add_future (list, f);
  jr_job_list_add_future (list, g);
  jr_future_complete (f, NULL);
  jr_future_complete (g, NULL);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);

  jr_job_list_clear_finished (list);
  jr_job_list_add_future (list, f);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  g_assert_true (g_list_model_get_item (shown, 0) == (gpointer) f);
  g_object_unref (f);           /* the reference get_item() gave */

  g_object_unref (list);
}

/* Jobs that end far apart in one dispatch (the first and the last): the
 * list does not take that for a job added at the end and stays where the
 * user scrolled. */
static void
test_list_no_scroll_on_removals (void)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  JrJobList *list = JR_JOB_LIST (jr_job_list_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (list));
  GtkWidget *list_view = jr_job_list_get_list_view (list);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list_view));
  double before;

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 240);
  jr_job_list_set_keep_finished (list, FALSE);
  for (guint i = 0; i < 60; i++)
    {
      JrFuture *future = ui_test_new_running ("job", JR_JOB_KIND_CALL);

      g_ptr_array_add (futures, future);
      jr_job_list_add_future (list, future);
    }
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 6, TIMEOUT));
  gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", 30);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 4, TIMEOUT));
  before = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (before, <, gtk_adjustment_get_upper (adjustment) -
                                gtk_adjustment_get_page_size (adjustment) - 1.0);

  jr_future_complete (futures->pdata[0], NULL);
  jr_future_complete (futures->pdata[futures->len - 1], NULL);
  jr_test_drain_main_context ();
  g_assert_cmpuint (g_list_model_get_n_items (jr_job_list_get_model (list)), ==, 58);
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (list), 4, TIMEOUT));
  g_test_message ("scrolled to %.0f, then %.0f", before, gtk_adjustment_get_value (adjustment));
  /* One row less above it, at most. */
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), <=, before + 1.0);

  jr_test_destroy_window (window);
}

/* ---- JrProgressIndicator's popover ---- */

static void
assert_order (GListModel *model,
              JrFuture   *first,
              ...)
{
  va_list ap;
  guint i = 0;


  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(GString) wanted = g_string_new (NULL);

  for (guint j = 0; j < g_list_model_get_n_items (model); j++)
    {
      g_autoptr(JrFuture) item = g_list_model_get_item (model, j);

      g_string_append_printf (shown, " %s", jr_future_get_title (item));
    }

  va_start (ap, first);
  for (JrFuture *want = first; want != NULL; want = va_arg (ap, JrFuture *), i++)
    g_string_append_printf (wanted, " %s", jr_future_get_title (want));
  va_end (ap);

  g_assert_cmpstr (shown->str, ==, wanted->str);
}

static void
test_indicator_running_first (void)
{
  g_autoptr(GListStore) jobs = g_list_store_new (JR_TYPE_FUTURE);
  g_autoptr(JrFuture) w1 = jr_future_new ("w1", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) r1 = ui_test_new_running ("r1", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) w2 = jr_future_new ("w2", JR_JOB_KIND_CALL);
  g_autoptr(JrFuture) r2 = ui_test_new_running ("r2", JR_JOB_KIND_CALL);
  JrProgressIndicator *indicator = JR_PROGRESS_INDICATOR (jr_progress_indicator_new (NULL));
  GtkWidget *window = jr_test_show_in_window (GTK_WIDGET (indicator));
  JrJobList *popover_list = JR_JOB_LIST (jr_progress_indicator_get_job_list (indicator));
  GListModel *view = jr_job_list_get_model (popover_list);
  GtkListView *list_view = GTK_LIST_VIEW (jr_job_list_get_list_view (popover_list));
  GtkWidget *button = jr_progress_indicator_get_menu_button (indicator);
  JrFuture *all[] = { w1, r1, w2, r2 };

  jr_progress_indicator_set_jobs_model (indicator, G_LIST_MODEL (jobs));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    ui_test_fake_jobs_add (jobs, all[i]);

  /* Running first, each group in the order submitted. */
  jr_test_drain_main_context ();
  assert_order (view, r1, r2, w1, w2, NULL);

  /* Its rows are made only while the popover is open. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list_view))), ==, 0);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (indicator), 2, TIMEOUT));
  assert_order (G_LIST_MODEL (gtk_list_view_get_model (list_view)), r1, r2, w1, w2, NULL);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  g_assert_true (jr_test_wait_frames (GTK_WIDGET (indicator), 2, TIMEOUT));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list_view))), ==, 0);

  /* A waiting job that starts moves up. */
  jr_future_mark_started (w2);
  jr_test_drain_main_context ();
  assert_order (view, r1, r2, w2, w1, NULL);

  /* Done, failed or cancelled: gone from the popover. */
  jr_future_complete (r1, NULL);
  jr_future_fail (r2, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "no" });
  jr_future_cancel (w1);
  jr_future_mark_cancelled (w1);
  jr_test_drain_main_context ();
  assert_order (view, w2, NULL);
  jr_future_complete (w2, NULL);
  jr_test_drain_main_context ();
  assert_order (view, NULL);
  g_assert_cmpstr (ui_test_label_text (jr_job_list_get_placeholder (popover_list)), ==, "No jobs running");

  jr_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!jr_test_gui_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui/job-row/result", test_row_result);
  g_test_add_func ("/ui/job-row/failed-description", test_row_failed_description);
  g_test_add_func ("/ui/job-row/last-line", test_row_last_line);
  g_test_add_func ("/ui/job-list/keyboard", test_list_keyboard);
  g_test_add_func ("/ui/job-list/scroll-to-new", test_list_scroll_to_new);
  g_test_add_func ("/ui/job-list/keep-failed", test_list_keep_failed);
  g_test_add_func ("/ui/job-list/placeholder", test_list_placeholder);
  g_test_add_func ("/ui/job-list/pushed-context", test_list_pushed_context);
  g_test_add_func ("/ui/job-list/clear-then-add", test_list_clear_then_add);
  g_test_add_func ("/ui/job-list/no-scroll-on-removals", test_list_no_scroll_on_removals);
  g_test_add_func ("/ui/progress-indicator/running-first", test_indicator_running_first);

  return g_test_run ();
}
