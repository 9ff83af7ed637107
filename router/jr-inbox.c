/* jr-inbox.c — the bounded local queue between senders and the router.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Memory stays bounded under a flood: producers count what they queue, and
 * once the inbox holds more than its high-water mark they wait (thread
 * senders) or stop reading their rings (the monitor thread, whose children
 * then wait in turn) until the router's thread drains it below half.
 *
 * The bound, precisely: a message counts as its serialized size plus
 * JR_BATCH_MESSAGE_OVERHEAD (a monitor's message also pays for the part of
 * its run copy that dropped frames left behind). Producers look at the
 * count before they add, so the inbox holds at most HIGH_WATER_BYTES
 * (16 MiB) or HIGH_WATER_MESSAGES (16 384 messages), plus what each
 * producer adds past the mark: a thread sender up to its stage slack
 * (STAGE_SLACK_BYTES / STAGE_SLACK_MESSAGES) and a message; the monitor,
 * for all children together however many, one run (at most 1 MiB) and one
 * gathered message (at most 32 MiB): jr-monitor.c has the sum. The router
 * releases a monitor batch's count only after freeing it, so the room a
 * release makes never meets the memory it frees. Control batches
 * (warnings, syncs, closed queues) are pushed whatever the count; a
 * queue's warnings are limited.
 */
#include "jr-inbox-private.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "jobrouter.h"
#include "jr-frame-private.h"

/* Large enough that a stream never waits for the router's thread to wake
 * up; small beside a GUI's memory. */
#define HIGH_WATER_BYTES    (16u * 1024u * 1024u)
#define HIGH_WATER_MESSAGES 16384u
/* A thread sender adds what it stages to the inbox's shared counters in
 * runs of this much, not message by message: two senders would otherwise
 * pass the counters' cache line back and forth for every message. Each
 * sender may so be up to this much past the bound. */
#define STAGE_SLACK_MESSAGES 64u
#define STAGE_SLACK_BYTES    (64u * 1024u)
/* Delivered values a thread sender frees per message it sends. */
#define DROP_PER_SEND        4u
/* What jr_inbox_stage_data() copies values into: blocks that start small
 * (a sender may send only a message or two, as a job's does) and double
 * while it keeps sending. */
#define STAGE_BLOCK_FIRST    512u
#define STAGE_BLOCK_MAX      (16u * 1024u)

struct _JrInbox {
  gatomicrefcount ref_count;
  GAsyncQueue    *queue;
  GMainContext   *context;

  atomic_int      pinged;
  atomic_size_t   queued_bytes;
  atomic_uint     queued_messages;
  atomic_bool     closed;

  /* Producers wait on space_cond under space_lock; the counters are atomic
   * so that the router's thread can look without taking the lock. */
  GMutex          space_lock;
  GCond           space_cond;
  atomic_uint     n_waiters;
  atomic_int      room_fd;
};

JrBatch *
jr_batch_new (JrBatchKind kind,
              guint       capacity,
              guint64     arg)
{
  JrBatch *batch = g_malloc (sizeof (JrBatch) + capacity * sizeof (JrMessage));

  batch->kind = kind;
  batch->n_messages = 0;
  batch->capacity = capacity;
  batch->arg = arg;
  batch->bytes = 0;
  batch->blocks = NULL;
  batch->stage = NULL;
  batch->next_spent = NULL;
  batch->n_held = 0;
  return batch;
}

void
jr_batch_add_sized (JrBatch  *batch,
                    guint64   connection_id,
                    GVariant *value,
                    gsize     size)
{
  g_assert (batch->n_messages < batch->capacity);
  batch->messages[batch->n_messages] = (JrMessage) {
    .connection_id = connection_id,
    .value = value,
    .size = size,
  };
  batch->n_messages++;
  batch->bytes += size + JR_BATCH_MESSAGE_OVERHEAD;
}

void
jr_batch_add_in_block (JrBatch      *batch,
                       guint64       connection_id,
                       GBytes       *block,
                       const char   *type,
                       const guint8 *data,
                       gsize         size)
{
  g_assert (batch->n_messages < batch->capacity);

  if (batch->blocks == NULL)
    batch->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if (batch->blocks->len == 0 || g_ptr_array_index (batch->blocks, batch->blocks->len - 1) != block)
    g_ptr_array_add (batch->blocks, g_bytes_ref (block));

  batch->messages[batch->n_messages] = (JrMessage) {
    .connection_id = connection_id,
    .block = block,
    .type = type,
    .data = data,
    .size = size,
  };
  batch->n_messages++;
  batch->bytes += size + JR_BATCH_MESSAGE_OVERHEAD;
}

void
jr_batch_add_bytes (JrBatch *batch,
                    gsize    bytes)
{
  batch->bytes += bytes;
}

GVariant *
jr_message_steal_value (JrMessage *message)
{
  if (message->value == NULL && message->block != NULL)
    {
      GBytes *block = g_bytes_ref (message->block);

      /* Checked by the monitor: trusted, in normal form. */
      message->block = NULL;
      return g_variant_ref_sink (g_variant_new_from_data ((const GVariantType *) message->type,
                                                          message->data, message->size, TRUE,
                                                          (GDestroyNotify) g_bytes_unref, block));
    }
  return g_steal_pointer (&message->value);
}

void
jr_batch_add (JrBatch  *batch,
              guint64   connection_id,
              GVariant *value)
{
  jr_batch_add_sized (batch, connection_id, value, g_variant_get_size (value));
}

struct _JrStage {
  gatomicrefcount ref_count;

  /* lock guards these. */
  GMutex          lock;
  JrBatch        *batch;     /* NULL when nothing is staged */
  JrBatch        *spent;     /* delivered, to free on the sender's thread */
  gboolean        closed;
  gsize           slack_bytes;     /* staged, not yet added to the */
  guint           slack_messages;  /* inbox's counters */

  /* The sender's thread only. */
  JrBatch        *dropping;  /* delivered batches it is freeing (drop_some) */
  guint           dropped;   /* values of dropping already freed */
  GBytes         *block;     /* where jr_inbox_stage_data() copies to */
  guint8         *block_data;
  gsize           block_used;
};

/* Frees up to @max_values values of what the router gave back, keeping the
 * rest for the next send. Freeing a whole batch in one go would take
 * GLib's global type-information lock in a tight run, just when other
 * sender threads need it to make their messages. */
static void
drop_some (JrStage *stage,
           guint    max_values)
{
  while (stage->dropping != NULL && max_values > 0)
    {
      JrBatch *batch = stage->dropping;

      while (stage->dropped < batch->n_messages && max_values > 0)
        {
          /* The router read these values on its own core: fetch a few
           * ahead for writing. */
          if (stage->dropped + 8 < batch->n_messages)
            __builtin_prefetch (batch->messages[stage->dropped + 8].value, 1);
          g_clear_pointer (&batch->messages[stage->dropped].value, g_variant_unref);
          stage->dropped++;
          max_values--;
        }
      if (stage->dropped < batch->n_messages)
        break;
      stage->dropping = batch->next_spent;
      stage->dropped = 0;
      jr_batch_free (batch);
    }
}

static void
append_spent (JrStage *stage,
              JrBatch *spent)
{
  JrBatch **tail = &stage->dropping;

  while (*tail != NULL)
    tail = (JrBatch **) &(*tail)->next_spent;
  *tail = spent;
}

static void
free_spent_list (JrBatch *spent)
{
  while (spent != NULL)
    {
      JrBatch *next = spent->next_spent;

      jr_batch_free (spent);
      spent = next;
    }
}

JrStage *
jr_stage_new (void)
{
  JrStage *stage = g_new0 (JrStage, 1);

  g_atomic_ref_count_init (&stage->ref_count);
  g_mutex_init (&stage->lock);
  return stage;
}

static JrStage *
jr_stage_ref (JrStage *stage)
{
  g_atomic_ref_count_inc (&stage->ref_count);
  return stage;
}

/* Frees what the sender's thread would: the batches given back, and the
 * block it copies into. */
static void
free_sender_state (JrStage *stage)
{
  JrBatch *spent;

  g_mutex_lock (&stage->lock);
  spent = g_steal_pointer (&stage->spent);
  g_mutex_unlock (&stage->lock);
  free_spent_list (spent);
  free_spent_list (g_steal_pointer (&stage->dropping));
  stage->dropped = 0;
  g_clear_pointer (&stage->block, g_bytes_unref);
}

void
jr_stage_unref (JrStage *stage)
{
  if (!g_atomic_ref_count_dec (&stage->ref_count))
    return;
  g_clear_pointer (&stage->batch, jr_batch_free);
  free_sender_state (stage);
  g_mutex_clear (&stage->lock);
  g_free (stage);
}

static void
account (JrInbox *inbox,
         gsize    bytes,
         guint    n_messages)
{
  atomic_fetch_add (&inbox->queued_bytes, bytes);
  atomic_fetch_add (&inbox->queued_messages, n_messages);
}

JrBatch *
jr_inbox_take_staged (JrInbox *inbox,
                      JrStage *stage)
{
  JrBatch *batch;
  gsize slack_bytes;
  guint slack_messages;

  g_mutex_lock (&stage->lock);
  batch = g_steal_pointer (&stage->batch);
  slack_bytes = stage->slack_bytes;
  slack_messages = stage->slack_messages;
  stage->slack_bytes = 0;
  stage->slack_messages = 0;
  g_mutex_unlock (&stage->lock);

  /* Released whole once delivered, so counted whole now. */
  account (inbox, slack_bytes, slack_messages);
  if (batch != NULL)
    batch->stage = jr_stage_ref (stage);
  return batch;
}

gboolean
jr_stage_give_back (JrStage *stage,
                    JrBatch *batch)
{
  gboolean taken;

  g_mutex_lock (&stage->lock);
  taken = !stage->closed;
  if (taken)
    {
      batch->next_spent = stage->spent;
      stage->spent = batch;
    }
  g_mutex_unlock (&stage->lock);
  return taken;
}

void
jr_stage_close (JrStage *stage)
{
  g_mutex_lock (&stage->lock);
  stage->closed = TRUE;
  g_mutex_unlock (&stage->lock);
  free_sender_state (stage);
}

void
jr_batch_free (JrBatch *batch)
{
  if (batch->kind == JR_BATCH_STAGED)
    jr_stage_unref ((JrStage *) (guintptr) batch->arg);

  for (guint i = 0; i < batch->n_messages; i++)
    g_clear_pointer (&batch->messages[i].value, g_variant_unref);
  g_clear_pointer (&batch->blocks, g_ptr_array_unref);
  g_clear_pointer (&batch->stage, jr_stage_unref);
  g_free (batch);
}

JrInbox *
jr_inbox_new (GMainContext *context)
{
  JrInbox *inbox = g_new0 (JrInbox, 1);

  g_atomic_ref_count_init (&inbox->ref_count);
  inbox->queue = g_async_queue_new ();
  inbox->context = g_main_context_ref (context);
  inbox->room_fd = -1;
  g_mutex_init (&inbox->space_lock);
  g_cond_init (&inbox->space_cond);
  return inbox;
}

JrInbox *
jr_inbox_ref (JrInbox *inbox)
{
  g_atomic_ref_count_inc (&inbox->ref_count);
  return inbox;
}

static void
drop_queued (JrInbox *inbox)
{
  JrBatch *batch;

  while ((batch = g_async_queue_try_pop (inbox->queue)) != NULL)
    jr_batch_free (batch);
}

void
jr_inbox_unref (JrInbox *inbox)
{
  if (!g_atomic_ref_count_dec (&inbox->ref_count))
    return;

  drop_queued (inbox);
  g_async_queue_unref (inbox->queue);
  g_main_context_unref (inbox->context);
  g_mutex_clear (&inbox->space_lock);
  g_cond_clear (&inbox->space_cond);
  g_free (inbox);
}

gboolean
jr_inbox_has_room (JrInbox *inbox)
{
  return jr_inbox_has_room_for (inbox, 0, 0);
}

gboolean
jr_inbox_has_room_for (JrInbox *inbox,
                       gsize    pending_bytes,
                       guint    pending_messages)
{
  return atomic_load (&inbox->queued_bytes) + pending_bytes < HIGH_WATER_BYTES &&
         atomic_load (&inbox->queued_messages) + pending_messages < HIGH_WATER_MESSAGES;
}

static gboolean
below_low_water (JrInbox *inbox)
{
  return atomic_load (&inbox->queued_bytes) < HIGH_WATER_BYTES / 2 &&
         atomic_load (&inbox->queued_messages) < HIGH_WATER_MESSAGES / 2;
}

/* What producers see of the router (the pinged field). */
enum {
  ROUTER_IDLE,      /* asleep: the next push must wake the main context */
  ROUTER_PINGED,    /* ready to dispatch, or dispatching */
  ROUTER_POLLING,   /* back on its own shortly: pushes need not wake it */
};

void
jr_inbox_ping (JrInbox *inbox)
{
  int idle = ROUTER_IDLE;

  if (atomic_compare_exchange_strong (&inbox->pinged, &idle, ROUTER_PINGED))
    g_main_context_wakeup (inbox->context);
}

static gboolean
set_closed_error (GError **error)
{
  g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING,
                       "The router is not running");
  return FALSE;
}

static void
wait_for_room (JrInbox *inbox)
{
  /* The router's own thread must never wait for itself to drain. */
  if (!jr_inbox_has_room (inbox) && !g_main_context_is_owner (inbox->context))
    {
      g_mutex_lock (&inbox->space_lock);
      inbox->n_waiters++;
      while (!jr_inbox_has_room (inbox) && !atomic_load (&inbox->closed))
        g_cond_wait (&inbox->space_cond, &inbox->space_lock);
      inbox->n_waiters--;
      g_mutex_unlock (&inbox->space_lock);
    }
}

/* Waits for room, then locks @stage and returns its batch with room for
 * one more message; NULL once the inbox is closed. */
static JrBatch *
begin_staging (JrInbox *inbox,
               JrStage *stage,
               GError **error)
{
  JrBatch *batch;

  wait_for_room (inbox);
  if (atomic_load (&inbox->closed))
    {
      set_closed_error (error);
      return NULL;
    }

  g_mutex_lock (&stage->lock);
  batch = stage->batch;
  if (batch == NULL)
    batch = jr_batch_new (JR_BATCH_MESSAGES, 64, 0);
  else if (batch->n_messages == batch->capacity)
    {
      batch->capacity *= 2;
      batch = g_realloc (batch, sizeof (JrBatch) + batch->capacity * sizeof (JrMessage));
    }
  return batch;
}

/* Counts the message just added to @batch (it grew by @bytes), makes sure
 * the router will take the batch, and unlocks @stage. */
static void
end_staging (JrInbox *inbox,
             JrStage *stage,
             JrBatch *batch,
             gsize    bytes)
{
  JrBatch *spent;

  stage->slack_bytes += bytes;
  stage->slack_messages++;
  if (stage->slack_messages >= STAGE_SLACK_MESSAGES || stage->slack_bytes >= STAGE_SLACK_BYTES)
    {
      account (inbox, stage->slack_bytes, stage->slack_messages);
      stage->slack_bytes = 0;
      stage->slack_messages = 0;
    }

  if (stage->batch == NULL)
    {
      /* The first message of a batch queues its token, under the stage's
       * lock so that a later sync marker lands behind it. */
      g_async_queue_push (inbox->queue, jr_batch_new (JR_BATCH_STAGED, 0,
                                                      (guintptr) jr_stage_ref (stage)));
      jr_inbox_ping (inbox);
    }
  stage->batch = batch;
  spent = g_steal_pointer (&stage->spent);
  g_mutex_unlock (&stage->lock);
  /* What the router gave back is freed here, on the thread that made it,
   * faster than messages come but never in long runs. */
  if (spent != NULL)
    append_spent (stage, spent);
  drop_some (stage, DROP_PER_SEND);
}

gboolean
jr_inbox_stage (JrInbox  *inbox,
                JrStage  *stage,
                guint64   connection_id,
                GVariant *value,
                gsize     size,
                GError  **error)
{
  JrBatch *batch = begin_staging (inbox, stage, error);
  gsize bytes;

  if (batch == NULL)
    {
      g_variant_unref (value);
      return FALSE;
    }
  bytes = batch->bytes;
  jr_batch_add_sized (batch, connection_id, value, size);
  end_staging (inbox, stage, batch, batch->bytes - bytes);
  return TRUE;
}

/* Copies a type string and a value into the stage's block, where the
 * router's thread will make the GVariant. Points @type_out and @data_out
 * at the copies. */
static GBytes *
copy_to_block (JrStage       *stage,
               const char    *type,
               gconstpointer  data,
               gsize          size,
               const char   **type_out,
               const guint8 **data_out)
{
  gsize type_size = strlen (type) + 1;
  gsize need = JR_FRAME_ALIGN (type_size) + JR_FRAME_ALIGN (size);
  guint8 *at;

  if (stage->block == NULL || stage->block_used + need > g_bytes_get_size (stage->block))
    {
      gsize block_size = stage->block == NULL ? STAGE_BLOCK_FIRST
                                              : MIN (2 * g_bytes_get_size (stage->block), STAGE_BLOCK_MAX);

      block_size = MAX (block_size, need);
      /* Messages already copied keep their block alive. Values start at a
       * multiple of 8 bytes, as GVariant wants. */
      g_clear_pointer (&stage->block, g_bytes_unref);
      stage->block_data = g_malloc (block_size);
      stage->block = g_bytes_new_take (stage->block_data, block_size);
      stage->block_used = 0;
    }

  at = stage->block_data + stage->block_used;
  memcpy (at, type, type_size);
  if (size > 0)
    memcpy (at + JR_FRAME_ALIGN (type_size), data, size);
  stage->block_used += need;
  *type_out = (const char *) at;
  *data_out = at + JR_FRAME_ALIGN (type_size);
  return stage->block;
}

gboolean
jr_inbox_stage_data (JrInbox       *inbox,
                     JrStage       *stage,
                     guint64        connection_id,
                     const char    *type,
                     gconstpointer  data,
                     gsize          size,
                     GError       **error)
{
  JrBatch *batch;
  GBytes *block;
  const char *type_copy;
  const guint8 *data_copy;
  gsize bytes;

  /* Before the lock: the block is the sender's own until the router sees
   * the message in a batch. */
  block = copy_to_block (stage, type, data, size, &type_copy, &data_copy);
  batch = begin_staging (inbox, stage, error);
  if (batch == NULL)
    return FALSE;
  bytes = batch->bytes;
  jr_batch_add_in_block (batch, connection_id, block, type_copy, data_copy, size);
  end_staging (inbox, stage, batch, batch->bytes - bytes);
  return TRUE;
}

void
jr_inbox_push (JrInbox *inbox,
               JrBatch *batch)
{
  if (atomic_load (&inbox->closed))
    {
      jr_batch_free (batch);
      return;
    }

  account (inbox, batch->bytes, batch->n_messages);
  g_async_queue_push (inbox->queue, batch);
  jr_inbox_ping (inbox);
}

gboolean
jr_inbox_wait_room_fd (JrInbox *inbox,
                       int      fd)
{
  gboolean has_room;

  g_mutex_lock (&inbox->space_lock);
  inbox->room_fd = fd;
  has_room = jr_inbox_has_room (inbox) || atomic_load (&inbox->closed);
  if (has_room)
    inbox->room_fd = -1;
  g_mutex_unlock (&inbox->space_lock);
  return !has_room;
}

void
jr_inbox_keep_pinged (JrInbox *inbox)
{
  atomic_store (&inbox->pinged, ROUTER_PINGED);
}

void
jr_inbox_poll_later (JrInbox *inbox)
{
  atomic_store (&inbox->pinged, ROUTER_POLLING);
}

/* Clears the ping so that the next push wakes the main context, then looks
 * again: a push that came in between saw the router still awake and did
 * not wake anyone. */
gboolean
jr_inbox_stand_down (JrInbox *inbox)
{
  atomic_store (&inbox->pinged, ROUTER_IDLE);
  atomic_thread_fence (memory_order_seq_cst);
  if (g_async_queue_length (inbox->queue) <= 0)
    return TRUE;
  atomic_store (&inbox->pinged, ROUTER_PINGED);
  return FALSE;
}

gboolean
jr_inbox_is_pinged (JrInbox *inbox)
{
  return atomic_load_explicit (&inbox->pinged, memory_order_relaxed) == ROUTER_PINGED;
}

guint
jr_inbox_get_n_queued (JrInbox *inbox)
{
  return (guint) MAX (g_async_queue_length (inbox->queue), 0);
}

JrBatch *
jr_inbox_try_pop (JrInbox *inbox)
{
  return g_async_queue_try_pop (inbox->queue);
}

JrBatch *
jr_inbox_timeout_pop (JrInbox *inbox,
                      gint64   timeout_usec)
{
  if (timeout_usec <= 0)
    return g_async_queue_try_pop (inbox->queue);
  return g_async_queue_timeout_pop (inbox->queue, (guint64) timeout_usec);
}

static void
wake_producers (JrInbox *inbox)
{
  g_mutex_lock (&inbox->space_lock);
  if (inbox->n_waiters > 0)
    g_cond_broadcast (&inbox->space_cond);
  if (inbox->room_fd >= 0)
    {
      guint64 one = 1;
      /* An eventfd cannot fill up at one write per wake-up. */
      while (write (inbox->room_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
      inbox->room_fd = -1;
    }
  g_mutex_unlock (&inbox->space_lock);
}

void
jr_inbox_release (JrInbox *inbox,
                  gsize    bytes,
                  guint    n_messages)
{
  atomic_fetch_sub (&inbox->queued_bytes, bytes);
  atomic_fetch_sub (&inbox->queued_messages, n_messages);

  /* Hysteresis: producers resume at half the bound, not at every message. */
  if ((atomic_load (&inbox->n_waiters) > 0 || atomic_load (&inbox->room_fd) >= 0) &&
      below_low_water (inbox))
    wake_producers (inbox);
}

void
jr_inbox_close (JrInbox *inbox)
{
  atomic_store (&inbox->closed, TRUE);
  wake_producers (inbox);
  drop_queued (inbox);
  atomic_store (&inbox->queued_bytes, 0);
  atomic_store (&inbox->queued_messages, 0);
}
