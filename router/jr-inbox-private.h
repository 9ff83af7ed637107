/* jr-inbox-private.h — the router's local queue: a GAsyncQueue of message
 * batches with a bound on what it holds, and a coalesced ping to the main
 * context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Bound: 16 MiB or 16 384 messages, as counted (jr-inbox.c says how),
 * plus what each producer may add past it: for the monitor, one run or one
 * gathered message, whatever the number of children.
 *
 * Threads: producers (thread senders, the monitor thread) push from any
 * thread; only the router's thread pops and releases. A ping only wakes the
 * main context when the router is idle, and the router only goes idle once
 * it has found the inbox empty: while it drains, pushes cost no wake-up at
 * all. Under a steady stream the router need not go idle either: it polls
 * again shortly by itself, and producers then never make a system call.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  JR_BATCH_MESSAGES,
  JR_BATCH_SYNC,            /* arg: token of a route_until sync request */
  JR_BATCH_CHANNEL_CLOSED,  /* arg: id of the channel whose writer has gone */
  JR_BATCH_WARNING,         /* one string message: logged on the router's thread */
  JR_BATCH_STAGED,          /* arg: a JrStage whose messages are to be taken */
} JrBatchKind;

/* A message is either a value, or — from the monitor, or from a thread
 * sender's jr_sender_send_data(), for layouts checked to be in normal
 * form — the bytes of one in a block, made into a GVariant only on the
 * router's thread: the allocations, reference counts and GLib's type
 * table are then touched by one thread, not bounced between several. */
typedef struct {
  guint64       connection_id;
  GVariant     *value;      /* owned; NULL for a message still in a block */
  GBytes       *block;      /* not owned: the batch holds it */
  const char   *type;       /* points into block */
  const guint8 *data;       /* points into block */
  gsize         size;       /* serialized size (of the value too, when known) */
} JrMessage;

typedef struct {
  JrBatchKind kind;
  guint       n_messages;
  guint       capacity;
  guint64     arg;
  gsize       bytes;        /* accounted size, released when consumed */
  GPtrArray  *blocks;       /* GBytes the messages point into, or NULL */
  struct _JrStage *stage;   /* a thread sender's batch: goes back to it */
  gpointer    next_spent;   /* JrBatch: the stage's list of spent batches */
  guint       n_held;       /* the router's handlers running with one of
                             * its messages (jr-router.c) */
  JrMessage   messages[];
} JrBatch;

/* What a message costs beyond its serialized size (its slot in a batch,
 * the GVariant made of it), as counted against the inbox's bound. */
#define JR_BATCH_MESSAGE_OVERHEAD 64u

typedef struct _JrInbox JrInbox;

/* A thread sender's staging area. The sender appends under the stage's
 * lock and pushes one STAGED token into the inbox per batch; the router
 * takes the whole batch when it pops the token. So a flood costs one
 * queue operation and one ping per batch, not per message, and nothing
 * waits for a flush: a token is queued whenever messages are staged. */
typedef struct _JrStage JrStage;

JrStage *jr_stage_new          (void);
void     jr_stage_unref        (JrStage    *stage);
/* Router thread: the messages staged so far, or NULL. The batch keeps a
 * reference to @stage. */
JrBatch *jr_inbox_take_staged  (JrInbox    *inbox,
                                JrStage    *stage);
/* Router thread: hands a delivered batch back to its sender, whose thread
 * made its values and frees them on its next send (or when it stops): a
 * value's GLib type lock and memory arena are then touched by one thread
 * only. Returns FALSE when the sender is gone: free the batch then. */
gboolean jr_stage_give_back    (JrStage    *stage,
                                JrBatch    *batch);
/* The sender is done: from now on the router frees batches itself. */
void     jr_stage_close        (JrStage    *stage);

JrBatch *jr_batch_new          (JrBatchKind kind,
                                guint       capacity,
                                guint64     arg);
void     jr_batch_add          (JrBatch    *batch,
                                guint64     connection_id,
                                GVariant   *value);
/* The same, for a value whose serialized size the caller knows. */
void     jr_batch_add_sized    (JrBatch    *batch,
                                guint64     connection_id,
                                GVariant   *value,
                                gsize       size);
/* Adds a checked, normal-form value of @type at @data inside @block,
 * which the batch holds from then on (one reference per batch). */
void     jr_batch_add_in_block (JrBatch      *batch,
                                guint64       connection_id,
                                GBytes       *block,
                                const char   *type,
                                const guint8 *data,
                                gsize         size);
/* Counts @bytes more against the inbox's bound when @batch is pushed:
 * memory its messages keep alive beyond their own size (the rest of a
 * block they share). */
void     jr_batch_add_bytes    (JrBatch    *batch,
                                gsize       bytes);
/* The message's value, made from its block if need be (router thread). */
GVariant *jr_message_steal_value (JrMessage  *message);
void     jr_batch_free         (JrBatch    *batch);

JrInbox *jr_inbox_new          (GMainContext *context);
JrInbox *jr_inbox_ref          (JrInbox    *inbox);
void     jr_inbox_unref        (JrInbox    *inbox);

/* Producers. jr_inbox_push never waits (the monitor looks for room itself
 * and the router's own markers must go in); once the inbox is closed it
 * drops @batch. */
void     jr_inbox_push         (JrInbox    *inbox,
                                JrBatch    *batch);
/* Stages one message (@value: owned), first waiting for room while the
 * inbox is over its bound; fails once the inbox is closed. */
gboolean jr_inbox_stage        (JrInbox    *inbox,
                                JrStage    *stage,
                                guint64     connection_id,
                                GVariant   *value,
                                gsize       size,
                                GError    **error);
/* Stages a copy of @size bytes at @data, a value of @type already checked
 * to be in normal form: the router's thread makes the GVariant, so that
 * senders neither make nor free one (and do not take GLib's global type
 * lock against each other). Same waiting and failure as jr_inbox_stage. */
gboolean jr_inbox_stage_data   (JrInbox      *inbox,
                                JrStage      *stage,
                                guint64       connection_id,
                                const char   *type,
                                gconstpointer data,
                                gsize         size,
                                GError      **error);
gboolean jr_inbox_has_room     (JrInbox    *inbox);
/* The same, as if @pending_bytes and @pending_messages more were queued:
 * for the monitor, whose batch under way counts too. */
gboolean jr_inbox_has_room_for (JrInbox    *inbox,
                                gsize       pending_bytes,
                                guint       pending_messages);
/* The monitor: gets @fd written (an eventfd) once room frees up after a
 * call that returned FALSE. */
gboolean jr_inbox_wait_room_fd (JrInbox    *inbox,
                                int         fd);
void     jr_inbox_ping         (JrInbox    *inbox);

/* Router thread. */
/* After finding the inbox empty: TRUE when the router may sleep until the
 * next ping, FALSE when a push raced in and it must go on draining. */
gboolean jr_inbox_stand_down   (JrInbox    *inbox);
/* After finding the inbox empty: the router comes back by itself soon, so
 * pushes until then need not wake it. */
void     jr_inbox_poll_later   (JrInbox    *inbox);
/* Out of time with work left: stay ready to dispatch. */
void     jr_inbox_keep_pinged  (JrInbox    *inbox);
gboolean jr_inbox_is_pinged    (JrInbox    *inbox);
/* How many batches (and thread senders' tokens) are queued now. */
guint    jr_inbox_get_n_queued (JrInbox    *inbox);
JrBatch *jr_inbox_try_pop      (JrInbox    *inbox);
JrBatch *jr_inbox_timeout_pop  (JrInbox    *inbox,
                                gint64      timeout_usec);
void     jr_inbox_release      (JrInbox    *inbox,
                                gsize       bytes,
                                guint       n_messages);
/* Wakes every waiting producer and makes later pushes fail; drops what is
 * queued. */
void     jr_inbox_close        (JrInbox    *inbox);

G_END_DECLS
