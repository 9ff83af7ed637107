/* jr-worker-request.c — encode and read an executor's requests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-worker-request-private.h"

#include <string.h>

#include "jobrouter.h"

/* Below this bound on their nesting, arguments are readable whatever
 * they are: GLib takes 128 levels from outside (the request adds 3). */
#define READABLE_BOUND 96
/* How many parts holding variants nesting_bound() takes apart at most. */
#define WALK_BUDGET 256

static GVariant *
request_new (JrWorkerRequestKind  kind,
             const char          *name,
             GVariant            *args)
{
  return g_variant_ref_sink (g_variant_new ("(ys@mv)", (guchar) kind, name != NULL ? name : "",
                                            g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
                                                                 args != NULL
                                                                   ? g_variant_new_variant (args)
                                                                   : NULL)));
}

gsize
jr_worker_request_data_size (JrWorkerRequestKind  kind,
                             const char          *name,
                             GVariant            *args)
{
  /* Not serialized: GLib sums the sizes of the parts. */
  g_autoptr(GVariant) value = request_new (kind, name, args);

  return g_variant_get_size (value);
}

/* An upper bound of how deeply @value nests, as GLib counts for data from
 * outside, without serializing it: a part with no variant in its type
 * nests at most as deep as its type string is long; a variant, one more
 * than its value; another container, one more than its deepest child.
 * Only parts whose type holds a variant are walked, and at most *budget
 * of them: past that, G_MAXSIZE (the exact check costs less than taking
 * a large value apart). */
static gsize
nesting_bound (GVariant *value,
               guint    *budget)
{
  const char *type = g_variant_get_type_string (value);
  gsize deepest = 0;
  gsize n;

  if (strchr (type, 'v') == NULL)
    return strlen (type);
  if (*budget == 0)
    return G_MAXSIZE;
  (*budget)--;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);
      gsize below = nesting_bound (inner, budget);

      return below == G_MAXSIZE ? G_MAXSIZE : below + 1;
    }
  n = g_variant_n_children (value);
  for (gsize i = 0; i < n && deepest < READABLE_BOUND; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

      deepest = MAX (deepest, nesting_bound (child, budget));
    }
  return deepest == G_MAXSIZE ? G_MAXSIZE : deepest + 1;
}

gboolean
jr_worker_request_readable (JrWorkerRequestKind  kind,
                            const char          *name,
                            GVariant            *args)
{
  g_autoptr(GVariant) value = NULL;
  guint budget = WALK_BUDGET;

  /* Far from GLib's limit (the request adds a few levels): readable, and
   * cheap to tell for the small values most arguments are. */
  if (args == NULL || nesting_bound (args, &budget) < READABLE_BOUND)
    return TRUE;
  value = request_new (kind, name, args);
  return jr_frame_value_readable (value);
}

guint8 *
jr_worker_request_encode (JrWorkerRequestKind  kind,
                          guint64              job_id,
                          const char          *name,
                          GVariant            *args,
                          gsize               *size)
{
  g_autoptr(GVariant) value = request_new (kind, name, args);
  gsize data_size = g_variant_get_size (value);
  gsize type_size = strlen (JR_WORKER_REQUEST_TYPE) + 1;
  guint8 *frame;

  *size = jr_frame_size_for (type_size, data_size);
  frame = g_malloc (*size);
  jr_frame_write_header (frame, job_id, JR_WORKER_REQUEST_TYPE, data_size);
  g_variant_store (value, frame + jr_frame_data_offset (type_size));
  return frame;
}

static gboolean
kind_is_known (guchar kind)
{
  return kind == JR_WORKER_REQUEST_RUN || kind == JR_WORKER_REQUEST_CANCEL ||
         kind == JR_WORKER_REQUEST_RECALL || kind == JR_WORKER_REQUEST_HELLO ||
         kind == JR_WORKER_REQUEST_QUIT || kind == JR_WORKER_REQUEST_PRIORITY ||
         kind == JR_WORKER_REQUEST_ACK;
}

JrFrameStatus
jr_worker_request_decode (const guint8     *data,
                          gsize             len,
                          JrWorkerRequest  *request,
                          gsize            *frame_size,
                          GError          **error)
{
  JrFrameHeader header;
  const char *type;
  JrFrameStatus status;
  g_autoptr(GVariant) inner = NULL;
  guchar kind;

  memset (request, 0, sizeof *request);
  status = jr_frame_peek (data, len, &header, &type, frame_size, error);
  if (status != JR_FRAME_OK)
    return status;

  if (strcmp (type, JR_WORKER_REQUEST_TYPE) != 0)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "a request of type %s, not " JR_WORKER_REQUEST_TYPE, type);
      return JR_FRAME_SKIP;
    }
  request->value = jr_frame_to_variant (&header, type, data, error);
  if (request->value == NULL)
    return JR_FRAME_SKIP;

  g_variant_get (request->value, "(y&smv)", &kind, &request->name, &inner);
  if (!kind_is_known (kind))
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "a request of unknown kind %u", kind);
      jr_worker_request_clear (request);
      return JR_FRAME_SKIP;
    }
  request->kind = kind;
  request->job_id = header.connection_id;
  request->args = g_steal_pointer (&inner);
  return JR_FRAME_OK;
}

void
jr_worker_request_clear (JrWorkerRequest *request)
{
  g_clear_pointer (&request->args, g_variant_unref);
  g_clear_pointer (&request->value, g_variant_unref);
  request->name = NULL;
}
