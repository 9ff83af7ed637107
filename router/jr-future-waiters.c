/* jr-future-waiters.c — many waiters on the end of a future, one handler
 * on it (see jr-future-waiters-private.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each future waited for has a Watched: its handler and its waiters, in a
 * GQueue whose links are in the waiters themselves. When the future is
 * done, the Watched leaves the table first, then the waiters are taken
 * from its queue one at a time, so that a callback may remove others (a
 * job that fails because of this one stops waiting for the rest) or free
 * the future's last reference.
 */
#include "jr-future-waiters-private.h"

typedef struct _Watched Watched;

struct _JrFutureWait {
  GList     link;     /* in its Watched's queue; link.data is the wait */
  Watched  *watched;
  gpointer  data;
};

struct _Watched {
  JrFutureWaiters *owner;
  JrFuture        *future;    /* a reference */
  gulong           handler;
  GQueue           waits;
};

struct _JrFutureWaiters {
  JrFutureDoneFunc  func;
  GHashTable       *watched;   /* JrFuture* → Watched*, owned */
};

static void
watched_free (gpointer data)
{
  Watched *watched = data;

  g_clear_signal_handler (&watched->handler, watched->future);
  /* Waiters left (the table is freed): dropped. */
  while (watched->waits.head != NULL)
    g_free (g_queue_pop_head_link (&watched->waits)->data);
  g_object_unref (watched->future);
  g_free (watched);
}

static void
on_done (JrFuture   *future,
         GParamSpec *pspec,
         Watched    *watched)
{
  JrFutureWaiters *self = watched->owner;
  /* A waiter may end its owner, and this with it. */
  JrFutureDoneFunc func = self->func;
  GList *link;

  if (!jr_future_get_done (future))
    return;

  /* Out of the table, and off the future, before anyone hears of it. Its
   * reference (watched->future) lasts until the end. */
  g_clear_signal_handler (&watched->handler, future);
  g_hash_table_steal (self->watched, future);

  while ((link = g_queue_pop_head_link (&watched->waits)) != NULL)
    {
      JrFutureWait *wait = link->data;

      wait->watched = NULL;
      func (future, wait, wait->data);
      g_free (wait);
    }
  watched_free (watched);
}

JrFutureWaiters *
jr_future_waiters_new (JrFutureDoneFunc func)
{
  JrFutureWaiters *self = g_new0 (JrFutureWaiters, 1);

  self->func = func;
  self->watched = g_hash_table_new_full (NULL, NULL, NULL, watched_free);
  return self;
}

void
jr_future_waiters_free (JrFutureWaiters *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->watched);
  g_free (self);
}

JrFutureWait *
jr_future_waiters_add (JrFutureWaiters *self,
                       JrFuture        *future,
                       gpointer         data)
{
  Watched *watched = g_hash_table_lookup (self->watched, future);
  JrFutureWait *wait;

  g_return_val_if_fail (!jr_future_get_done (future), NULL);

  if (watched == NULL)
    {
      watched = g_new0 (Watched, 1);
      watched->owner = self;
      watched->future = g_object_ref (future);
      watched->handler = g_signal_connect (future, "notify::done", G_CALLBACK (on_done), watched);
      g_hash_table_insert (self->watched, future, watched);
    }

  wait = g_new0 (JrFutureWait, 1);
  wait->link.data = wait;
  wait->watched = watched;
  wait->data = data;
  g_queue_push_tail_link (&watched->waits, &wait->link);
  return wait;
}

void
jr_future_waiters_remove (JrFutureWaiters *self,
                          JrFutureWait    *wait)
{
  Watched *watched;

  g_return_if_fail (wait != NULL && wait->watched != NULL);

  watched = wait->watched;
  g_queue_unlink (&watched->waits, &wait->link);
  g_free (wait);

  /* Nobody left: nothing of ours stays on the future. Not while its waiters
   * are being told (then it is out of the table already). */
  if (watched->waits.length == 0 && watched->handler != 0)
    g_hash_table_remove (self->watched, watched->future);
}
