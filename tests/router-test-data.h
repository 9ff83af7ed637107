/* router-test-data.h — the "(tu)" test message, serialized by hand.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For jr_sender_send_data(): a guint64 at 0, a guint32 at 8, and 4 bytes
 * of padding that normal form wants zero.
 */
#pragma once

#include <glib.h>
#include <string.h>

#define TU_SIZE 16u

static inline void
tu_serialize (guint8  out[TU_SIZE],
              guint64 id,
              guint32 seq)
{
  memset (out, 0, TU_SIZE);
  memcpy (out, &id, sizeof id);
  memcpy (out + 8, &seq, sizeof seq);
}
