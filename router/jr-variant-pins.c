/* jr-variant-pins.c — keeps GLib's type information of message types alive.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-variant-pins-private.h"

#include <string.h>

/* Enough for the types one program sends; past that, new types are simply
 * not pinned. */
#define MAX_PINS       64
/* A pin copies its value: only small ones are worth it (and a large value
 * costs far more than its type information anyway). */
#define MAX_PIN_SIZE   4096

struct _JrVariantPins {
  GHashTable *by_type;   /* type string (owned by the value) → GVariant */
  GVariant   *last;      /* the last pin hit: streams repeat one type */
};

JrVariantPins *
jr_variant_pins_new (void)
{
  JrVariantPins *pins = g_new0 (JrVariantPins, 1);

  pins->by_type = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_variant_unref);
  return pins;
}

void
jr_variant_pins_free (JrVariantPins *pins)
{
  if (pins == NULL)
    return;
  g_hash_table_unref (pins->by_type);
  g_free (pins);
}

void
jr_variant_pins_keep (JrVariantPins *pins,
                      GVariant      *value)
{
  const char *type = g_variant_get_type_string (value);
  GVariant *pin;
  gsize size;

  if (pins->last != NULL)
    {
      const char *last = g_variant_get_type_string (pins->last);

      /* Values of one type share GLib's type information, and its string. */
      if (last == type || strcmp (last, type) == 0)
        return;
    }

  pin = g_hash_table_lookup (pins->by_type, type);
  if (pin == NULL)
    {
      size = g_variant_get_size (value);
      if (size > MAX_PIN_SIZE || g_hash_table_size (pins->by_type) >= MAX_PINS)
        return;
      gpointer copy = g_memdup2 (g_variant_get_data (value), size);

      /* A copy of its own: the pin must not hold the message's memory. */
      pin = g_variant_ref_sink (g_variant_new_from_data (g_variant_get_type (value), copy, size,
                                                         TRUE, g_free, copy));
      g_hash_table_insert (pins->by_type, (gpointer) g_variant_get_type_string (pin), pin);
    }
  pins->last = pin;
}
