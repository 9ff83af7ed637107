/* jr-sender.c — the sending end of a pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A sender made by the router pushes into the router's inbox directly; one
 * made in a child with jr_sender_new_for_parent() writes frames into the
 * ring the child inherited. Either way it is single-use:
 * INITIAL → OPEN (start) → CLOSED (stop).
 */
#include "jr-sender-private.h"

#include "jr-channel-private.h"
#include "jr-frame-private.h"

#include <string.h>

/**
 * JrSender:
 *
 * The worker end of a pipe made by [method@Jr.Router.pipe]. Start it, send
 * messages, stop it. For the process transport, pass its connection id to
 * the child, which makes its own sender with
 * [ctor@Jr.Sender.new_for_parent].
 *
 * Since: 0.1
 */

typedef enum {
  SENDER_INITIAL,
  SENDER_OPEN,
  SENDER_CLOSED,
} SenderState;

struct _JrSender {
  GObject      parent_instance;
  guint64      connection_id;
  SenderState  state;
  JrInbox     *inbox;    /* in-process sender */
  JrStage     *stage;
  JrChannel   *channel;  /* child-process sender; not owned */
};

G_DEFINE_FINAL_TYPE (JrSender, jr_sender, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
jr_sender_finalize (GObject *object)
{
  JrSender *self = JR_SENDER (object);

  g_clear_pointer (&self->inbox, jr_inbox_unref);
  if (self->stage != NULL)
    jr_stage_close (self->stage);
  g_clear_pointer (&self->stage, jr_stage_unref);
  G_OBJECT_CLASS (jr_sender_parent_class)->finalize (object);
}

static void
jr_sender_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JrSender *self = JR_SENDER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION_ID:
      g_value_set_uint64 (value, self->connection_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_sender_class_init (JrSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jr_sender_finalize;
  object_class->get_property = jr_sender_get_property;

  /**
   * JrSender:connection-id:
   *
   * The id shared with the matching receiver.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTION_ID] =
    g_param_spec_uint64 ("connection-id", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jr_sender_init (JrSender *self)
{
}

JrSender *
jr_sender_new_for_inbox (guint64  connection_id,
                         JrInbox *inbox)
{
  JrSender *self = g_object_new (JR_TYPE_SENDER, NULL);

  self->connection_id = connection_id;
  self->inbox = jr_inbox_ref (inbox);
  self->stage = jr_stage_new ();
  return self;
}

/**
 * jr_sender_new_for_parent:
 * @connection_id: the id of a pipe the parent made (its
 *   [method@Jr.Sender.get_connection_id])
 * @error: return location for an error
 *
 * Makes a sender in a child process that was spawned with a launcher given
 * to [method@Jr.Router.prepare_launcher]. Any thread of the child may call
 * this; all senders of a process share its queue.
 *
 * The pipe must be this child's: one the parent bound to its queue with
 * [method@Jr.Router.pipe_for_channel], or one made with
 * [method@Jr.Router.pipe] that no other child has sent on (the first child
 * to send on it claims it). When a message goes on any other connection
 * id, the parent closes this child's whole queue as corrupt: that message
 * and all that follow are dropped, and senders then fail with
 * %JR_ROUTER_ERROR_DISCONNECTED (not necessarily at once). Messages for a
 * pipe the parent has closed are only dropped.
 *
 * Returns: (transfer full): a new sender, or %NULL with
 *   %JR_ROUTER_ERROR_NO_PARENT when this process has no router queue
 *
 * Since: 0.1
 */
JrSender *
jr_sender_new_for_parent (guint64   connection_id,
                          GError  **error)
{
  JrChannel *channel = jr_channel_get_for_parent (error);
  JrSender *self;

  if (channel == NULL)
    return NULL;

  self = g_object_new (JR_TYPE_SENDER, NULL);
  self->connection_id = connection_id;
  self->channel = channel;
  return self;
}

/**
 * jr_sender_set_parent_stream:
 * @fd: the descriptor to write on: this process's standard output, say,
 *   which the parent reads with [method@Jr.Router.add_stream]; it is
 *   taken (made close-on-exec and non-blocking), and closed on failure
 * @error: return location for an error
 *
 * Makes this process's queue to its parent a byte stream, for a child
 * whose parent reads it with [method@Jr.Router.add_stream] (a worker
 * started through `ssh` or `srun`, say): from now on every sender made
 * with [ctor@Jr.Sender.new_for_parent] writes its frames on @fd. Call it
 * once, before the first such sender, and before any thread may make one.
 *
 * A thread of the library writes the frames out, as many per system call
 * as have piled up; a sender waits while 1 MiB is not written yet.
 * [method@Jr.Sender.stop] returns once the sender's messages are written,
 * so that a process may exit right after. Once the parent has stopped
 * reading (it has gone), sends fail with %JR_ROUTER_ERROR_DISCONNECTED;
 * the process does not get SIGPIPE.
 *
 * Nothing else may write on @fd: a program that used it as its standard
 * output should point `STDOUT_FILENO` elsewhere (at standard error, say)
 * after duplicating it.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_FAILED when this process
 *   has made a sender for its parent already
 *
 * Since: 0.2
 */
gboolean
jr_sender_set_parent_stream (int      fd,
                             GError **error)
{
  g_return_val_if_fail (fd >= 0, FALSE);

  return jr_channel_set_parent_stream (fd, NULL, NULL, error);
}

static gboolean
state_error (GError    **error,
             const char *what,
             SenderState state)
{
  static const char *names[] = { "not started", "open", "stopped" };

  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_SENDER_STATE,
               "Cannot %s a sender that is %s (senders are single-use)", what, names[state]);
  return FALSE;
}

static gboolean
too_large_error (GError **error,
                 gsize    size)
{
  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE,
               "Message of %" G_GSIZE_FORMAT " bytes is over the limit of %u bytes",
               size, JR_MESSAGE_SIZE_MAX);
  return FALSE;
}

static gboolean
not_normal_error (GError    **error,
                  const char *type_string)
{
  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE,
               "The value of type %s is not in normal form", type_string);
  return FALSE;
}

/**
 * jr_sender_start:
 * @self: a sender
 * @error: return location for an error
 *
 * Opens the sender. A sender is started once.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_SENDER_STATE
 *
 * Since: 0.1
 */
gboolean
jr_sender_start (JrSender  *self,
                 GError   **error)
{
  g_return_val_if_fail (JR_IS_SENDER (self), FALSE);

  if (self->state != SENDER_INITIAL)
    return state_error (error, "start", self->state);
  self->state = SENDER_OPEN;
  return TRUE;
}

/* Whether the parent, which checks what a child writes as GLib checks
 * untrusted data, will take @value. A value made here is trusted, and
 * passes GLib's checks whatever its depth; through variants ("v") it may
 * nest deeper than GLib takes from outside. Types without one are bounded
 * by their own nesting, which GLib checked when it made them. */
static gboolean
acceptable_to_parent (GVariant  *value,
                      GError   **error)
{
  if (strchr (g_variant_get_type_string (value), 'v') == NULL ||
      jr_frame_value_readable (value))
    return TRUE;
  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE,
               "A message of type %s nests values more deeply than GLib accepts from "
               "another process", g_variant_get_type_string (value));
  return FALSE;
}

/**
 * jr_sender_send:
 * @self: a started sender
 * @message: (transfer floating): the message
 * @error: return location for an error
 *
 * Sends @message to the matching receiver. May wait while the router's
 * queues are full. Consumes a floating reference to @message.
 *
 * A sender in a child process refuses a value that nests more deeply
 * than GLib accepts from another process (through variants), with
 * %JR_ROUTER_ERROR_INVALID_MESSAGE: its receiver would never see it.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_SENDER_STATE,
 *   %JR_ROUTER_ERROR_MESSAGE_TOO_LARGE, %JR_ROUTER_ERROR_NOT_RUNNING,
 *   %JR_ROUTER_ERROR_DISCONNECTED or %JR_ROUTER_ERROR_INVALID_MESSAGE
 *
 * Since: 0.1
 */
gboolean
jr_sender_send (JrSender  *self,
                GVariant  *message,
                GError   **error)
{
  g_autoptr(GVariant) owned = NULL;
  gsize size;

  g_return_val_if_fail (JR_IS_SENDER (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  /* As g_variant_ref_sink(), without its lock: a floating value is not
   * shared yet. */
  owned = g_variant_is_floating (message) ? g_variant_take_ref (message) : g_variant_ref (message);

  if (self->state != SENDER_OPEN)
    return state_error (error, "send on", self->state);

  if (self->channel != NULL)
    {
      /* The parent checks what a child writes, and drops what is not in
       * normal form: send the normal form (as a thread sender's value
       * arrives as it is, whatever its form). Cheap for trusted values. */
      if (!g_variant_is_normal_form (owned))
        {
          GVariant *normal = g_variant_get_normal_form (owned);

          g_variant_unref (owned);
          owned = normal;
        }
      if (!acceptable_to_parent (owned, error))
        return FALSE;
      return jr_channel_write_message (self->channel, self->connection_id, owned, error);
    }

  size = g_variant_get_size (owned);
  if (size > JR_MESSAGE_SIZE_MAX)
    return too_large_error (error, size);

  return jr_inbox_stage (self->inbox, self->stage, self->connection_id,
                         g_steal_pointer (&owned), size, error);
}

/**
 * jr_sender_send_data:
 * @self: a started sender
 * @type: a definite type
 * @data: (array length=size) (element-type guint8): the serialized value,
 *   in normal form, as [method@GLib.Variant.get_data] gives it
 * @size: the size of @data
 * @error: return location for an error
 *
 * Sends the value of @type serialized at @data, as [method@Jr.Sender.send]
 * would send `g_variant_new_from_data (type, data, size, …)`. @data is
 * copied: the caller keeps it.
 *
 * This is the fast way for a worker thread to send many small messages.
 * For a value that is a number, an array of numbers, or a tuple of numbers
 * that may end with an array of numbers, the sender makes no GVariant at
 * all: the router's thread makes it. Making and freeing GVariants of
 * container types takes a lock global to GLib, which sender threads would
 * otherwise take against each other for every message.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_INVALID_MESSAGE when the
 *   value is not in normal form, or with an error as for
 *   [method@Jr.Sender.send]
 *
 * Since: 0.1
 */
gboolean
jr_sender_send_data (JrSender           *self,
                     const GVariantType *type,
                     gconstpointer       data,
                     gsize               size,
                     GError            **error)
{
  char type_string[JR_FRAME_TYPE_MAX];
  gsize type_length;
  int normal;

  g_return_val_if_fail (JR_IS_SENDER (self), FALSE);
  g_return_val_if_fail (type != NULL && g_variant_type_is_definite (type), FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  if (self->state != SENDER_OPEN)
    return state_error (error, "send on", self->state);
  if (size > JR_MESSAGE_SIZE_MAX)
    return too_large_error (error, size);

  /* A GVariantType need not end where its string does: copy it to check
   * it and to frame it. No frame carries one longer than the copy. */
  type_length = g_variant_type_get_string_length (type);
  if (type_length < sizeof type_string)
    {
      memcpy (type_string, g_variant_type_peek_string (type), type_length);
      type_string[type_length] = '\0';
      normal = jr_frame_numeric_is_normal (type_string, data, size);
    }
  else
    {
      g_strlcpy (type_string, "(a type too long to show)", sizeof type_string);
      normal = -1;
    }
  if (normal == 0)
    return not_normal_error (error, type_string);

  if (normal < 0)
    {
      /* A layout with framing offsets: GLib checks it. */
      gpointer copy = g_memdup2 (data, size);
      g_autoptr(GVariant) value =
        g_variant_ref_sink (g_variant_new_from_data (type, copy, size, FALSE, g_free, copy));

      if (!g_variant_is_normal_form (value))
        return not_normal_error (error, type_string);
      if (self->channel == NULL || type_length >= sizeof type_string)
        return jr_sender_send (self, value, error);
    }

  if (self->channel != NULL)
    return jr_channel_write_data (self->channel, self->connection_id, type_string, data, size, error);
  return jr_inbox_stage_data (self->inbox, self->stage, self->connection_id, type_string, data, size,
                              error);
}

gboolean
jr_sender_send_data_deferred (JrSender           *self,
                              const GVariantType *type,
                              gconstpointer       data,
                              gsize               size,
                              GError            **error)
{
  g_autofree char *type_string = NULL;

  /* In-process senders never ring a doorbell: nothing to defer. */
  if (self->channel == NULL || self->state != SENDER_OPEN ||
      jr_frame_numeric_is_normal (g_variant_type_peek_string (type), data, size) != 1)
    return jr_sender_send_data (self, type, data, size, error);
  type_string = g_variant_type_dup_string (type);
  return jr_channel_write_data_deferred (self->channel, self->connection_id, type_string, data,
                                         size, error);
}

/**
 * jr_sender_stop:
 * @self: a started sender
 * @error: return location for an error
 *
 * Closes the sender; it cannot be started again. In a child whose queue
 * is a stream ([func@Jr.Sender.set_parent_stream]) it returns once the
 * messages sent are written out.
 *
 * Returns: %TRUE, or %FALSE with %JR_ROUTER_ERROR_SENDER_STATE
 *
 * Since: 0.1
 */
gboolean
jr_sender_stop (JrSender  *self,
                GError   **error)
{
  g_return_val_if_fail (JR_IS_SENDER (self), FALSE);

  if (self->state != SENDER_OPEN)
    return state_error (error, "stop", self->state);
  self->state = SENDER_CLOSED;
  /* A stream's messages are written out by another thread: they are on
   * their way when this returns, and the process may exit. */
  if (self->channel != NULL)
    jr_channel_flush (self->channel, NULL);
  /* Free on this thread what the router has given back so far. */
  if (self->stage != NULL)
    jr_stage_close (self->stage);
  return TRUE;
}

/**
 * jr_sender_get_connection_id:
 * @self: a sender
 *
 * Gets the id of the sender's pipe. For the process transport, hand it to
 * the child, which passes it to [ctor@Jr.Sender.new_for_parent].
 *
 * Returns: the id shared with the matching [class@Jr.Receiver]
 *
 * Since: 0.1
 */
guint64
jr_sender_get_connection_id (JrSender *self)
{
  g_return_val_if_fail (JR_IS_SENDER (self), 0);
  return self->connection_id;
}

gboolean
jr_sender_flush (JrSender  *self,
                 GError   **error)
{
  return self->channel == NULL || jr_channel_flush (self->channel, error);
}
