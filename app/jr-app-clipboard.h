/* jr-app-clipboard.h — text on the clipboard without freezing the window.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void jr_app_clipboard_set_text (GdkClipboard *clipboard,
                                const char   *text,
                                gssize        length);

G_END_DECLS
