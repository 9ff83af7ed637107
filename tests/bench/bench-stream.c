/* bench-stream.c — the ways to a stream worker, and the bare stream's
 * capacity through each; see bench-stream.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench-stream.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

const char *
bench_stream_way_name (BenchStreamWay way)
{
  switch (way)
    {
    case BENCH_STREAM_SOCKETPAIR: return "socketpair";
    case BENCH_STREAM_SSH:        return "ssh";
    case BENCH_STREAM_SRUN:       return "srun";
    default:                      g_assert_not_reached ();
    }
}

gboolean
bench_stream_way_up (BenchStreamWay   way,
                     char           **reason)
{
  if (way == BENCH_STREAM_SOCKETPAIR)
    return TRUE;
  return remote_engine_up (way == BENCH_STREAM_SSH ? REMOTE_SSH : REMOTE_SLURM, reason);
}

GSubprocess *
bench_stream_spawn (BenchStreamWay      way,
                    const char * const *argv,
                    int                *out_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_auto(GStrv) command = NULL;
  GSubprocess *process;
  int pair[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    bench_die ("socketpair: %s", g_strerror (errno));
  shutdown (pair[0], SHUT_WR);
  g_subprocess_launcher_take_stdout_fd (launcher, pair[1]);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  if (way == BENCH_STREAM_SOCKETPAIR)
    command = g_strdupv ((char **) argv);
  else
    command = remote_command_argv (way == BENCH_STREAM_SSH ? REMOTE_SSH : REMOTE_SLURM, argv);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) command, &error);
  if (process == NULL)
    bench_die_on_error ("spawning through a launcher", error);
  *out_fd = pair[0];
  return process;
}

double
bench_stream_cat_rate (BenchStreamWay      way,
                       const char * const *argv,
                       guint               n,
                       gint64              usec)
{
  GSubprocess *processes[8];
  struct pollfd fds[8];
  gint64 first[8] = { 0 }, until[8] = { 0 };
  guint64 bytes = 0;
  gint64 measured = 0;
  guint n_open = n;
  guint8 *buffer;
  gsize size = 1 << 20;

  g_assert (n <= G_N_ELEMENTS (processes));
  /* Page-aligned: the kernel copies into it faster (NOTES-platform). */
  buffer = g_aligned_alloc (1, size, 4096);
  for (guint i = 0; i < n; i++)
    {
      processes[i] = bench_stream_spawn (way, argv, &fds[i].fd);
      fds[i].events = POLLIN;
    }

  while (n_open > 0)
    {
      if (poll (fds, n, 1000) < 0 && errno != EINTR)
        bench_die ("poll: %s", g_strerror (errno));
      for (guint i = 0; i < n; i++)
        {
          ssize_t got;
          gint64 now;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;
          got = read (fds[i].fd, buffer, size);
          now = g_get_monotonic_time ();
          if (got <= 0)
            bench_die ("cat through %s ended early", bench_stream_way_name (way));
          /* Counted from each one's first byte: the connection's set-up
           * is not the stream's capacity. */
          if (first[i] == 0)
            {
              first[i] = now;
              until[i] = now + usec;
              continue;
            }
          bytes += (guint64) got;
          if (now >= until[i])
            {
              measured = MAX (measured, now - first[i]);
              close (fds[i].fd);
              fds[i].fd = -1;
              n_open--;
            }
        }
    }
  g_aligned_free (buffer);

  for (guint i = 0; i < n; i++)
    {
      g_subprocess_send_signal (processes[i], SIGTERM);
      g_subprocess_wait (processes[i], NULL, NULL);
      g_object_unref (processes[i]);
    }
  return measured > 0 ? (double) bytes * G_USEC_PER_SEC / (double) measured : 0.0;
}

JrLauncher *
bench_stream_launcher (BenchStreamWay way)
{
  if (way == BENCH_STREAM_SOCKETPAIR)
    return jr_launcher_new_command (NULL);
  return remote_launcher_new (way == BENCH_STREAM_SSH ? REMOTE_SSH : REMOTE_SLURM, NULL);
}

void
bench_stream_finish (void)
{
  remote_engines_stop ();
}
