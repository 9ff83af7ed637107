/* jobrouter-ui.h — the GTK 4 widgets of jobrouter: the one header programs
 * include.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Build with `pkg-config --cflags --libs jobrouter-ui-1`. The other headers
 * refuse to be included on their own.
 *
 * Threads: as every GTK widget, these are used on GTK's thread, the one
 * that runs the default main context; the futures they show must belong
 * to that context.
 */
#pragma once

#include <gtk/gtk.h>
#include <jobrouter.h>

#define JOBROUTER_UI_INSIDE
#include "jr-job-row.h"
#include "jr-job-list.h"
#include "jr-progress-indicator.h"
#undef JOBROUTER_UI_INSIDE
