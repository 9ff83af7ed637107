/* jr-app-files.h — open a file with its application, show it in the file
 * manager.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread. The callbacks run there too.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     jr_app_open_file            (GtkWindow           *parent,
                                      GFile               *file,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean jr_app_open_file_finish     (GAsyncResult        *result,
                                      GError             **error);
void     jr_app_show_in_files        (GtkWindow           *parent,
                                      GFile               *file,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean jr_app_show_in_files_finish (GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
