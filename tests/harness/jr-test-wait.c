/* jr-test-wait.c — setting a test program up, failing a test, and waiting
 * on a main context; see jr-test-wait.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Waiting never sleeps: it iterates a main context, woken by its sources,
 * a 10 ms tick and the deadline.
 */
#include "jr-test-private.h"

/* How often a wait looks at its condition when no source announces it. */
#define TICK_MS 10u

static GThread *main_thread;

/* ------------------------------------------------------------------ */
/* Setup and failing                                                   */
/* ------------------------------------------------------------------ */

void
jr_test_init (int    *argc,
              char ***argv)
{
  g_log_set_writer_func (jr_test_log_writer, NULL, NULL);
  g_test_init (argc, argv, NULL);
  main_thread = g_thread_self ();
  jr_test_record_thread_baseline ();
}

GThread *
jr_test_get_main_thread (void)
{
  return main_thread;
}

void
jr_test_fail (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_printerr ("jr-test: %s\n", message);
  g_test_fail_printf ("%s", message);
}

const char *
jr_test_transport_name (JrTransport transport)
{
  return transport == JR_TRANSPORT_PROCESSES ? "processes" : "threads";
}

const char *
jr_test_future_state_name (JrFutureState state)
{
  GEnumClass *states = g_type_class_ref (JR_TYPE_FUTURE_STATE);
  GEnumValue *value = g_enum_get_value (states, state);

  g_type_class_unref (states);
  g_assert (value != NULL);
  /* Static data of a static type: it outlives the class reference. */
  return value->value_nick;
}

/* ------------------------------------------------------------------ */
/* Waiting on a main context                                           */
/* ------------------------------------------------------------------ */

gboolean
jr_test_set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
jr_test_flag_is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

gboolean
jr_test_pointer_is_set (gpointer location)
{
  return *(gpointer *) location != NULL;
}

static gboolean
keep_ticking (gpointer unused)
{
  return G_SOURCE_CONTINUE;
}

static GSource *
attach_timeout (GMainContext *context,
                guint         msec,
                GSourceFunc   func,
                gpointer      data)
{
  GSource *source = g_timeout_source_new (msec);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

static guint
usec_to_msec (gint64 usec)
{
  return (guint) CLAMP (usec / 1000, 0, (gint64) G_MAXUINT);
}

gboolean
jr_test_iterate_until (GMainContext    *context,
                       JrConditionFunc  condition,
                       gpointer         data,
                       gint64           timeout_usec)
{
  g_autoptr(GMainContext) ctx = NULL;
  g_autoptr(GSource) deadline = NULL;
  g_autoptr(GSource) tick = NULL;
  gboolean timed_out = FALSE;
  gboolean met;

  if (condition (data))
    return TRUE;

  ctx = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  deadline = attach_timeout (ctx, usec_to_msec (timeout_usec), jr_test_set_flag, &timed_out);
  tick = attach_timeout (ctx, TICK_MS, keep_ticking, NULL);

  while (!(met = condition (data)) && !timed_out)
    g_main_context_iteration (ctx, TRUE);

  g_source_destroy (tick);
  g_source_destroy (deadline);
  return met;
}

void
jr_test_run_until_in (GMainContext    *context,
                      JrConditionFunc  condition,
                      gpointer         data,
                      gint64           timeout_usec,
                      const char      *what)
{
  if (!jr_test_iterate_until (context, condition, data, timeout_usec))
    g_error ("timed out after %.1f s waiting for %s",
             timeout_usec / (double) G_USEC_PER_SEC, what);
}

void
jr_test_run_until (JrConditionFunc  condition,
                   gpointer         data,
                   gint64           timeout_usec,
                   const char      *what)
{
  jr_test_run_until_in (NULL, condition, data, timeout_usec, what);
}

static gboolean
future_is_done (gpointer future)
{
  return jr_future_get_done (future);
}

void
jr_test_run_until_done_in (GMainContext *context,
                           JrFuture     *future,
                           gint64        timeout_usec)
{
  if (!jr_test_iterate_until (context, future_is_done, future, timeout_usec))
    g_error ("timed out after %.1f s waiting for job '%s' (title '%s') to be done; it is %s",
             timeout_usec / (double) G_USEC_PER_SEC, jr_future_get_job_name (future),
             jr_future_get_title (future),
             jr_test_future_state_name (jr_future_get_state (future)));
}

void
jr_test_run_until_done (JrFuture *future,
                        gint64    timeout_usec)
{
  jr_test_run_until_done_in (NULL, future, timeout_usec);
}

void
jr_test_run_for (guint msec)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = NULL;
  gboolean over = FALSE;

  timeout = attach_timeout (context, msec, jr_test_set_flag, &over);
  while (!over)
    g_main_context_iteration (context, TRUE);
}

void
jr_test_drain_main_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  for (guint i = 0; i < 1000 && g_main_context_pending (context); i++)
    g_main_context_iteration (context, FALSE);
}

typedef struct {
  JrTestCondition condition;
  gpointer        user_data;
  gboolean        met;
} PropertyWait;

static void
on_wait_notify (GObject      *object,
                GParamSpec   *pspec,
                PropertyWait *wait)
{
  if (!wait->met && wait->condition (object, pspec, wait->user_data))
    wait->met = TRUE;
}

gboolean
jr_test_wait_property (GObject         *object,
                       const char      *property,
                       JrTestCondition  condition,
                       gpointer         user_data,
                       gint64           timeout_usec)
{
  g_autoptr(GObject) hold = NULL;
  g_autofree char *signal = NULL;
  PropertyWait wait = { condition, user_data, FALSE };
  GParamSpec *pspec;
  gulong handler;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  if (pspec == NULL)
    g_error ("jr_test_wait_property: %s has no property '%s'",
             G_OBJECT_TYPE_NAME (object), property);

  if (condition (object, NULL, user_data))
    return TRUE;

  hold = g_object_ref (object);
  signal = g_strconcat ("notify::", property, NULL);
  handler = g_signal_connect (object, signal, G_CALLBACK (on_wait_notify), &wait);
  jr_test_iterate_until (NULL, jr_test_flag_is_set, &wait.met, timeout_usec);
  g_signal_handler_disconnect (object, handler);

  if (!wait.met)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autofree char *contents = NULL;

      g_value_init (&value, pspec->value_type);
      g_object_get_property (object, property, &value);
      contents = g_strdup_value_contents (&value);
      jr_test_fail ("%s %p: condition on '%s' not met after %.1f s; '%s' is %s",
                    G_OBJECT_TYPE_NAME (object), object, property,
                    timeout_usec / (double) G_USEC_PER_SEC, property, contents);
    }

  return wait.met;
}

gboolean
jr_test_state_is (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  return jr_future_get_state (JR_FUTURE (object)) == (JrFutureState) GPOINTER_TO_INT (user_data);
}

gboolean
jr_test_done (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  return jr_future_get_done (JR_FUTURE (object));
}
