/* jr-request-reader-private.h — a worker's side of its request stream:
 * the bytes read so far, cut into whole requests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The worker reads its socket (or its standard input, behind a launcher)
 * onto the end of the reader's buffer, as much as
 * jr_request_reader_want() asks for (or jr_request_reader_add()s it),
 * and takes the requests out one by one. A request to drop (over the size
 * limit, of a type no request has) may be known as such from its header
 * alone: the reader then drops the rest of it as it comes, a bounded
 * read at a time, and never waits for all of it.
 *
 * Threads: one reader is used by one thread at a time.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-worker-request-private.h"

G_BEGIN_DECLS

typedef struct {
  GByteArray *buffer;   /* read and not yet taken */
  gsize       want;     /* what the next read is to ask for */
  guint64     skip;     /* bytes still to come of a dropped request */
} JrRequestReader;

void          jr_request_reader_init  (JrRequestReader *reader);
void          jr_request_reader_clear (JrRequestReader *reader);
/* Appends @len bytes that a read gave. */
void          jr_request_reader_add   (JrRequestReader *reader,
                                       const guint8    *data,
                                       gsize            len);
/* How many bytes the next read should ask for (at least 4096). */
gsize         jr_request_reader_want  (JrRequestReader *reader);
/* Takes the next request: OK (@request holds it; clear it), NEED_MORE
 * (read more), SKIP (one was dropped, @error says why: call again) or
 * CORRUPT (the stream cannot go on, @error says why). */
JrFrameStatus jr_request_reader_next  (JrRequestReader *reader,
                                       JrWorkerRequest *request,
                                       GError         **error);
/* Whether bytes wait to be taken. */
gboolean      jr_request_reader_has_unread (JrRequestReader *reader);

G_END_DECLS
