/* jr-ui-i18n-private.h — the widgets' message catalogue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(JOBROUTER_UI_COMPILATION)
#error "This header is private to libjobrouter-ui."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Binds the widgets' catalogue (GETTEXT_PACKAGE, in UTF-8) to where this
 * build installs it, once; the program's own catalogue is its business.
 * Each widget's class_init calls it, so that a program never has to: any
 * thread, any number of times. */
void jr_ui_i18n_init (void);

G_END_DECLS
