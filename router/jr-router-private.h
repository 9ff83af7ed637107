/* jr-router-private.h — router internals shared inside the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "jobrouter.h"
