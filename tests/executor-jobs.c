/* executor-jobs.c — the jobs that the executor tests run; see
 * executor-jobs.h for what each one does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each job runs in a worker thread or a worker process, never on the main
 * thread: it may block, and it touches nothing but its arguments (and, for
 * "flaky", its counter file).
 */
#define _GNU_SOURCE 1   /* F_SETPIPE_SZ */
#include "executor-jobs.h"
#include "jr-job-message-private.h"
#include "jr-job-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sleeping jobs look at their cancellable this often. */
#define SLEEP_STEP_USEC (5 * 1000)

/* Sleeps @ms in steps; when @cancellable is given, stops as soon as it is
 * cancelled. Returns FALSE with G_IO_ERROR_CANCELLED then. */
static gboolean
sleep_ms (guint64        ms,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  for (;;)
    {
      gint64 left;

      if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return TRUE;
      g_usleep ((gulong) MIN (left, SLEEP_STEP_USEC));
    }
}

static GVariant *
job_sleep (JrJob     *job,
           GVariant  *args,
           GError   **error)
{
  guint64 ms;

  g_variant_get (args, "(t)", &ms);
  if (!sleep_ms (ms, jr_job_get_cancellable (job), error))
    return NULL;
  return g_variant_new_uint64 (ms);
}

static GVariant *
job_ignore_cancel (JrJob     *job,
                   GVariant  *args,
                   GError   **error)
{
  guint64 ms;

  g_variant_get (args, "(t)", &ms);
  sleep_ms (ms, NULL, NULL);
  return g_variant_new_uint64 (ms);
}

/* A job deaf to cancellation that runs until the test lets it go (a
 * thread worker's: the test is in the same process). */
static GMutex held_lock;
static GCond held_cond;
static gboolean held_released;

void
executor_test_jobs_release_held (void)
{
  g_mutex_lock (&held_lock);
  held_released = TRUE;
  g_cond_broadcast (&held_cond);
  g_mutex_unlock (&held_lock);
}

static GVariant *
job_held (JrJob     *job,
          GVariant  *args,
          GError   **error)
{
  g_mutex_lock (&held_lock);
  while (!held_released)
    g_cond_wait (&held_cond, &held_lock);
  g_mutex_unlock (&held_lock);
  return g_variant_new_boolean (TRUE);
}

/* A worker that freezes as its job starts, maybe before it could say so:
 * nothing it reads or writes moves again. */
static GVariant *
job_stop_self (JrJob     *job,
               GVariant  *args,
               GError   **error)
{
  raise (SIGSTOP);
  return g_variant_new_boolean (TRUE);
}

static GVariant *
job_args_size (JrJob     *job,
               GVariant  *args,
               GError   **error)
{
  return g_variant_new_uint64 (args != NULL ? g_variant_get_size (args) : 0);
}

static void
wait_for_ever (void)
{
  for (;;)
    pause ();
}

/* A worker whose exit handler never returns: it cannot end when asked. */
static GVariant *
job_hang_at_exit (JrJob     *job,
                  GVariant  *args,
                  GError   **error)
{
  atexit (wait_for_ever);
  return g_variant_new_boolean (TRUE);
}

static GVariant *
job_progress (JrJob     *job,
              GVariant  *args,
              GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  guint32 n;

  g_variant_get (args, "(u)", &n);
  for (guint32 i = 0; i < n; i++)
    {
      g_autofree char *text = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      text = g_strdup_printf ("%u/%u", i + 1, n);
      if (!jr_job_progress (job, (double) (i + 1) / n, text, error))
        return NULL;
    }
  return g_variant_new_uint32 (n);
}

static GVariant *
job_iterate (JrJob     *job,
             GVariant  *args,
             GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  guint32 n;

  g_variant_get (args, "(u)", &n);
  for (guint32 i = 0; i < n; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!jr_job_yield (job, g_variant_new_uint32 (i), error))
        return NULL;
    }
  return g_variant_new_uint32 (n);
}

static GVariant *
job_fail (JrJob     *job,
          GVariant  *args,
          GError   **error)
{
  const char *domain, *message;
  gint32 code;

  g_variant_get (args, "(&si&s)", &domain, &code, &message);
  g_set_error_literal (error, g_quark_from_string (domain), code, message);
  return NULL;
}

/* Fails with a message of as many bytes as asked ("é" and "x"s). */
static GVariant *
job_fail_long (JrJob     *job,
               GVariant  *args,
               GError   **error)
{
  guint64 size;
  char *message;

  g_variant_get (args, "(t)", &size);
  g_return_val_if_fail (size >= 2, NULL);
  message = g_malloc (size + 1);
  memcpy (message, "é", 2);
  memset (message + 2, 'x', size - 2);
  message[size] = '\0';
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, message);
  g_free (message);
  return NULL;
}

static GVariant *
job_crash (JrJob     *job,
           GVariant  *args,
           GError   **error)
{
  /* Nobody wants a core file per test run. */
  struct rlimit no_core = { 0, 0 };
  const char *how;

  g_variant_get (args, "(&s)", &how);
  setrlimit (RLIMIT_CORE, &no_core);

  if (g_str_equal (how, "segv"))
    raise (SIGSEGV);
  else if (g_str_equal (how, "abort"))
    abort ();
  else if (g_str_equal (how, "exit"))
    _exit (EXECUTOR_TEST_EXIT_STATUS);
  else if (g_str_equal (how, "kill"))
    raise (SIGKILL);
  else if (g_str_equal (how, "term"))
    {
      /* As someone else's kill(1) would: to the process. */
      kill (getpid (), SIGTERM);
      g_usleep (10 * G_USEC_PER_SEC);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Unknown way to crash: '%s'", how);
  return NULL;
}

static GVariant *
job_echo (JrJob     *job,
          GVariant  *args,
          GError   **error)
{
  if (args == NULL)
    return g_variant_new ("()");
  return g_variant_ref (args);
}

static GVariant *
job_flaky (JrJob     *job,
           GVariant  *args,
           GError   **error)
{
  const char *path;
  guint32 k;
  guint64 count = 0;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;

  g_variant_get (args, "(&su)", &path, &k);

  /* A missing file means no run yet. */
  if (g_file_get_contents (path, &contents, NULL, NULL))
    count = g_ascii_strtoull (contents, NULL, 10);
  count++;
  text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", count);
  if (!g_file_set_contents (path, text, -1, error))
    return NULL;

  if (count <= k)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_TRY_LATER,
                   "Flaky run %" G_GUINT64_FORMAT " of %u failing runs", count, k);
      return NULL;
    }
  return g_variant_new_uint32 ((guint32) count);
}

static GVariant *
job_big_result (JrJob     *job,
                GVariant  *args,
                GError   **error)
{
  guint64 size;
  guint8 *data;

  g_variant_get (args, "(t)", &size);
  data = g_malloc (size > 0 ? size : 1);
  for (guint64 i = 0; i < size; i++)
    data[i] = (guint8) (i * 7);
  return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, size, TRUE, g_free, data);
}

static GVariant *
job_trivial (JrJob     *job,
             GVariant  *args,
             GError   **error)
{
  if (args != NULL && !g_variant_is_of_type (args, G_VARIANT_TYPE_UNIT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "trivial takes no arguments, got %s", g_variant_get_type_string (args));
      return NULL;
    }
  return g_variant_new ("(b)", TRUE);
}

static GVariant *
job_unavailable (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "an unavailable job ran");
  return NULL;
}

static GVariant *
job_cancel_self (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  gboolean fail;

  g_variant_get (args, "(b)", &fail);
  /* As code that aborts a sub-operation does. */
  g_cancellable_cancel (cancellable);
  if (fail && g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_variant_new_string ("finished anyway");
}

/* What the jobs below leave behind in their worker. */
static GCancellable *kept_cancellable;
static GWeakRef weak_cancellable;
static gint stray_handler_calls;

/* (bt): whether the job's cancellable is cancelled as it starts, and
 * where it is (to tell one cancellable from another in one worker). */
static GVariant *
job_cancellable_state (JrJob     *job,
                       GVariant  *args,
                       GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);

  return g_variant_new ("(bt)", g_cancellable_is_cancelled (cancellable),
                        (guint64) GPOINTER_TO_SIZE (cancellable));
}

/* Keeps its cancellable after it ends, as code that starts an operation
 * and does not wait for it does; returns where it is. */
static GVariant *
job_keep_cancellable (JrJob     *job,
                      GVariant  *args,
                      GError   **error)
{
  g_set_object (&kept_cancellable, jr_job_get_cancellable (job));
  return g_variant_new_uint64 ((guint64) GPOINTER_TO_SIZE (kept_cancellable));
}

/* Keeps a weak reference to its cancellable, as code that cancels an
 * operation later if it is still there does. */
static GVariant *
job_weak_cancellable (JrJob     *job,
                      GVariant  *args,
                      GError   **error)
{
  g_weak_ref_set (&weak_cancellable, jr_job_get_cancellable (job));
  return g_variant_new_boolean (TRUE);
}

/* Cancels what the weak reference above still reaches, then says, as
 * "cancellable-state", how its own cancellable is. */
static GVariant *
job_cancel_weak (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  g_autoptr(GCancellable) earlier = g_weak_ref_get (&weak_cancellable);

  if (earlier != NULL)
    g_cancellable_cancel (earlier);
  return job_cancellable_state (job, args, error);
}

static void
on_stray_cancelled (GCancellable *cancellable,
                    gpointer      data)
{
  g_atomic_int_inc (&stray_handler_calls);
}

/* Connects to its cancellable and never disconnects. */
static GVariant *
job_leave_handler (JrJob     *job,
                   GVariant  *args,
                   GError   **error)
{
  g_signal_connect (jr_job_get_cancellable (job), "cancelled", G_CALLBACK (on_stray_cancelled), NULL);
  return g_variant_new_boolean (TRUE);
}

/* (u): how often a handler that job_leave_handler() left was called. */
static GVariant *
job_stray_handler_calls (JrJob     *job,
                         GVariant  *args,
                         GError   **error)
{
  return g_variant_new_uint32 ((guint32) g_atomic_int_get (&stray_handler_calls));
}

static GVariant *
job_read_stdin (JrJob     *job,
                GVariant  *args,
                GError   **error)
{
  guint64 total = 0;

  /* Reads until end of file, as a command like `cat` would; gives up
   * after the time given when nothing more comes. */
  for (;;)
    {
      struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
      char buf[4096];
      ssize_t n;
      int ready = poll (&pfd, 1, 2000);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "standard input gave neither data nor end of file (%" G_GUINT64_FORMAT
                       " bytes read)", total);
          return NULL;
        }
      n = read (STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      total += (guint64) n;
    }
  return g_variant_new_uint64 (total);
}

static GVariant *
job_spawn_sleeper (JrJob     *job,
                   GVariant  *args,
                   GError   **error)
{
  const char *pid_file;
  const char *argv[] = { "sleep", "600", NULL };
  g_autofree char *text = NULL;
  GPid pid;

  g_variant_get (args, "(&s)", &pid_file);
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                      NULL, NULL, &pid, error))
    return NULL;
  text = g_strdup_printf ("%d\n", (int) pid);
  if (!g_file_set_contents (pid_file, text, -1, error))
    return NULL;
  /* Deaf to cancellation, as a job stuck in its command would be. */
  for (;;)
    g_usleep (G_USEC_PER_SEC);
  return NULL;
}

/* The same, after taking SIGTERM over (as a job that cleans up on it
 * would): SIGTERM no longer ends its worker. */
static GVariant *
job_spawn_sleeper_deaf (JrJob     *job,
                        GVariant  *args,
                        GError   **error)
{
  signal (SIGTERM, SIG_IGN);
  return job_spawn_sleeper (job, args, error);
}

/* Forks a helper that holds everything the worker holds for a while (a
 * fork without exec, as Python's multiprocessing does), then crashes its
 * worker — or, with FALSE, returns. */
static GVariant *
job_fork_helper (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  gboolean crash;
  pid_t pid;

  g_variant_get (args, "(b)", &crash);
  pid = fork ();
  if (pid == 0)
    {
      sleep (30);
      _exit (0);
    }
  if (pid < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "fork: %s", g_strerror (errno));
      return NULL;
    }
  if (crash)
    abort ();
  return g_variant_new_int32 (pid);
}

/* A value nested @depth variants deep. */
static GVariant *
job_deep_result (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  GVariant *value = g_variant_new_byte (1);
  guint32 depth;

  g_variant_get (args, "(u)", &depth);
  for (guint32 i = 0; i < depth; i++)
    value = g_variant_new_variant (value);
  return value;
}

/* Reports progress and fails with texts that are not UTF-8 (file names in
 * Latin-1, say). */
static GVariant *
job_latin1_texts (JrJob     *job,
                  GVariant  *args,
                  GError   **error)
{
  if (!jr_job_progress (job, 0.5, "reading caf\xe9.txt", error))
    return NULL;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "could not open caf\xe9.txt");
  return NULL;
}

/* Leaves a child behind that ignores SIGTERM and holds the worker's
 * standard error open (as a daemon a job starts may), writes its pid to
 * the file, and returns. */
static GVariant *
job_leave_stubborn_child (JrJob     *job,
                          GVariant  *args,
                          GError   **error)
{
  const char *pid_file;
  const char *argv[] = { "/bin/sh", "-c", "trap '' TERM; exec sleep 600", NULL };
  g_autofree char *text = NULL;
  GPid pid;

  g_variant_get (args, "(&s)", &pid_file);
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                      error))
    return NULL;
  text = g_strdup_printf ("%d\n", (int) pid);
  if (!g_file_set_contents (pid_file, text, -1, error))
    return NULL;
  return g_variant_new_int32 (pid);
}

/* Prints its text on standard output, as a command a job runs would: a
 * stream worker's messages must not be disturbed. */
static GVariant *
job_print (JrJob     *job,
           GVariant  *args,
           GError   **error)
{
  const char *text;

  g_variant_get (args, "(&s)", &text);
  if (write (STDOUT_FILENO, text, strlen (text)) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "write: %s", g_strerror (saved));
      return NULL;
    }
  return g_variant_new ("(b)", TRUE);
}

/* Floods standard error with "x" lines, as a job that prints in a loop:
 * @lines of them, or (0) until cancelled. Once it has written 1 MiB it
 * creates the file at @path (unless ""): a sign that needs no message
 * through the router. Its pipe is made as large as it may be (1 MiB), so
 * that a reader slower than it never finds the pipe empty. */
static GVariant *
job_flood_stderr (JrJob     *job,
                  GVariant  *args,
                  GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  const gsize block_size = 64 * 1024;
  g_autofree char *block = g_malloc (block_size);
  guint64 lines, written = 0;
  gboolean marked = FALSE;
  const char *path;

  g_variant_get (args, "(t&s)", &lines, &path);
  for (gsize i = 0; i + 1 < block_size; i += 2)
    memcpy (block + i, "x\n", 2);
  fcntl (STDERR_FILENO, F_SETPIPE_SZ, 1024 * 1024);   /* not a pipe, or no room: no matter */

  while (lines == 0 || written < lines)
    {
      gsize want = lines == 0 ? block_size : (gsize) MIN ((lines - written) * 2, block_size);
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      n = write (STDERR_FILENO, block, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "write: %s",
                       g_strerror (saved));
          return NULL;
        }
      /* A short write may end inside a line: finish it. */
      if (n % 2 == 1)
        while (write (STDERR_FILENO, "\n", 1) < 0 && errno == EINTR)
          ;
      written += (guint64) (n + 1) / 2;
      if (*path != '\0' && !marked && written >= 512 * 1024)
        {
          if (!g_file_set_contents (path, "", 0, error))
            return NULL;
          marked = TRUE;
        }
    }
  return g_variant_new_uint64 (written);
}

/* Where it runs: the worker's pid and process group. */
static GVariant *
job_whoami (JrJob     *job,
            GVariant  *args,
            GError   **error)
{
  return g_variant_new ("(ii)", (gint32) getpid (), (gint32) getpgrp ());
}

/* The value of an environment variable where the job runs, or nothing. */
static GVariant *
job_getenv (JrJob     *job,
            GVariant  *args,
            GError   **error)
{
  const char *name;

  g_variant_get (args, "(&s)", &name);
  return g_variant_new ("(ms)", g_getenv (name));
}

/* The folder the job runs in. */
static GVariant *
job_cwd (JrJob     *job,
         GVariant  *args,
         GError   **error)
{
  g_autofree char *dir = g_get_current_dir ();

  return g_variant_new ("(s)", dir);
}

/* The arguments its worker process was started with, after its path, as
 * `ps` shows them. */
static GVariant *
job_own_args (JrJob     *job,
              GVariant  *args,
              GError   **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  gsize length = 0;

  if (!g_file_get_contents ("/proc/self/cmdline", &contents, &length, error))
    return NULL;
  for (gsize at = 0; at < length; at += strnlen (contents + at, length - at) + 1)
    g_strv_builder_add (words, contents + at);
  argv = g_strv_builder_end (words);
  return g_variant_new ("(^as)", argv[0] != NULL ? argv + 1 : argv);
}

/* The size of the file at a path of this machine: a job that reads local
 * paths (JR_JOB_PLACEMENT_LOCAL_PATHS, as every kind by default). */
static GVariant *
job_file_size (JrJob     *job,
               GVariant  *args,
               GError   **error)
{
  g_autofree char *contents = NULL;
  const char *path;
  gsize length;

  g_variant_get (args, "(&s)", &path);
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  return g_variant_new ("(t)", (guint64) length);
}

/* A job that cuts its worker off from the executor's requests, as one
 * that clobbers the worker's descriptors would: shuts the reading side of
 * every socket of its process, then lets its worker see that. The worker
 * takes it as the executor gone, and cancels what it had not started. */
static GVariant *
job_cut_requests (JrJob     *job,
                  GVariant  *args,
                  GError   **error)
{
  for (int fd = 3; fd < 1024; fd++)
    {
      struct stat st;

      if (fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode))
        shutdown (fd, SHUT_RD);
    }
  g_usleep (200 * 1000);
  return g_variant_new_string ("cut");
}

/* A job that lies about another job: sends a RESULT in the name of job
 * @victim on its own worker's pipe. */
static GVariant *
job_forge_job_id (JrJob     *job,
                  GVariant  *args,
                  GError   **error)
{
  guint64 victim;

  g_variant_get (args, "(t)", &victim);
  if (!jr_job_message_send_value (jr_job_get_sender (job), victim, JR_JOB_MSG_RESULT,
                                  g_variant_new_string ("forged"), error))
    return NULL;
  return g_variant_new_string ("forger done");
}

/* A job that poses as other workers: sends a RESULT on every pipe id up
 * to 64 but its own. */
static GVariant *
job_forge_pipes (JrJob     *job,
                 GVariant  *args,
                 GError   **error)
{
  guint64 own = jr_sender_get_connection_id (jr_job_get_sender (job));

  for (guint64 id = 1; id <= 64; id++)
    {
      g_autoptr(JrSender) sender = NULL;

      if (id == own)
        continue;
      sender = jr_sender_new_for_parent (id, error);
      if (sender == NULL || !jr_sender_start (sender, error) ||
          !jr_job_message_send_value (sender, 1, JR_JOB_MSG_RESULT,
                                      g_variant_new_string ("forged"), error))
        return NULL;
    }
  return g_variant_new_string ("forger done");
}

/* A job that writes a message of no known shape on its worker's pipe. */
static GVariant *
job_garbage_message (JrJob     *job,
                     GVariant  *args,
                     GError   **error)
{
  if (!jr_sender_send (jr_job_get_sender (job), g_variant_new ("(sss)", "no", "such", "shape"),
                       error))
    return NULL;
  return g_variant_new_string ("garbage sent");
}

/**
 * executor_test_jobs_register:
 *
 * Registers every test job. Call it in main() before jr_init().
 */
void
executor_test_jobs_register (void)
{
  jr_register_job_full ("sleep", job_sleep, G_VARIANT_TYPE ("(t)"), NULL);
  jr_register_job_full ("progress", job_progress, G_VARIANT_TYPE ("(u)"), NULL);
  jr_register_job_full ("iterate", job_iterate, G_VARIANT_TYPE ("(u)"), NULL);
  jr_register_job_full ("fail", job_fail, G_VARIANT_TYPE ("(sis)"), NULL);
  jr_register_job_full ("fail-long", job_fail_long, G_VARIANT_TYPE ("(t)"), NULL);
  jr_register_job_full ("crash", job_crash, G_VARIANT_TYPE ("(s)"), NULL);
  jr_register_job_full ("ignore-cancel", job_ignore_cancel, G_VARIANT_TYPE ("(t)"), NULL);
  jr_register_job ("echo", job_echo);
  jr_register_job_full ("flaky", job_flaky, G_VARIANT_TYPE ("(su)"), NULL);
  jr_register_job_full ("big-result", job_big_result, G_VARIANT_TYPE ("(t)"), NULL);
  jr_register_job ("trivial", job_trivial);
  jr_register_job_full ("unavailable", job_unavailable, NULL,
                        EXECUTOR_TEST_UNAVAILABLE_REASON);
  jr_register_job_full ("cancel-self", job_cancel_self, G_VARIANT_TYPE ("(b)"), NULL);
  jr_register_job ("read-stdin", job_read_stdin);
  jr_register_job ("cancellable-state", job_cancellable_state);
  jr_register_job ("keep-cancellable", job_keep_cancellable);
  jr_register_job ("leave-handler", job_leave_handler);
  jr_register_job ("weak-cancellable", job_weak_cancellable);
  jr_register_job ("cancel-weak", job_cancel_weak);
  jr_register_job ("stray-handler-calls", job_stray_handler_calls);
  jr_register_job_full ("spawn-sleeper", job_spawn_sleeper, G_VARIANT_TYPE ("(s)"), NULL);
  jr_register_job_full ("spawn-sleeper-deaf", job_spawn_sleeper_deaf, G_VARIANT_TYPE ("(s)"), NULL);
  jr_register_job_full ("fork-helper", job_fork_helper, G_VARIANT_TYPE ("(b)"), NULL);
  jr_register_job_full ("deep-result", job_deep_result, G_VARIANT_TYPE ("(u)"), NULL);
  jr_register_job ("latin1-texts", job_latin1_texts);
  jr_register_job_full ("leave-stubborn-child", job_leave_stubborn_child, G_VARIANT_TYPE ("(s)"),
                        NULL);
  jr_register_job_full ("forge-job-id", job_forge_job_id, G_VARIANT_TYPE ("(t)"), NULL);
  jr_register_job ("forge-pipes", job_forge_pipes);
  jr_register_job ("garbage-message", job_garbage_message);
  jr_register_job ("cut-requests", job_cut_requests);
  jr_register_job_full ("file-size", job_file_size, G_VARIANT_TYPE ("(s)"), NULL);
  jr_register_job ("whoami", job_whoami);
  jr_register_job ("cwd", job_cwd);
  jr_register_job ("own-args", job_own_args);
  jr_register_job ("held", job_held);
  jr_register_job ("stop-self", job_stop_self);
  jr_register_job ("hang-at-exit", job_hang_at_exit);
  jr_register_job ("args-size", job_args_size);
  jr_register_job_full ("getenv", job_getenv, G_VARIANT_TYPE ("(s)"), NULL);
  jr_register_job_full ("print", job_print, G_VARIANT_TYPE ("(s)"), NULL);
  jr_register_job_full ("flood-stderr", job_flood_stderr, G_VARIANT_TYPE ("(ts)"), NULL);

  /* All but those that take paths of this machine may run anywhere. */
  {
    static const char * const anywhere[] = {
      "sleep", "progress", "iterate", "fail", "fail-long", "crash", "ignore-cancel", "echo", "big-result",
      "trivial", "cancel-self", "read-stdin", "cancellable-state", "keep-cancellable",
      "leave-handler", "stray-handler-calls", "weak-cancellable", "cancel-weak", "forge-job-id", "forge-pipes", "garbage-message",
      "whoami", "cwd", "getenv", "print", "flood-stderr", "fork-helper", "deep-result", "latin1-texts",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (anywhere); i++)
      jr_set_job_placement (anywhere[i], JR_JOB_PLACEMENT_ANYWHERE);
  }
}
