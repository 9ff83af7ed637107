/* jr-app-clipboard.c — text on the clipboard without freezing the window.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Why not gdk_clipboard_set_text(): on X11, GTK 4.8 sends text as a string
 * GValue through its serializer, which writes into a GConverterOutputStream
 * wrapped around the selection's output stream and then drops it without
 * closing it. Disposing it closes the selection stream synchronously, on
 * the main thread. For text larger than the X server's maximum request
 * (about 256 KiB) the transfer is incremental (INCR): that close waits on
 * a GCond for the requestor to take the next chunk, which the main loop —
 * now blocked — would have to process. The window freezes for good as soon
 * as another program reads the clipboard.
 *
 * Bytes given as the content of a mime type are written straight into the
 * selection stream with g_output_stream_write_all_async(), and GTK closes it
 * asynchronously: nothing blocks, whatever the size. So the text goes on the
 * clipboard as bytes, the whole of it.
 */
#include "jr-app-clipboard.h"

/**
 * jr_app_clipboard_set_text:
 * @clipboard: a clipboard
 * @text: UTF-8 text
 * @length: its length in bytes, or -1 if it ends with a nul
 *
 * Puts @text on @clipboard as text/plain (UTF-8), served without blocking
 * the main loop however large it is and however slowly it is read.
 */
void
jr_app_clipboard_set_text (GdkClipboard *clipboard,
                           const char   *text,
                           gssize        length)
{
  g_autoptr(GBytes) bytes = NULL;
  GdkContentProvider *providers[2];
  g_autoptr(GdkContentProvider) provider = NULL;

  g_return_if_fail (GDK_IS_CLIPBOARD (clipboard));
  g_return_if_fail (text != NULL);

  if (length < 0)
    length = strlen (text);
  bytes = g_bytes_new (text, length);

  /* UTF-8 is what GTK readers ask for (and X11's UTF8_STRING, STRING,
   * TEXT map to); plain text/plain for readers that ask for nothing more
   * precise. */
  providers[0] = gdk_content_provider_new_for_bytes ("text/plain;charset=utf-8", bytes);
  providers[1] = gdk_content_provider_new_for_bytes ("text/plain", bytes);
  provider = gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));

  gdk_clipboard_set_content (clipboard, provider);
}
