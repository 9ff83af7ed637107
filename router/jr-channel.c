/* jr-channel.c — a shared-memory byte ring from one child to the router.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One ring per child keeps a crash in its own lane: a writer killed in the
 * middle of a message leaves a partial frame that nobody else's frames
 * depend on, and the EOF on its doorbell says which child it was.
 *
 * The ring is mapped twice back to back, so every run of unread bytes is
 * contiguous. Positions are 64-bit counters that never wrap. The writer
 * publishes with a release store of `tail`; the reader frees room with a
 * release store of `head`. Each side sets its `*_waiting` flag before it
 * sleeps and re-checks afterwards; the other side rings the doorbell only
 * when it finds the flag set, so a busy stream costs no system call.
 */
#define _GNU_SOURCE 1
#include "jr-channel-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobrouter.h"
#include "jr-frame-private.h"
#include "jr-stream-private.h"
#include "jr-twice-mapped-private.h"

#define RING_MAGIC 0x4a52524eu  /* "JRRN" */
#define HEADER_SIZE 4096u
#define WRITER_POLL_MS 1000

typedef struct {
  guint32        magic;
  guint32        ring_size;
  atomic_int     owner_pid;
  char           pad0[52];
  _Atomic guint64 tail;          /* written by the writer */
  char           pad1[56];
  _Atomic guint64 head;          /* written by the reader */
  char           pad2[56];
  atomic_int     reader_waiting;
  char           pad3[60];
  atomic_int     writer_waiting;
} JrRingHeader;

G_STATIC_ASSERT (sizeof (JrRingHeader) <= HEADER_SIZE);

struct _JrChannel {
  guint64       id;
  int           mem_fd;
  int           bell_fd;     /* our end of the doorbell socket pair */
  JrRingHeader *header;
  guint8       *ring;        /* ring_size bytes, mapped twice */
  gsize         ring_size;
  GMutex        write_lock;  /* child side: one message at a time */
  /* Child side: a message went out without its doorbell (see
   * jr_channel_write_data_deferred()), and whether a watcher waits for
   * requests with no timeout, so that nobody would pay it. */
  atomic_int    bell_owed;
  atomic_int    watcher_untimed;
  /* A queue over a byte stream instead of a ring (jr-stream-private.h):
   * everything above but id is unused then. */
  JrStream     *stream;
};

static gboolean
map_ring (JrChannel *channel,
          GError   **error)
{
  guint8 *base;

  channel->header = mmap (NULL, HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, channel->mem_fd, 0);
  if (channel->header == MAP_FAILED)
    {
      channel->header = NULL;
      return jr_set_errno_error (error, "Could not map the queue header");
    }

  base = jr_map_twice (channel->mem_fd, HEADER_SIZE, channel->ring_size, "the queue ring", error);
  if (base == NULL)
    return FALSE;
  channel->ring = base;
  return TRUE;
}

void
jr_channel_free (JrChannel *channel)
{
  if (channel == NULL)
    return;
  g_clear_pointer (&channel->stream, jr_stream_free);
  if (channel->ring != NULL)
    munmap (channel->ring, 2 * channel->ring_size);
  if (channel->header != NULL)
    munmap (channel->header, HEADER_SIZE);
  if (channel->mem_fd >= 0)
    close (channel->mem_fd);
  if (channel->bell_fd >= 0)
    close (channel->bell_fd);
  g_mutex_clear (&channel->write_lock);
  g_free (channel);
}

static JrChannel *
channel_alloc (guint64 id)
{
  JrChannel *channel = g_new0 (JrChannel, 1);

  channel->id = id;
  channel->mem_fd = -1;
  channel->bell_fd = -1;
  channel->ring_size = JR_CHANNEL_RING_SIZE;
  g_mutex_init (&channel->write_lock);
  return channel;
}

/* Where the child's ends go: the lowest free fd at or above this, the
 * same number in the child as here. High numbers keep clear of the fds an
 * application maps itself (3, 4, ...) ...*/
#define CHILD_FD_FLOOR 200

/* ... but within the descriptor limit, which may be far lower (ulimit -n
 * 64): then from half the limit, and at worst from just above the
 * standard streams. */
static int
dup_for_child (int fd)
{
  struct rlimit limit;
  int floor = CHILD_FD_FLOOR;
  int dup;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur / 2 < (rlim_t) floor)
    floor = MAX ((int) (limit.rlim_cur / 2), 3);

  dup = fcntl (fd, F_DUPFD_CLOEXEC, floor);
  if (dup < 0 && (errno == EMFILE || errno == EINVAL))
    dup = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  return dup;
}

/* A child that could shrink the memory would make the monitor's next read
 * of its ring fault with SIGBUS, killing the parent; one that grew it
 * could make us account memory we never asked for. Sealed before the child
 * exists, and the seals themselves sealed: only the size is fixed, both
 * sides still write. */
static gboolean
create_sealed_memory (JrChannel *channel,
                      GError   **error)
{
  channel->mem_fd = memfd_create ("jobrouter-queue", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (channel->mem_fd < 0)
    return jr_set_errno_error (error, "Could not create the queue memory");
  if (ftruncate (channel->mem_fd, HEADER_SIZE + channel->ring_size) < 0)
    return jr_set_errno_error (error, "Could not size the queue memory");
  if (fcntl (channel->mem_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
    return jr_set_errno_error (error, "Could not seal the queue memory");
  return TRUE;
}

JrChannel *
jr_channel_new_for_child (guint64       channel_id,
                          JrChildFds   *child,
                          GError      **error)
{
  JrChannel *channel = channel_alloc (channel_id);
  int pair[2];

  child->mem_fd = child->bell_fd = -1;
  child->env = NULL;
  if (!create_sealed_memory (channel, error) || !map_ring (channel, error))
    goto fail;

  channel->header->magic = RING_MAGIC;
  channel->header->ring_size = (guint32) channel->ring_size;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) < 0)
    {
      jr_set_errno_error (error, "Could not create the queue doorbell");
      goto fail;
    }
  channel->bell_fd = pair[0];

  /* Each end keeps its number in the child: GLib then only clears
   * FD_CLOEXEC there, no fixed number can be over the child's limit, and
   * no source fd of the spawn can have it (it is open here). Only a
   * target the application picks itself could; JR_CHANNEL_ENV tells the
   * child which they are, and the child checks what it finds there. */
  child->mem_fd = dup_for_child (channel->mem_fd);
  child->bell_fd = dup_for_child (pair[1]);
  close (pair[1]);
  if (child->mem_fd < 0 || child->bell_fd < 0)
    {
      jr_set_errno_error (error, "Could not duplicate the queue fds");
      jr_child_fds_clear (child);
      goto fail;
    }
  child->env = g_strdup_printf ("%d,%d,%d", child->mem_fd, child->bell_fd, (int) getpid ());
  return channel;

fail:
  jr_channel_free (channel);
  return NULL;
}

void
jr_child_fds_clear (JrChildFds *child)
{
  if (child->mem_fd >= 0)
    close (child->mem_fd);
  if (child->bell_fd >= 0)
    close (child->bell_fd);
  child->mem_fd = child->bell_fd = -1;
  g_clear_pointer (&child->env, g_free);
}

JrChannel *
jr_channel_new_for_launcher (GSubprocessLauncher *launcher,
                             guint64              channel_id,
                             GError             **error)
{
  JrChildFds child;
  JrChannel *channel = jr_channel_new_for_child (channel_id, &child, error);

  if (channel == NULL)
    return NULL;
  /* The launcher owns the child's ends from here on and closes them when
   * it is freed: from then on the child's exit shows as EOF here. */
  g_subprocess_launcher_take_fd (launcher, child.mem_fd, child.mem_fd);
  g_subprocess_launcher_take_fd (launcher, child.bell_fd, child.bell_fd);
  child.mem_fd = child.bell_fd = -1;
  g_subprocess_launcher_setenv (launcher, JR_CHANNEL_ENV, child.env, TRUE);
  jr_child_fds_clear (&child);
  return channel;
}

guint64
jr_channel_get_id (JrChannel *channel)
{
  return channel->id;
}

int
jr_channel_get_poll_fd (JrChannel *channel)
{
  if (channel->stream != NULL)
    return jr_stream_get_poll_fd (channel->stream);
  return channel->bell_fd;
}

JrChannel *
jr_channel_new_for_stream (guint64   channel_id,
                           int       fd,
                           GError  **error)
{
  JrStream *stream = jr_stream_new_reader (fd, error);
  JrChannel *channel;

  if (stream == NULL)
    return NULL;
  channel = channel_alloc (channel_id);
  channel->stream = stream;
  return channel;
}

gboolean
jr_channel_is_stream (JrChannel *channel)
{
  return channel->stream != NULL;
}

gboolean
jr_channel_pull (JrChannel *channel,
                 gboolean  *got_more)
{
  if (channel->stream == NULL)
    {
      if (got_more != NULL)
        *got_more = FALSE;
      return TRUE;
    }
  return jr_stream_fill (channel->stream, got_more);
}

/* ---- reader side (monitor thread) ---- */

const guint8 *
jr_channel_peek (JrChannel *channel,
                 gsize     *len)
{
  guint64 head, tail;

  if (channel->stream != NULL)
    return jr_stream_peek (channel->stream, len);

  head = atomic_load_explicit (&channel->header->head, memory_order_relaxed);
  tail = atomic_load_explicit (&channel->header->tail, memory_order_acquire);

  /* A writer may scribble anything here, positions included: a writer
   * waits for room, so it is never more than one ring ahead. */
  if (tail - head > channel->ring_size)
    {
      *len = 0;
      return NULL;
    }

  *len = (gsize) (tail - head);
  return channel->ring + (head & (channel->ring_size - 1));
}

static void
ring_bell (int fd)
{
  char byte = 0;

  /* A full socket buffer means the other side has a wake-up pending anyway. */
  while (send (fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EINTR)
    ;
}

void
jr_channel_get_positions (JrChannel *channel,
                          guint64   *read,
                          guint64   *written)
{
  if (channel->stream != NULL)
    {
      jr_stream_get_positions (channel->stream, read, written);
      return;
    }
  *read = atomic_load_explicit (&channel->header->head, memory_order_relaxed);
  *written = atomic_load_explicit (&channel->header->tail, memory_order_acquire);
}

void
jr_channel_consume (JrChannel *channel,
                    gsize      len)
{
  JrRingHeader *header = channel->header;

  if (channel->stream != NULL)
    {
      jr_stream_consume (channel->stream, len);
      return;
    }
  if (len == 0)
    return;

  atomic_store_explicit (&header->head,
                         atomic_load_explicit (&header->head, memory_order_relaxed) + len,
                         memory_order_release);
  atomic_thread_fence (memory_order_seq_cst);
  /* Wake a waiting writer only once a quarter of the ring is free: a writer
   * woken for a few bytes would fill them and sleep again at once. */
  if (atomic_load_explicit (&header->writer_waiting, memory_order_relaxed) &&
      channel->ring_size - (atomic_load (&header->tail) - atomic_load_explicit (&header->head, memory_order_relaxed)) >=
        channel->ring_size / 4 &&
      atomic_exchange (&header->writer_waiting, 0))
    ring_bell (channel->bell_fd);
}

gboolean
jr_channel_arm (JrChannel *channel,
                gsize      seen)
{
  JrRingHeader *header = channel->header;

  if (channel->stream != NULL)
    {
      gboolean got_more;

      /* Whatever came (or EOF) since the last look: look again. */
      jr_stream_fill (channel->stream, &got_more);
      return got_more;
    }

  atomic_store (&header->reader_waiting, 1);
  atomic_thread_fence (memory_order_seq_cst);
  if (atomic_load (&header->tail) != atomic_load_explicit (&header->head, memory_order_relaxed) + seen)
    {
      atomic_store (&header->reader_waiting, 0);
      return TRUE;
    }
  return FALSE;
}

gboolean
jr_channel_ack_doorbell (JrChannel *channel)
{
  char buf[256];
  /* A worker that rings without end must not keep the monitor here: what
   * is left past this makes poll() say so again, after the other lanes. */
  guint budget = 64;

  if (channel->stream != NULL)
    return jr_stream_fill (channel->stream, NULL);

  for (;;)
    {
      ssize_t n = recv (channel->bell_fd, buf, sizeof buf, MSG_DONTWAIT);

      /* Less than asked for: drained (one system call, not a second one to
       * hear EAGAIN). A byte that comes after makes poll() say so. */
      if (n > 0 && (gsize) n < sizeof buf)
        return TRUE;
      if (n > 0 && --budget == 0)
        return TRUE;
      if (n > 0)
        continue;
      if (n == 0)
        return FALSE;
      if (errno == EINTR)
        continue;
      /* EAGAIN: drained. ECONNRESET and the like: the writer is gone. */
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

/* ---- writer side (child process) ---- */

static JrChannel *parent_channel;
static GError *parent_error;

static gboolean
fd_has_type (int    fd,
             mode_t type)
{
  struct stat st;

  return fstat (fd, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static JrChannel *
open_parent_channel (GError **error)
{
  const char *env = g_getenv (JR_CHANNEL_ENV);
  int mem_fd, bell_fd, parent_pid;
  int expected = 0;
  JrChannel *channel;

  if (env == NULL || sscanf (env, "%d,%d,%d", &mem_fd, &bell_fd, &parent_pid) != 3)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NO_PARENT,
                   "This process was not started by a router "
                   "(spawn it with a launcher given to jr_router_prepare_launcher())");
      return NULL;
    }
  /* The variable outlives fds in grandchildren: check who we really are. */
  if (parent_pid != (int) getppid () ||
      !fd_has_type (mem_fd, S_IFREG) || !fd_has_type (bell_fd, S_IFSOCK))
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NO_PARENT,
                   "The router's queue was not passed to this process "
                   "(fds %d,%d from process %d; parent is %d)",
                   mem_fd, bell_fd, parent_pid, (int) getppid ());
      return NULL;
    }

  channel = channel_alloc (0);
  channel->mem_fd = mem_fd;
  channel->bell_fd = bell_fd;
  fcntl (mem_fd, F_SETFD, FD_CLOEXEC);
  fcntl (bell_fd, F_SETFD, FD_CLOEXEC);
  fcntl (bell_fd, F_SETFL, fcntl (bell_fd, F_GETFL) | O_NONBLOCK);

  if (!map_ring (channel, error))
    goto fail;
  if (channel->header->magic != RING_MAGIC || channel->header->ring_size != channel->ring_size)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NO_PARENT,
                   "The router's queue has an unknown format");
      goto fail;
    }
  if (!atomic_compare_exchange_strong (&channel->header->owner_pid, &expected, (int) getpid ()) &&
      expected != (int) getpid ())
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NO_PARENT,
                   "The router's queue is already used by process %d "
                   "(prepare one launcher per child)", expected);
      goto fail;
    }
  return channel;

fail:
  /* Keep the inherited fds out of harm's way but do not close what we
   * may not own. */
  channel->mem_fd = -1;
  channel->bell_fd = -1;
  jr_channel_free (channel);
  return NULL;
}

/* Guards parent_opened: the parent's queue is opened once, either the
 * inherited ring (on first use) or a stream set before. */
static GMutex parent_lock;
static gboolean parent_opened;

JrChannel *
jr_channel_get_for_parent (GError **error)
{
  JrChannel *channel;

  g_mutex_lock (&parent_lock);
  if (!parent_opened)
    {
      parent_channel = open_parent_channel (&parent_error);
      parent_opened = TRUE;
    }
  channel = parent_channel;
  g_mutex_unlock (&parent_lock);

  if (channel == NULL)
    {
      g_propagate_error (error, g_error_copy (parent_error));
      return NULL;
    }
  return channel;
}

gboolean
jr_channel_set_parent_stream (int       fd,
                              GFunc     broken_func,
                              gpointer  broken_data,
                              GError  **error)
{
  JrStream *stream;
  gboolean ok = FALSE;

  g_mutex_lock (&parent_lock);
  if (parent_opened)
    {
      /* Taken whatever happens, as on the other paths. */
      close (fd);
      g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                           "This process has opened its queue to its parent already: "
                           "set a stream before making the first sender");
    }
  else if ((stream = jr_stream_new_writer (fd, broken_func, broken_data, error)) != NULL)
    {
      parent_channel = channel_alloc (0);
      parent_channel->stream = stream;
      parent_opened = TRUE;
      ok = TRUE;
    }
  g_mutex_unlock (&parent_lock);
  return ok;
}

gboolean
jr_channel_flush (JrChannel  *channel,
                  GError    **error)
{
  return channel->stream == NULL || jr_stream_flush (channel->stream, error);
}

/* Waits until at least @want bytes are free. Called with write_lock held. */
static gboolean
wait_for_room (JrChannel *channel,
               gsize      want,
               GError   **error)
{
  JrRingHeader *header = channel->header;

  for (;;)
    {
      guint64 tail = atomic_load_explicit (&header->tail, memory_order_relaxed);
      struct pollfd pfd = { .fd = channel->bell_fd, .events = POLLIN };
      char buf[64];
      ssize_t n;

      if (channel->ring_size - (tail - atomic_load_explicit (&header->head, memory_order_acquire)) >= want)
        return TRUE;

      atomic_store (&header->writer_waiting, 1);
      atomic_thread_fence (memory_order_seq_cst);
      if (channel->ring_size - (tail - atomic_load (&header->head)) >= want)
        continue;

      if (poll (&pfd, 1, WRITER_POLL_MS) < 0 && errno != EINTR)
        return jr_set_errno_error (error, "Could not wait for the router");

      n = recv (channel->bell_fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        {
          g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED,
                               "The router has gone away");
          return FALSE;
        }
    }
}

static gboolean ring_reader (JrChannel *channel, GError **error);

/* Makes @len more bytes visible to the reader and, unless @deferred,
 * wakes it if it sleeps. */
static gboolean
publish (JrChannel *channel,
         gsize      len,
         gboolean   deferred,
         GError   **error)
{
  JrRingHeader *header = channel->header;

  atomic_store_explicit (&header->tail,
                         atomic_load_explicit (&header->tail, memory_order_relaxed) + len,
                         memory_order_release);
  atomic_thread_fence (memory_order_seq_cst);
  if (deferred)
    {
      atomic_store (&channel->bell_owed, 1);
      /* Nobody watches the time: pay at once. */
      if (atomic_load (&channel->watcher_untimed) && atomic_exchange (&channel->bell_owed, 0))
        return ring_reader (channel, error);
      return TRUE;
    }
  atomic_store_explicit (&channel->bell_owed, 0, memory_order_relaxed);
  return ring_reader (channel, error);
}

static gboolean
ring_reader (JrChannel *channel,
             GError   **error)
{
  JrRingHeader *header = channel->header;

  if (atomic_load_explicit (&header->reader_waiting, memory_order_relaxed) &&
      atomic_exchange (&header->reader_waiting, 0))
    {
      char byte = 0;

      while (send (channel->bell_fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
          g_set_error_literal (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED,
                               "The router has gone away");
          return FALSE;
        }
    }
  return TRUE;
}

static guint8 *
write_pointer (JrChannel *channel)
{
  return channel->ring + (atomic_load_explicit (&channel->header->tail, memory_order_relaxed) &
                          (channel->ring_size - 1));
}

/* Copies @len bytes in pieces as room frees up. Called with write_lock held. */
static gboolean
write_bytes_locked (JrChannel    *channel,
                    const guint8 *data,
                    gsize         len,
                    GError      **error)
{
  while (len > 0)
    {
      gsize chunk = MIN (len, channel->ring_size / 2);

      if (!wait_for_room (channel, chunk, error))
        return FALSE;
      memcpy (write_pointer (channel), data, chunk);
      if (!publish (channel, chunk, FALSE, error))
        return FALSE;
      data += chunk;
      len -= chunk;
    }
  return TRUE;
}

gboolean
jr_channel_write_raw (JrChannel   *channel,
                      const void  *data,
                      gsize        len,
                      GError     **error)
{
  gboolean ok;

  if (channel->stream != NULL)
    return jr_stream_write_raw (channel->stream, data, len, error);
  g_mutex_lock (&channel->write_lock);
  ok = write_bytes_locked (channel, data, len, error);
  g_mutex_unlock (&channel->write_lock);
  return ok;
}

void
jr_channel_scribble (JrChannel  *channel,
                     const void *data,
                     gsize       len,
                     guint64     advance)
{
  g_return_if_fail (channel->stream == NULL);
  g_return_if_fail (len <= channel->ring_size);

  g_mutex_lock (&channel->write_lock);
  memcpy (write_pointer (channel), data, len);
  atomic_store_explicit (&channel->header->tail,
                         atomic_load_explicit (&channel->header->tail, memory_order_relaxed) + advance,
                         memory_order_release);
  g_mutex_unlock (&channel->write_lock);
}

typedef JrStreamStoreFunc StoreFunc;

static void
store_variant (gconstpointer source,
               guint8       *out,
               gsize         size)
{
  g_variant_store ((GVariant *) source, out);
}

static void
store_bytes (gconstpointer source,
             guint8       *out,
             gsize         size)
{
  memcpy (out, source, size);
}

/* Writes one whole frame whose value @store puts in place. */
static gboolean
write_frame (JrChannel     *channel,
             guint64        connection_id,
             const char    *type_string,
             gsize          data_size,
             StoreFunc      store,
             gconstpointer  source,
             gboolean       deferred,
             GError       **error)
{
  gsize type_size = strlen (type_string) + 1;
  gsize frame_size = jr_frame_size_for (type_size, data_size);
  gsize data_offset = jr_frame_data_offset (type_size);
  gboolean ok;

  if (type_size > JR_FRAME_TYPE_MAX)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED,
                   "Message type %s is too long to send", type_string);
      return FALSE;
    }
  if (data_size > JR_MESSAGE_SIZE_MAX)
    {
      g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE,
                   "Message of %" G_GSIZE_FORMAT " bytes is over the limit of %u bytes",
                   data_size, JR_MESSAGE_SIZE_MAX);
      return FALSE;
    }

  /* A stream's thread writes it out, batched with what comes meanwhile:
   * nothing to defer. */
  if (channel->stream != NULL)
    return jr_stream_write_frame (channel->stream, connection_id, type_string, data_size, store,
                                  source, error);

  g_mutex_lock (&channel->write_lock);
  if (frame_size <= channel->ring_size / 2)
    {
      /* The common case: serialize straight into the ring. */
      ok = wait_for_room (channel, frame_size, error);
      if (ok)
        {
          guint8 *out = write_pointer (channel);

          jr_frame_write_header (out, connection_id, type_string, data_size);
          store (source, out + data_offset, data_size);
          ok = publish (channel, frame_size, deferred, error);
        }
    }
  else
    {
      g_autofree guint8 *frame = g_malloc (frame_size);

      jr_frame_write_header (frame, connection_id, type_string, data_size);
      store (source, frame + data_offset, data_size);
      ok = write_bytes_locked (channel, frame, frame_size, error);
    }
  g_mutex_unlock (&channel->write_lock);
  return ok;
}

gboolean
jr_channel_write_message (JrChannel  *channel,
                          guint64     connection_id,
                          GVariant   *message,
                          GError    **error)
{
  return write_frame (channel, connection_id, g_variant_get_type_string (message),
                      g_variant_get_size (message), store_variant, message, FALSE, error);
}

gboolean
jr_channel_write_data (JrChannel    *channel,
                       guint64       connection_id,
                       const char   *type_string,
                       gconstpointer data,
                       gsize         size,
                       GError      **error)
{
  return write_frame (channel, connection_id, type_string, size, store_bytes, data, FALSE, error);
}

gboolean
jr_channel_write_data_deferred (JrChannel    *channel,
                                guint64       connection_id,
                                const char   *type_string,
                                gconstpointer data,
                                gsize         size,
                                GError      **error)
{
  return write_frame (channel, connection_id, type_string, size, store_bytes, data, TRUE, error);
}

int
jr_channel_watch_begin (JrChannel *channel)
{
  if (channel->stream != NULL)
    return -1;
  atomic_store (&channel->watcher_untimed, 1);
  if (!atomic_load (&channel->bell_owed))
    return -1;
  atomic_store (&channel->watcher_untimed, 0);
  return JR_CHANNEL_BELL_DELAY_MS;
}

void
jr_channel_watch_end (JrChannel *channel,
                      gboolean   timed_out)
{
  atomic_store (&channel->watcher_untimed, 0);
  if (timed_out && atomic_exchange (&channel->bell_owed, 0))
    {
      g_mutex_lock (&channel->write_lock);
      ring_reader (channel, NULL);
      g_mutex_unlock (&channel->write_lock);
    }
}
