/* jr-worker-process.c — jr_init(): a worker process's main loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor spawns workers by running the program again with
 * JOBROUTER_WORKER set (the "spawn" model: no fork of a threaded process).
 * The worker's main thread runs jobs; a reader thread takes requests from
 * stdin so that a cancel reaches the running job at once. The worker dies
 * with its parent (PR_SET_PDEATHSIG), and exits when stdin closes.
 */
#include "jr-job-private.h"
#include "jr-worker-private.h"
#include "jr-channel-private.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static gboolean
read_exactly (int     fd,
              void   *buf,
              gsize   len)
{
  guint8 *p = buf;

  while (len > 0)
    {
      ssize_t n = read (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gpointer
request_reader (gpointer data)
{
  JrWorkerRuntime *runtime = data;

  for (;;)
    {
      guint64 size;
      g_autofree guint8 *buf = NULL;
      g_autoptr(GVariant) request = NULL;
      g_autoptr(GVariant) args = NULL;
      guchar kind;
      guint64 job_id;
      const char *name;

      if (!read_exactly (STDIN_FILENO, &size, sizeof size) || size > JR_MESSAGE_SIZE_MAX)
        break;
      buf = g_malloc (size);
      if (!read_exactly (STDIN_FILENO, buf, size))
        break;

      /* The request owns buf: args point into it and outlive this pass. */
      request = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (JR_WORKER_REQUEST_TYPE),
                                                             buf, size, FALSE, g_free, buf));
      buf = NULL;
      g_variant_get (request, "(yt&smv)", &kind, &job_id, &name, &args);

      switch (kind)
        {
        case JR_WORKER_REQUEST_RUN:
          jr_worker_runtime_push (runtime, job_id, name, args, NULL);
          break;
        case JR_WORKER_REQUEST_CANCEL:
          jr_worker_runtime_cancel (runtime, job_id);
          break;
        case JR_WORKER_REQUEST_RECALL:
          jr_worker_runtime_recall (runtime, job_id);
          break;
        case JR_WORKER_REQUEST_QUIT:
        default:
          goto out;
        }
    }

out:
  jr_worker_runtime_quit (runtime);
  return NULL;
}

G_GNUC_NORETURN static void
worker_main (void)
{
  g_autoptr(GError) error = NULL;
  JrWorkerRuntime *runtime;

  /* Die with the parent; if it is already gone, do not start at all. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* Out of the terminal's process group: Ctrl-C is for the parent, which
   * cancels the jobs and shuts the workers down itself. */
  setpgid (0, 0);
  if (jr_channel_get_for_parent (&error) == NULL)
    {
      g_printerr ("jobrouter worker: %s\n", error->message);
      _exit (2);
    }


  runtime = jr_worker_runtime_new ();
  g_thread_unref (g_thread_new ("jr-requests", request_reader, runtime));
  jr_worker_runtime_run (runtime);
  /* Not freed: the reader thread may still hold it until exit. */
  exit (0);
}

/**
 * jr_init:
 * @argc: (inout): the program's argc
 * @argv: (inout) (array length=argc): the program's argv
 *
 * Call from main() after registering the job kinds and before anything
 * else. In a worker process started by an executor this runs the worker and
 * never returns; otherwise it returns at once.
 */
void
jr_init (int    *argc,
         char ***argv)
{
  if (g_getenv (JR_WORKER_ENV) == NULL)
    return;

  /* Children of a job (a shell command, say) are not workers. */
  g_unsetenv (JR_WORKER_ENV);
  worker_main ();
}
