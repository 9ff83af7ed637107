/* app-common.c — what the tests of the application's window share; see
 * app-common.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "app-common.h"

#include "jobrouter-ui.h"
#include "jr-job-row-private.h"
#include "jobrouter-test-gui.h"

void
app_test_reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

void
app_test_assert_quit_clean (JrApplication *app)
{
  JrExecutor *executor = jr_application_get_executor (app);

  g_assert_cmpint (jr_executor_get_state (executor), ==, JR_EXECUTOR_STATE_STOPPED);
  g_assert_cmpuint (jr_executor_get_n_workers (executor), ==, 0);
}

gboolean
app_test_is_of_type (GtkWidget *widget,
                     gpointer   type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

GtkWidget *
app_test_find_widget (GtkWidget *root,
                      GType      type)
{
  return jr_test_find_widget (root, app_test_is_of_type, GSIZE_TO_POINTER (type));
}

gboolean
app_test_is_row_of (GtkWidget *widget,
                    gpointer   future)
{
  return JR_IS_JOB_ROW (widget) && jr_job_row_get_future (JR_JOB_ROW (widget)) == future;
}

void
app_test_wait_for (gboolean   (*check) (gpointer data),
                   gpointer     data,
                   const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + APP_TEST_WAIT_USEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("still waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}
