/* jr-stream-private.h — a cross-process queue over a byte stream: a pipe,
 * a socket, or the standard input and output of a launcher (ssh, srun)
 * that connects to a worker on another machine.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The frames are those of a ring (jr-frame-private.h), one after the
 * other; nothing but the bytes goes through: no shared memory, no passed
 * descriptor, no shared file system. The reader and the writer are two
 * halves used in two processes (or machines):
 *
 * - The reader (the router's monitor thread) copies what the stream
 *   holds into a buffer of its own, JR_STREAM_BUFFER_SIZE bytes mapped
 *   twice back to back like a ring, so that unread bytes are always
 *   contiguous; the monitor then reads frames there exactly as it reads a
 *   child's ring, with the same checks. It reads the stream only while the
 *   buffer has room: a writer that outruns the router waits in write(),
 *   as a ring's writer waits for room. EOF (or a read error) is the
 *   writer gone: crash = EOF, as for a ring's doorbell.
 *
 * - The writer (a worker) appends whole frames to a pending buffer under
 *   a lock; a thread of its own writes them out, as many per write() as
 *   have piled up meanwhile. A flood then costs one system call per
 *   batch, not per message, and a message sent alone is written by its
 *   sender. In a flood the thread lets a batch pile up for a bounded
 *   moment (up to 32 KiB or 200 µs): a launcher relays each write() as a
 *   packet of its own. Senders wait while JR_STREAM_PENDING_MAX bytes are
 *   pending. Frames go out whole and in the order they were appended.
 *
 * Byte order: frames are in host byte order; the executor's first frame
 * (jr-worker-request-private.h) lets a worker on a machine of the other
 * order refuse to start, saying why.
 *
 * Threads: a reader is made on the router's thread and then used by the
 * monitor thread only. A writer may be used from any thread; its own
 * thread writes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JR_STREAM_BUFFER_SIZE  (1u << 20)
#define JR_STREAM_PENDING_MAX  (1u << 20)

typedef struct _JrStream JrStream;

/* ---- reader ---- */

/* Takes @fd (made non-blocking and close-on-exec here). */
JrStream     *jr_stream_new_reader    (int          fd,
                                       GError     **error);
/* The fd to poll for input, or -1 while the buffer is full (then there is
 * nothing to read it into). */
int           jr_stream_get_poll_fd   (JrStream    *stream);
/* Reads what the stream holds now, as far as the buffer has room. Returns
 * TRUE while the writer may write more, FALSE once it is gone (EOF or an
 * error): what it wrote is then all in the buffer. *got_more: whether
 * any byte was read (may be NULL). */
gboolean      jr_stream_fill          (JrStream    *stream,
                                       gboolean    *got_more);
/* The unread bytes: *len of them at the returned address, contiguous. */
const guint8 *jr_stream_peek          (JrStream    *stream,
                                       gsize       *len);
void          jr_stream_consume       (JrStream    *stream,
                                       gsize        len);
/* Bytes read from the buffer so far, and bytes read into it. */
void          jr_stream_get_positions (JrStream    *stream,
                                       guint64     *read,
                                       guint64     *written);

/* ---- writer ---- */

/* Takes @fd; starts the writing thread. When the stream breaks (the
 * reader has gone), @broken_func is called once, on that thread: a
 * worker on the far side of a launcher has nobody left to work for. */
JrStream     *jr_stream_new_writer    (int          fd,
                                       GFunc        broken_func,
                                       gpointer     broken_data,
                                       GError     **error);

/* Puts the value of @size bytes into @out. */
typedef void (*JrStreamStoreFunc) (gconstpointer source,
                                   guint8       *out,
                                   gsize         size);

/* Appends one frame for @connection_id whose value @store writes: waits
 * while too much is pending. Fails with JR_ROUTER_ERROR_DISCONNECTED once
 * the stream is broken. */
gboolean      jr_stream_write_frame   (JrStream          *stream,
                                       guint64            connection_id,
                                       const char        *type_string,
                                       gsize              data_size,
                                       JrStreamStoreFunc  store,
                                       gconstpointer      source,
                                       GError           **error);
/* Appends bytes as they are (tests that play a misbehaving worker). */
gboolean      jr_stream_write_raw     (JrStream          *stream,
                                       const void        *data,
                                       gsize              len,
                                       GError           **error);
/* Waits until everything appended so far has been written. */
gboolean      jr_stream_flush         (JrStream          *stream,
                                       GError           **error);

/* Either half: a writer first writes what is pending (for at most a
 * moment when the reader has stopped reading), then closes @fd. */
void          jr_stream_free          (JrStream          *stream);

G_END_DECLS
