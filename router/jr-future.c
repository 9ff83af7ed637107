/* jr-future.c — the main-thread view of one submitted job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A future is a small state machine driven by the executor through
 * jr-future-private.h. A state change sets every field it changes first,
 * then notifies them in one fixed order, so that when `state` notifies,
 * the properties derived from it (`done`, `cancellable-now`, the times,
 * the result or the error) already hold their new values. (Not through
 * g_object_freeze_notify(): its queue costs more than the rest of a job's
 * trip through the executor.)
 */
#include <math.h>

#include "jr-future.h"
#include "jr-future-private.h"

G_DEFINE_ENUM_TYPE (JrFutureState, jr_future_state,
  G_DEFINE_ENUM_VALUE (JR_FUTURE_STATE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (JR_FUTURE_STATE_EXECUTING, "executing"),
  G_DEFINE_ENUM_VALUE (JR_FUTURE_STATE_CANCELLING, "cancelling"),
  G_DEFINE_ENUM_VALUE (JR_FUTURE_STATE_COMPLETED, "completed"),
  G_DEFINE_ENUM_VALUE (JR_FUTURE_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (JR_FUTURE_STATE_CANCELLED, "cancelled"))

G_DEFINE_ENUM_TYPE (JrJobKind, jr_job_kind,
  G_DEFINE_ENUM_VALUE (JR_JOB_KIND_CALL, "call"),
  G_DEFINE_ENUM_VALUE (JR_JOB_KIND_PROGRESS, "progress"),
  G_DEFINE_ENUM_VALUE (JR_JOB_KIND_ITERATION, "iteration"))

/**
 * JrFuture:
 *
 * The main-thread view of one job submitted to a [class@Jr.Executor].
 *
 * Its properties are meant to be bound to widgets: they change only on the
 * thread of the executor's main context, and notify only on real changes.
 * A change is notified to the handlers connected when it happens (of
 * [signal@GObject.Object::notify], with or without the property's name as
 * its detail, as bindings and expressions connect): with none connected it
 * is not emitted at all, so neither an emission hook on `notify` nor a
 * handler connected while notifications are frozen sees it.
 * [property@Jr.Future:state] changes are delivered as they happen;
 * progress arrives at most as fast as the executor dispatches it.
 *
 * Cancelling, with [method@Jr.Future.cancel] or by cancelling
 * [property@Jr.Future:cancellable], moves a waiting or executing future to
 * %JR_FUTURE_STATE_CANCELLING at once; from then on no progress, yield,
 * result or error reaches it, and it ends %JR_FUTURE_STATE_CANCELLED when
 * the job has really stopped.
 *
 * Since: 0.1
 */
struct _JrFuture
{
  GObject parent_instance;

  JrFutureState state;
  JrJobKind kind;
  char *job_name;
  char *title;                  /* NULL: use job_name */

  GCancellable *cancellable;    /* made when first asked for */
  gulong cancelled_id;
  JrFutureCancelFunc cancel_func;
  gpointer cancel_data;

  double progress;              /* -1: unknown */
  char *progress_text;

  GVariant *result;
  GError *error;

  gint64 queued_time;
  gint64 start_time;
  gint64 end_time;

  char *worker_group;           /* where it last started */
  char *worker_host;

  /* Where the future lives: "cancelled" may be emitted on another thread,
   * and the state must only change here. */
  GThread *owner;
  GMainContext *context;
};

G_DEFINE_FINAL_TYPE (JrFuture, jr_future, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_DONE,
  PROP_KIND,
  PROP_JOB_NAME,
  PROP_TITLE,
  PROP_CANCELLABLE,
  PROP_PROGRESS,
  PROP_PROGRESS_TEXT,
  PROP_RESULT,
  PROP_ERROR,
  PROP_QUEUED_TIME,
  PROP_START_TIME,
  PROP_END_TIME,
  PROP_CANCELLABLE_NOW,
  PROP_WORKER_GROUP,
  PROP_WORKER_HOST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_YIELDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
state_is_done (JrFutureState state)
{
  return state == JR_FUTURE_STATE_COMPLETED ||
         state == JR_FUTURE_STATE_FAILED ||
         state == JR_FUTURE_STATE_CANCELLED;
}

static gboolean
state_is_cancellable (JrFutureState state)
{
  return state == JR_FUTURE_STATE_WAITING ||
         state == JR_FUTURE_STATE_EXECUTING;
}

/* Properties changed by a transition, as bits (1 << PROP_…). */
typedef guint32 Changes;

#define CHANGED(prop) ((Changes) 1 << (prop))

/* GObject::notify, looked up once in class_init. */
static guint notify_signal;

/* Whether a handler waits for notify::<@detail> (0: for every notify). */
static gboolean
has_notify_handler (JrFuture *self,
                    GQuark    detail)
{
  return g_signal_has_handler_pending (self, notify_signal, detail, TRUE);
}

/* Notifies the changed properties in one fixed order (data first, `state`
 * after what it implies), each once.
 *
 * Only those somebody listens to: GLib 2.74 emits GObject::notify, at
 * about a microsecond each, whether or not a handler waits for it, and a
 * job's trip notifies nine times (GLib 2.76 skips objects with no notify
 * handler at all; this skips per property). A handler of "notify" or of
 * "notify::<prop>" (bindings and expressions connect those) sees every
 * notification it would have; one connected by a handler of an earlier
 * notification is seen too. JrFuture is final and overrides neither
 * notify() nor dispatch_properties_changed(). */
static void
notify_changes (JrFuture *self,
                Changes   changes)
{
  static const guint order[] = {
    PROP_WORKER_GROUP, PROP_WORKER_HOST, PROP_PROGRESS, PROP_PROGRESS_TEXT, PROP_TITLE,
    PROP_START_TIME, PROP_RESULT, PROP_ERROR, PROP_END_TIME, PROP_STATE, PROP_DONE,
    PROP_CANCELLABLE_NOW,
  };
  int undetailed = -1;   /* unknown */

  for (guint i = 0; i < G_N_ELEMENTS (order) && changes != 0; i++)
    {
      GParamSpec *pspec = properties[order[i]];

      if (!(changes & CHANGED (order[i])))
        continue;
      changes &= ~CHANGED (order[i]);
      if (undetailed < 0)
        undetailed = has_notify_handler (self, 0);
      if (!undetailed && !has_notify_handler (self, g_param_spec_get_name_quark (pspec)))
        continue;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
      /* Its handlers may have connected or disconnected others. */
      undetailed = -1;
    }
}

/* Moves to @state and sets what is derived from it; returns what changed,
 * for notify_changes() once every field of the transition is set. */
static Changes
set_state (JrFuture      *self,
           JrFutureState  state)
{
  JrFutureState old = self->state;
  Changes changes = 0;

  if (old == state)
    return 0;

  self->state = state;
  changes |= CHANGED (PROP_STATE);
  if (state_is_done (state) && self->end_time == 0)
    {
      self->end_time = g_get_monotonic_time ();
      changes |= CHANGED (PROP_END_TIME);
    }
  if (state_is_done (old) != state_is_done (state))
    changes |= CHANGED (PROP_DONE);
  if (state_is_cancellable (old) != state_is_cancellable (state))
    changes |= CHANGED (PROP_CANCELLABLE_NOW);
  return changes;
}

/* WAITING or EXECUTING → CANCELLING. Returns FALSE if the state did not
 * allow it. With @tell_executor, the executor's cancel function runs on
 * this (the future's) thread, before anyone hears of the change. */
static gboolean
enter_cancelling (JrFuture *self,
                  gboolean  tell_executor)
{
  guint changes;

  if (!state_is_cancellable (self->state))
    return FALSE;

  changes = set_state (self, JR_FUTURE_STATE_CANCELLING);
  /* The executor first (it ends nothing here, it only sends the cancel
   * on its way): a handler of the change may shut the executor down,
   * which waits for this job to end. */
  if (tell_executor && self->cancel_func != NULL)
    self->cancel_func (self, self->cancel_data);
  notify_changes (self, changes);

  return TRUE;
}

static gboolean
cancelled_on_owner_thread (gpointer user_data)
{
  JrFuture *self = user_data;

  enter_cancelling (self, TRUE);

  return G_SOURCE_REMOVE;
}

static void cancel_on_own_thread (JrFuture *self);

static void
on_cancellable_cancelled (GCancellable *cancellable,
                          JrFuture     *self)
{
  if (g_thread_self () == self->owner)
    {
      /* A notify handler may drop the last other reference. */
      g_object_ref (self);
      enter_cancelling (self, TRUE);
      g_object_unref (self);
      return;
    }
  cancel_on_own_thread (self);
}

/* Cancelled from another thread: the state may only change on the
 * future's own thread, so hop there. */
static void
cancel_on_own_thread (JrFuture *self)
{
  g_autoptr(GSource) source = NULL;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, cancelled_on_owner_thread,
                         g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[jobrouter] future cancelled");
  g_source_attach (source, self->context);
}

static void
jr_future_dispose (GObject *object)
{
  JrFuture *self = JR_FUTURE (object);

  /* Others may keep the cancellable alive and cancel it after we are gone. */
  g_clear_signal_handler (&self->cancelled_id, self->cancellable);

  G_OBJECT_CLASS (jr_future_parent_class)->dispose (object);
}

static void
jr_future_finalize (GObject *object)
{
  JrFuture *self = JR_FUTURE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->job_name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->progress_text, g_free);
  g_clear_pointer (&self->worker_group, g_free);
  g_clear_pointer (&self->worker_host, g_free);
  g_clear_pointer (&self->result, g_variant_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (jr_future_parent_class)->finalize (object);
}

static void
jr_future_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JrFuture *self = JR_FUTURE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DONE:
      g_value_set_boolean (value, jr_future_get_done (self));
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_JOB_NAME:
      g_value_set_string (value, self->job_name);
      break;
    case PROP_TITLE:
      g_value_set_string (value, jr_future_get_title (self));
      break;
    case PROP_CANCELLABLE:
      g_value_set_object (value, jr_future_get_cancellable (self));
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_PROGRESS_TEXT:
      g_value_set_string (value, self->progress_text);
      break;
    case PROP_RESULT:
      g_value_set_variant (value, self->result);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_QUEUED_TIME:
      g_value_set_int64 (value, self->queued_time);
      break;
    case PROP_START_TIME:
      g_value_set_int64 (value, self->start_time);
      break;
    case PROP_END_TIME:
      g_value_set_int64 (value, self->end_time);
      break;
    case PROP_CANCELLABLE_NOW:
      g_value_set_boolean (value, jr_future_get_cancellable_now (self));
      break;
    case PROP_WORKER_GROUP:
      g_value_set_string (value, self->worker_group);
      break;
    case PROP_WORKER_HOST:
      g_value_set_string (value, self->worker_host);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_future_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  JrFuture *self = JR_FUTURE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_JOB_NAME:
      self->job_name = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      jr_future_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_future_class_init (JrFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  notify_signal = g_signal_lookup ("notify", G_TYPE_OBJECT);
  object_class->dispose = jr_future_dispose;
  object_class->finalize = jr_future_finalize;
  object_class->get_property = jr_future_get_property;
  object_class->set_property = jr_future_set_property;

  /**
   * JrFuture:state:
   *
   * Where the job is in its life.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       JR_TYPE_FUTURE_STATE, JR_FUTURE_STATE_WAITING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:done:
   *
   * Whether the future has reached a final state: completed, failed or
   * cancelled.
   *
   * Since: 0.1
   */
  properties[PROP_DONE] =
    g_param_spec_boolean ("done", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:kind:
   *
   * How the job was submitted. Progress reaches only
   * %JR_JOB_KIND_PROGRESS futures, yields only %JR_JOB_KIND_ITERATION ones.
   *
   * Since: 0.1
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       JR_TYPE_JOB_KIND, JR_JOB_KIND_CALL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:job-name:
   *
   * The registered name of the job.
   *
   * Since: 0.1
   */
  properties[PROP_JOB_NAME] =
    g_param_spec_string ("job-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:title:
   *
   * A human-readable title; the job name unless set.
   *
   * Since: 0.1
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:cancellable:
   *
   * Cancelling it has the same effect as [method@Jr.Future.cancel].
   *
   * Since: 0.1
   */
  properties[PROP_CANCELLABLE] =
    g_param_spec_object ("cancellable", NULL, NULL, G_TYPE_CANCELLABLE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:progress:
   *
   * The fraction done, from 0 to 1, or -1 while unknown.
   *
   * Since: 0.1
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:progress-text:
   *
   * The text of the last progress report, if any.
   *
   * Since: 0.1
   */
  properties[PROP_PROGRESS_TEXT] =
    g_param_spec_string ("progress-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:result:
   *
   * The result, once %JR_FUTURE_STATE_COMPLETED.
   *
   * Since: 0.1
   */
  properties[PROP_RESULT] =
    g_param_spec_variant ("result", NULL, NULL, G_VARIANT_TYPE_ANY, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:error:
   *
   * The error, once %JR_FUTURE_STATE_FAILED.
   *
   * Since: 0.1
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:queued-time:
   *
   * When the job was submitted, in monotonic microseconds
   * (g_get_monotonic_time()).
   *
   * Since: 0.1
   */
  properties[PROP_QUEUED_TIME] =
    g_param_spec_int64 ("queued-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:start-time:
   *
   * When the job started executing, in monotonic microseconds; 0 before.
   *
   * Since: 0.1
   */
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:end-time:
   *
   * When the future became done, in monotonic microseconds; 0 before.
   *
   * Since: 0.1
   */
  properties[PROP_END_TIME] =
    g_param_spec_int64 ("end-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * JrFuture:cancellable-now:
   *
   * Whether [method@Jr.Future.cancel] would do something now: %TRUE while
   * waiting or executing. Bind a cancel button's sensitivity to it.
   *
   * Since: 0.1
   */
  properties[PROP_CANCELLABLE_NOW] =
    g_param_spec_boolean ("cancellable-now", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrFuture:worker-group:
   *
   * The name of the executor's group whose worker started the job
   * ("local", or one added with [method@Jr.Executor.add_group]), or %NULL
   * while it has not started. Set when the job starts, before
   * [property@Jr.Future:state] says so; a job that starts again (its
   * worker was lost) may change it.
   *
   * Since: 0.2
   */
  properties[PROP_WORKER_GROUP] =
    g_param_spec_string ("worker-group", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrFuture:worker-host:
   *
   * The name of the machine the job started on, as its worker said, or
   * %NULL while it has not started.
   *
   * Since: 0.2
   */
  properties[PROP_WORKER_HOST] =
    g_param_spec_string ("worker-host", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JrFuture::yielded:
   * @self: the future
   * @value: the value the job yielded
   *
   * Emitted for each value an iteration job yields, in order, while the
   * future is executing.
   *
   * Since: 0.1
   */
  signals[SIGNAL_YIELDED] =
    g_signal_new ("yielded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__VARIANT,
                  G_TYPE_NONE, 1, G_TYPE_VARIANT);
  g_signal_set_va_marshaller (signals[SIGNAL_YIELDED],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__VARIANTv);
}

static void
jr_future_init (JrFuture *self)
{
  self->state = JR_FUTURE_STATE_WAITING;
  self->progress = -1.0;
  self->queued_time = g_get_monotonic_time ();
  self->owner = g_thread_self ();
  self->context = g_main_context_ref_thread_default ();
}

/* ---- private API (jr-future-private.h) ---- */

/*
 * jr_future_new:
 * @job_name: the registered job name
 * @kind: how the job was submitted
 *
 * Creates a waiting future; its queued time is now. The current thread and
 * its thread-default main context become the future's own.
 */
JrFuture *
jr_future_new (const char *job_name,
               JrJobKind   kind)
{
  JrFuture *self;

  g_return_val_if_fail (job_name != NULL, NULL);

  /* Not through construct properties: an executor makes one a job, and
   * GValues cost more than the rest of the future. */
  self = g_object_new (JR_TYPE_FUTURE, NULL);
  self->job_name = g_strdup (job_name);
  self->kind = kind;
  return self;
}

void
jr_future_set_cancel_func (JrFuture           *self,
                           JrFutureCancelFunc  func,
                           gpointer            data)
{
  g_return_if_fail (JR_IS_FUTURE (self));

  self->cancel_func = func;
  self->cancel_data = data;
}

/* WAITING → EXECUTING. */
gboolean
jr_future_mark_started (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  if (self->state != JR_FUTURE_STATE_WAITING)
    return FALSE;

  self->start_time = MAX (g_get_monotonic_time (), 1);
  notify_changes (self, CHANGED (PROP_START_TIME) | set_state (self, JR_FUTURE_STATE_EXECUTING));

  return TRUE;
}

/* Accepted only while EXECUTING, and only by PROGRESS futures. A negative
 * (or NaN) @fraction means "unknown"; above 1 is clamped to 1. */
gboolean
jr_future_set_progress (JrFuture   *self,
                        double      fraction,
                        const char *text)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  if (self->state != JR_FUTURE_STATE_EXECUTING ||
      self->kind != JR_JOB_KIND_PROGRESS)
    return FALSE;

  if (isnan (fraction) || fraction < 0.0)
    fraction = -1.0;
  else if (fraction > 1.0)
    fraction = 1.0;

  {
    gboolean fraction_changed = fraction != self->progress;
    gboolean text_changed = g_strcmp0 (text, self->progress_text) != 0;

    /* Progress is the hot path: both values are set before either is
     * notified, so handlers see them consistent without the cost of
     * freezing notifications. */
    self->progress = fraction;
    if (text_changed)
      {
        g_free (self->progress_text);
        self->progress_text = g_strdup (text);
      }
    notify_changes (self, (fraction_changed ? CHANGED (PROP_PROGRESS) : 0) |
                          (text_changed ? CHANGED (PROP_PROGRESS_TEXT) : 0));
  }

  return TRUE;
}

/* Accepted only while EXECUTING, and only by ITERATION futures. A floating
 * @value is sunk. */
gboolean
jr_future_emit_yielded (JrFuture *self,
                        GVariant *value)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  /* Sink first so that a refused floating value does not leak. */
  owned = g_variant_ref_sink (value);

  if (self->state != JR_FUTURE_STATE_EXECUTING ||
      self->kind != JR_JOB_KIND_ITERATION)
    return FALSE;

  g_signal_emit (self, signals[SIGNAL_YIELDED], 0, owned);

  return TRUE;
}

/* EXECUTING → COMPLETED. A floating @result is sunk; %NULL is allowed
 * (a job with nothing to return). */
gboolean
jr_future_complete (JrFuture *self,
                    GVariant *result)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(JrFuture) hold = NULL;
  Changes changes = 0;

  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  if (result != NULL)
    owned = g_variant_ref_sink (result);

  if (self->state != JR_FUTURE_STATE_EXECUTING)
    return FALSE;

  /* A handler of the notifications may drop the last other reference. */
  hold = g_object_ref (self);

  if (owned != NULL)
    {
      self->result = g_steal_pointer (&owned);
      changes |= CHANGED (PROP_RESULT);
    }
  notify_changes (self, changes | set_state (self, JR_FUTURE_STATE_COMPLETED));

  return TRUE;
}

/* WAITING or EXECUTING → FAILED. @error is copied. */
gboolean
jr_future_fail (JrFuture     *self,
                const GError *error)
{
  g_autoptr(JrFuture) hold = NULL;

  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (!state_is_cancellable (self->state))
    return FALSE;

  hold = g_object_ref (self);

  self->error = g_error_copy (error);
  notify_changes (self, CHANGED (PROP_ERROR) | set_state (self, JR_FUTURE_STATE_FAILED));

  return TRUE;
}

/* CANCELLING → CANCELLED, once the job has really stopped. From WAITING
 * (a job dropped before it ran) the future passes through CANCELLING,
 * with both state notifications, and its cancellable is cancelled last,
 * when the future is already done. */
gboolean
jr_future_mark_cancelled (JrFuture *self)
{
  g_autoptr(JrFuture) hold = NULL;
  gboolean from_waiting;

  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  if (self->state != JR_FUTURE_STATE_CANCELLING &&
      self->state != JR_FUTURE_STATE_WAITING)
    return FALSE;

  hold = g_object_ref (self);
  from_waiting = self->state == JR_FUTURE_STATE_WAITING;

  if (from_waiting)
    {
      /* The executor is ending it already: it need not hear of it. */
      enter_cancelling (self, FALSE);

      /* A notify handler may already have finished the job. */
      if (self->state != JR_FUTURE_STATE_CANCELLING)
        return TRUE;
    }

  notify_changes (self, set_state (self, JR_FUTURE_STATE_CANCELLED));

  if (from_waiting && self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  return TRUE;
}

/* ---- public API ---- */

/**
 * jr_future_get_state:
 * @self: a future
 *
 * Gets where the job is in its life: see [property@Jr.Future:state].
 *
 * Returns: where the job is in its life
 *
 * Since: 0.1
 */
JrFutureState
jr_future_get_state (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), JR_FUTURE_STATE_WAITING);

  return self->state;
}

/**
 * jr_future_get_done:
 * @self: a future
 *
 * Gets whether the future has reached its final state: completed, failed
 * or cancelled. See [property@Jr.Future:done].
 *
 * Returns: %TRUE once the future is completed, failed or cancelled
 *
 * Since: 0.1
 */
gboolean
jr_future_get_done (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  return state_is_done (self->state);
}

/**
 * jr_future_get_kind:
 * @self: a future
 *
 * Gets how the job was submitted: see [property@Jr.Future:kind].
 *
 * Returns: how the job was submitted
 *
 * Since: 0.1
 */
JrJobKind
jr_future_get_kind (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), JR_JOB_KIND_CALL);

  return self->kind;
}

/**
 * jr_future_get_job_name:
 * @self: a future
 *
 * Gets the name the job was registered under and submitted with.
 *
 * Returns: the registered name of the job
 *
 * Since: 0.1
 */
const char *
jr_future_get_job_name (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->job_name;
}

/**
 * jr_future_get_title:
 * @self: a future
 *
 * Gets the job's human-readable title: see [property@Jr.Future:title].
 *
 * Returns: the title, or the job name when none was set
 *
 * Since: 0.1
 */
const char *
jr_future_get_title (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->title != NULL ? self->title : self->job_name;
}

/**
 * jr_future_set_title:
 * @self: a future
 * @title: (nullable): the new title, or %NULL to show the job name
 *
 * Sets a human-readable title for the job.
 *
 * Since: 0.1
 */
void
jr_future_set_title (JrFuture   *self,
                     const char *title)
{
  g_autofree char *old = NULL;

  g_return_if_fail (JR_IS_FUTURE (self));

  if (g_strcmp0 (title, self->title) == 0)
    return;

  old = g_strdup (jr_future_get_title (self));
  g_free (self->title);
  self->title = g_strdup (title);

  /* Setting the title to the job name, or back to NULL, may not change
   * what get_title() returns. */
  if (g_strcmp0 (old, jr_future_get_title (self)) != 0)
    notify_changes (self, CHANGED (PROP_TITLE));
}

/**
 * jr_future_get_cancellable:
 * @self: a future
 *
 * Cancelling the returned cancellable, from the future's thread, is the
 * same as calling [method@Jr.Future.cancel]. Pass it to operations that
 * should stop together with the job.
 *
 * Returns: (transfer none): the future's cancellable
 *
 * Since: 0.1
 */
GCancellable *
jr_future_get_cancellable (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  if (self->cancellable == NULL)
    {
      self->cancellable = g_cancellable_new ();
      /* Connected first, before anyone can get the cancellable: whoever
       * cancels it, the future is CANCELLING before the other handlers
       * run. */
      self->cancelled_id = g_signal_connect (self->cancellable, "cancelled",
                                             G_CALLBACK (on_cancellable_cancelled), self);
      /* Asked for after a cancel: it says so too. */
      if (self->state == JR_FUTURE_STATE_CANCELLING || self->state == JR_FUTURE_STATE_CANCELLED)
        g_cancellable_cancel (self->cancellable);
    }
  return self->cancellable;
}

/**
 * jr_future_get_progress:
 * @self: a future
 *
 * Gets how far the job is, as it last reported with
 * [method@Jr.Job.progress]: see [property@Jr.Future:progress].
 *
 * Returns: the fraction done, from 0 to 1, or -1 while unknown
 *
 * Since: 0.1
 */
double
jr_future_get_progress (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), -1.0);

  return self->progress;
}

/**
 * jr_future_get_progress_text:
 * @self: a future
 *
 * Gets the text of the job's last progress report: see
 * [property@Jr.Future:progress-text].
 *
 * Returns: (nullable): the text of the last progress report
 *
 * Since: 0.1
 */
const char *
jr_future_get_progress_text (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->progress_text;
}

/**
 * jr_future_get_result:
 * @self: a future
 *
 * Gets what the job returned, once the future is
 * %JR_FUTURE_STATE_COMPLETED: see [property@Jr.Future:result].
 *
 * Returns: (transfer none) (nullable): the result, once completed
 *
 * Since: 0.1
 */
GVariant *
jr_future_get_result (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->result;
}

/**
 * jr_future_get_error:
 * @self: a future
 *
 * Gets why the job failed, once the future is %JR_FUTURE_STATE_FAILED:
 * see [property@Jr.Future:error]. Errors the executor puts on a future
 * are in the %JR_JOB_ERROR domain; a job's own errors keep their domain
 * and code.
 *
 * Returns: (transfer none) (nullable): the error, once failed
 *
 * Since: 0.1
 */
const GError *
jr_future_get_error (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->error;
}

/**
 * jr_future_get_queued_time:
 * @self: a future
 *
 * Gets when the job was submitted: see [property@Jr.Future:queued-time].
 *
 * Returns: when the job was submitted, in monotonic microseconds
 *
 * Since: 0.1
 */
gint64
jr_future_get_queued_time (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), 0);

  return self->queued_time;
}

/**
 * jr_future_get_start_time:
 * @self: a future
 *
 * Gets when the job started executing: see
 * [property@Jr.Future:start-time].
 *
 * Returns: when the job started executing, in monotonic microseconds, or 0
 *
 * Since: 0.1
 */
gint64
jr_future_get_start_time (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), 0);

  return self->start_time;
}

/**
 * jr_future_get_end_time:
 * @self: a future
 *
 * Gets when the future became done: see [property@Jr.Future:end-time].
 *
 * Returns: when the future became done, in monotonic microseconds, or 0
 *
 * Since: 0.1
 */
gint64
jr_future_get_end_time (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), 0);

  return self->end_time;
}

/**
 * jr_future_get_cancellable_now:
 * @self: a future
 *
 * Gets whether [method@Jr.Future.cancel] would do something now: see
 * [property@Jr.Future:cancellable-now].
 *
 * Returns: %TRUE while [method@Jr.Future.cancel] would do something
 *
 * Since: 0.1
 */
gboolean
jr_future_get_cancellable_now (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  return state_is_cancellable (self->state);
}

/**
 * jr_future_cancel:
 * @self: a future
 *
 * Asks the job to stop. A waiting or executing future moves to
 * %JR_FUTURE_STATE_CANCELLING at once and its cancellable is cancelled;
 * it becomes %JR_FUTURE_STATE_CANCELLED when the job has stopped. From then
 * on no progress, yield, result or error reaches the future.
 *
 * Any thread may call it. On another thread than the future's, the
 * cancellable is cancelled at once and the state changes when the
 * future's main context next dispatches.
 *
 * Returns: %TRUE if the future was waiting or executing, %FALSE if it was
 *   already cancelling or done
 *
 * Since: 0.1
 */
gboolean
jr_future_cancel (JrFuture *self)
{
  g_autoptr(JrFuture) hold = NULL;

  g_return_val_if_fail (JR_IS_FUTURE (self), FALSE);

  if (!state_is_cancellable (g_atomic_int_get ((int *) &self->state)))
    return FALSE;

  /* From a job's thread or a helper's: the future changes on its own
   * (also when its cancellable, made on its thread just now, has no
   * handler yet: the hop does it then). */
  if (g_thread_self () != self->owner)
    {
      GCancellable *cancellable = g_atomic_pointer_get (&self->cancellable);

      if (cancellable != NULL)
        g_cancellable_cancel (cancellable);
      cancel_on_own_thread (self);
      return TRUE;
    }

  hold = g_object_ref (self);

  /* Our own "cancelled" handler makes the transition, before other
   * handlers run. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  /* No cancellable, or it was cancelled on another thread and its
   * transition is not yet delivered here: do it now. */
  enter_cancelling (self, TRUE);

  return TRUE;
}

/**
 * jr_future_get_context:
 * @self: a future
 *
 * Gets the main context the future belongs to: the thread-default one of
 * the thread that submitted its job. Its properties change, and its
 * signals are emitted, while that context dispatches; a binding's own
 * wait runs it.
 *
 * Returns: (transfer none): the future's main context
 *
 * Since: 0.2
 */
GMainContext *
jr_future_get_context (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);
  return self->context;
}

/**
 * jr_future_get_worker_group:
 * @self: a future
 *
 * Gets the name of the group whose worker started the job: see
 * [property@Jr.Future:worker-group].
 *
 * Returns: (nullable): the name of the group whose worker started the job;
 *   see [property@Jr.Future:worker-group]
 *
 * Since: 0.2
 */
const char *
jr_future_get_worker_group (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->worker_group;
}

/**
 * jr_future_get_worker_host:
 * @self: a future
 *
 * Gets the machine the job started on: see
 * [property@Jr.Future:worker-host].
 *
 * Returns: (nullable): the machine the job started on; see
 *   [property@Jr.Future:worker-host]
 *
 * Since: 0.2
 */
const char *
jr_future_get_worker_host (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  return self->worker_host;
}

/**
 * jr_future_dup_place:
 * @self: a future
 *
 * Where the job runs or ran, said for people, when that is another
 * machine's group: "node17 (cluster)" (the host, then the group), or the
 * group alone when the host is not known or is the group's name. For a
 * job of this machine's workers (the group "local"), or one that has not
 * started, %NULL: there is nothing to say.
 *
 * Call it from the future's thread (where it is used).
 *
 * Returns: (transfer full) (nullable): where the job runs, or %NULL
 *
 * Since: 0.2
 */
char *
jr_future_dup_place (JrFuture *self)
{
  g_return_val_if_fail (JR_IS_FUTURE (self), NULL);

  if (self->worker_group == NULL || g_str_equal (self->worker_group, "local"))
    return NULL;
  if (self->worker_host == NULL || g_str_equal (self->worker_host, self->worker_group))
    return g_strdup (self->worker_group);
  return g_strdup_printf ("%s (%s)", self->worker_host, self->worker_group);
}

void
jr_future_set_worker (JrFuture   *self,
                      const char *group,
                      const char *host)
{
  g_return_if_fail (JR_IS_FUTURE (self));

  Changes changes = 0;

  /* Every job starts here: both are set before either is notified, so
   * handlers see them consistent without the cost of freezing. */
  if (g_strcmp0 (self->worker_group, group) != 0)
    {
      g_free (self->worker_group);
      self->worker_group = g_strdup (group);
      changes |= CHANGED (PROP_WORKER_GROUP);
    }
  if (g_strcmp0 (self->worker_host, host) != 0)
    {
      g_free (self->worker_host);
      self->worker_host = g_strdup (host);
      changes |= CHANGED (PROP_WORKER_HOST);
    }
  notify_changes (self, changes);
}
