/* jobrouter-ui.h — the GTK 4 widgets of jobrouter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "jobrouter.h"

#include "jr-job-row.h"
#include "jr-job-list.h"
#include "jr-progress-indicator.h"
