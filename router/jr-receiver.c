/* jr-receiver.c — the receiving end of a pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-receiver-private.h"

#include "jobrouter.h"

/**
 * JrReceiver:
 *
 * The main-thread end of a pipe made by [method@Jr.Router.pipe]. Every
 * message sent on the matching [class@Jr.Sender] is emitted once, in order,
 * as [signal@Jr.Receiver::message], on the router's thread.
 *
 * Since: 0.1
 */
struct _JrReceiver {
  GObject parent_instance;
  guint64 connection_id;
  JrReceiverFunc func;      /* the library's own handler, instead of the signal */
  gpointer func_data;
  JrReceiverDataFunc data_func;   /* ... offered serialized messages first */
};

G_DEFINE_FINAL_TYPE (JrReceiver, jr_receiver, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION_ID,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
jr_receiver_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JrReceiver *self = JR_RECEIVER (object);

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
jr_receiver_class_init (JrReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = jr_receiver_get_property;

  /**
   * JrReceiver:connection-id:
   *
   * The id shared with the matching sender.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTION_ID] =
    g_param_spec_uint64 ("connection-id", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JrReceiver::message:
   * @self: the receiver
   * @message: (transfer none): the message, as sent
   *
   * Emitted on the router's thread for each message of the pipe. The
   * message is lent for the emission only (static scope: it is not
   * reference-counted on the way in): take a reference to keep it.
   *
   * Since: 0.1
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, g_cclosure_marshal_VOID__VARIANT,
                  G_TYPE_NONE, 1, G_TYPE_VARIANT | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__VARIANTv);
}

static void
jr_receiver_init (JrReceiver *self)
{
}

JrReceiver *
jr_receiver_new (guint64 connection_id)
{
  JrReceiver *self = g_object_new (JR_TYPE_RECEIVER, NULL);

  self->connection_id = connection_id;
  return self;
}

void
jr_receiver_set_func (JrReceiver     *self,
                      JrReceiverFunc  func,
                      gpointer        data)
{
  self->func = func;
  self->func_data = data;
}

void
jr_receiver_set_data_func (JrReceiver         *self,
                           JrReceiverDataFunc  func)
{
  self->data_func = func;
}

gboolean
jr_receiver_has_data_func (JrReceiver *self)
{
  return self->data_func != NULL;
}

gboolean
jr_receiver_offer_data (JrReceiver    *self,
                        const char    *type,
                        gconstpointer  data,
                        gsize          size)
{
  gboolean taken;

  if (self->data_func == NULL)
    return FALSE;
  g_object_ref (self);
  taken = self->data_func (self, type, data, size, self->func_data);
  g_object_unref (self);
  return taken;
}

void
jr_receiver_emit_message (JrReceiver *self,
                          GVariant   *message)
{
  /* The executor's pipes: a direct call costs a fraction of an emission,
   * and an executor's job pays for two of them. The receiver is held
   * across the call, as an emission holds its instance. */
  if (self->func != NULL)
    {
      g_object_ref (self);
      self->func (self, message, self->func_data);
      g_object_unref (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
}

/**
 * jr_receiver_get_connection_id:
 * @self: a receiver
 *
 * Gets the id of the receiver's pipe: see
 * [property@Jr.Receiver:connection-id].
 *
 * Returns: the id shared with the matching [class@Jr.Sender]
 *
 * Since: 0.1
 */
guint64
jr_receiver_get_connection_id (JrReceiver *self)
{
  g_return_val_if_fail (JR_IS_RECEIVER (self), 0);
  return self->connection_id;
}
