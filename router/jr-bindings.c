/* jr-bindings.c — which child may send on which pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-bindings-private.h"

typedef struct {
  guint64 connection_id;   /* the key points here */
  guint64 channel_id;      /* 0 until claimed */
} Binding;

struct _JrBindings {
  gatomicrefcount ref_count;

  /* lock guards these. */
  GMutex          lock;
  GHashTable     *pipes;     /* &connection_id → Binding, open pipes only */
  guint64         next_id;   /* ids below were made; those not in pipes are closed */
};

JrBindings *
jr_bindings_new (guint64 first_id)
{
  JrBindings *bindings = g_new0 (JrBindings, 1);

  g_atomic_ref_count_init (&bindings->ref_count);
  g_mutex_init (&bindings->lock);
  bindings->pipes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  bindings->next_id = first_id;
  return bindings;
}

JrBindings *
jr_bindings_ref (JrBindings *bindings)
{
  g_atomic_ref_count_inc (&bindings->ref_count);
  return bindings;
}

void
jr_bindings_unref (JrBindings *bindings)
{
  if (!g_atomic_ref_count_dec (&bindings->ref_count))
    return;
  g_hash_table_unref (bindings->pipes);
  g_mutex_clear (&bindings->lock);
  g_free (bindings);
}

void
jr_bindings_add (JrBindings *bindings,
                 guint64     connection_id,
                 guint64     channel_id)
{
  Binding *binding = g_new (Binding, 1);

  binding->connection_id = connection_id;
  binding->channel_id = channel_id;
  g_mutex_lock (&bindings->lock);
  g_hash_table_insert (bindings->pipes, &binding->connection_id, binding);
  bindings->next_id = MAX (bindings->next_id, connection_id + 1);
  g_mutex_unlock (&bindings->lock);
}

void
jr_bindings_remove (JrBindings *bindings,
                    guint64     connection_id)
{
  g_mutex_lock (&bindings->lock);
  g_hash_table_remove (bindings->pipes, &connection_id);
  g_mutex_unlock (&bindings->lock);
}

JrBindingVerdict
jr_bindings_check (JrBindings *bindings,
                   guint64     connection_id,
                   guint64     channel_id)
{
  JrBindingVerdict verdict;
  Binding *binding;

  g_mutex_lock (&bindings->lock);
  binding = g_hash_table_lookup (bindings->pipes, &connection_id);
  if (binding != NULL)
    {
      if (binding->channel_id == 0)
        binding->channel_id = channel_id;
      verdict = binding->channel_id == channel_id ? JR_BINDING_ALLOWED : JR_BINDING_FORBIDDEN;
    }
  else if (connection_id > 0 && connection_id < bindings->next_id)
    verdict = JR_BINDING_CLOSED;
  else
    verdict = JR_BINDING_FORBIDDEN;
  g_mutex_unlock (&bindings->lock);
  return verdict;
}
