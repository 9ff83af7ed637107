/* jr-router.c — pipes from workers to receivers on a GMainContext.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages reach the router's inbox (a bounded GAsyncQueue of batches)
 * straight from thread senders, or through the monitor thread from child
 * processes. A GSource, woken by the inbox's coalesced ping, drains the
 * inbox in batches with a time budget and at a priority below redrawing,
 * so a flood never freezes a GUI. route_until() drains the same inbox by
 * hand; both share one cursor, so nothing is delivered twice and the
 * GSource simply finds less to do afterwards.
 */
#include "jr-router-private.h"

#include <unistd.h>

#include "jr-bindings-private.h"
#include "jr-channel-private.h"
#include "jr-inbox-private.h"
#include "jr-monitor-private.h"
#include "jr-receiver-private.h"
#include "jr-sender-private.h"
#include "jr-variant-pins-private.h"
#include "jr-warn-limit-private.h"

/* How long one dispatch may deliver before yielding to the main loop. */
#define DISPATCH_BUDGET_USEC 4000
/* How often to look at the clock while dispatching. */
#define DISPATCH_CLOCK_EVERY 64
/* A thread sender's batch of this many messages is a stream: the router
 * then polls again after STREAM_POLL_USEC (the main loop rounds it up to a
 * millisecond) instead of sleeping until the sender wakes it, so senders
 * make no system call. A stream's messages wait that much longer.
 * - A batch, not the dispatch: many senders with a few messages each are
 *   jobs waiting for answers (the executor's), which must not wait.
 * - Thread senders only: the monitor thread wakes the router at most once
 *   per batch anyway, and GUI measurements (bench-ui) favour waking. */
#define STREAM_MESSAGES      64
#define STREAM_POLL_USEC     500
/* Past its deadline, how long route_until() waits at most for the monitor
 * to have moved everything sent before the deadline (the sync marker).
 * Normally the marker comes within microseconds; this only bounds what a
 * child, or an inbox that stays full, could make it wait. It counts once
 * the monitor has run for the marker: on a loaded machine the monitor
 * thread may not run for a while, and that is no reason to leave messages
 * behind. No child can keep it from running; SYNC_WAIT_MAX_USEC is for
 * the scheduler. */
#define SYNC_WAIT_USEC       (50 * 1000)
#define SYNC_WAIT_MAX_USEC   G_USEC_PER_SEC
/* How often to look whether the monitor has run, once SYNC_WAIT_USEC is up. */
#define SYNC_LOOK_USEC       (5 * 1000)
/* A delivered value at least this large is dropped at once rather than
 * with the others at the end of the dispatch: once its batch is released,
 * the monitor may read as much again, and the memory bound holds only if
 * the value is gone by then. */
#define DROP_AT_ONCE_SIZE    (64 * 1024)

/**
 * JrRouter:
 *
 * Routes messages from senders in worker threads or processes to
 * receivers on the thread of a [struct@GLib.MainContext].
 *
 * Start the router, make pipes with [method@Jr.Router.pipe], hand each
 * sender (or, for a child process, its connection id) to a worker, and
 * connect to [signal@Jr.Receiver::message]. Messages are dispatched when
 * the context runs, or by hand with [method@Jr.Router.route_until].
 *
 * Since: 0.1
 */
struct _JrRouter {
  GObject       parent_instance;

  JrTransport   transport;
  GMainContext *context;
  int           priority;

  gboolean      running;
  guint         generation;         /* counts starts: a handler may restart us */
  JrInbox      *inbox;
  JrMonitor    *monitor;
  JrBindings   *bindings;           /* process transport: whose pipe is whose */
  GSource      *source;
  GHashTable   *receivers;          /* connection id → JrReceiver */
  /* The last receiver looked up (borrowed from receivers): messages come
   * in runs for one pipe. Cleared whenever a receiver leaves the table. */
  JrReceiver   *last_receiver;
  guint64       last_receiver_id;
  gboolean      saw_stream;         /* in this dispatch; see STREAM_MESSAGES */
  guint64       next_connection_id;
  guint64       next_channel_id;

  JrVariantPins *pins;
  JrBatch      *current;            /* popped, not yet fully delivered */
  /* Delivered messages, dropped together: a stream of values made on
   * another thread then releases GLib's locks in one run, not interleaved
   * message by message with the thread that makes them. */
  GVariant     *delivered[64];
  guint         n_delivered;
  guint         current_index;
  guint64       n_popped;           /* batches taken from the inbox so far */
  guint64       next_sync_token;    /* thread transport */
  guint64       sync_seen;
  JrWarnLimit   drop_warnings;      /* messages for closed pipes */
  /* The batches that ended while a handler running now held one of their
   * messages (a handler may route again, in a main loop of its own, or
   * stop us): a message a handler holds is lent from its batch, which is
   * freed (or given back) once no handler holds one (JrBatch.n_held). */
  GArray       *ended_later;        /* EndedBatch */
};

typedef struct {
  JrBatch *batch;
  guint    generation;   /* of the inbox it is counted in */
} EndedBatch;

/* The generation of a batch whose inbox is closed: nothing to release. */
#define COUNTED_NOWHERE G_MAXUINT

G_DEFINE_FINAL_TYPE (JrRouter, jr_router, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TRANSPORT,
  PROP_CONTEXT,
  PROP_RUNNING,
  PROP_PRIORITY,
  N_PROPS
};

enum {
  SIGNAL_CHANNEL_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct {
  GSource   source;
  JrRouter *router;   /* not owned: the router destroys the source */
} RouterSource;

static gboolean route_one (JrRouter *self, gint64 wait_usec);

static gboolean
is_stream (JrBatch *batch)
{
  return batch->stage != NULL && batch->n_messages >= STREAM_MESSAGES;
}

static void
drop_delivered (JrRouter *self)
{
  for (guint i = 0; i < self->n_delivered; i++)
    g_variant_unref (self->delivered[i]);
  self->n_delivered = 0;
}

static gboolean
router_has_work (JrRouter *self)
{
  return self->current != NULL || jr_inbox_is_pinged (self->inbox);
}

gboolean
jr_router_has_pending (JrRouter *self)
{
  return self->running && router_has_work (self);
}

void
jr_router_close_inbox (JrRouter *self)
{
  if (self->running)
    jr_inbox_close (self->inbox);
}

static gboolean
router_source_prepare (GSource *source,
                       gint    *timeout)
{
  *timeout = -1;
  return router_has_work (((RouterSource *) source)->router);
}

static gboolean
router_source_check (GSource *source)
{
  return router_has_work (((RouterSource *) source)->router);
}

static gboolean
router_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  JrRouter *self = ((RouterSource *) source)->router;
  gint64 deadline = g_get_monotonic_time () + DISPATCH_BUDGET_USEC;
  guint generation = self->generation;
  guint n = 0;

  g_object_ref (self);
  g_source_set_ready_time (source, -1);
  /* Awake: a poll the last dispatch asked for is answered now. Said to
   * producers and to prepare() (while a handler runs a main loop of its
   * own, this dispatch is not over, and no ready time brings us back). */
  jr_inbox_keep_pinged (self->inbox);
  /* A stream's batch may go on from the last dispatch. */
  self->saw_stream = self->current != NULL && is_stream (self->current);
  while (self->running)
    {
      gboolean routed = route_one (self, 0);

      /* A handler stopped the router, maybe started it again: this source
       * and its inbox are gone. */
      if (!self->running || self->generation != generation)
        break;

      if (!routed)
        {
          if (self->saw_stream)
            {
              /* A stream: come back shortly by ourselves rather than have
               * every producer make a system call to wake us. */
              jr_inbox_poll_later (self->inbox);
              g_source_set_ready_time (source, g_get_monotonic_time () + STREAM_POLL_USEC);
              break;
            }
          /* Empty: only now may producers need to wake us again. */
          if (jr_inbox_stand_down (self->inbox))
            break;
          continue;
        }
      if (++n % DISPATCH_CLOCK_EVERY == 0 && g_get_monotonic_time () >= deadline)
        {
          /* Out of budget: let the main loop breathe and come back. */
          jr_inbox_keep_pinged (self->inbox);
          break;
        }
    }
  drop_delivered (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs router_source_funcs = {
  .prepare = router_source_prepare,
  .check = router_source_check,
  .dispatch = router_source_dispatch,
};

/* A child can send on a pipe once it is closed as fast as it sends at
 * all: a few of these warnings are said, then only counted. */
static void
warn_dropped (JrRouter *self,
              guint64   connection_id)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *summary = NULL;

  if (jr_warn_limit_admit (&self->drop_warnings, now))
    {
      if (connection_id > 0 && connection_id < self->next_connection_id)
        g_warning ("Dropping a message for closed pipe %" G_GUINT64_FORMAT, connection_id);
      else
        g_warning ("Dropping a message for unknown pipe %" G_GUINT64_FORMAT, connection_id);
      return;
    }
  summary = jr_warn_limit_take_summary (&self->drop_warnings, now, NULL);
  if (summary != NULL)
    g_warning ("Dropping messages for closed pipes: %s", summary);
}

static JrReceiver *
find_receiver (JrRouter *self,
               guint64   connection_id)
{
  if (self->last_receiver == NULL || self->last_receiver_id != connection_id)
    {
      self->last_receiver = g_hash_table_lookup (self->receivers, &connection_id);
      self->last_receiver_id = connection_id;
    }
  return self->last_receiver;
}

/* Whether the receiver of @connection_id takes messages still in their
 * block (the executor's workers' pipes): no GVariant is made of those it
 * takes. */
static gboolean
takes_flat (JrRouter *self,
            guint64   connection_id)
{
  JrReceiver *receiver = find_receiver (self, connection_id);

  return receiver != NULL && jr_receiver_has_data_func (receiver);
}

static gboolean
offer_flat (JrRouter  *self,
            JrMessage *message)
{
  JrReceiver *receiver = find_receiver (self, message->connection_id);

  return receiver != NULL && jr_receiver_offer_data (receiver, message->type, message->data,
                                                     message->size);
}

static void
deliver (JrRouter *self,
         guint64   connection_id,
         GVariant *message)
{
  JrReceiver *receiver = find_receiver (self, connection_id);

  if (receiver == NULL)
    {
      warn_dropped (self, connection_id);
      return;
    }

  /* The emission holds a reference to the receiver, should a handler close
   * its pipe. */
  jr_receiver_emit_message (receiver, message);
}

/* Frees @batch, or gives it back to its thread sender, and releases its
 * room in the inbox of @generation (if it is still ours). While a handler
 * holds one of its messages, later. Only then: a handler's own main loop
 * goes on taking messages, and its producers need the room. */
static void
end_batch (JrRouter *self,
           JrBatch  *batch,
           guint     generation)
{
  gsize bytes = batch->bytes;
  guint n_messages = batch->n_messages;

  if (batch->n_held > 0)
    {
      EndedBatch ended = { batch, generation };

      g_array_append_val (self->ended_later, ended);
      return;
    }
  /* Freed first, then released: the room released lets the monitor read
   * as much again, and the memory bound holds only if this batch's blocks
   * are gone by then. */
  if (batch->stage == NULL || !jr_stage_give_back (batch->stage, batch))
    jr_batch_free (batch);
  /* Counted in the inbox it came from: not in a new one. */
  if (self->running && self->generation == generation)
    jr_inbox_release (self->inbox, bytes, n_messages);
}

/* Ends the batches put off whose messages no handler holds any more
 * (end_batch() calls out to nobody: the list stays as it is meanwhile). */
static void
end_batches_later (JrRouter *self)
{
  guint kept = 0;

  for (guint i = 0; i < self->ended_later->len; i++)
    {
      EndedBatch one = g_array_index (self->ended_later, EndedBatch, i);

      if (one.batch->n_held > 0)
        g_array_index (self->ended_later, EndedBatch, kept++) = one;
      else
        end_batch (self, one.batch, one.generation);
    }
  g_array_set_size (self->ended_later, kept);
}

/* Delivers the next item of the inbox, waiting up to @wait_usec for one.
 * Returns FALSE when there was none. */
static gboolean
route_one (JrRouter *self,
           gint64    wait_usec)
{
  JrBatch *batch;
  GVariant *value = NULL;
  JrMessage flat = { 0 };
  GBytes *held = NULL;
  guint64 connection_id = 0;
  gboolean lent = FALSE;
  gsize size = 0;
  guint generation;
  gboolean last;

  while (self->current == NULL)
    {
      JrBatch *popped = jr_inbox_timeout_pop (self->inbox, wait_usec);

      if (popped == NULL)
        return FALSE;
      self->n_popped++;
      self->current_index = 0;
      if (popped->kind == JR_BATCH_STAGED)
        {
          /* A thread sender's token: what it staged so far comes now. */
          self->current = jr_inbox_take_staged (self->inbox, (JrStage *) (guintptr) popped->arg);
          jr_batch_free (popped);
          if (self->current != NULL && is_stream (self->current))
            self->saw_stream = TRUE;
        }
      else
        self->current = popped;
    }

  /* Take what this item needs before calling out: a handler may route
   * again (re-entrantly) and finish the batch, or stop the router. */
  batch = self->current;
  generation = self->generation;
  if (self->current_index < batch->n_messages)
    {
      JrMessage *message = &batch->messages[self->current_index];

      /* A thread sender's values were made on another core: start fetching
       * the one after next while this one is delivered. */
      if (batch->stage != NULL && self->current_index + 2 < batch->n_messages)
        __builtin_prefetch (batch->messages[self->current_index + 2].value);
      connection_id = message->connection_id;
      size = message->size;
      /* A thread sender's batch goes back to it whole, with the values it
       * made: they are lent here. A value made here from a block is the
       * router's own, and dropped here. */
      lent = batch->stage != NULL && message->value != NULL;
      if (!lent && message->value == NULL && message->block != NULL &&
          batch->kind == JR_BATCH_MESSAGES && takes_flat (self, connection_id))
        {
          /* Its receiver may take it as it is (offer_flat()). The block
           * is held: a handler may route on and free the batch. */
          flat = *message;
          held = g_bytes_ref (message->block);
        }
      else
        {
          value = lent ? message->value : jr_message_steal_value (message);
          if (value != NULL)
            jr_variant_pins_keep (self->pins, value);
        }
    }
  self->current_index++;
  last = self->current_index >= batch->n_messages;
  if (last)
    self->current = NULL;

  switch (batch->kind)
    {
    case JR_BATCH_MESSAGES:
      batch->n_held++;
      if (held == NULL || !offer_flat (self, &flat))
        {
          if (held != NULL)
            {
              value = jr_message_steal_value (&flat);
              jr_variant_pins_keep (self->pins, value);
            }
          deliver (self, connection_id, value);
        }
      batch->n_held--;
      g_clear_pointer (&held, g_bytes_unref);
      break;
    case JR_BATCH_SYNC:
      self->sync_seen = MAX (self->sync_seen, batch->arg);
      break;
    case JR_BATCH_CHANNEL_CLOSED:
      g_signal_emit (self, signals[SIGNAL_CHANNEL_CLOSED], 0, batch->arg);
      break;
    case JR_BATCH_WARNING:
      g_warning ("%s", g_variant_get_string (value, NULL));
      break;
    case JR_BATCH_STAGED:
    default:
      g_assert_not_reached ();
    }

  if (value != NULL && !lent && size >= DROP_AT_ONCE_SIZE)
    g_variant_unref (value);
  else if (value != NULL && !lent)
    {
      if (self->n_delivered == G_N_ELEMENTS (self->delivered))
        drop_delivered (self);
      self->delivered[self->n_delivered++] = value;
    }

  if (last)
    end_batch (self, batch, generation);
  if (self->ended_later->len > 0)
    end_batches_later (self);
  return TRUE;
}

static gboolean
not_running_error (GError **error)
{
  g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING,
                       "The router is not running");
  return FALSE;
}

static void
jr_router_dispose (GObject *object)
{
  JrRouter *self = JR_ROUTER (object);

  if (self->running)
    {
      g_warning ("Router disposed while running; stopping it");
      jr_router_stop (self, NULL);
    }
  G_OBJECT_CLASS (jr_router_parent_class)->dispose (object);
}

static void
jr_router_finalize (GObject *object)
{
  JrRouter *self = JR_ROUTER (object);

  end_batches_later (self);
  g_array_unref (self->ended_later);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (jr_router_parent_class)->finalize (object);
}

static void
jr_router_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JrRouter *self = JR_ROUTER (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_CONTEXT:
      g_value_set_boxed (value, self->context);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_router_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  JrRouter *self = JR_ROUTER (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      self->transport = g_value_get_enum (value);
      break;
    case PROP_CONTEXT:
      self->context = g_value_dup_boxed (value);
      break;
    case PROP_PRIORITY:
      if (self->priority != g_value_get_int (value))
        {
          self->priority = g_value_get_int (value);
          if (self->source != NULL)
            g_source_set_priority (self->source, self->priority);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_router_constructed (GObject *object)
{
  JrRouter *self = JR_ROUTER (object);

  G_OBJECT_CLASS (jr_router_parent_class)->constructed (object);
  if (self->context == NULL)
    self->context = g_main_context_ref_thread_default ();
}

static void
jr_router_class_init (JrRouterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jr_router_dispose;
  object_class->finalize = jr_router_finalize;
  object_class->get_property = jr_router_get_property;
  object_class->set_property = jr_router_set_property;
  object_class->constructed = jr_router_constructed;

  /**
   * JrRouter:transport:
   *
   * Where the senders live: threads of this process, or child processes.
   *
   * Since: 0.1
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, JR_TYPE_TRANSPORT, JR_TRANSPORT_THREADS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrRouter:context:
   *
   * The main context whose thread receives the messages.
   *
   * Since: 0.1
   */
  properties[PROP_CONTEXT] =
    g_param_spec_boxed ("context", NULL, NULL, G_TYPE_MAIN_CONTEXT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrRouter:running:
   *
   * Whether the router is started.
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrRouter:priority:
   *
   * The priority of message dispatch on the main context. The default,
   * %G_PRIORITY_DEFAULT_IDLE, is below GTK's redrawing so a flood of
   * messages cannot starve the window.
   *
   * Since: 0.1
   */
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL, G_MININT, G_MAXINT, G_PRIORITY_DEFAULT_IDLE,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JrRouter::channel-closed:
   * @self: the router
   * @channel_id: the id [method@Jr.Router.prepare_launcher_full] returned
   *
   * Emitted when the child writing to a cross-process queue has gone (exited,
   * crashed, or closed it) and every message it sent has been delivered.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CHANNEL_CLOSED] =
    g_signal_new ("channel-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
jr_router_init (JrRouter *self)
{
  self->priority = G_PRIORITY_DEFAULT_IDLE;
  self->ended_later = g_array_new (FALSE, FALSE, sizeof (EndedBatch));
  self->next_connection_id = 1;
  self->next_channel_id = 1;
}

/**
 * jr_router_new:
 * @transport: where the senders will live
 * @context: (nullable): the main context to deliver on, or %NULL for the
 *   thread-default one
 *
 * Makes a router for pipes whose senders live in @transport, delivering
 * on @context. Start it with [method@Jr.Router.start].
 *
 * Returns: (transfer full): a new router, not yet started
 *
 * Since: 0.1
 */
JrRouter *
jr_router_new (JrTransport   transport,
               GMainContext *context)
{
  return g_object_new (JR_TYPE_ROUTER, "transport", transport, "context", context, NULL);
}

/**
 * jr_router_get_transport:
 * @self: a router
 *
 * Gets where the router's senders live: see [property@Jr.Router:transport].
 *
 * Returns: the router's transport
 *
 * Since: 0.1
 */
JrTransport
jr_router_get_transport (JrRouter *self)
{
  g_return_val_if_fail (JR_IS_ROUTER (self), JR_TRANSPORT_THREADS);
  return self->transport;
}

/**
 * jr_router_get_context:
 * @self: a router
 *
 * Gets the main context the router delivers on: see
 * [property@Jr.Router:context].
 *
 * Returns: (transfer none): the main context messages are delivered on
 *
 * Since: 0.1
 */
GMainContext *
jr_router_get_context (JrRouter *self)
{
  g_return_val_if_fail (JR_IS_ROUTER (self), NULL);
  return self->context;
}

/**
 * jr_router_get_running:
 * @self: a router
 *
 * Gets whether the router is started: see [property@Jr.Router:running].
 *
 * Returns: whether the router is started
 *
 * Since: 0.1
 */
gboolean
jr_router_get_running (JrRouter *self)
{
  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);
  return self->running;
}

/**
 * jr_router_get_n_pipes:
 * @self: a router
 *
 * Gets how many pipes are open: made, and not yet closed with
 * [method@Jr.Router.close_pipe].
 *
 * Returns: how many pipes are open
 *
 * Since: 0.1
 */
guint
jr_router_get_n_pipes (JrRouter *self)
{
  g_return_val_if_fail (JR_IS_ROUTER (self), 0);
  return self->receivers ? g_hash_table_size (self->receivers) : 0;
}

static void
set_running (JrRouter *self,
             gboolean  running)
{
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/**
 * jr_router_start:
 * @self: a router
 * @error: return location for an error
 *
 * Starts routing: attaches the dispatch source to the context and, for the
 * process transport, starts the monitor thread. A stopped router may be
 * started again.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_ALREADY_RUNNING
 *
 * Since: 0.1
 */
gboolean
jr_router_start (JrRouter  *self,
                 GError   **error)
{
  RouterSource *source;

  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);

  if (self->running)
    {
      g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_ALREADY_RUNNING,
                           "The router is already running");
      return FALSE;
    }

  self->generation++;
  /* A new monitor counts its sync tokens from 1 again. */
  self->sync_seen = 0;
  self->inbox = jr_inbox_new (self->context);
  if (self->transport == JR_TRANSPORT_PROCESSES)
    {
      self->bindings = jr_bindings_new (self->next_connection_id);
      self->monitor = jr_monitor_new (self->inbox, self->bindings, error);
      if (self->monitor == NULL)
        {
          g_clear_pointer (&self->bindings, jr_bindings_unref);
          g_clear_pointer (&self->inbox, jr_inbox_unref);
          return FALSE;
        }
    }

  self->receivers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->pins = jr_variant_pins_new ();

  source = (RouterSource *) g_source_new (&router_source_funcs, sizeof (RouterSource));
  source->router = self;
  self->source = (GSource *) source;
  g_source_set_priority (self->source, self->priority);
  /* A handler may run a main loop of its own (a modal dialog, a wait for
   * another future): messages go on being delivered meanwhile, as
   * jr_router_route_until() would deliver them. */
  g_source_set_can_recurse (self->source, TRUE);
  g_source_set_static_name (self->source, "JrRouter dispatch");
  g_source_attach (self->source, self->context);

  set_running (self, TRUE);
  return TRUE;
}

/**
 * jr_router_stop:
 * @self: a router
 * @error: return location for an error
 *
 * Stops routing: joins the monitor thread, closes every cross-process
 * queue and drops messages not yet delivered. Logs a warning when pipes
 * are still open. Senders still sending get %JR_ROUTER_ERROR_NOT_RUNNING
 * (threads) or %JR_ROUTER_ERROR_DISCONNECTED (children).
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_NOT_RUNNING
 *
 * Since: 0.1
 */
gboolean
jr_router_stop (JrRouter  *self,
                GError   **error)
{
  guint n_open;

  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);

  if (!self->running)
    return not_running_error (error);

  n_open = g_hash_table_size (self->receivers);
  if (n_open > 0)
    g_warning ("Router stopped with %u pipe%s still open", n_open, n_open == 1 ? "" : "s");

  g_clear_pointer (&self->monitor, jr_monitor_free);
  g_clear_pointer (&self->bindings, jr_bindings_unref);
  jr_inbox_close (self->inbox);
  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
  /* A handler running now (this stop's caller, maybe) may hold one of
   * its messages. */
  if (self->current != NULL)
    end_batch (self, g_steal_pointer (&self->current), COUNTED_NOWHERE);
  drop_delivered (self);
  g_clear_pointer (&self->inbox, jr_inbox_unref);
  self->last_receiver = NULL;
  g_clear_pointer (&self->receivers, g_hash_table_unref);
  g_clear_pointer (&self->pins, jr_variant_pins_free);
  {
    g_autofree char *summary = jr_warn_limit_take_summary (&self->drop_warnings, 0,
                                                           "before the router stopped");

    if (summary != NULL)
      g_warning ("Dropping messages for closed pipes: %s", summary);
  }

  set_running (self, FALSE);
  return TRUE;
}

static void
make_pipe (JrRouter    *self,
           guint64      channel_id,
           JrSender   **sender,
           JrReceiver **receiver)
{
  guint64 id = self->next_connection_id++;

  /* Bound before anyone can know the id: a child learns it from us. */
  if (self->bindings != NULL)
    jr_bindings_add (self->bindings, id, channel_id);
  *sender = jr_sender_new_for_inbox (id, self->inbox);
  *receiver = jr_receiver_new (id);
  g_hash_table_insert (self->receivers, g_memdup2 (&id, sizeof id), g_object_ref (*receiver));
}

/**
 * jr_router_pipe:
 * @self: a running router
 * @sender: (out) (transfer full): the sending end
 * @receiver: (out) (transfer full): the receiving end
 * @error: return location for an error
 *
 * Makes a pipe. The receiver stays on the router's thread; the sender goes
 * to a worker thread, or its connection id to a child process.
 *
 * With the process transport, the pipe belongs to the first child that
 * sends on it: a message from another child on the same connection id
 * closes that other child's queue as corrupt (a warning names it, and
 * [signal@Jr.Router::channel-closed] follows). Threads of this process may
 * always send on it. To give a pipe to one child before it sends, use
 * [method@Jr.Router.pipe_for_channel].
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_NOT_RUNNING
 *
 * Since: 0.1
 */
gboolean
jr_router_pipe (JrRouter    *self,
                JrSender   **sender,
                JrReceiver **receiver,
                GError     **error)
{
  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (sender != NULL && receiver != NULL, FALSE);

  if (!self->running)
    return not_running_error (error);

  make_pipe (self, 0, sender, receiver);
  return TRUE;
}

/**
 * jr_router_pipe_for_channel:
 * @self: a running router with the process transport
 * @channel_id: the id of a cross-process queue, as
 *   [method@Jr.Router.prepare_launcher_full] returned it
 * @sender: (out) (transfer full): the sending end
 * @receiver: (out) (transfer full): the receiving end
 * @error: return location for an error
 *
 * Makes a pipe whose messages may come only from the child that has the
 * queue @channel_id, or from threads of this process (with @sender). Give
 * the child the pipe's connection id; it sends with
 * [ctor@Jr.Sender.new_for_parent].
 *
 * The router checks every message from a child on the monitor thread,
 * before it reaches the router's thread: a child that sends on a pipe
 * bound to another queue, or claimed by one (see [method@Jr.Router.pipe]),
 * or on a connection id the router never made, has its queue closed as
 * corrupt at that message. That message and everything the child sends
 * after it are dropped, with one warning naming the queue, and
 * [signal@Jr.Router::channel-closed] is emitted for it. Messages for a
 * pipe that was closed with [method@Jr.Router.close_pipe] are dropped with
 * a warning, as from any sender, and do not close the queue.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_NOT_RUNNING, or
 *   %JR_ROUTER_ERROR_FAILED when the router has not the process transport
 *   or made no queue @channel_id
 *
 * Since: 0.2
 */
gboolean
jr_router_pipe_for_channel (JrRouter    *self,
                            guint64      channel_id,
                            JrSender   **sender,
                            JrReceiver **receiver,
                            GError     **error)
{
  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (sender != NULL && receiver != NULL, FALSE);

  if (!self->running)
    return not_running_error (error);
  if (self->transport != JR_TRANSPORT_PROCESSES)
    {
      g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                           "Only a router with the process transport has cross-process queues");
      return FALSE;
    }
  if (channel_id == 0 || channel_id >= self->next_channel_id)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "The router made no cross-process queue %" G_GUINT64_FORMAT, channel_id);
      return FALSE;
    }

  make_pipe (self, channel_id, sender, receiver);
  return TRUE;
}

/**
 * jr_router_close_pipe:
 * @self: a running router
 * @receiver: the receiving end of one of its pipes
 * @error: return location for an error
 *
 * Closes a pipe: later messages for it are dropped with a warning.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_NOT_RUNNING, or
 *   %JR_ROUTER_ERROR_FAILED when @receiver is not an open pipe of @self
 *
 * Since: 0.1
 */
gboolean
jr_router_close_pipe (JrRouter    *self,
                      JrReceiver  *receiver,
                      GError     **error)
{
  guint64 id;

  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (JR_IS_RECEIVER (receiver), FALSE);

  if (!self->running)
    return not_running_error (error);

  id = jr_receiver_get_connection_id (receiver);
  if (g_hash_table_lookup (self->receivers, &id) != receiver)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "Pipe %" G_GUINT64_FORMAT " is not open on this router", id);
      return FALSE;
    }
  self->last_receiver = NULL;
  g_hash_table_remove (self->receivers, &id);
  if (self->bindings != NULL)
    jr_bindings_remove (self->bindings, id);
  return TRUE;
}

/* Asks for a marker behind everything already sent. */
static guint64
request_sync (JrRouter *self)
{
  JrBatch *marker;

  if (self->monitor != NULL)
    {
      /* Thread senders of a process router push straight into the inbox, and
       * the monitor's marker goes in after those already pushed. */
      return jr_monitor_request_sync (self->monitor);
    }

  marker = jr_batch_new (JR_BATCH_SYNC, 0, ++self->next_sync_token);
  jr_inbox_push (self->inbox, marker);
  return self->next_sync_token;
}

/* Delivers the batches queued now, and no more: what producers push
 * meanwhile cannot keep us. Returns TRUE once @condition holds. */
static gboolean
route_queued (JrRouter        *self,
              JrConditionFunc  condition,
              gpointer         user_data)
{
  guint64 last = self->n_popped + jr_inbox_get_n_queued (self->inbox);

  while (self->running && (self->current != NULL || self->n_popped < last))
    {
      if (!route_one (self, 0))
        break;
      if (condition (user_data))
        return TRUE;
    }
  return FALSE;
}

/* Whether route_until() may stop waiting for the sync marker @token
 * (asked for at @asked) at @now. */
static gboolean
sync_wait_over (JrRouter *self,
                guint64   token,
                gint64    asked,
                gint64    now)
{
  if (now - asked >= SYNC_WAIT_MAX_USEC)
    return TRUE;
  return now - asked >= SYNC_WAIT_USEC &&
         (self->monitor == NULL || jr_monitor_sync_looked_at (self->monitor, token));
}

static gboolean
route_until (JrRouter         *self,
             JrConditionFunc   condition,
             gpointer          user_data,
             gint64            timeout_usec,
             GError          **error)
{
  gint64 deadline, asked = 0;
  guint64 token = 0;

  if (!self->running)
    return not_running_error (error);

  deadline = jr_deadline_after (timeout_usec);

  for (;;)
    {
      gint64 now;

      if (condition (user_data))
        return TRUE;
      if (!self->running)
        return not_running_error (error);

      now = g_get_monotonic_time ();
      if (now < deadline)
        {
          /* In slices: GLib's timed wait adds the wait to its own clock, and
           * "no deadline" would overflow it. */
          route_one (self, MIN (deadline - now, G_USEC_PER_SEC));
          continue;
        }

      /* Past the deadline: deliver what was sent before it, then give up. */
      if (token == 0)
        {
          token = request_sync (self);
          asked = now;
        }
      if (self->sync_seen >= token && self->current == NULL)
        break;
      if (!sync_wait_over (self, token, asked, now))
        {
          route_one (self, MAX (asked + SYNC_WAIT_USEC - now, SYNC_LOOK_USEC));
          continue;
        }

      /* The marker did not come in time (children keep the monitor from
       * reading as far, or handlers keep the inbox full): what reached
       * the inbox is delivered, the rest waits for the next dispatch. */
      if (route_queued (self, condition, user_data))
        return TRUE;
      if (!self->running)
        return not_running_error (error);
      break;
    }

  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
               "Timed out after %" G_GINT64_FORMAT " ms", timeout_usec / 1000);
  return FALSE;
}

/**
 * jr_router_route_until:
 * @self: a running router
 * @condition: (scope call) (closure user_data): returns %TRUE when routing may stop
 * @user_data: (closure): data for @condition
 * @timeout_usec: how long to route at most, in µs; negative for no limit
 * @error: return location for an error
 *
 * Delivers messages by hand, without the main loop, until @condition holds.
 * The condition is checked first and after every message. @timeout_usec
 * is a duration, not a [func@GLib.get_monotonic_time] value; the deadline
 * it sets is fixed when the call starts: messages do not extend it, and
 * nothing a child process does can. When it passes, every message sent
 * before then is still delivered
 * (so a timeout of 0 delivers what was already sent) before the call gives
 * up — but the call waits at most 50 ms past the deadline for the
 * router's monitor thread to have read the children's queues that far.
 * After that it delivers what has reached the router by then and returns:
 * at most about 100 ms after the deadline, plus the time @condition and
 * the receivers' handlers take for those messages (the router holds at
 * most 16 MiB or 16 384 of them). Messages it leaves are delivered later,
 * in order. (On a machine so loaded that the monitor thread does not run
 * within those 50 ms, the call waits until it has run, 1 s at most.) Ordinary dispatch from the main context goes on afterwards,
 * and may be mixed with further calls.
 *
 * Returns: %TRUE once @condition holds, or %FALSE with
 *   %JR_ROUTER_ERROR_TIMED_OUT or %JR_ROUTER_ERROR_NOT_RUNNING
 *
 * Since: 0.1
 */
gboolean
jr_router_route_until (JrRouter         *self,
                       JrConditionFunc   condition,
                       gpointer          user_data,
                       gint64            timeout_usec,
                       GError          **error)
{
  gboolean done;

  g_return_val_if_fail (JR_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  done = route_until (self, condition, user_data, timeout_usec, error);
  drop_delivered (self);
  return done;
}

/**
 * jr_router_prepare_launcher_full:
 * @self: a running router with the process transport
 * @launcher: a launcher that will spawn exactly one child
 * @error: return location for an error
 *
 * Gives the child that @launcher spawns its own cross-process queue to this
 * router: a shared-memory ring and a socket pair, passed as file
 * descriptors (nothing on the filesystem). In the child,
 * [ctor@Jr.Sender.new_for_parent] then works. Free @launcher once it has
 * spawned: until then the router cannot see the child exit. When the child
 * is gone and its messages are delivered, [signal@Jr.Router::channel-closed]
 * is emitted with the returned id.
 *
 * The descriptors keep in the child the numbers they have here (the
 * environment variable `JOBROUTER_CHANNEL_FDS` names them), so they fit
 * any descriptor limit; do not map other descriptors of @launcher to the
 * same numbers. The ring's memory is sealed to its size: a child cannot
 * shrink it under the router.
 *
 * The returned id also names the child for its pipes: a pipe made with
 * [method@Jr.Router.pipe_for_channel] and this id takes messages from this
 * child only (and from threads of this process). A child that sends on a
 * pipe that is not its own has its queue closed as corrupt.
 *
 * Returns: the id of the new queue, or 0 with an error
 *
 * Since: 0.1
 */
guint64
jr_router_prepare_launcher_full (JrRouter             *self,
                                 GSubprocessLauncher  *launcher,
                                 GError              **error)
{
  JrChannel *channel;
  guint64 id;

  g_return_val_if_fail (JR_IS_ROUTER (self), 0);
  g_return_val_if_fail (G_IS_SUBPROCESS_LAUNCHER (launcher), 0);

  if (!self->running)
    return not_running_error (error);
  if (self->transport != JR_TRANSPORT_PROCESSES)
    {
      g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                           "Only a router with the process transport can prepare a launcher");
      return 0;
    }

  id = self->next_channel_id++;
  channel = jr_channel_new_for_launcher (launcher, id, error);
  if (channel == NULL)
    return 0;
  jr_monitor_add_channel (self->monitor, channel);
  return id;
}

/**
 * jr_router_add_stream:
 * @self: a running router with the process transport
 * @fd: a file descriptor to read: the end of a pipe or socket, or the
 *   standard output of a launcher, whose other end one child writes to;
 *   the router takes it
 * @error: return location for an error
 *
 * Makes a cross-process queue over a byte stream: the *stream transport*.
 * The child (or a worker on another machine, through `ssh` or `srun`)
 * writes on it with senders made by [ctor@Jr.Sender.new_for_parent] once
 * it has called [func@Jr.Sender.set_parent_stream]. Nothing but the bytes
 * passes: no shared memory, no passed descriptors, no shared file system.
 *
 * The stream gets what a ring gets: the same frames, checked the same way
 * on the monitor thread (a bad frame is dropped with a warning; lost
 * framing or another child's pipe closes the queue as corrupt), the same
 * order per sender, the same memory bound (each stream adds a buffer of
 * 1 MiB, as each ring is 1 MiB), the same deadlines for
 * [method@Jr.Router.route_until] (what the stream holds when the deadline
 * passes counts as sent before it), and the same bindings: the returned id
 * names the queue for [method@Jr.Router.pipe_for_channel]. When the
 * stream ends (the child exited or crashed, or the connection dropped)
 * and everything read from it is delivered,
 * [signal@Jr.Router::channel-closed] is emitted with the returned id.
 *
 * Frames are in host byte order: both ends must have the same.
 *
 * Returns: the id of the new queue, or 0 with an error (@fd is closed
 *   then too)
 *
 * Since: 0.2
 */
guint64
jr_router_add_stream (JrRouter  *self,
                      int        fd,
                      GError   **error)
{
  JrChannel *channel;
  guint64 id;

  g_return_val_if_fail (JR_IS_ROUTER (self), 0);
  g_return_val_if_fail (fd >= 0, 0);

  if (!self->running || self->transport != JR_TRANSPORT_PROCESSES)
    {
      close (fd);
      if (!self->running)
        return not_running_error (error);
      g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                           "Only a router with the process transport reads streams");
      return 0;
    }

  id = self->next_channel_id++;
  channel = jr_channel_new_for_stream (id, fd, error);
  if (channel == NULL)
    return 0;
  jr_monitor_add_channel (self->monitor, channel);
  return id;
}

guint64
jr_router_prepare_child (JrRouter    *self,
                         JrChildFds  *child,
                         GError     **error)
{
  JrChannel *channel;
  guint64 id;

  g_return_val_if_fail (JR_IS_ROUTER (self), 0);
  g_return_val_if_fail (self->transport == JR_TRANSPORT_PROCESSES, 0);

  if (!self->running)
    return not_running_error (error);

  id = self->next_channel_id++;
  channel = jr_channel_new_for_child (id, child, error);
  if (channel == NULL)
    return 0;
  jr_monitor_add_channel (self->monitor, channel);
  return id;
}

/**
 * jr_router_prepare_launcher:
 * @self: a running router with the process transport
 * @launcher: a launcher that will spawn exactly one child
 *
 * Like [method@Jr.Router.prepare_launcher_full], logging a warning on
 * failure.
 *
 * Since: 0.1
 */
void
jr_router_prepare_launcher (JrRouter            *self,
                            GSubprocessLauncher *launcher)
{
  g_autoptr(GError) error = NULL;

  if (jr_router_prepare_launcher_full (self, launcher, &error) == 0 && error != NULL)
    g_warning ("Could not prepare a launcher: %s", error->message);
}
