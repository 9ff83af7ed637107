/* jr-ui-i18n.c — the widgets' message catalogue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-ui-i18n-private.h"

#include <glib/gi18n-lib.h>

void
jr_ui_i18n_init (void)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }
}
