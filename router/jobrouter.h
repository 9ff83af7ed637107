/* jobrouter.h — the one header applications include.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Build with `pkg-config --cflags --libs jobrouter-1`. The other headers
 * refuse to be included on their own.
 */
#pragma once

#define JOBROUTER_INSIDE
#include "jr-version.h"
#include "jr-error.h"
#include "jr-job.h"
#include "jr-future.h"
#include "jr-executor.h"
#include "jr-types.h"
#include "jr-receiver.h"
#include "jr-sender.h"
#include "jr-router.h"
#undef JOBROUTER_INSIDE
