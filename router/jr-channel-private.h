/* jr-channel-private.h — one cross-process queue: a shared-memory byte ring
 * that one child process writes and the router's monitor thread reads, plus
 * a socket pair used as doorbell (wake the reader, wake a waiting writer,
 * and tell each side when the other has gone).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing has a name on the filesystem: the ring is a memfd and the doorbell
 * an anonymous socket pair, handed to the child with
 * g_subprocess_launcher_take_fd().
 *
 * Threads: the reader half is used by the monitor thread only (after
 * creation on the router's thread). The writer half serialises its callers
 * with a process-wide lock, so any thread of the child may write; each
 * message is written whole before the next one starts.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define JR_CHANNEL_ENV        "JOBROUTER_CHANNEL_FDS"
#define JR_CHANNEL_RING_SIZE  (1u << 20)

typedef struct _JrChannel JrChannel;

/* The child's ends of a channel: fds to pass under the same numbers, and
 * the value of JR_CHANNEL_ENV that names them. */
typedef struct {
  int   mem_fd;
  int   bell_fd;
  char *env;
} JrChildFds;

/* Parent side. Creates a channel and gives the child's ends to @launcher. */
JrChannel *jr_channel_new_for_launcher (GSubprocessLauncher *launcher,
                                        guint64              channel_id,
                                        GError             **error);
/* The same, giving the child's ends to the caller (who closes them, with
 * jr_child_fds_clear(), once the child has them: until then the child's
 * exit does not show as EOF). */
JrChannel *jr_channel_new_for_child    (guint64              channel_id,
                                        JrChildFds          *child,
                                        GError             **error);
void       jr_child_fds_clear          (JrChildFds          *child);
/* A queue over a byte stream (jr-stream-private.h): frames come on @fd,
 * which it takes, from a child or a launcher's standard output. The
 * reader functions below work the same on it; EOF is the writer gone. */
JrChannel *jr_channel_new_for_stream   (guint64              channel_id,
                                        int                  fd,
                                        GError             **error);
gboolean   jr_channel_is_stream        (JrChannel           *channel);
void       jr_channel_free             (JrChannel           *channel);
guint64    jr_channel_get_id           (JrChannel           *channel);
int        jr_channel_get_poll_fd      (JrChannel           *channel);

/* Reader (monitor thread). Points at the unread bytes: *len of them at the
 * returned address, contiguous even where the ring wraps. Returns NULL
 * (and *len 0) when the writer's position is more than a ring ahead of
 * the reader's, or behind it: no writer gets there without scribbling on
 * the header, and the queue is to be closed as corrupt. */
const guint8 *jr_channel_peek          (JrChannel           *channel,
                                        gsize               *len);
/* How far the reader has read and the writer has written, in bytes since
 * the start: a sync waits until every ring is read as far as it was
 * written when the sync was asked for. */
void       jr_channel_get_positions    (JrChannel           *channel,
                                        guint64             *read,
                                        guint64             *written);
/* A stream's reader only (a ring's writer puts its bytes in place
 * itself): reads what the stream holds now, as far as there is room.
 * Returns FALSE once the writer is gone, with everything it wrote read;
 * *got_more says whether anything came (may be NULL). */
gboolean   jr_channel_pull             (JrChannel           *channel,
                                        gboolean            *got_more);
/* Marks @len bytes read and wakes a writer waiting for room. */
void       jr_channel_consume          (JrChannel           *channel,
                                        gsize                len);
/* Before sleeping: asks the writer to ring the doorbell. Returns TRUE if
 * bytes arrived beyond the @seen unread ones (then do not sleep). */
gboolean   jr_channel_arm              (JrChannel           *channel,
                                        gsize                seen);
/* After the doorbell fd polled readable or hung up: drains it, 16 KiB at
 * most (what is left polls readable again). Returns FALSE once the writer
 * has gone (EOF). */
gboolean   jr_channel_ack_doorbell     (JrChannel           *channel);

/* Child side: the channel this process inherited (created once), or the
 * stream set with jr_channel_set_parent_stream(). */
JrChannel *jr_channel_get_for_parent   (GError             **error);
/* Child side, before the first jr_channel_get_for_parent(): this
 * process's queue to its parent is a byte stream written on @fd (which it
 * takes), not an inherited ring. @broken_func: see jr_stream_new_writer(). */
gboolean   jr_channel_set_parent_stream (int                 fd,
                                        GFunc                broken_func,
                                        gpointer             broken_data,
                                        GError             **error);
/* Waits until what was written is on its way (a stream); nothing to do
 * for a ring, whose reader sees each message as it is written. */
gboolean   jr_channel_flush            (JrChannel           *channel,
                                        GError             **error);
/* Writes one whole message for @connection_id, waiting for room. */
gboolean   jr_channel_write_message    (JrChannel           *channel,
                                        guint64              connection_id,
                                        GVariant            *message,
                                        GError             **error);
/* Writes one message given as the serialized, normal-form value of
 * @type_string: no GVariant to build for small fixed messages. */
gboolean   jr_channel_write_data       (JrChannel           *channel,
                                        guint64              connection_id,
                                        const char          *type_string,
                                        gconstpointer        data,
                                        gsize                size,
                                        GError             **error);
/* As jr_channel_write_data(), without ringing the doorbell: the next
 * message rings it, or a watcher after JR_CHANNEL_BELL_DELAY_MS (see
 * below). For a message that is soon followed by another (a job's
 * STARTED by its RESULT): the reader then wakes once for both. */
gboolean   jr_channel_write_data_deferred (JrChannel        *channel,
                                        guint64              connection_id,
                                        const char          *type_string,
                                        gconstpointer        data,
                                        gsize                size,
                                        GError             **error);
/* A thread that waits for something else (a worker's requests) watches
 * that no deferred doorbell waits long: it waits at most the returned
 * timeout, in ms (-1: none), then calls watch_end(), which rings a
 * doorbell still owed once the wait timed out. */
#define JR_CHANNEL_BELL_DELAY_MS 1
int        jr_channel_watch_begin      (JrChannel           *channel);
void       jr_channel_watch_end        (JrChannel           *channel,
                                        gboolean             timed_out);

/* Writes raw bytes as they are: for tests that play a misbehaving worker. */
gboolean   jr_channel_write_raw        (JrChannel           *channel,
                                        const void          *data,
                                        gsize                len,
                                        GError             **error);
/* For tests that play a worker scribbling on its ring: copies @len bytes
 * (at most a ring's worth) to the write position without waiting for room,
 * then moves the write position @advance bytes on, which may be more than
 * was written or than the ring holds. */
void       jr_channel_scribble         (JrChannel           *channel,
                                        const void          *data,
                                        gsize                len,
                                        guint64              advance);

G_END_DECLS
