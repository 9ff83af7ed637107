/* jobrouter-test-gui.h — helpers for the GTK tests of programs that use
 * jobrouter: everything of <jobrouter-test.h>, and GTK started (or the
 * program skipped without a display), frames awaited, a widget shown in a
 * window, widgets found.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Part of libjobrouter-test-1 when it is built with GTK (its pkg-config
 * file then requires gtk4).
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter-test.h"

#define JOBROUTER_TEST_INSIDE
#include "jr-test-gui.h"
#undef JOBROUTER_TEST_INSIDE
