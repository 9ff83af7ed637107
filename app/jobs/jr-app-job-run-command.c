/* jr-app-job-run-command.c — the "run-command" job: run a command line and
 * yield each line it prints.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command runs in its own process group, so that a cancel kills what it
 * started too (a pipeline, a script's children), not only the first process.
 */
#include "jr-app-jobs.h"
#include "jr-app-job-funcs.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* A line longer than this is cut: one message must stay far below
 * JR_MESSAGE_SIZE_MAX, and nobody reads a megabyte-long line. */
#define LINE_MAX_BYTES (64 * 1024)
/* What an error message quotes of the last line of output. */
#define LAST_LINE_CHARS 200

/* Characters that need a shell. A command line without them is split into
 * words the way the shell would and run directly, one process fewer,
 * unless its first word is no program (a shell builtin like `exit` or
 * `cd`, or a typo the shell explains better). */
#define SHELL_CHARS "|&;<>()$`*?[]{}~#\n"

static char **
command_argv (const char  *command_line,
              GError     **error)
{
  const char *sh[] = { "/bin/sh", "-c", command_line, NULL };
  g_auto(GStrv) argv = NULL;
  g_autofree char *program = NULL;

  if (strpbrk (command_line, SHELL_CHARS) != NULL)
    return g_strdupv ((char **) sh);

  if (!g_shell_parse_argv (command_line, NULL, &argv, error))
    return NULL;

  if (strchr (argv[0], '/') != NULL ||
      (program = g_find_program_in_path (argv[0])) != NULL)
    return g_steal_pointer (&argv);

  return g_strdupv ((char **) sh);
}

static void
child_setup (gpointer user_data)
{
  /* async-signal-safe, between fork and exec */
  setpgid (0, 0);
}

static void
kill_group (GSubprocess *process)
{
  const char *id = g_subprocess_get_identifier (process);

  /* NULL once the process was reaped: nothing left of the leader; the group
   * may still hold its children, but its id can no longer be trusted. */
  if (id != NULL)
    kill (-(pid_t) g_ascii_strtoll (id, NULL, 10), SIGKILL);
  g_subprocess_force_exit (process);
}

static char *
to_line (char  *raw,
         gsize  length)
{
  g_autofree char *owned = raw;

  if (length > 0 && raw[length - 1] == '\r')
    length--;
  if (length > LINE_MAX_BYTES)
    length = LINE_MAX_BYTES;
  /* Yields are GVariant strings, which must be UTF-8. */
  return g_utf8_make_valid (raw, length);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* The error of a command that ended badly, in the domain and code that
 * g_spawn_check_wait_status() gave it, saying which command, how it ended
 * and the last line it printed (where commands say what went wrong:
 * "ls: cannot access '/x': No such file or directory"). */
static void
fail_with_output (GError     **error,
                  GError      *wait_error,
                  int          status,
                  const char  *command_line,
                  const char  *last_line)
{
  g_autofree char *how = NULL;
  g_autofree char *clipped = NULL;

  if (WIFEXITED (status))
    how = g_strdup_printf ("exited with code %d", WEXITSTATUS (status));
  else if (WIFSIGNALED (status))
    how = g_strdup_printf ("was killed by signal %d (%s)", WTERMSIG (status),
                           g_strsignal (WTERMSIG (status)));
  else
    how = g_strdup (wait_error->message);

  if (last_line != NULL)
    {
      clipped = g_utf8_substring (last_line, 0, MIN (g_utf8_strlen (last_line, -1), LAST_LINE_CHARS));
      g_strstrip (clipped);
    }

  if (clipped != NULL && clipped[0] != '\0')
    g_set_error (error, wait_error->domain, wait_error->code, "“%s” %s: %s",
                 command_line, how, clipped);
  else
    g_set_error (error, wait_error->domain, wait_error->code, "“%s” %s",
                 command_line, how);
  g_error_free (wait_error);
}

GVariant *
jr_app_job_run_command (JrJob     *job,
                        GVariant  *args,
                        GError   **error)
{
  GCancellable *cancellable = jr_job_get_cancellable (job);
  const char *command_line = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *last_line = NULL;
  guint64 n_lines = 0;
  int status;

  g_variant_get (args, "(&s)", &command_line);
  /* (g_shell_parse_argv() refuses an empty command line.) */
  argv = command_argv (command_line, error);
  if (argv == NULL)
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    return NULL;

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_set_newline_type (output, G_DATA_STREAM_NEWLINE_TYPE_LF);

  for (;;)
    {
      gsize length = 0;
      char *raw = g_data_input_stream_read_line (output, &length, cancellable, &local_error);

      g_autofree char *line = NULL;

      if (raw == NULL)
        break;  /* end of output, or an error */
      line = to_line (raw, length);
      /* Kept to say why it failed: commands print that last. */
      if (!is_blank (line))
        {
          g_free (last_line);
          last_line = g_strdup (line);
        }
      if (!jr_job_yield (job, g_variant_new_string (line), &local_error))
        break;
      n_lines++;
    }

  if (local_error == NULL)
    g_subprocess_wait (process, cancellable, &local_error);

  if (local_error != NULL)
    {
      kill_group (process);
      g_subprocess_wait (process, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  status = g_subprocess_get_status (process);
  if (!g_spawn_check_wait_status (status, &local_error))
    {
      fail_with_output (error, g_steal_pointer (&local_error), status, command_line, last_line);
      return NULL;
    }

  return g_variant_new_uint64 (n_lines);
}

char *
jr_app_job_run_command_format (GVariant *args,
                               GVariant *result)
{
  guint64 n_lines = g_variant_get_uint64 (result);
  g_autofree char *count_text = jr_app_format_count (n_lines);

  return g_strdup_printf ("%s %s of output", count_text, n_lines == 1 ? "line" : "lines");
}
