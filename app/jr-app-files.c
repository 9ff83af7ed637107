/* jr-app-files.c — open a file with its application, show it in the file
 * manager.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GTK 4.8 has no GtkFileLauncher (4.10): opening goes through GIO's default
 * handler for the file's type, with the display's launch context; showing
 * asks the file manager over D-Bus (org.freedesktop.FileManager1, which
 * Nautilus, Nemo, Dolphin and others implement) to select the file, and
 * without one opens the folder that holds it.
 */
#include "jr-app-files.h"

#define FILE_MANAGER_NAME      "org.freedesktop.FileManager1"
#define FILE_MANAGER_PATH      "/org/freedesktop/FileManager1"
#define FILE_MANAGER_INTERFACE "org.freedesktop.FileManager1"

static GAppLaunchContext *
launch_context_for (GtkWindow *parent)
{
  GdkDisplay *display = parent != NULL ? gtk_widget_get_display (GTK_WIDGET (parent))
                                       : gdk_display_get_default ();

  return G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (display));
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
launch_uri (GtkWindow    *parent,
            const char   *uri,
            GTask        *task)
{
  g_autoptr(GAppLaunchContext) context = launch_context_for (parent);

  g_app_info_launch_default_for_uri_async (uri, context, g_task_get_cancellable (task),
                                           on_launched, task);
}

/**
 * jr_app_open_file:
 * @parent: (nullable): the window asking
 * @file: the file to open
 * @cancellable: (nullable): a cancellable
 * @callback: called when the application started, or could not
 * @user_data: data for @callback
 *
 * Opens @file with the default application for its type.
 */
void
jr_app_open_file (GtkWindow           *parent,
                  GFile               *file,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (parent, cancellable, callback, user_data);
  g_autofree char *uri = g_file_get_uri (file);

  g_task_set_source_tag (task, jr_app_open_file);
  launch_uri (parent, uri, task);
}

gboolean
jr_app_open_file_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  GtkWindow *parent;
  GFile     *file;
} ShowData;

static void
show_data_free (gpointer data)
{
  ShowData *show = data;

  g_clear_object (&show->parent);
  g_clear_object (&show->file);
  g_free (show);
}

static void
on_shown (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ShowData *show = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *uri = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* No file manager on the bus: the folder, opened as folders are. */
  g_debug ("%s: %s; opening the folder instead", FILE_MANAGER_NAME, error->message);
  folder = g_file_get_parent (show->file);
  uri = g_file_get_uri (folder != NULL ? folder : show->file);
  launch_uri (show->parent, uri, g_steal_pointer (&task));
}

/**
 * jr_app_show_in_files:
 * @parent: (nullable): the window asking
 * @file: the file to show
 * @cancellable: (nullable): a cancellable
 * @callback: called when the file manager was asked, or could not be
 * @user_data: data for @callback
 *
 * Shows @file selected in its folder in the file manager.
 */
void
jr_app_show_in_files (GtkWindow           *parent,
                      GFile               *file,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (parent, cancellable, callback, user_data);
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;
  ShowData *show = g_new0 (ShowData, 1);
  g_autofree char *uri = g_file_get_uri (file);
  const char *uris[] = { uri, NULL };

  g_task_set_source_tag (task, jr_app_show_in_files);
  show->parent = parent != NULL ? g_object_ref (parent) : NULL;
  show->file = g_object_ref (file);
  g_task_set_task_data (task, show, show_data_free);

  if (bus == NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (file);
      g_autofree char *folder_uri = g_file_get_uri (folder != NULL ? folder : file);

      launch_uri (parent, folder_uri, task);
      return;
    }

  /* NO_AUTO_START would miss a file manager that starts on demand. */
  g_dbus_connection_call (bus, FILE_MANAGER_NAME, FILE_MANAGER_PATH, FILE_MANAGER_INTERFACE,
                          "ShowItems", g_variant_new ("(^ass)", uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 10000, cancellable, on_shown, task);
}

gboolean
jr_app_show_in_files_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
