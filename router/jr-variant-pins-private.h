/* jr-variant-pins-private.h — keeps GLib's type information of message
 * types alive.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib frees the type information of a container type (say "(xay)") when
 * the last GVariant of that type goes, and builds it again, under a global
 * lock, for the next one: for a stream of messages, each one pays for that
 * (thousands of instructions). Holding one small value of each type seen
 * keeps it built.
 *
 * Threads: one set of pins per thread; not locked.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _JrVariantPins JrVariantPins;

JrVariantPins *jr_variant_pins_new  (void);
void           jr_variant_pins_free (JrVariantPins *pins);
/* Pins @value's type if it is not yet pinned (small values only). */
void           jr_variant_pins_keep (JrVariantPins *pins,
                                     GVariant      *value);

G_END_DECLS
