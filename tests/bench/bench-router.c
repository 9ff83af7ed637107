/* bench-router.c — throughput, latency and memory of the router, with the
 * bare cross-process channel measured in the same run as a baseline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One executable plays every part, so that the workers run exactly the code
 * the benchmark was built with:
 *
 *   bench-router                      the benchmark; prints one figure a line
 *   bench-router worker KIND ID USEC RATE [SIZE]
 *                                     a worker process sending for USEC µs at
 *                                     RATE messages/s (0: as fast as it can);
 *                                     KIND is "router" (a JrSender), "raw"
 *                                     (frames written straight to the channel)
 *                                     or "stream" (a JrSender whose queue is
 *                                     standard output: the stream transport,
 *                                     locally or through ssh or srun)
 *   bench-router frames [SIZE]        writes the frames a "stream" worker
 *                                     writes, over and over, 64 KiB a
 *                                     write(), as fast as standard output
 *                                     takes them: the bare stream's
 *                                     baseline, a `cat` of the same bytes
 *   bench-router flood                the memory figure, in a fresh process so
 *                                     that heap kept by earlier phases cannot
 *                                     hide the growth
 *   bench-router flood-large          the memory figure under large messages:
 *                                     FLOOD_WORKERS workers send LARGE_COUNT
 *                                     messages of LARGE_SIZE bytes each while
 *                                     the main thread is busy for
 *                                     LARGE_BLOCK_SECONDS, in a fresh process
 *   bench-router large-worker ID      one of those workers
 *
 * Environment: BENCH_SCALE (default 1) multiplies every duration;
 * BENCH_FLOOD_SECONDS (default 10 × BENCH_SCALE) is the length of the flood;
 * BENCH_ONLY (say "processes,flood") runs only some of the runs, and
 * BENCH_STREAM_WAYS (say "ssh") only some ways of "streams".
 *
 * The stream transport ("streams") runs W=2 workers writing on a socket
 * pair, then through ssh and through srun (the test engines, see
 * tests/remote-engines.sh; skipped, saying why, without them), each beside
 * its baseline: the ring's W=2 figure for the socket pair, and for each way
 * the bare stream (`bench-router frames`, a `cat` of the same frames,
 * through the same launcher, W=2), in frames of the same size. The same
 * bytes, not zeros: srun writes what it relays one line at a time, and
 * each of these frames holds a newline (its payload counts 0 to 55). Each
 * way runs twice: in these small messages, and in messages of 4 KiB
 * ("bulk"), where what the way carries, not the router's cost per
 * message, sets the pace.
 *
 * Every message is a "(xay)": the g_get_monotonic_time() at which it was
 * made and a 56-byte payload — 64 bytes once serialized (4 KiB in the
 * bulk run). CLOCK_MONOTONIC is
 * one clock for the whole machine, so a timestamp made in a worker can be
 * compared with the time of delivery in the router's process.
 */
#include "bench-common.h"
#include "bench-stream.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>

#include "jobrouter.h"
#include "jr-channel-private.h"
#include "jr-frame-private.h"

#define MESSAGE_TYPE   "(xay)"
#define DONE_TYPE      "(t)"
#define MESSAGE_SIZE   64u          /* serialized: 8-byte timestamp + payload */
/* The streams' bulk run: messages of a page, where the bytes through ssh or
 * srun cost more than the messages in them. */
#define BULK_MESSAGE_SIZE 4096u

#define RUN_SECONDS    2.0
#define FLOOD_SECONDS  10.0
#define FLOOD_WORKERS  4u
/* Messages larger than half a ring, which the monitor gathers into memory
 * of its own: 30 MB, near JR_MESSAGE_SIZE_MAX. */
#define LARGE_SIZE     (30u * 1000u * 1000u)
#define LARGE_COUNT    3u
#define LARGE_BLOCK_SECONDS 3u
#define MAX_WORKERS    8u
/* Beyond the senders' own duration, how long a run may take before the
 * benchmark gives up on it (a lost message or a stuck router). */
#define WATCHDOG_SECONDS 60u

/* A latency histogram: 1 µs buckets up to 65 ms, then 1 ms buckets up to
 * 65 s. Fixed size, allocated before a run, so that measuring adds neither
 * allocations nor memory growth to what is measured. */
#define FINE_BUCKETS   65536u
#define COARSE_BUCKETS 65536u

typedef struct {
  guint64 fine[FINE_BUCKETS];
  guint64 coarse[COARSE_BUCKETS];
  guint64 n;
} Histogram;

static char   *self_exe;
static double  scale = 1.0;
/* The ring's W=2 figure of this run, for the stream's ratio (0: not run). */
static double  ring_w2_rate;

static gint64
seconds_to_usec (double seconds)
{
  return (gint64) (seconds * scale * G_USEC_PER_SEC);
}

static void
histogram_add (Histogram *hist,
               gint64     usec)
{
  if (usec < 0)
    usec = 0;
  if (usec < (gint64) FINE_BUCKETS)
    hist->fine[usec]++;
  else
    hist->coarse[MIN ((guint64) usec / 1000u, COARSE_BUCKETS - 1u)]++;
  hist->n++;
}

/* The smallest latency, in µs, that at least @q of the samples do not exceed. */
static gint64
histogram_quantile (const Histogram *hist,
                    double           q)
{
  guint64 rank = (guint64) (q * (double) hist->n + 0.999999);
  guint64 seen = 0;

  if (hist->n == 0)
    return -1;
  rank = CLAMP (rank, 1u, hist->n);

  for (guint i = 0; i < FINE_BUCKETS; i++)
    if ((seen += hist->fine[i]) >= rank)
      return i;
  for (guint i = 0; i < COARSE_BUCKETS; i++)
    if ((seen += hist->coarse[i]) >= rank)
      return (gint64) i * 1000;
  g_assert_not_reached ();
}

typedef struct {
  gsize resident;
  gsize unshared;  /* resident less shared pages: the heap, without the rings */
} Rss;

static Rss
read_rss (void)
{
  gsize resident, shared;

  if (!jr_test_read_statm (&resident, &shared))
    bench_die ("cannot read /proc/self/statm");
  return (Rss) { resident, resident - shared };
}

/* ---- the sending side: worker processes and sender threads ---- */

typedef struct {
  gint64 duration_usec;
  guint  rate;        /* messages per second; 0: as fast as possible */
} Pace;

/* Sends one serialized "(xay)" message of message_size bytes. */
typedef gboolean (*SendFunc) (gpointer      sink,
                              const guint8 *message,
                              GError      **error);

/* Each message is its own GVariant, floating: building a tree with
 * g_variant_new ("(x@ay)") costs several times more, and a child shared by
 * every message would make its reference count bounce between threads —
 * work of the sender, not of the router. */
/* The serialized size of the messages this process sends: MESSAGE_SIZE,
 * or BULK_MESSAGE_SIZE in the streams' bulk run (a worker's or the frames'
 * last argument says). */
static gsize message_size = MESSAGE_SIZE;

static GVariant *
message_new (const guint8 *message)
{
  gpointer bytes = g_memdup2 (message, message_size);

  return g_variant_new_from_data ((const GVariantType *) MESSAGE_TYPE, bytes, message_size, TRUE,
                                  g_free, bytes);
}

/* The bytes after the timestamp: they count 0, 1, 2… (so each 56-byte
 * payload holds a newline, as real data would). */
static GVariant *
new_payload (void)
{
  gsize payload_size = message_size - sizeof (gint64);
  g_autofree guint8 *bytes = g_malloc (payload_size);

  for (gsize i = 0; i < payload_size; i++)
    bytes[i] = (guint8) i;
  return g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                        bytes, payload_size, 1));
}

static void
timespec_add_nsec (struct timespec *ts,
                   gint64           nsec)
{
  nsec += ts->tv_nsec;
  ts->tv_sec += nsec / 1000000000;
  ts->tv_nsec = nsec % 1000000000;
}

/* Sends timestamped messages through @send for the time @pace says, either
 * as fast as @send returns or one per time slot. Every kind of sender runs
 * this same loop, so the figures differ only by what @send does. */
static guint64
send_for (SendFunc    send,
          gpointer    sink,
          const Pace *pace)
{
  g_autoptr(GVariant) payload = new_payload ();
  gint64 end = g_get_monotonic_time () + pace->duration_usec;
  gint64 period_nsec = pace->rate > 0 ? 1000000000 / (gint64) pace->rate : 0;
  struct timespec slot;
  guint64 n_sent = 0;

  clock_gettime (CLOCK_MONOTONIC, &slot);

  for (;;)
    {
      guint8 message[BULK_MESSAGE_SIZE];
      g_autoptr(GError) error = NULL;
      gint64 now;

      if (period_nsec > 0)
        {
          timespec_add_nsec (&slot, period_nsec);
          while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &slot, NULL) == EINTR)
            ;
        }

      now = g_get_monotonic_time ();
      if (now >= end)
        break;

      memcpy (message, &now, sizeof now);
      memcpy (message + sizeof now, g_variant_get_data (payload), message_size - sizeof now);
      if (!send (sink, message, &error))
        bench_die_on_error ("send", error);
      n_sent++;
    }

  return n_sent;
}

static gboolean
send_with_sender (gpointer      sink,
                  const guint8 *message,
                  GError      **error)
{
  return jr_sender_send (JR_SENDER (sink), message_new (message), error);
}

/* The same bytes, without making a GVariant: jr_sender_send_data(). */
static gboolean
send_data_with_sender (gpointer      sink,
                       const guint8 *message,
                       GError      **error)
{
  return jr_sender_send_data (JR_SENDER (sink), (const GVariantType *) MESSAGE_TYPE,
                              message, message_size, error);
}

/* Sends for @pace, then one "(t)" with the number sent, so that the router's
 * side knows when it has everything and can check that nothing was lost. */
static void
sender_run (JrSender   *sender,
            const Pace *pace,
            SendFunc    send)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) done = NULL;
  guint64 n_sent;

  if (!jr_sender_start (sender, &error))
    bench_die_on_error ("jr_sender_start", error);

  n_sent = send_for (send, sender, pace);

  done = g_variant_ref_sink (g_variant_new ("(t)", n_sent));
  if (!jr_sender_send (sender, done, &error) ||
      !jr_sender_stop (sender, &error))
    bench_die_on_error ("finishing the sender", error);
}

typedef struct {
  JrChannel *channel;
  guint64    connection_id;
  guint8    *frame;
} RawSink;

/* What a sender minimally has to do for one message: frame it, serialize
 * the value into the frame, write the frame. */
static gboolean
send_raw (gpointer      sink,
          const guint8 *bytes,
          GError      **error)
{
  g_autoptr(GVariant) message = g_variant_ref_sink (message_new (bytes));
  RawSink *raw = sink;
  gsize data_size = g_variant_get_size (message);
  gsize frame_size;

  g_assert (data_size == MESSAGE_SIZE);
  frame_size = jr_frame_write_header (raw->frame, raw->connection_id,
                                      g_variant_get_type_string (message), data_size);
  g_variant_store (message, raw->frame + jr_frame_data_offset (sizeof MESSAGE_TYPE));

  return jr_channel_write_raw (raw->channel, raw->frame, frame_size, error);
}

static gsize
parse_message_size (const char *text)
{
  guint64 size;

  if (!g_ascii_string_to_unsigned (text, 10, sizeof (gint64), BULK_MESSAGE_SIZE, &size, NULL))
    bench_die ("a message size of 8 to %u bytes, not %s", BULK_MESSAGE_SIZE, text);
  return (gsize) size;
}

static int
worker_main (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *kind;
  guint64 connection_id;
  Pace pace;

  if (argc != 6 && argc != 7)
    bench_die ("usage: %s worker router|raw|stream CONNECTION_ID DURATION_USEC RATE [SIZE]", argv[0]);
  if (argc == 7)
    message_size = parse_message_size (argv[6]);

  kind = argv[2];
  connection_id = g_ascii_strtoull (argv[3], NULL, 10);
  pace.duration_usec = g_ascii_strtoll (argv[4], NULL, 10);
  pace.rate = (guint) g_ascii_strtoull (argv[5], NULL, 10);

  if (g_str_equal (kind, "stream"))
    {
      /* The queue is standard output; anything else goes to stderr. */
      int fd = dup (STDOUT_FILENO);

      if (fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0 ||
          !jr_sender_set_parent_stream (fd, &error))
        bench_die_on_error ("setting up the stream", error);
      kind = "router";
    }
  if (g_str_equal (kind, "router"))
    {
      g_autoptr(JrSender) sender = jr_sender_new_for_parent (connection_id, &error);

      if (sender == NULL)
        bench_die_on_error ("jr_sender_new_for_parent", error);
      sender_run (sender, &pace, send_with_sender);
    }
  else if (g_str_equal (kind, "raw"))
    {
      RawSink raw = { NULL, connection_id, NULL };

      raw.channel = jr_channel_get_for_parent (&error);
      if (raw.channel == NULL)
        bench_die_on_error ("jr_channel_get_for_parent", error);
      raw.frame = g_malloc0 (jr_frame_size_for (sizeof MESSAGE_TYPE, MESSAGE_SIZE));
      send_for (send_raw, &raw, &pace);
      g_free (raw.frame);
    }
  else
    {
      bench_die ("unknown worker kind %s", kind);
    }

  return EXIT_SUCCESS;
}

/* The bare stream's baseline: the bytes a "stream" worker writes (the
 * same frames, timestamps aside), written with nothing else to do. */
static int
frames_main (int    argc,
             char **argv)
{
  g_autoptr(GVariant) payload = NULL;
  gsize frame_size;
  gsize n_frames;

  if (argc == 3)
    message_size = parse_message_size (argv[2]);
  payload = new_payload ();
  frame_size = jr_frame_size_for (sizeof MESSAGE_TYPE, message_size);
  n_frames = (64u * 1024u) / frame_size;
  g_autofree guint8 *block = g_malloc0 (n_frames * frame_size);

  for (gsize i = 0; i < n_frames; i++)
    {
      guint8 *frame = block + i * frame_size;
      guint8 message[BULK_MESSAGE_SIZE];
      gint64 now = g_get_monotonic_time ();

      memcpy (message, &now, sizeof now);
      memcpy (message + sizeof now, g_variant_get_data (payload), message_size - sizeof now);
      jr_frame_write_header (frame, 1, MESSAGE_TYPE, message_size);
      memcpy (frame + jr_frame_data_offset (sizeof MESSAGE_TYPE), message, message_size);
    }
  for (;;)
    {
      gsize off = 0;

      while (off < n_frames * frame_size)
        {
          ssize_t n = write (STDOUT_FILENO, block + off, n_frames * frame_size - off);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return EXIT_SUCCESS;   /* the reader has gone */
          off += (gsize) n;
        }
    }
}

/* Sends LARGE_COUNT "ay" messages of LARGE_SIZE bytes, then "(t)". */
static int
large_worker_main (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JrSender) sender = NULL;
  g_autoptr(GVariant) done = NULL;
  g_autofree guint8 *bytes = NULL;

  if (argc != 3)
    bench_die ("usage: %s large-worker CONNECTION_ID", argv[0]);

  sender = jr_sender_new_for_parent (g_ascii_strtoull (argv[2], NULL, 10), &error);
  if (sender == NULL || !jr_sender_start (sender, &error))
    bench_die_on_error ("opening the sender", error);
  bytes = g_malloc (LARGE_SIZE);
  memset (bytes, 0x5a, LARGE_SIZE);
  for (guint i = 0; i < LARGE_COUNT; i++)
    if (!jr_sender_send (sender, g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, LARGE_SIZE,
                                                          TRUE, NULL, NULL), &error))
      bench_die_on_error ("sending", error);
  done = g_variant_ref_sink (g_variant_new ("(t)", (guint64) LARGE_COUNT));
  if (!jr_sender_send (sender, done, &error) || !jr_sender_stop (sender, &error))
    bench_die_on_error ("finishing the sender", error);
  return EXIT_SUCCESS;
}

static GSubprocess *
spawn_worker (GSubprocessLauncher *launcher,
              const char          *kind,
              guint64              connection_id,
              const Pace          *pace)
{
  g_autoptr(GError) error = NULL;
  char id[32], usec[32], rate[32];
  GSubprocess *process;

  g_snprintf (id, sizeof id, "%" G_GUINT64_FORMAT, connection_id);
  g_snprintf (usec, sizeof usec, "%" G_GINT64_FORMAT, pace->duration_usec);
  g_snprintf (rate, sizeof rate, "%u", pace->rate);

  process = g_subprocess_launcher_spawn (launcher, &error, self_exe, "worker",
                                         kind, id, usec, rate, NULL);
  if (process == NULL)
    bench_die_on_error ("spawning a worker", error);
  return process;
}

/* ---- the router's side ---- */

typedef struct {
  GMainLoop *loop;
  Histogram *latency;        /* NULL: timestamps are not read */
  guint      n_senders;
  guint      n_done;         /* "(t)" messages received */
  guint      n_running;      /* worker processes not yet exited */
  guint64    n_delivered;
  guint64    n_announced;    /* the sum of what the senders said they sent */
  gint64     first_usec;
  gint64     last_usec;
  gboolean   sample_rss;
  Rss        rss_max;
} Delivery;

typedef struct {
  double  msgs_per_sec;
  double  main_nsec_per_msg;   /* CPU time of the main thread per message */
  double  all_nsec_per_msg;    /* CPU time of this whole process per message */
  gint64  p50_usec;
  gint64  p99_usec;
  Rss     rss_growth;
} Result;

static void
delivery_maybe_finish (Delivery *delivery)
{
  if (delivery->n_done == delivery->n_senders && delivery->n_running == 0)
    g_main_loop_quit (delivery->loop);
}

static void
sample_rss (Delivery *delivery)
{
  Rss now = read_rss ();

  delivery->rss_max.resident = MAX (delivery->rss_max.resident, now.resident);
  delivery->rss_max.unshared = MAX (delivery->rss_max.unshared, now.unshared);
}

static void
on_message (JrReceiver *receiver,
            GVariant   *message,
            gpointer    user_data)
{
  Delivery *delivery = user_data;
  const char *type = g_variant_get_type_string (message);

  if (strcmp (type, MESSAGE_TYPE) == 0)
    {
      /* The clock is read only where a figure needs it: at the first
       * message, for latency, and at each sender's last message ("(t)"
       * below), so that the handler's own cost stays out of the rate. */
      if (delivery->n_delivered++ == 0)
        delivery->first_usec = g_get_monotonic_time ();

      if (delivery->latency != NULL && g_variant_get_size (message) == message_size)
        {
          gint64 now = g_get_monotonic_time ();
          gint64 sent;

          /* The timestamp is the tuple's first member: a fixed-size int64 at
           * offset 0 of the serialized value. Reading it in place keeps the
           * handler's own cost out of the router's figures. */
          memcpy (&sent, g_variant_get_data (message), sizeof sent);
          histogram_add (delivery->latency, now - sent);
        }

      /* The flood may keep the timeout below from running: sample here too. */
      if (delivery->sample_rss && delivery->n_delivered % 65536u == 0)
        sample_rss (delivery);
    }
  else if (strcmp (type, DONE_TYPE) == 0)
    {
      guint64 n_sent;

      delivery->last_usec = g_get_monotonic_time ();
      g_variant_get (message, DONE_TYPE, &n_sent);
      delivery->n_announced += n_sent;
      delivery->n_done++;
      delivery_maybe_finish (delivery);
    }
  else
    {
      bench_die ("unexpected message of type %s", type);
    }
}

static void
on_worker_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Delivery *delivery = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    bench_die_on_error ("worker", error);
  delivery->n_running--;
  delivery_maybe_finish (delivery);
}

static gboolean
on_rss_tick (gpointer user_data)
{
  sample_rss (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_watchdog (gpointer user_data)
{
  Delivery *delivery = user_data;

  bench_die ("run did not finish: %" G_GUINT64_FORMAT " messages delivered, %u of %u senders done",
       delivery->n_delivered, delivery->n_done, delivery->n_senders);
}

typedef struct {
  JrSender *sender;
  Pace      pace;
  SendFunc  send;
} SenderThread;

static gpointer
sender_thread (gpointer data)
{
  SenderThread *thread = data;

  sender_run (thread->sender, &thread->pace, thread->send);
  return NULL;
}

/* CPU time used by this thread or process (@clock): what a message costs,
 * steadier than a rate when other machines share the host. */
static gint64
cpu_nsec (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double
rate_of (guint64 n,
         gint64  first_usec,
         gint64  last_usec)
{
  if (n < 2 || last_usec <= first_usec)
    return 0.0;
  return (double) n * G_USEC_PER_SEC / (double) (last_usec - first_usec);
}

/* Routes messages from @n_senders senders — worker processes or threads of
 * this process, after @transport — sending as @pace says, to receivers on
 * the main thread, dispatched by a GMainLoop. Thread senders send with
 * @thread_send; worker processes with jr_sender_send(), on a ring, or,
 * with @way not -1, on a stream through that way. */
static void
run_router_way (JrTransport  transport,
                int          way,
                guint        n_senders,
                const Pace  *pace,
                SendFunc     thread_send,
                gboolean     measure_latency,
                gboolean     measure_rss,
                Result      *result)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JrRouter) router = NULL;
  g_autofree Histogram *latency = NULL;
  JrSender *senders[MAX_WORKERS];
  JrReceiver *receivers[MAX_WORKERS];
  GSubprocess *processes[MAX_WORKERS] = { NULL };
  GThread *threads[MAX_WORKERS] = { NULL };
  SenderThread thread_data[MAX_WORKERS];
  Delivery delivery = { NULL };
  Rss rss_rest = { 0, 0 };
  guint rss_id = 0, watchdog_id;
  gint64 main_cpu_start, main_cpu_nsec, all_cpu_start, all_cpu_nsec;

  g_assert (n_senders <= MAX_WORKERS);

  if (measure_latency)
    latency = g_new0 (Histogram, 1);

  router = jr_router_new (transport, context);
  if (!jr_router_start (router, &error))
    bench_die_on_error ("jr_router_start", error);

  delivery.loop = g_main_loop_new (context, FALSE);
  delivery.latency = latency;
  delivery.n_senders = n_senders;
  delivery.sample_rss = measure_rss;

  for (guint i = 0; i < n_senders; i++)
    {
      if (!jr_router_pipe (router, &senders[i], &receivers[i], &error))
        bench_die_on_error ("jr_router_pipe", error);
      g_signal_connect (receivers[i], "message", G_CALLBACK (on_message), &delivery);
    }

  if (measure_rss)
    {
      rss_rest = read_rss ();
      delivery.rss_max = rss_rest;
      rss_id = g_timeout_add (10, on_rss_tick, &delivery);
    }

  for (guint i = 0; i < n_senders; i++)
    {
      if (transport == JR_TRANSPORT_PROCESSES && way >= 0)
        {
          char id[32], usec[32], rate[32], size[32];
          const char *argv[] = { self_exe, "worker", "stream", id, usec, rate, size, NULL };
          int fd;

          g_snprintf (size, sizeof size, "%" G_GSIZE_FORMAT, message_size);
          g_snprintf (id, sizeof id, "%" G_GUINT64_FORMAT, jr_sender_get_connection_id (senders[i]));
          g_snprintf (usec, sizeof usec, "%" G_GINT64_FORMAT, pace->duration_usec);
          g_snprintf (rate, sizeof rate, "%u", pace->rate);
          processes[i] = bench_stream_spawn ((BenchStreamWay) way, argv, &fd);
          if (jr_router_add_stream (router, fd, &error) == 0)
            bench_die_on_error ("jr_router_add_stream", error);
          delivery.n_running++;
          g_subprocess_wait_check_async (processes[i], NULL, on_worker_exited, &delivery);
        }
      else if (transport == JR_TRANSPORT_PROCESSES)
        {
          GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);

          jr_router_prepare_launcher_full (router, launcher, &error);
          bench_die_on_error ("jr_router_prepare_launcher_full", error);
          processes[i] = spawn_worker (launcher, "router",
                                       jr_sender_get_connection_id (senders[i]), pace);
          g_object_unref (launcher);
          delivery.n_running++;
          g_subprocess_wait_check_async (processes[i], NULL, on_worker_exited, &delivery);
        }
      else
        {
          thread_data[i].sender = senders[i];
          thread_data[i].pace = *pace;
          thread_data[i].send = thread_send;
          threads[i] = g_thread_new ("bench-sender", sender_thread, &thread_data[i]);
        }
    }

  watchdog_id = g_timeout_add_seconds ((guint) (pace->duration_usec / G_USEC_PER_SEC) + WATCHDOG_SECONDS,
                                       on_watchdog, &delivery);
  main_cpu_start = cpu_nsec (CLOCK_THREAD_CPUTIME_ID);
  all_cpu_start = cpu_nsec (CLOCK_PROCESS_CPUTIME_ID);
  g_main_loop_run (delivery.loop);
  main_cpu_nsec = cpu_nsec (CLOCK_THREAD_CPUTIME_ID) - main_cpu_start;
  all_cpu_nsec = cpu_nsec (CLOCK_PROCESS_CPUTIME_ID) - all_cpu_start;
  g_source_remove (watchdog_id);
  if (measure_rss)
    {
      sample_rss (&delivery);
      g_source_remove (rss_id);
    }

  for (guint i = 0; i < n_senders; i++)
    {
      if (threads[i] != NULL)
        g_thread_join (threads[i]);
      g_clear_object (&processes[i]);
      if (!jr_router_close_pipe (router, receivers[i], &error))
        bench_die_on_error ("jr_router_close_pipe", error);
      g_object_unref (receivers[i]);
      g_object_unref (senders[i]);
    }

  if (!jr_router_stop (router, &error))
    bench_die_on_error ("jr_router_stop", error);
  g_main_loop_unref (delivery.loop);

  if (delivery.n_delivered != delivery.n_announced)
    bench_die ("%" G_GUINT64_FORMAT " messages sent but %" G_GUINT64_FORMAT " delivered",
         delivery.n_announced, delivery.n_delivered);

  result->msgs_per_sec = rate_of (delivery.n_delivered, delivery.first_usec, delivery.last_usec);
  result->main_nsec_per_msg = delivery.n_delivered > 0 ? (double) main_cpu_nsec / delivery.n_delivered : 0;
  result->all_nsec_per_msg = delivery.n_delivered > 0 ? (double) all_cpu_nsec / delivery.n_delivered : 0;
  result->p50_usec = latency != NULL ? histogram_quantile (latency, 0.50) : -1;
  result->p99_usec = latency != NULL ? histogram_quantile (latency, 0.99) : -1;
  result->rss_growth.resident = delivery.rss_max.resident - rss_rest.resident;
  result->rss_growth.unshared = delivery.rss_max.unshared - rss_rest.unshared;
}

static void
run_router (JrTransport  transport,
            guint        n_senders,
            const Pace  *pace,
            SendFunc     thread_send,
            gboolean     measure_latency,
            gboolean     measure_rss,
            Result      *result)
{
  run_router_way (transport, -1, n_senders, pace, thread_send, measure_latency, measure_rss, result);
}

/* The baseline: the same workers write the same frames into the same kind
 * of channel, and this thread only takes the bytes off the rings — no
 * monitor thread, no decoding, no GVariant, no main loop. */
static double
run_raw (guint       n_workers,
         const Pace *pace)
{
  gsize frame_size = jr_frame_size_for (sizeof MESSAGE_TYPE, MESSAGE_SIZE);
  JrChannel *channels[MAX_WORKERS];
  GSubprocess *processes[MAX_WORKERS];
  struct pollfd fds[MAX_WORKERS];
  gboolean open[MAX_WORKERS];
  guint n_open = n_workers;
  guint64 n_bytes = 0;
  gint64 first_usec = 0, last_usec = 0;
  gint64 deadline = g_get_monotonic_time () + pace->duration_usec +
                    WATCHDOG_SECONDS * G_USEC_PER_SEC;

  g_assert (n_workers <= MAX_WORKERS);

  for (guint i = 0; i < n_workers; i++)
    {
      GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GError) error = NULL;

      channels[i] = jr_channel_new_for_launcher (launcher, i + 1, &error);
      if (channels[i] == NULL)
        bench_die_on_error ("jr_channel_new_for_launcher", error);
      processes[i] = spawn_worker (launcher, "raw", i + 1, pace);
      g_object_unref (launcher);
      fds[i].fd = jr_channel_get_poll_fd (channels[i]);
      fds[i].events = POLLIN;
      open[i] = TRUE;
    }

  while (n_open > 0)
    {
      gboolean progress = FALSE;
      int ready;

      for (guint i = 0; i < n_workers; i++)
        {
          gsize len = 0;

          if (!open[i])
            continue;
          jr_channel_peek (channels[i], &len);
          if (len == 0)
            continue;
          jr_channel_consume (channels[i], len);
          last_usec = g_get_monotonic_time ();
          if (n_bytes == 0)
            first_usec = last_usec;
          n_bytes += len;
          progress = TRUE;
        }
      if (progress)
        continue;

      for (guint i = 0; i < n_workers; i++)
        if (open[i] && jr_channel_arm (channels[i], 0))
          progress = TRUE;
      if (progress)
        continue;

      for (guint i = 0; i < n_workers; i++)
        fds[i].fd = open[i] ? jr_channel_get_poll_fd (channels[i]) : -1;
      ready = poll (fds, n_workers, 1000);
      if (ready < 0 && errno != EINTR)
        bench_die ("poll: %s", g_strerror (errno));
      if (g_get_monotonic_time () > deadline)
        bench_die ("raw run did not finish");

      for (guint i = 0; ready > 0 && i < n_workers; i++)
        {
          gsize len = 0;

          if (!open[i] || fds[i].revents == 0)
            continue;
          if (jr_channel_ack_doorbell (channels[i]))
            continue;

          /* The writer has gone: what it wrote before is all in the ring. */
          jr_channel_peek (channels[i], &len);
          if (len > 0)
            {
              jr_channel_consume (channels[i], len);
              last_usec = g_get_monotonic_time ();
              n_bytes += len;
            }
          open[i] = FALSE;
          n_open--;
        }
    }

  for (guint i = 0; i < n_workers; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!g_subprocess_wait_check (processes[i], NULL, &error))
        bench_die_on_error ("raw worker", error);
      g_object_unref (processes[i]);
      jr_channel_free (channels[i]);
    }

  if (n_bytes % frame_size != 0)
    bench_die ("raw run read %" G_GUINT64_FORMAT " bytes, not a whole number of frames", n_bytes);

  return rate_of (n_bytes / frame_size, first_usec, last_usec);
}

static int
flood_main (void)
{
  const char *env = g_getenv ("BENCH_FLOOD_SECONDS");
  Pace pace = { seconds_to_usec (FLOOD_SECONDS), 0 };
  Result result;

  /* An explicit length is taken as it is, not scaled. */
  if (env != NULL)
    pace.duration_usec = (gint64) (g_ascii_strtod (env, NULL) * G_USEC_PER_SEC);

  if (pace.duration_usec <= 0)
    bench_die ("BENCH_FLOOD_SECONDS must be positive");

  run_router (JR_TRANSPORT_PROCESSES, FLOOD_WORKERS, &pace, NULL, FALSE, TRUE, &result);

  printf ("router flood W=%u: %.0f msgs/s\n", FLOOD_WORKERS, result.msgs_per_sec);
  printf ("router flood W=%u rss growth: %.1f MiB\n", FLOOD_WORKERS,
          (double) result.rss_growth.resident / (1024.0 * 1024.0));
  /* The same without shared pages: what the heap grew, the rings left out. */
  printf ("router flood W=%u private rss growth: %.1f MiB\n", FLOOD_WORKERS,
          (double) result.rss_growth.unshared / (1024.0 * 1024.0));
  return EXIT_SUCCESS;
}

typedef struct {
  gint  stop;
  Rss   max;
} RssSampler;

/* The main thread is blocked on purpose below: sample from a thread. */
static gpointer
rss_sampler_thread (gpointer data)
{
  RssSampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      Rss now = read_rss ();

      sampler->max.resident = MAX (sampler->max.resident, now.resident);
      sampler->max.unshared = MAX (sampler->max.unshared, now.unshared);
      g_usleep (2000);
    }
  return NULL;
}

typedef struct {
  GMainLoop *loop;
  guint      n_large;
  guint      n_done;
  guint      n_running;
} LargeDelivery;

static void
on_large_message (JrReceiver *receiver,
                  GVariant   *message,
                  gpointer    user_data)
{
  LargeDelivery *delivery = user_data;

  if (g_variant_get_size (message) == LARGE_SIZE)
    delivery->n_large++;
  else if (g_str_equal (g_variant_get_type_string (message), DONE_TYPE))
    delivery->n_done++;
  else
    bench_die ("unexpected message of type %s", g_variant_get_type_string (message));
  if (delivery->n_done == FLOOD_WORKERS && delivery->n_running == 0)
    g_main_loop_quit (delivery->loop);
}

static void
on_large_worker_exited (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  LargeDelivery *delivery = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    bench_die_on_error ("large worker", error);
  if (--delivery->n_running == 0 && delivery->n_done == FLOOD_WORKERS)
    g_main_loop_quit (delivery->loop);
}

static gboolean
on_large_watchdog (gpointer user_data)
{
  LargeDelivery *delivery = user_data;

  bench_die ("large-message flood did not finish: %u large messages delivered, %u workers done",
             delivery->n_large, delivery->n_done);
}

/* FLOOD_WORKERS workers send 30 MB messages while the main thread does not
 * route for a few seconds: how far the router's memory grows. The bound
 * (README, "Backpressure") does not depend on the number of workers. */
static int
flood_large_main (void)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JrRouter) router = jr_router_new (JR_TRANSPORT_PROCESSES, context);
  JrSender *senders[FLOOD_WORKERS];
  JrReceiver *receivers[FLOOD_WORKERS];
  GSubprocess *processes[FLOOD_WORKERS];
  LargeDelivery delivery = { NULL };
  RssSampler sampler = { 0 };
  Rss rest;
  GThread *thread;
  guint watchdog_id;

  if (!jr_router_start (router, &error))
    bench_die_on_error ("jr_router_start", error);
  delivery.loop = g_main_loop_new (context, FALSE);
  for (guint i = 0; i < FLOOD_WORKERS; i++)
    {
      if (!jr_router_pipe (router, &senders[i], &receivers[i], &error))
        bench_die_on_error ("jr_router_pipe", error);
      g_signal_connect (receivers[i], "message", G_CALLBACK (on_large_message), &delivery);
    }

  rest = read_rss ();
  sampler.max = rest;
  thread = g_thread_new ("bench-rss", rss_sampler_thread, &sampler);
  for (guint i = 0; i < FLOOD_WORKERS; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      char id[32];

      if (jr_router_prepare_launcher_full (router, launcher, &error) == 0)
        bench_die_on_error ("jr_router_prepare_launcher_full", error);
      g_snprintf (id, sizeof id, "%" G_GUINT64_FORMAT, jr_sender_get_connection_id (senders[i]));
      processes[i] = g_subprocess_launcher_spawn (launcher, &error, self_exe, "large-worker", id, NULL);
      if (processes[i] == NULL)
        bench_die_on_error ("spawning a large worker", error);
      delivery.n_running++;
      g_subprocess_wait_check_async (processes[i], NULL, on_large_worker_exited, &delivery);
    }

  /* A main thread busy elsewhere: the workers fill what the router lets them. */
  g_usleep (LARGE_BLOCK_SECONDS * G_USEC_PER_SEC);

  watchdog_id = g_timeout_add_seconds (WATCHDOG_SECONDS, on_large_watchdog, &delivery);
  g_main_loop_run (delivery.loop);
  g_source_remove (watchdog_id);
  g_atomic_int_set (&sampler.stop, TRUE);
  g_thread_join (thread);

  for (guint i = 0; i < FLOOD_WORKERS; i++)
    {
      g_object_unref (processes[i]);
      if (!jr_router_close_pipe (router, receivers[i], &error))
        bench_die_on_error ("jr_router_close_pipe", error);
      g_object_unref (receivers[i]);
      g_object_unref (senders[i]);
    }
  if (!jr_router_stop (router, &error))
    bench_die_on_error ("jr_router_stop", error);
  g_main_loop_unref (delivery.loop);

  if (delivery.n_large != FLOOD_WORKERS * LARGE_COUNT)
    bench_die ("%u large messages delivered, not %u", delivery.n_large, FLOOD_WORKERS * LARGE_COUNT);

  printf ("router memory large-message flood W=%u: %.1f MiB\n", FLOOD_WORKERS,
          (double) (sampler.max.resident - rest.resident) / (1024.0 * 1024.0));
  printf ("router memory large-message flood W=%u private: %.1f MiB\n", FLOOD_WORKERS,
          (double) (sampler.max.unshared - rest.unshared) / (1024.0 * 1024.0));
  return EXIT_SUCCESS;
}

static void
bench_processes (void)
{
  static const guint workers[] = { 1, 2, 4 };
  Pace pace = { seconds_to_usec (RUN_SECONDS), 0 };

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      guint w = workers[i];
      Result result;
      double raw;

      run_router (JR_TRANSPORT_PROCESSES, w, &pace, NULL, TRUE, FALSE, &result);
      if (w == 2)
        ring_w2_rate = result.msgs_per_sec;
      printf ("router processes W=%u: %.0f msgs/s\n", w, result.msgs_per_sec);
      printf ("router processes W=%u latency p50: %" G_GINT64_FORMAT " us\n", w, result.p50_usec);
      printf ("router processes W=%u latency p99: %" G_GINT64_FORMAT " us\n", w, result.p99_usec);
      fflush (stdout);

      raw = run_raw (w, &pace);
      printf ("raw transport W=%u: %.0f msgs/s\n", w, raw);
      printf ("ratio router/raw W=%u: %.2f\n", w, raw > 0 ? result.msgs_per_sec / raw : 0.0);
      fflush (stdout);
    }
}

static void
bench_paced (void)
{
  static const guint rates[] = { 500, 10000 };

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      Pace pace = { seconds_to_usec (RUN_SECONDS), rates[i] };
      Result result;

      run_router (JR_TRANSPORT_PROCESSES, 1, &pace, NULL, TRUE, FALSE, &result);
      printf ("router processes paced %u/s latency p50: %" G_GINT64_FORMAT " us\n",
              rates[i], result.p50_usec);
      printf ("router processes paced %u/s latency p99: %" G_GINT64_FORMAT " us\n",
              rates[i], result.p99_usec);
      fflush (stdout);
    }
}

/* The stream transport on @way, W=2, beside the same frames through `cat`
 * on the same way, in messages of @size bytes; @label says which run. */
static void
bench_stream_way (int         way,
                  gsize       size,
                  const char *label)
{
  const guint w = 2;
  Pace pace = { seconds_to_usec (RUN_SECONDS), 0 };
  const char *name = bench_stream_way_name (way);
  char size_arg[32];
  const char *frames_argv[] = { self_exe, "frames", size_arg, NULL };
  double frame_size = (double) jr_frame_size_for (sizeof MESSAGE_TYPE, size);
  Result result;
  double cat, cat_msgs;

  g_snprintf (size_arg, sizeof size_arg, "%" G_GSIZE_FORMAT, size);
  message_size = size;
  run_router_way (JR_TRANSPORT_PROCESSES, way, w, &pace, NULL, TRUE, FALSE, &result);
  message_size = MESSAGE_SIZE;
  printf ("router stream %s%s W=%u: %.0f msgs/s\n", name, label, w, result.msgs_per_sec);
  if (size != MESSAGE_SIZE)
    printf ("router stream %s%s W=%u: %.1f MB/s\n", name, label, w,
            result.msgs_per_sec * frame_size / 1e6);
  printf ("router stream %s%s W=%u latency p50: %" G_GINT64_FORMAT " us\n", name, label, w, result.p50_usec);
  printf ("router stream %s%s W=%u latency p99: %" G_GINT64_FORMAT " us\n", name, label, w, result.p99_usec);
  if (way == BENCH_STREAM_SOCKETPAIR && size == MESSAGE_SIZE)
    printf ("ratio stream socketpair/ring processes W=%u: %.2f\n", w,
            ring_w2_rate > 0 ? result.msgs_per_sec / ring_w2_rate : 0.0);
  fflush (stdout);

  cat = bench_stream_cat_rate (way, frames_argv, w, pace.duration_usec);
  cat_msgs = cat / frame_size;
  printf ("cat %s%s W=%u: %.1f MB/s\n", name, label, w, cat / 1e6);
  printf ("cat %s%s W=%u in %u-byte frames: %.0f msgs/s\n", name, label, w, (guint) frame_size, cat_msgs);
  printf ("ratio router stream/cat %s%s W=%u: %.2f\n", name, label, w,
          cat_msgs > 0 ? result.msgs_per_sec / cat_msgs : 0.0);
  /* The ceiling of that ratio on this machine: the router's own rings,
   * with no launcher at all, against what the launcher carries. A stream
   * through the launcher cannot take more than the router takes from
   * shared memory; below 0.8 here, the target cannot be met here. */
  if (way != BENCH_STREAM_SOCKETPAIR && size == MESSAGE_SIZE)
    printf ("ratio ring processes/cat %s W=%u: %.2f\n", name, w,
            cat_msgs > 0 ? ring_w2_rate / cat_msgs : 0.0);
  fflush (stdout);
}

/* The stream transport, W=2, on each way, beside its baselines: in small
 * messages (what the router's own cost per message bounds), then in
 * messages of a page ("bulk": what the bytes through the way bound). */
static void
bench_streams (void)
{
  if (ring_w2_rate == 0)
    {
      Pace pace = { seconds_to_usec (RUN_SECONDS), 0 };
      Result ring;

      run_router (JR_TRANSPORT_PROCESSES, 2, &pace, NULL, FALSE, FALSE, &ring);
      ring_w2_rate = ring.msgs_per_sec;
      printf ("router processes W=2: %.0f msgs/s\n", ring_w2_rate);
    }

  for (int way = 0; way < BENCH_STREAM_N_WAYS; way++)
    {
      g_autofree char *reason = NULL;
      const char *ways = g_getenv ("BENCH_STREAM_WAYS");

      /* For profiling one way: BENCH_STREAM_WAYS=ssh. */
      if (ways != NULL && *ways != '\0' && strstr (ways, bench_stream_way_name (way)) == NULL)
        continue;
      if (!bench_stream_way_up (way, &reason))
        {
          printf ("router stream %s W=2: skipped (%s)\n", bench_stream_way_name (way), reason);
          fflush (stdout);
          continue;
        }
      bench_stream_way (way, MESSAGE_SIZE, "");
      bench_stream_way (way, BULK_MESSAGE_SIZE, " bulk");
    }
  bench_stream_finish ();
}

/* The thread transport's baseline: the same sender threads make the same
 * messages and drop them in runs of 64, with no router at all. What GLib
 * costs them (its global type-information lock, taken to make and to free
 * every "(xay)", is shared by the threads) bounds what any router can
 * deliver. */
typedef struct {
  GVariant *held[64];
  guint     n_held;
} AloneSink;

static void
alone_drop_held (AloneSink *alone)
{
  for (guint i = 0; i < alone->n_held; i++)
    g_variant_unref (alone->held[i]);
  alone->n_held = 0;
}

static gboolean
send_alone (gpointer      sink,
            const guint8 *message,
            GError      **error)
{
  AloneSink *alone = sink;

  if (alone->n_held == G_N_ELEMENTS (alone->held))
    alone_drop_held (alone);
  alone->held[alone->n_held++] = g_variant_take_ref (message_new (message));
  return TRUE;
}

typedef struct {
  Pace    pace;
  guint64 n_sent;
} AloneThread;

static gpointer
alone_thread (gpointer data)
{
  AloneThread *thread = data;
  AloneSink alone = { { NULL }, 0 };

  thread->n_sent = send_for (send_alone, &alone, &thread->pace);
  alone_drop_held (&alone);
  return NULL;
}

static double
run_senders_alone (guint n_senders)
{
  AloneThread data[MAX_WORKERS];
  GThread *threads[MAX_WORKERS];
  guint64 n_sent = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n_senders; i++)
    {
      data[i] = (AloneThread) { { seconds_to_usec (RUN_SECONDS), 0 }, 0 };
      threads[i] = g_thread_new ("bench-alone", alone_thread, &data[i]);
    }
  for (guint i = 0; i < n_senders; i++)
    {
      g_thread_join (threads[i]);
      n_sent += data[i].n_sent;
    }
  return rate_of (n_sent, start, g_get_monotonic_time ());
}

static void
bench_threads (void)
{
  static const guint workers[] = { 1, 2 };
  Pace pace = { seconds_to_usec (RUN_SECONDS), 0 };

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      Result result;
      double alone;

      run_router (JR_TRANSPORT_THREADS, workers[i], &pace, send_with_sender, FALSE, FALSE, &result);
      printf ("router threads W=%u: %.0f msgs/s\n", workers[i], result.msgs_per_sec);
      printf ("router threads W=%u main thread: %.0f ns/msg\n", workers[i], result.main_nsec_per_msg);
      printf ("router threads W=%u all threads: %.0f ns/msg\n", workers[i], result.all_nsec_per_msg);
      fflush (stdout);

      alone = run_senders_alone (workers[i]);
      printf ("senders alone threads W=%u: %.0f msgs/s\n", workers[i], alone);
      printf ("ratio router/senders alone threads W=%u: %.2f\n", workers[i],
              alone > 0 ? result.msgs_per_sec / alone : 0.0);
      fflush (stdout);

      /* The same bytes through jr_sender_send_data(): no sender makes a
       * GVariant, the router's thread makes them all. */
      run_router (JR_TRANSPORT_THREADS, workers[i], &pace, send_data_with_sender, FALSE, FALSE, &result);
      printf ("router threads send_data W=%u: %.0f msgs/s\n", workers[i], result.msgs_per_sec);
      printf ("router threads send_data W=%u main thread: %.0f ns/msg\n", workers[i],
              result.main_nsec_per_msg);
      fflush (stdout);
    }
}

/* The flood runs in a fresh copy of this program: its heap holds nothing
 * from the runs before, so what it keeps is what the flood made it keep. */
static void
bench_flood (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  fflush (stdout);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_exe, "flood", NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    bench_die_on_error ("flood run", error);
  g_clear_object (&process);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_exe, "flood-large", NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    bench_die_on_error ("large-message flood run", error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  bench_init ("bench-router");
  scale = bench_scale ();
  if (argc > 1 && g_str_equal (argv[1], "worker"))
    return worker_main (argc, argv);
  if (argc > 1 && g_str_equal (argv[1], "large-worker"))
    return large_worker_main (argc, argv);

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  if (self_exe == NULL)
    bench_die_on_error ("finding this program", error);

  /* Figures are read while the benchmark runs; a crash must not eat them. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc > 1 && g_str_equal (argv[1], "frames"))
    return frames_main (argc, argv);
  if (argc > 1 && g_str_equal (argv[1], "flood"))
    return flood_main ();
  if (argc > 1 && g_str_equal (argv[1], "flood-large"))
    return flood_large_main ();
  if (argc > 1)
    bench_die ("usage: %s [worker ...|flood|flood-large]", argv[0]);

  if (bench_wants ("processes"))
    bench_processes ();
  if (bench_wants ("streams"))
    bench_streams ();
  if (bench_wants ("paced"))
    bench_paced ();
  if (bench_wants ("threads"))
    bench_threads ();
  if (bench_wants ("flood"))
    bench_flood ();

  g_free (self_exe);
  return EXIT_SUCCESS;
}
