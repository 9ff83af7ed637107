/* jr-stream.c — a cross-process queue over a byte stream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See jr-stream-private.h. The reader's buffer is a memfd mapped twice
 * back to back: one read() fills all the room there is, and the unread
 * bytes are contiguous however the stream cut them. It is private to this
 * process (nobody else maps it) and page-aligned, which the kernel copies
 * into far faster than into a buffer that starts inside a page.
 */
#define _GNU_SOURCE 1
#include "jr-stream-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include "jobrouter.h"
#include "jr-frame-private.h"
#include "jr-twice-mapped-private.h"

/* A writer thread blocked on a reader that stopped reading looks up this
 * often whether it is to give up (jr_stream_free()). */
#define WRITER_POLL_MS      200
/* How long jr_stream_free() lets a writer finish what is pending. */
#define WRITER_CLOSE_USEC   (2 * G_USEC_PER_SEC)
/* A pending buffer grown past this (one large message) is not kept for
 * the next batch. */
#define SPARE_KEEP_MAX      (4u * 1024u * 1024u)
/* A message that comes at least this long after the one before, with
 * nothing pending, is written at once by its sender: it is in the kernel
 * when the send returns (as a ring's message is in the ring), and costs
 * no wake-up of the writing thread. Messages closer together are a
 * stream: they pile up for that thread, which writes them in batches. */
#define DIRECT_GAP_USEC     50
/* In a flood (the thread wrote its last batch less than COALESCE_USEC
 * ago, and it was not small), the thread waits up to COALESCE_USEC for COALESCE_BYTES to pile
 * up before it writes. A launcher relays each write() it reads as a
 * packet of its own (ssh encrypts and frames each; sshd reads a pipe in
 * what the writer wrote): a thread that kept up with its senders wrote
 * ~1 KiB at a time, and the relay spent its time per packet. Never for a
 * message that comes after a pause, nor while anyone waits (a flush, a
 * sender held back by the memory bound, closing). */
#define COALESCE_BYTES      (32u * 1024u)
#define COALESCE_USEC       200
/* ... and when that batch held at least this much: a dozen small
 * messages, not the few that a job's end sends close together. */
#define COALESCE_AFTER      1024u

struct _JrStream {
  int         fd;

  /* Reader: the monitor thread only. */
  guint8     *ring;          /* JR_STREAM_BUFFER_SIZE bytes, mapped twice */
  guint64     head;          /* read from the buffer */
  guint64     tail;          /* read into the buffer */
  gboolean    eof;

  /* Writer: lock guards everything below but thread. */
  GMutex      lock;
  GCond       cond;          /* the writing thread: something to write or stop */
  GCond       room;          /* senders: room freed, written, or broken */
  GByteArray *pending;       /* appended, not taken by the thread yet */
  GByteArray *writing;       /* taken by the thread, being written */
  guint64     appended;      /* bytes, ever */
  guint64     written;       /* bytes, ever */
  gint64      last_append;   /* when the last message came */
  gboolean    is_socket;     /* send() can say MSG_NOSIGNAL */
  gboolean    thread_idle;   /* waiting on cond, and nobody signalled it yet */
  gboolean    coalescing;    /* waiting on cond for more to pile up */
  gint64      last_batch_end;
  gsize       last_batch_len;
  guint       room_waiters;  /* threads waiting on room */
  gboolean    closing;       /* write what is pending, then end */
  gboolean    abandon;       /* end now */
  gboolean    broken;
  int         write_errno;
  GFunc       broken_func;
  gpointer    broken_data;
  GThread    *thread;
};

static JrStream *
stream_alloc (int fd)
{
  JrStream *stream = g_new0 (JrStream, 1);

  stream->fd = fd;
  g_mutex_init (&stream->lock);
  g_cond_init (&stream->cond);
  g_cond_init (&stream->room);
  return stream;
}

/* ---- reader ---- */

static guint8 *
map_buffer (GError **error)
{
  gsize size = JR_STREAM_BUFFER_SIZE;
  int fd = memfd_create ("jobrouter-stream", MFD_CLOEXEC);
  guint8 *base;

  if (fd < 0)
    {
      jr_set_errno_error (error, "Could not create a stream buffer");
      return NULL;
    }
  if (ftruncate (fd, (off_t) size) < 0)
    {
      jr_set_errno_error (error, "Could not size a stream buffer");
      close (fd);
      return NULL;
    }
  base = jr_map_twice (fd, 0, size, "a stream buffer", error);
  /* The mappings keep the memory. */
  close (fd);
  return base;
}

JrStream *
jr_stream_new_reader (int      fd,
                      GError **error)
{
  JrStream *stream;
  guint8 *ring = map_buffer (error);

  if (ring == NULL)
    {
      close (fd);
      return NULL;
    }
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  stream = stream_alloc (fd);
  stream->ring = ring;
  return stream;
}

int
jr_stream_get_poll_fd (JrStream *stream)
{
  return stream->tail - stream->head < JR_STREAM_BUFFER_SIZE && !stream->eof ? stream->fd : -1;
}

gboolean
jr_stream_fill (JrStream *stream,
                gboolean *got_more)
{
  const gsize size = JR_STREAM_BUFFER_SIZE;

  if (got_more != NULL)
    *got_more = FALSE;
  while (!stream->eof)
    {
      gsize room = size - (gsize) (stream->tail - stream->head);
      ssize_t n;

      if (room == 0)
        return TRUE;
      n = read (stream->fd, stream->ring + (stream->tail & (size - 1)), room);
      if (n > 0)
        {
          stream->tail += (guint64) n;
          if (got_more != NULL)
            *got_more = TRUE;
          /* Less than there was room for: the stream is empty for now (no
           * second system call to hear EAGAIN; poll() says when more
           * comes, or EOF). */
          if ((gsize) n < room)
            return TRUE;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      /* EOF, or ECONNRESET and the like: the writer is gone. */
      stream->eof = TRUE;
      if (got_more != NULL)
        *got_more = TRUE;
    }
  return FALSE;
}

const guint8 *
jr_stream_peek (JrStream *stream,
                gsize    *len)
{
  *len = (gsize) (stream->tail - stream->head);
  return stream->ring + (stream->head & (JR_STREAM_BUFFER_SIZE - 1));
}

void
jr_stream_consume (JrStream *stream,
                   gsize     len)
{
  g_assert (len <= stream->tail - stream->head);
  stream->head += len;
}

void
jr_stream_get_positions (JrStream *stream,
                         guint64  *read,
                         guint64  *written)
{
  *read = stream->head;
  *written = stream->tail;
}

/* ---- writer ---- */

/* Writes @len bytes; FALSE with errno set when the stream broke, or
 * when told to abandon. Called without the lock. */
static gboolean
write_all (JrStream     *stream,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      ssize_t n = write (stream->fd, data, len);

      if (n > 0)
        {
          data += n;
          len -= (gsize) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          struct pollfd pfd = { .fd = stream->fd, .events = POLLOUT };
          gboolean abandon;

          g_mutex_lock (&stream->lock);
          abandon = stream->abandon;
          g_mutex_unlock (&stream->lock);
          if (abandon)
            {
              errno = ECANCELED;
              return FALSE;
            }
          if (poll (&pfd, 1, WRITER_POLL_MS) < 0 && errno != EINTR)
            return FALSE;
          continue;
        }
      if (n == 0)
        errno = EPIPE;
      return FALSE;
    }
  return TRUE;
}

/* Called with the lock held. GLib's GCond makes a system call for every
 * signal, waited on or not: under a flood that was one futex() for every
 * few messages. Only wake those that wait. */
static void
wake_room_locked (JrStream *stream)
{
  if (stream->room_waiters > 0)
    g_cond_broadcast (&stream->room);
}

/* Called with the lock held: waits on room, counted (wake_room_locked()). */
static void
stop_coalescing_locked (JrStream *stream)
{
  if (stream->coalescing)
    {
      stream->coalescing = FALSE;
      g_cond_signal (&stream->cond);
    }
}

static void
wait_room_locked (JrStream *stream)
{
  stop_coalescing_locked (stream);
  stream->room_waiters++;
  g_cond_wait (&stream->room, &stream->lock);
  stream->room_waiters--;
}

static gboolean
wait_room_until_locked (JrStream *stream,
                        gint64    until)
{
  gboolean ok;

  stop_coalescing_locked (stream);
  stream->room_waiters++;
  ok = g_cond_wait_until (&stream->room, &stream->lock, until);
  stream->room_waiters--;
  return ok;
}

static gpointer
writer_thread (gpointer data)
{
  JrStream *stream = data;
  sigset_t pipe_only;

  /* A reader that has gone makes write() fail with EPIPE, and raise
   * SIGPIPE, which would kill the process: blocked on this thread only
   * (the threads that run jobs, and what they spawn, keep the default). */
  sigemptyset (&pipe_only);
  sigaddset (&pipe_only, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_only, NULL);

  g_mutex_lock (&stream->lock);
  for (;;)
    {
      GByteArray *batch;
      gboolean ok;
      int saved;

      while (stream->pending->len == 0 && !stream->closing && !stream->abandon)
        {
          stream->thread_idle = TRUE;
          g_cond_wait (&stream->cond, &stream->lock);
          stream->thread_idle = FALSE;
        }
      if (stream->abandon || (stream->pending->len == 0 && stream->closing))
        break;

      /* A flood: let a larger batch pile up, for a bounded moment. */
      if (stream->pending->len < COALESCE_BYTES && stream->room_waiters == 0 && !stream->closing &&
          stream->last_batch_len >= COALESCE_AFTER &&
          g_get_monotonic_time () - stream->last_batch_end < COALESCE_USEC)
        {
          gint64 until = g_get_monotonic_time () + COALESCE_USEC;

          stream->coalescing = TRUE;
          while (stream->coalescing && !stream->closing && !stream->abandon &&
                 g_cond_wait_until (&stream->cond, &stream->lock, until))
            ;
          stream->coalescing = FALSE;
          if (stream->abandon)
            break;
        }

      /* Take the whole pending batch; senders append to the other buffer
       * meanwhile. */
      batch = stream->pending;
      stream->pending = stream->writing;
      stream->writing = batch;
      wake_room_locked (stream);
      g_mutex_unlock (&stream->lock);

      ok = write_all (stream, batch->data, batch->len);
      saved = errno;

      g_mutex_lock (&stream->lock);
      stream->last_batch_end = g_get_monotonic_time ();
      stream->last_batch_len = batch->len;
      if (!ok)
        {
          stream->broken = TRUE;
          stream->write_errno = saved;
          wake_room_locked (stream);
          break;
        }
      stream->written += batch->len;
      if (batch->len > SPARE_KEEP_MAX)
        {
          g_byte_array_unref (batch);
          stream->writing = g_byte_array_new ();
        }
      else
        g_byte_array_set_size (batch, 0);
      wake_room_locked (stream);
    }
  g_mutex_unlock (&stream->lock);

  if (stream->broken && !stream->abandon && stream->broken_func != NULL)
    stream->broken_func (stream, stream->broken_data);
  return NULL;
}

JrStream *
jr_stream_new_writer (int       fd,
                      GFunc     broken_func,
                      gpointer  broken_data,
                      GError  **error)
{
  JrStream *stream = stream_alloc (fd);
  struct stat st;

  stream->is_socket = fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode);
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  /* Non-blocking, so that the thread can give up on a reader that has
   * stopped reading (jr_stream_free()). */
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  stream->pending = g_byte_array_new ();
  stream->writing = g_byte_array_new ();
  stream->broken_func = broken_func;
  stream->broken_data = broken_data;
  stream->thread = g_thread_try_new ("jr-stream-out", writer_thread, stream, error);
  if (stream->thread == NULL)
    {
      jr_stream_free (stream);
      return NULL;
    }
  return stream;
}

static gboolean
broken_error (JrStream  *stream,
              GError   **error)
{
  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED,
               "The router has gone away (%s)", g_strerror (stream->write_errno));
  return FALSE;
}

/* Called with the lock held: waits until @size more bytes may be
 * appended. One frame larger than the bound goes alone. */
static gboolean
wait_for_room_locked (JrStream  *stream,
                      gsize      size,
                      GError   **error)
{
  while (!stream->broken && stream->pending->len > 0 &&
         stream->pending->len + size > JR_STREAM_PENDING_MAX)
    wait_room_locked (stream);
  if (stream->broken)
    return broken_error (stream, error);
  return TRUE;
}

/* write() from a thread that may not have SIGPIPE blocked: a reader
 * that has gone must make it fail with EPIPE, not kill the process. */
static ssize_t
write_nosignal (JrStream     *stream,
                const guint8 *data,
                gsize         len)
{
  sigset_t pipe_only, old;
  ssize_t n;
  int saved;

  if (stream->is_socket)
    return send (stream->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

  sigemptyset (&pipe_only);
  sigaddset (&pipe_only, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_only, &old);
  n = write (stream->fd, data, len);
  saved = errno;
  if (n < 0 && saved == EPIPE && !sigismember (&old, SIGPIPE))
    {
      const struct timespec now = { 0, 0 };

      /* Take the SIGPIPE that write() raised while it was blocked. */
      while (sigtimedwait (&pipe_only, NULL, &now) < 0 && errno == EINTR)
        ;
    }
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  errno = saved;
  return n;
}

/* Called with the lock held, after @size bytes were appended: writes
 * them at once if they came alone (see DIRECT_GAP_USEC) and the stream
 * takes them, or wakes the writing thread. */
static void
appended_locked (JrStream *stream,
                 gsize     size)
{
  gint64 now = g_get_monotonic_time ();
  gboolean alone = now - stream->last_append >= DIRECT_GAP_USEC;

  stream->appended += size;
  stream->last_append = now;
  if (alone && stream->thread_idle && stream->pending->len == size)
    {
      ssize_t n;

      /* The thread is idle and nothing else is pending: nobody else
       * writes, and the lock keeps it so. The fd is non-blocking. */
      do
        n = write_nosignal (stream, stream->pending->data, size);
      while (n < 0 && errno == EINTR);
      if (n > 0)
        {
          g_byte_array_remove_range (stream->pending, 0, (guint) n);
          stream->written += (guint64) n;
        }
      if (stream->pending->len == 0)
        return;
      /* What is left (or a broken stream) is the thread's. */
    }
  if (stream->coalescing && stream->pending->len >= COALESCE_BYTES)
    stop_coalescing_locked (stream);
  /* Once: the thread is awake from then on, and takes all that is
   * pending when it gets the lock (a signal per message was a futex()
   * per message while it woke). */
  if (stream->thread_idle)
    {
      stream->thread_idle = FALSE;
      g_cond_signal (&stream->cond);
    }
}

gboolean
jr_stream_write_frame (JrStream          *stream,
                       guint64            connection_id,
                       const char        *type_string,
                       gsize              data_size,
                       JrStreamStoreFunc  store,
                       gconstpointer      source,
                       GError           **error)
{
  gsize type_size = strlen (type_string) + 1;
  gsize frame_size = jr_frame_size_for (type_size, data_size);
  guint8 *out;
  guint old;

  g_mutex_lock (&stream->lock);
  if (!wait_for_room_locked (stream, frame_size, error))
    {
      g_mutex_unlock (&stream->lock);
      return FALSE;
    }
  old = stream->pending->len;
  g_byte_array_set_size (stream->pending, old + (guint) frame_size);
  out = stream->pending->data + old;
  jr_frame_write_header (out, connection_id, type_string, data_size);
  store (source, out + jr_frame_data_offset (type_size), data_size);
  appended_locked (stream, frame_size);
  g_mutex_unlock (&stream->lock);
  return TRUE;
}

gboolean
jr_stream_write_raw (JrStream    *stream,
                     const void  *data,
                     gsize        len,
                     GError     **error)
{
  g_mutex_lock (&stream->lock);
  if (!wait_for_room_locked (stream, len, error))
    {
      g_mutex_unlock (&stream->lock);
      return FALSE;
    }
  g_byte_array_append (stream->pending, data, (guint) len);
  appended_locked (stream, len);
  g_mutex_unlock (&stream->lock);
  return TRUE;
}

gboolean
jr_stream_flush (JrStream  *stream,
                 GError   **error)
{
  guint64 target;
  gboolean ok;

  g_mutex_lock (&stream->lock);
  target = stream->appended;
  while (!stream->broken && stream->written < target)
    wait_room_locked (stream);
  ok = stream->written >= target || broken_error (stream, error);
  g_mutex_unlock (&stream->lock);
  return ok;
}

void
jr_stream_free (JrStream *stream)
{
  if (stream == NULL)
    return;

  if (stream->thread != NULL)
    {
      gint64 until = g_get_monotonic_time () + WRITER_CLOSE_USEC;

      g_mutex_lock (&stream->lock);
      stream->closing = TRUE;
      g_cond_signal (&stream->cond);
      while (!stream->broken && stream->written < stream->appended &&
             wait_room_until_locked (stream, until))
        ;
      stream->abandon = TRUE;
      g_cond_signal (&stream->cond);
      g_mutex_unlock (&stream->lock);
      g_thread_join (stream->thread);
    }
  if (stream->ring != NULL)
    munmap (stream->ring, 2 * JR_STREAM_BUFFER_SIZE);
  if (stream->fd >= 0)
    close (stream->fd);
  g_clear_pointer (&stream->pending, g_byte_array_unref);
  g_clear_pointer (&stream->writing, g_byte_array_unref);
  g_mutex_clear (&stream->lock);
  g_cond_clear (&stream->cond);
  g_cond_clear (&stream->room);
  g_free (stream);
}
