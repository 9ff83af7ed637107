/* jr-monitor.c — the monitor thread: children's rings → the router's inbox.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pass reads every ring as far as the inbox has room, decodes and
 * checks each frame (so the router's thread gets only good messages), and
 * pushes them in batches. When nothing is left it arms every ring and
 * sleeps in poll() on the doorbells and a control eventfd. Problems with a
 * worker's bytes travel to the router's thread as warnings, in order with
 * that worker's messages, a few per queue and then only counted
 * (jr-warn-limit-private.h).
 *
 * This thread is the trust boundary: a child may write anything into its
 * ring, positions included. A frame whose framing is lost, a write
 * position no writer can have reached, or a message on a pipe that is not
 * the child's own (jr-bindings-private.h) closes that child's queue as
 * corrupt: that frame and everything after it are dropped.
 *
 * Memory: what the monitor holds or has queued for the children stays
 * bounded however many there are, and whatever they send:
 *
 *   inbox (its high-water mark: 16 MiB, or 16 384 messages)
 *   + one run copy past the mark (a run is checked for room before it is
 *     copied; it is at most RUN_BYTES_MAX, or one frame that fits its
 *     ring: JR_CHANNEL_RING_SIZE, 1 MiB)
 *   + one gather buffer (a frame larger than half a ring is gathered into
 *     memory of our own: at most JR_MESSAGE_SIZE_MAX + 272 bytes of
 *     framing, 32 MiB, and only one queue gathers at a time)
 *
 * that is at most 16 + 1 + 32 MiB = 49 MiB (plus small change: warnings,
 * and the few bytes per message that JR_BATCH_MESSAGE_OVERHEAD stands
 * for). A gather starts only while the inbox has room; once its message is
 * queued the inbox is over the mark and nothing more is read until the
 * router has taken it. So one message up to JR_MESSAGE_SIZE_MAX always
 * gets through, and several children sending large messages take turns.
 * A message the inbox counts also pays for the rest of the run copy it
 * keeps alive (messages dropped from a run do not free their bytes).
 */
#include "jr-monitor-private.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jobrouter.h"
#include "jr-frame-private.h"
#include "jr-variant-pins-private.h"
#include "jr-warn-limit-private.h"

#define BATCH_CAPACITY 256u
/* Small frames are copied out of the ring in runs of at most this many
 * bytes, one allocation per run: a message kept alive keeps its run. */
#define RUN_BYTES_MAX  (16u * 1024u)
/* Connection ids a queue was last allowed to send on, checked without a
 * lock: a worker sends on a few pipes at a time (an executor's worker on
 * one or two jobs), a stream on one. */
#define ALLOWED_CACHE  8u
/* One lane gathers at a time: one that stops sending in the middle of
 * its large message (a hung link, a stopped process) while others wait
 * for their turn is closed after this long without a byte. */
#define GATHER_STALL_USEC (10 * G_USEC_PER_SEC)

typedef struct {
  JrFrameHeader header;
  gsize         offset;      /* of the frame, from the start of the run */
} RunFrame;

/* A frame of a run, checked: what deliver_block() queues. */
typedef struct {
  GVariant     *value;       /* owned; NULL for a message left in its block */
  const guint8 *data;        /* of a message left in its block */
  char         *warning;     /* owned; non-NULL when the frame is dropped */
} Checked;

typedef enum {
  READ_FRAMES,
  READ_SKIP,     /* dropping the rest of a frame we refused */
  READ_GATHER,   /* collecting a frame larger than half the ring */
} ReadMode;

typedef struct {
  JrChannel    *channel;
  guint64       id;
  ReadMode      mode;
  gsize         skip_left;
  guint8       *gather;
  gsize         gather_size;
  gsize         gather_filled;
  gint64        gather_moved;    /* when the gather last got bytes */
  JrFrameHeader gather_header;   /* as checked when the gather started */
  gsize         stalled;         /* unread bytes that are not a whole frame yet */
  guint64       sync_target;     /* where the pending sync wants it read to */
  gboolean      sync_done;       /* read all it could since the sync was asked */
  gboolean      drained;         /* this pass read all it could (not stopped for room) */
  gboolean      waiting_turn;    /* in the queue for the gather buffer */
  gboolean      writer_gone;
  gboolean      broken;
  guint64       allowed[ALLOWED_CACHE];  /* most recent first; 0: empty */
  JrWarnLimit   warnings;
} Lane;

struct _JrMonitor {
  JrInbox    *inbox;
  JrBindings *bindings;
  GThread    *thread;
  int         control_fd;

  /* lock guards the requests from the router's thread, but sync_looked,
   * which is atomic. */
  GMutex      lock;
  GPtrArray  *incoming;
  gboolean    stop;
  guint64     sync_requested;
  guint64     last_token;
  _Atomic guint64 sync_looked;  /* the last sync token a whole pass has run for */

  /* Monitor thread only. */
  guint64     pending_sync;   /* token to push once every lane is read far enough */
  char        valid_type[JR_FRAME_TYPE_MAX];  /* the last type string found valid, */
  gsize       valid_type_size;                /* with its NUL; 0 before any */
  JrVariantPins *pins;
  RunFrame    run[BATCH_CAPACITY];
  Checked     checked[BATCH_CAPACITY];
  guint       run_length;
  gsize       run_start;      /* in the lane's unread bytes */
  gsize       run_bytes;
  GPtrArray  *lanes;
  JrBatch    *batch;
  GArray     *pollfds;
  Lane       *gathering;      /* the one lane that may gather, or NULL */
  GQueue      gather_queue;   /* Lane*: waiting for their turn, in order */
  gboolean    rescan;         /* a lane may go on: pass again before sleeping */
};

/* Gather buffers are mapped, not allocated: given back to the system the
 * moment they are freed, whatever the allocator would keep (a hole split
 * by a small allocation cannot take the next large message, and the bound
 * above would then be the allocator's, not ours); and page-aligned, which
 * the kernel copies into far faster. */
typedef struct {
  gpointer data;
  gsize    size;
} Mapping;

static guint8 *
gather_map (gsize size)
{
  void *data = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  return data == MAP_FAILED ? NULL : data;
}

static void
gather_unmap (gpointer data)
{
  Mapping *mapping = data;

  munmap (mapping->data, mapping->size);
  g_free (mapping);
}

/* Hands a full gather buffer over to a block, which unmaps it when the
 * last message of it goes. */
static GBytes *
gather_to_block (guint8 *gather,
                 gsize   size)
{
  Mapping *mapping = g_new (Mapping, 1);

  mapping->data = gather;
  mapping->size = size;
  return g_bytes_new_with_free_func (gather, size, gather_unmap, mapping);
}

static void
lane_free (Lane *lane)
{
  jr_channel_free (lane->channel);
  if (lane->gather != NULL)
    munmap (lane->gather, lane->gather_size);
  g_free (lane);
}

static void
flush_batch (JrMonitor *self)
{
  if (self->batch == NULL)
    return;
  /* Never waits: the monitor checks for room before each run instead, so
   * it can keep answering stop and sync requests. */
  jr_inbox_push (self->inbox, g_steal_pointer (&self->batch));
}

/* Room for one more run: the batch under way counts as queued. */
static gboolean
has_room (JrMonitor *self)
{
  return self->batch == NULL ? jr_inbox_has_room (self->inbox)
                             : jr_inbox_has_room_for (self->inbox, self->batch->bytes,
                                                      self->batch->n_messages);
}

static void
push_control (JrMonitor   *self,
              JrBatchKind  kind,
              guint64      arg,
              GVariant    *value)
{
  JrBatch *batch = jr_batch_new (kind, 1, arg);

  flush_batch (self);
  if (value != NULL)
    jr_batch_add (batch, 0, g_variant_ref_sink (value));
  jr_inbox_push (self->inbox, batch);
}

static void
push_warning (JrMonitor *self,
              Lane      *lane,
              char      *text)   /* owned */
{
  char *full = g_strdup_printf ("Worker queue %" G_GUINT64_FORMAT ": %s", lane->id, text);

  g_free (text);
  push_control (self, JR_BATCH_WARNING, 0, g_variant_new_take_string (full));
}

/* Says the count of warnings not said, when one is due (@closing: now). */
static void
summarize_warnings (JrMonitor *self,
                    Lane      *lane,
                    gint64     now,
                    gboolean   closing)
{
  char *summary = jr_warn_limit_take_summary (&lane->warnings, now, closing ? "before it closed" : NULL);

  if (summary != NULL)
    push_warning (self, lane, summary);
}

/* A warning about a lane's bytes, said or counted as its limit allows. */
static void
lane_warn_text (JrMonitor *self,
                Lane      *lane,
                char      *text)   /* owned */
{
  gint64 now = g_get_monotonic_time ();

  if (jr_warn_limit_admit (&lane->warnings, now))
    push_warning (self, lane, text);
  else
    {
      g_free (text);
      summarize_warnings (self, lane, now, FALSE);
    }
}

static void G_GNUC_PRINTF (3, 4)
lane_warn (JrMonitor  *self,
           Lane       *lane,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  lane_warn_text (self, lane, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The lane is closed as corrupt: once per lane, so always said. */
static void G_GNUC_PRINTF (3, 4)
lane_break (JrMonitor  *self,
            Lane       *lane,
            const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  push_warning (self, lane, g_strdup_vprintf (format, args));
  va_end (args);
  lane->broken = TRUE;
}

/* Whether the lane may send on @connection_id; remembers the answer. The
 * first compare is all a run of frames for one pipe costs. */
static inline gboolean
lane_may_send (JrMonitor *self,
               Lane      *lane,
               guint64    connection_id)
{
  guint i;

  if (G_LIKELY (connection_id == lane->allowed[0] && connection_id != 0))
    return TRUE;

  for (i = 1; i < ALLOWED_CACHE; i++)
    if (lane->allowed[i] == connection_id && connection_id != 0)
      break;
  if (i == ALLOWED_CACHE)
    {
      /* A closed pipe stays closed (ids are never reused): its messages go
       * on to the router, which drops them with a warning as it always
       * has, and the lane stays open. */
      if (jr_bindings_check (self->bindings, connection_id, lane->id) == JR_BINDING_FORBIDDEN)
        return FALSE;
      i = ALLOWED_CACHE - 1;
    }
  memmove (lane->allowed + 1, lane->allowed, i * sizeof lane->allowed[0]);
  lane->allowed[0] = connection_id;
  return TRUE;
}

static void
lane_forged (JrMonitor *self,
             Lane      *lane,
             guint64    connection_id)
{
  lane_break (self, lane, "sent on a pipe that is not its own; closed as corrupt: "
              "connection id %" G_GUINT64_FORMAT " is not one of its pipes", connection_id);
}

/* Whether the type string of a frame copy is valid. Streams repeat one
 * type: the last valid one is remembered, so most checks are a compare. */
static gboolean
type_is_valid (JrMonitor  *self,
               const char *type,
               gsize       type_size)
{
  /* The whole string, its end included: a prefix of a valid type (or,
   * before any, the empty string) is not one. */
  if (type_size == self->valid_type_size && memcmp (type, self->valid_type, type_size) == 0)
    return TRUE;
  if (!jr_frame_type_is_valid (type, type_size))
    return FALSE;
  memcpy (self->valid_type, type, type_size);
  self->valid_type_size = type_size;
  return TRUE;
}

/* Checks one frame of a block: sets checked->value (or, for a message
 * left in its block, checked->data), or checked->warning to why it is
 * dropped. */
static void
check_frame (JrMonitor      *self,
             const RunFrame *frame,
             const guint8   *base,
             GBytes         *block,
             Checked        *checked)
{
  g_autoptr(GError) error = NULL;
  const JrFrameHeader *header = &frame->header;
  const guint8 *at = base + frame->offset;
  const char *type = (const char *) at + JR_FRAME_HEADER_SIZE;
  const guint8 *value_data = at + jr_frame_data_offset (header->type_size);
  char **warning = &checked->warning;

  checked->value = NULL;
  checked->data = value_data;
  *warning = NULL;
  /* The connection id was checked on the ring: the copy must say the same. */
  if (memcmp (at, header, sizeof *header) != 0)
    {
      *warning = g_strdup ("dropped a message that changed while it was read");
      return;
    }
  if (!type_is_valid (self, type, header->type_size))
    {
      *warning = g_strdup_printf ("dropped a message for connection %" G_GUINT64_FORMAT
                                  ": invalid GVariant type string", header->connection_id);
      return;
    }

  switch (jr_frame_numeric_is_normal (type, value_data, header->data_size))
    {
    case 1:
      return;   /* made on the router's thread */
    case 0:
      *warning = g_strdup_printf ("dropped a message for connection %" G_GUINT64_FORMAT
                                  ": message of type %s is not in normal form",
                                  header->connection_id, type);
      return;
    default:
      checked->value = jr_frame_to_variant_in (header, type, at, block, &error);
      if (checked->value == NULL)
        *warning = g_strdup_printf ("dropped a message for connection %" G_GUINT64_FORMAT ": %s",
                                    header->connection_id, error->message);
      else
        jr_variant_pins_keep (self->pins, checked->value);
    }
}

/* Queues the messages of @n whole frames in @block, a private copy of what
 * the worker wrote. Everything is checked on the copy: the worker can
 * still write to its ring while we read it. */
static void
deliver_block (JrMonitor      *self,
               Lane           *lane,
               GBytes         *block,
               const RunFrame *frames,
               guint           n)
{
  const guint8 *base = g_bytes_get_data (block, NULL);
  gsize counted = 0, unpaid;

  for (guint i = 0; i < n; i++)
    {
      Checked *checked = &self->checked[i];

      check_frame (self, &frames[i], base, block, checked);
      if (checked->warning == NULL)
        counted += frames[i].header.data_size + JR_BATCH_MESSAGE_OVERHEAD;
    }

  /* Dropped frames keep their bytes in the block as long as any message
   * of it lives: the first message pays for them. */
  unpaid = g_bytes_get_size (block) > counted ? g_bytes_get_size (block) - counted : 0;
  for (guint i = 0; i < n; i++)
    {
      Checked *checked = &self->checked[i];
      const JrFrameHeader *header = &frames[i].header;

      if (checked->warning != NULL)
        {
          lane_warn_text (self, lane, g_steal_pointer (&checked->warning));
          continue;
        }

      if (self->batch == NULL)
        self->batch = jr_batch_new (JR_BATCH_MESSAGES, BATCH_CAPACITY, 0);
      if (checked->value != NULL)
        jr_batch_add (self->batch, header->connection_id, g_steal_pointer (&checked->value));
      else
        jr_batch_add_in_block (self->batch, header->connection_id, block,
                               (const char *) base + frames[i].offset + JR_FRAME_HEADER_SIZE,
                               checked->data, header->data_size);
      if (unpaid > 0)
        {
          jr_batch_add_bytes (self->batch, unpaid);
          unpaid = 0;
        }
      if (self->batch->n_messages == self->batch->capacity)
        flush_batch (self);
    }
}

/* Copies the run of frames at data + run_start out of the ring in one
 * block, and queues their messages, which share it. */
static void
flush_run (JrMonitor    *self,
           Lane         *lane,
           const guint8 *data)
{
  g_autoptr(GBytes) block = NULL;

  if (self->run_length == 0)
    return;

  block = g_bytes_new (data + self->run_start, self->run_bytes);
  deliver_block (self, lane, block, self->run, self->run_length);
  self->run_length = 0;
  self->run_bytes = 0;
}

/* The gather buffer is free again: the next lane in line may have it. */
static void
end_gather (JrMonitor *self,
            Lane      *lane)
{
  if (lane->gather != NULL)
    munmap (g_steal_pointer (&lane->gather), lane->gather_size);
  if (self->gathering == lane)
    {
      self->gathering = NULL;
      if (!g_queue_is_empty (&self->gather_queue))
        self->rescan = TRUE;
    }
}

/* Whether @lane may start gathering: one lane at a time, in the order
 * they asked. Otherwise it waits in line (its unread bytes are only the
 * start of that frame). */
static gboolean
take_gather_turn (JrMonitor *self,
                  Lane      *lane)
{
  if (self->gathering == NULL &&
      (g_queue_is_empty (&self->gather_queue) || g_queue_peek_head (&self->gather_queue) == lane))
    return TRUE;
  if (!lane->waiting_turn)
    {
      g_queue_push_tail (&self->gather_queue, lane);
      lane->waiting_turn = TRUE;
    }
  return FALSE;
}

/* Takes @lane out of the line for the gather buffer (its frame came
 * whole after all, or it is closing): the lane behind it may be first now. */
static void
leave_gather_line (JrMonitor *self,
                   Lane      *lane)
{
  if (!lane->waiting_turn)
    return;
  g_queue_remove (&self->gather_queue, lane);
  lane->waiting_turn = FALSE;
  if (self->gathering == NULL && !g_queue_is_empty (&self->gather_queue))
    self->rescan = TRUE;
}

/* Starts gathering the frame at the reader's position, or, without
 * memory for it, skips it. */
static void
start_gather (JrMonitor           *self,
              Lane                *lane,
              const JrFrameHeader *header,
              gsize                frame_size)
{
  leave_gather_line (self, lane);
  lane->gather = gather_map (frame_size);
  if (lane->gather == NULL)
    {
      lane_warn (self, lane, "dropped a message of %" G_GSIZE_FORMAT " bytes for connection %"
                 G_GUINT64_FORMAT ": %s", frame_size, header->connection_id, g_strerror (errno));
      lane->skip_left = frame_size;
      lane->mode = READ_SKIP;
      return;
    }
  self->gathering = lane;
  lane->gather_size = frame_size;
  lane->gather_filled = 0;
  lane->gather_moved = g_get_monotonic_time ();
  lane->gather_header = *header;
  lane->mode = READ_GATHER;
}

/* A gathered frame is whole, in memory of our own. */
static void
deliver_gathered (JrMonitor *self,
                  Lane      *lane)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) block = NULL;
  RunFrame frame = { .offset = 0 };
  const char *type_string;
  gsize frame_size;
  JrFrameStatus status;

  block = gather_to_block (g_steal_pointer (&lane->gather), lane->gather_size);
  end_gather (self, lane);
  status = jr_frame_peek (g_bytes_get_data (block, NULL), lane->gather_size, &frame.header,
                          &type_string, &frame_size, &error);
  if (status != JR_FRAME_OK)
    lane_warn (self, lane, "dropped a message: %s", error ? error->message : "truncated");
  else if (memcmp (&frame.header, &lane->gather_header, sizeof frame.header) != 0)
    lane_warn (self, lane, "dropped a message that changed while it was read");
  else
    deliver_block (self, lane, block, &frame, 1);
}

/* Reads what the lane's ring holds. Returns FALSE when it stopped because
 * the inbox is full. */
static gboolean
drain_lane (JrMonitor *self,
            Lane      *lane)
{
  gsize len;
  const guint8 *data = jr_channel_peek (lane->channel, &len);
  gsize ring_half = JR_CHANNEL_RING_SIZE / 2;
  gsize off = 0;
  gboolean room = TRUE;

  /* A stream's bytes are copied into its buffer first: as much as the
   * stream holds and the buffer has room for. */
  if (jr_channel_is_stream (lane->channel))
    {
      if (!jr_channel_pull (lane->channel, NULL))
        lane->writer_gone = TRUE;
      data = jr_channel_peek (lane->channel, &len);
    }

  if (data == NULL)
    {
      lane_break (self, lane, "closed as corrupt: its write position is beyond its ring");
      return TRUE;
    }

  self->run_length = 0;
  self->run_bytes = 0;
  while (off < len && !lane->broken)
    {
      g_autoptr(GError) error = NULL;
      JrFrameHeader header;
      JrFrameStatus status;
      gsize frame_size;
      gsize n;

      switch (lane->mode)
        {
        case READ_SKIP:
          n = MIN (lane->skip_left, len - off);
          off += n;
          lane->skip_left -= n;
          if (lane->skip_left == 0)
            lane->mode = READ_FRAMES;
          continue;

        case READ_GATHER:
          n = MIN (lane->gather_size - lane->gather_filled, len - off);
          memcpy (lane->gather + lane->gather_filled, data + off, n);
          off += n;
          lane->gather_filled += n;
          if (n > 0)
            lane->gather_moved = g_get_monotonic_time ();
          if (lane->gather_filled == lane->gather_size)
            {
              lane->mode = READ_FRAMES;
              deliver_gathered (self, lane);
            }
          continue;

        case READ_FRAMES:
        default:
          break;
        }

      /* Room is looked at before each run, and the run is bounded: the
       * inbox goes over its bound by one run at the most. */
      if (self->run_length == 0 && !has_room (self))
        {
          room = FALSE;
          break;
        }

      /* Framing only: the frame is checked on the copy deliver_block()
       * gets, which the worker cannot change under us. */
      status = jr_frame_peek_framing (data + off, len - off, &header, &frame_size, &error);
      /* A frame that waited for the gather buffer may have come whole
       * meanwhile (it fits the lane's own buffer): it no longer waits. */
      if (!(status == JR_FRAME_NEED_MORE && frame_size > ring_half))
        leave_gather_line (self, lane);
      if ((status == JR_FRAME_OK || status == JR_FRAME_SKIP ||
           (status == JR_FRAME_NEED_MORE && frame_size > ring_half)) &&
          !lane_may_send (self, lane, header.connection_id))
        {
          /* What came before it is good; nothing after it is read. */
          flush_run (self, lane, data);
          lane_forged (self, lane, header.connection_id);
          break;
        }

      switch (status)
        {
        case JR_FRAME_OK:
          /* A frame too big to share a run goes alone in its own. */
          if (self->run_length == BATCH_CAPACITY ||
              (self->run_length > 0 && self->run_bytes + frame_size > RUN_BYTES_MAX))
            {
              flush_run (self, lane, data);
              if (!has_room (self))
                {
                  room = FALSE;
                  goto out;
                }
            }
          if (self->run_length == 0)
            self->run_start = off;
          self->run[self->run_length].header = header;
          self->run[self->run_length].offset = off - self->run_start;
          self->run_length++;
          self->run_bytes += frame_size;
          off += frame_size;
          break;

        case JR_FRAME_NEED_MORE:
          flush_run (self, lane, data);
          /* A frame that fits half a ring will be whole in it: wait. One
           * larger is gathered, when its turn comes and there is room. */
          if (frame_size <= ring_half || !take_gather_turn (self, lane))
            goto out;
          if (!has_room (self))
            {
              room = FALSE;
              goto out;
            }
          start_gather (self, lane, &header, frame_size);
          break;

        case JR_FRAME_SKIP:
          flush_run (self, lane, data);
          lane_warn (self, lane, "dropped a message for connection %" G_GUINT64_FORMAT ": %s",
                     header.connection_id, error->message);
          lane->skip_left = frame_size;
          lane->mode = READ_SKIP;
          break;

        case JR_FRAME_CORRUPT:
        default:
          flush_run (self, lane, data);
          lane_break (self, lane, "closed after a corrupt frame: %s", error->message);
          break;
        }
    }

out:
  /* Before consume: the run is still in the ring. */
  flush_run (self, lane, data);
  jr_channel_consume (lane->channel, off);
  lane->stalled = len - off;
  return room;
}

static void
close_lane (JrMonitor *self,
            guint      index)
{
  Lane *lane = g_ptr_array_index (self->lanes, index);
  gsize left = 0;

  if (!lane->broken)
    {
      jr_channel_peek (lane->channel, &left);
      if (left > 0 || lane->mode != READ_FRAMES)
        push_warning (self, lane, g_strdup ("the worker went away in the middle of a message"));
    }
  summarize_warnings (self, lane, 0, TRUE);
  if (self->gathering == lane)
    end_gather (self, lane);
  leave_gather_line (self, lane);

  push_control (self, JR_BATCH_CHANNEL_CLOSED, lane->id, NULL);
  g_ptr_array_remove_index_fast (self->lanes, index);
}

static void
read_control (JrMonitor *self)
{
  guint64 count;

  while (read (self->control_fd, &count, sizeof count) < 0 && errno == EINTR)
    ;
}

/* When the gathering lane, if others wait for its turn, is stalled; 0
 * when no lane waits. */
static gint64
gather_stall_due (JrMonitor *self)
{
  if (self->gathering == NULL || g_queue_is_empty (&self->gather_queue))
    return 0;
  return self->gathering->gather_moved + GATHER_STALL_USEC;
}

/* Closes the gathering lane if it is stalled while others wait. */
static void
end_stalled_gather (JrMonitor *self)
{
  gint64 due = gather_stall_due (self);
  Lane *lane = self->gathering;

  if (due == 0 || g_get_monotonic_time () < due || lane->broken)
    return;
  lane_break (self, lane, "closed: it sent nothing of its %" G_GSIZE_FORMAT "-byte message "
              "for %d s while other workers waited to send large ones", lane->gather_size,
              (int) (GATHER_STALL_USEC / G_USEC_PER_SEC));
  /* The pass closes it right after, which hands the turn on. */
}

/* How long to sleep at most: warnings not said yet are counted in a
 * summary at least once a second, and a stalled gather is looked at when
 * due. */
static int
sleep_timeout_ms (JrMonitor *self)
{
  gint64 due = gather_stall_due (self);
  int timeout = -1;

  for (guint i = 0; i < self->lanes->len; i++)
    if (((Lane *) g_ptr_array_index (self->lanes, i))->warnings.suppressed > 0)
      {
        timeout = JR_WARN_LIMIT_PERIOD_USEC / 1000;
        break;
      }
  if (due != 0)
    {
      int until_due = (int) CLAMP ((due - g_get_monotonic_time () + 999) / 1000, 0,
                                   GATHER_STALL_USEC / 1000);

      timeout = timeout < 0 ? until_due : MIN (timeout, until_due);
    }
  return timeout;
}

static void
sleep_until_woken (JrMonitor *self)
{
  int timeout = sleep_timeout_ms (self);

  g_array_set_size (self->pollfds, 0);
  g_array_append_val (self->pollfds, ((struct pollfd) { .fd = self->control_fd, .events = POLLIN }));

  for (guint i = 0; i < self->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);
      struct pollfd pfd = { .fd = -1, .events = POLLIN };

      /* Lanes whose writer is gone were closed, or wait for room, or (a
       * stream, whose writer could finish a large message and leave)
       * wait for their turn to gather: nothing to poll, the pass after
       * the gather buffer comes free takes them up. */
      if (!lane->writer_gone)
        {
          if (jr_channel_arm (lane->channel, lane->stalled))
            return;
          pfd.fd = jr_channel_get_poll_fd (lane->channel);
        }
      g_array_append_val (self->pollfds, pfd);
    }

  while (poll ((struct pollfd *) self->pollfds->data, self->pollfds->len, timeout) < 0 && errno == EINTR)
    ;

  if (g_array_index (self->pollfds, struct pollfd, 0).revents != 0)
    read_control (self);

  /* pollfds[i + 1] belongs to lanes[i]: nothing changed the lanes since. */
  for (guint i = 0; i + 1 < self->pollfds->len; i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);

      if (g_array_index (self->pollfds, struct pollfd, i + 1).revents != 0 &&
          !jr_channel_ack_doorbell (lane->channel))
        lane->writer_gone = TRUE;
    }
}

/* A sync covers what each ring holds now, read or not: as far as a writer
 * can have written it (never more than a ring ahead of the reader). */
static void
start_sync (JrMonitor *self,
            guint64    token)
{
  self->pending_sync = MAX (self->pending_sync, token);
  for (guint i = 0; i < self->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);
      guint64 read, written;

      /* What a stream holds now is what was sent before the sync (as far
       * as the buffer has room: as far as a ring's writer could write). */
      if (jr_channel_is_stream (lane->channel) && !lane->writer_gone &&
          !jr_channel_pull (lane->channel, NULL))
        lane->writer_gone = TRUE;
      jr_channel_get_positions (lane->channel, &read, &written);
      lane->sync_target = written - read > JR_CHANNEL_RING_SIZE ? read + JR_CHANNEL_RING_SIZE : written;
      lane->sync_done = FALSE;
    }
}

/* TRUE once every lane has been read as far as it was written when the
 * pending sync was asked for, or has been read since as far as it can be:
 * unread bytes that are only part of a frame (a worker that stopped in the
 * middle of one, or waits for its turn to have a large one gathered) hold
 * nothing sent before the sync, and must not hold the sync either. */
static gboolean
sync_reached (JrMonitor *self)
{
  for (guint i = 0; i < self->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);
      guint64 read, written;

      if (lane->sync_done)
        continue;
      jr_channel_get_positions (lane->channel, &read, &written);
      if (read < lane->sync_target)
        return FALSE;
    }
  return TRUE;
}

static void
summarize_due_warnings (JrMonitor *self)
{
  gint64 now = 0;

  for (guint i = 0; i < self->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);

      if (lane->warnings.suppressed == 0)
        continue;
      if (now == 0)
        now = g_get_monotonic_time ();
      summarize_warnings (self, lane, now, FALSE);
    }
}

static gpointer
monitor_thread (gpointer data)
{
  JrMonitor *self = data;
  guint first = 0;

  for (;;)
    {
      gboolean room = TRUE;
      guint64 sync, looking;
      guint n_lanes;

      g_mutex_lock (&self->lock);
      for (guint i = 0; i < self->incoming->len; i++)
        {
          Lane *lane = g_new0 (Lane, 1);

          lane->channel = g_ptr_array_index (self->incoming, i);
          lane->id = jr_channel_get_id (lane->channel);
          g_ptr_array_add (self->lanes, lane);
        }
      g_ptr_array_set_size (self->incoming, 0);
      sync = self->sync_requested;
      self->sync_requested = 0;
      if (self->stop)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_mutex_unlock (&self->lock);

      if (sync != 0)
        start_sync (self, sync);
      looking = self->pending_sync;

      /* Each pass starts at the next lane, so that under a flood that
       * fills the inbox every lane gets its turn. */
      self->rescan = FALSE;
      n_lanes = self->lanes->len;
      for (guint i = 0; i < n_lanes; i++)
        ((Lane *) g_ptr_array_index (self->lanes, i))->drained = FALSE;
      for (guint k = 0; k < n_lanes && room; k++)
        {
          Lane *lane = g_ptr_array_index (self->lanes, (first + k) % n_lanes);

          room = drain_lane (self, lane);
          /* Waiting for its turn to gather is not drained: a stream's
           * writer may have left with its large message all sent. */
          lane->drained = room && !lane->waiting_turn;
          if (room)
            lane->sync_done = TRUE;
        }
      first = n_lanes > 0 ? (first + 1) % n_lanes : 0;

      /* Only after a whole pass: a lane not read for want of room in the
       * inbox is not stalled. */
      if (room)
        end_stalled_gather (self);

      /* A gone writer's ring holds all it will ever hold: once read as far
       * as it goes, the lane is done. */
      for (guint i = self->lanes->len; i > 0; i--)
        {
          Lane *lane = g_ptr_array_index (self->lanes, i - 1);

          if (lane->broken || (lane->writer_gone && lane->drained))
            close_lane (self, i - 1);
        }
      summarize_due_warnings (self);
      flush_batch (self);

      if (self->pending_sync != 0 && sync_reached (self))
        {
          push_control (self, JR_BATCH_SYNC, self->pending_sync, NULL);
          self->pending_sync = 0;
        }
      if (looking != 0)
        atomic_store (&self->sync_looked, looking);

      if (!room)
        {
          if (jr_inbox_wait_room_fd (self->inbox, self->control_fd))
            {
              struct pollfd pfd = { .fd = self->control_fd, .events = POLLIN };

              while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
                ;
              read_control (self);
            }
          continue;
        }

      /* The gather buffer came free: a lane waiting for it goes on now,
       * its writer may be waiting for room that only we can make. */
      if (self->rescan)
        continue;

      sleep_until_woken (self);
    }

  flush_batch (self);
  return NULL;
}

JrMonitor *
jr_monitor_new (JrInbox    *inbox,
                JrBindings *bindings,
                GError    **error)
{
  JrMonitor *self = g_new0 (JrMonitor, 1);

  self->control_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (self->control_fd < 0)
    {
      int saved = errno;

      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "Could not create the monitor's eventfd: %s", g_strerror (saved));
      g_free (self);
      return NULL;
    }

  self->inbox = jr_inbox_ref (inbox);
  self->bindings = jr_bindings_ref (bindings);
  g_mutex_init (&self->lock);
  self->incoming = g_ptr_array_new ();
  self->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) lane_free);
  self->pollfds = g_array_new (FALSE, FALSE, sizeof (struct pollfd));
  self->pins = jr_variant_pins_new ();
  g_queue_init (&self->gather_queue);

  self->thread = g_thread_try_new ("jr-monitor", monitor_thread, self, error);
  if (self->thread == NULL)
    {
      jr_monitor_free (self);
      return NULL;
    }
  return self;
}

static void
poke (JrMonitor *self)
{
  guint64 one = 1;

  while (write (self->control_fd, &one, sizeof one) < 0 && errno == EINTR)
    ;
}

void
jr_monitor_add_channel (JrMonitor *self,
                        JrChannel *channel)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->incoming, channel);
  g_mutex_unlock (&self->lock);
  poke (self);
}

guint64
jr_monitor_request_sync (JrMonitor *self)
{
  guint64 token;

  g_mutex_lock (&self->lock);
  token = ++self->last_token;
  self->sync_requested = token;
  g_mutex_unlock (&self->lock);
  poke (self);
  return token;
}

gboolean
jr_monitor_sync_looked_at (JrMonitor *self,
                           guint64    token)
{
  return atomic_load (&self->sync_looked) >= token;
}

void
jr_monitor_free (JrMonitor *self)
{
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stop = TRUE;
      g_mutex_unlock (&self->lock);
      poke (self);
      g_thread_join (self->thread);
    }

  g_clear_pointer (&self->batch, jr_batch_free);
  for (guint i = 0; i < self->incoming->len; i++)
    jr_channel_free (g_ptr_array_index (self->incoming, i));
  g_ptr_array_unref (self->incoming);
  g_queue_clear (&self->gather_queue);
  g_ptr_array_unref (self->lanes);
  g_array_unref (self->pollfds);
  jr_variant_pins_free (self->pins);
  jr_bindings_unref (self->bindings);
  jr_inbox_unref (self->inbox);
  close (self->control_fd);
  g_mutex_clear (&self->lock);
  g_free (self);
}
