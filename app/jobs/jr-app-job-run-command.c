/* jr-app-job-run-command.c — the "run-command" job: run a command line and
 * yield each line it prints.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command stays in the process group of the worker that runs it (see
 * docs/reference/guarantees.md): the worker kills its group when it ends,
 * and the executor kills it when the worker dies, so nothing the command
 * started outlives its worker. A cancel kills the command and everything
 * under it (a pipeline, a script's children), not only the first process,
 * and leaves the worker alone.
 */
#include "jr-app-jobs.h"
#include "jr-app-job-funcs.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>

/* A line longer than this is cut: one message must stay far below
 * JR_MESSAGE_SIZE_MAX, and nobody reads a megabyte-long line. */
#define LINE_MAX_BYTES (64 * 1024)
/* What is read from the command at a time. */
#define READ_CHUNK (64 * 1024)
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

/* No setpgid(): the command stays in the worker's process group, which
 * the worker and the executor kill when the worker ends or dies. And the
 * kernel kills it when the thread that started it dies (that thread waits
 * for it, so only with its process): the only end for a command of the
 * threads transport when the application is killed. Its own children
 * then go to init: only a cancel reaches them there. Async-signal-safe,
 * between fork and exec. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The parent died before prctl(): nobody would end us. */
  if (getppid () != (pid_t) GPOINTER_TO_INT (user_data))
    _exit (127);
}

/* Adds the children of @parent to @pids from the process table, for a
 * kernel without /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN). */
static void
add_children_by_scan (pid_t   parent,
                      GArray *pids)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (proc == NULL)
    return;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *end;
      char state;
      int ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strconcat ("/proc/", name, "/stat", NULL);
      /* "PID (COMM) STATE PPID …", where COMM may hold anything */
      if (!g_file_get_contents (path, &stat, NULL, NULL) ||
          (end = strrchr (stat, ')')) == NULL ||
          sscanf (end + 1, " %c %d", &state, &ppid) != 2 || ppid != parent)
        continue;
      {
        pid_t child = (pid_t) g_ascii_strtoll (name, NULL, 10);

        g_array_append_val (pids, child);
      }
    }
}

/* Adds the children of @parent to @pids: those of each of its threads,
 * since a thread that forks is its child's parent. */
static void
add_children (pid_t   parent,
              GArray *pids)
{
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", (int) parent);
  g_autoptr(GDir) tasks = g_dir_open (task_path, 0, NULL);
  const char *tid;

  if (tasks == NULL)
    return;  /* gone */
  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename (task_path, tid, "children", NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      char *p, *end;

      if (!g_file_get_contents (path, &text, NULL, &error))
        {
          if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) &&
              g_file_test (task_path, G_FILE_TEST_IS_DIR))
            {
              add_children_by_scan (parent, pids);
              return;
            }
          continue;  /* the thread ended */
        }
      for (p = text;; p = end)
        {
          pid_t child = (pid_t) g_ascii_strtoll (p, &end, 10);

          if (end == p)
            break;
          if (child > 0)
            g_array_append_val (pids, child);
        }
    }
}

/* Kills the command and every process under it. Each is stopped before its
 * children are read: a process with a SIGSTOP pending cannot complete a
 * fork, so the tree cannot grow behind the walk, and its children cannot
 * be handed to init by its exit before they are found. Then all go at
 * once. A process that left the tree before (a double fork) is out of
 * reach here; in a worker it is still in the worker's process group,
 * which goes with the worker. */
static void
kill_tree (GSubprocess *process)
{
  const char *id = g_subprocess_get_identifier (process);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  /* NULL once the process was reaped: its id can no longer be trusted. */
  if (id != NULL)
    {
      pid_t root = (pid_t) g_ascii_strtoll (id, NULL, 10);

      g_array_append_val (pids, root);
      for (guint i = 0; i < pids->len; i++)
        if (kill (g_array_index (pids, pid_t, i), SIGSTOP) == 0)
          add_children (g_array_index (pids, pid_t, i), pids);
      for (guint i = 0; i < pids->len; i++)
        kill (g_array_index (pids, pid_t, i), SIGKILL);
    }
  g_subprocess_force_exit (process);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* The output, split into lines as it comes. A line keeps at most
 * LINE_MAX_BYTES + 1 bytes, enough to tell whether it is longer; the rest
 * of a longer one is dropped until its newline, so that a command printing
 * gigabytes without one costs no memory. */
typedef struct {
  JrJob    *job;
  GString  *line;       /* the line so far */
  gboolean  overflow;   /* bytes of it were dropped */
  char     *last_line;  /* the last one that was not blank */
  guint64   n_lines;
} Output;

/* Backs @length up to the start of a character of @text, for a cut that
 * would split one. */
static gsize
char_boundary (const char *text,
               gsize       length)
{
  while (length > 0 && ((guchar) text[length] & 0xc0) == 0x80)
    length--;
  return length;
}

/* The line as a yield: what the command printed, without its \r, at most
 * LINE_MAX_BYTES, saying so when it was cut. A bytestring ("ay"), not a
 * string: output need not be UTF-8 (a file of Latin-1 text), and
 * `jobrouter run run-command … > file` keeps it as it was. Empties
 * @output's line. */
static GVariant *
take_line (Output *output)
{
  GString *line = output->line;
  gboolean cut = output->overflow;
  gsize length = line->len;

  if (!cut && length > 0 && line->str[length - 1] == '\r')
    length--;
  if (length > LINE_MAX_BYTES)
    {
      cut = TRUE;
      length = char_boundary (line->str, LINE_MAX_BYTES);
    }
  g_string_truncate (line, length);
  if (cut)
    g_string_append (line, " [… line cut at 64 KiB]");
  output->overflow = FALSE;
  /* With its NUL, as a bytestring ends. */
  return g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, line->str,
                                                        line->len + 1, 1));
}

static void
output_append (Output     *output,
               const char *bytes,
               gsize       length)
{
  gsize room = LINE_MAX_BYTES + 1 - output->line->len;

  if (output->overflow)
    return;
  if (length > room)
    {
      length = room;
      output->overflow = TRUE;
    }
  g_string_append_len (output->line, bytes, length);
}

static gboolean
output_end_line (Output  *output,
                 GError **error)
{
  g_autoptr(GVariant) line = take_line (output);
  gsize size;
  const char *bytes = g_variant_get_fixed_array (line, &size, 1);

  g_string_truncate (output->line, 0);
  /* Kept to say why it failed (commands print that last), in an error
   * message: UTF-8. */
  if (!is_blank (bytes))
    {
      g_free (output->last_line);
      output->last_line = g_utf8_make_valid (bytes, (gssize) size - 1);
    }
  if (!jr_job_yield (output->job, line, error))
    return FALSE;
  output->n_lines++;
  return TRUE;
}

/* Reads @stream to its end, yielding each line; the last one needs no
 * newline. */
static gboolean
read_lines (Output        *output,
            GInputStream  *stream,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *buffer = g_malloc (READ_CHUNK);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, READ_CHUNK, cancellable, error);
      const char *p = buffer;
      const char *end = buffer + MAX (n, 0);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      for (;;)
        {
          const char *newline = memchr (p, '\n', end - p);

          output_append (output, p, (newline != NULL ? newline : end) - p);
          if (newline == NULL)
            break;
          if (!output_end_line (output, error))
            return FALSE;
          p = newline + 1;
        }
    }

  if (output->line->len > 0 || output->overflow)
    return output_end_line (output, error);
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
  g_autofree char *clipped = NULL;
  g_autofree char *message = NULL;
  gboolean said;

  if (last_line != NULL)
    {
      clipped = g_utf8_substring (last_line, 0, MIN (g_utf8_strlen (last_line, -1), LAST_LINE_CHARS));
      g_strstrip (clipped);
    }
  said = clipped != NULL && clipped[0] != '\0';

  /* A sentence each: how the command ended, with or without the last
   * line it printed. */
  if (WIFEXITED (status) && said)
    /* Translators: the first %s is a command line, “make -j2”; %d, its
     * exit code; the last %s, the last line it printed, “make: *** No
     * targets specified and no makefile found.  Stop.”. */
    message = g_strdup_printf (_("“%s” exited with code %d: %s"), command_line,
                               WEXITSTATUS (status), clipped);
  else if (WIFEXITED (status))
    /* Translators: %s is a command line, “make -j2”; %d, its exit code. */
    message = g_strdup_printf (_("“%s” exited with code %d"), command_line,
                               WEXITSTATUS (status));
  else if (WIFSIGNALED (status) && said)
    /* Translators: the first %s is a command line, “make -j2”; %d, the
     * number of the signal that killed it; the second %s, the signal's
     * name, “Killed”; the last %s, the last line it printed. */
    message = g_strdup_printf (_("“%s” was killed by signal %d (%s): %s"), command_line,
                               WTERMSIG (status), g_strsignal (WTERMSIG (status)), clipped);
  else if (WIFSIGNALED (status))
    /* Translators: the first %s is a command line, “make -j2”; %d, the
     * number of the signal that killed it; the second %s, the signal's
     * name, “Killed”. */
    message = g_strdup_printf (_("“%s” was killed by signal %d (%s)"), command_line,
                               WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  else if (said)
    /* Translators: the first %s is a command line, “make -j2”; the second,
     * how it ended, in GLib's words; the last, the last line it printed. */
    message = g_strdup_printf (_("“%s” %s: %s"), command_line, wait_error->message, clipped);
  else
    /* Translators: the first %s is a command line, “make -j2”; the second,
     * how it ended, in GLib's words. */
    message = g_strdup_printf (_("“%s” %s"), command_line, wait_error->message);

  g_set_error_literal (error, wait_error->domain, wait_error->code, message);
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
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *last_line = NULL;
  Output output = { .job = job, .line = line };
  int status;

  g_variant_get (args, "(&s)", &command_line);
  /* (g_shell_parse_argv() refuses an empty command line.) */
  argv = command_argv (command_line, error);
  if (argv == NULL)
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER ((int) getpid ()), NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    return NULL;

  read_lines (&output, g_subprocess_get_stdout_pipe (process), cancellable, &local_error);
  last_line = output.last_line;

  if (local_error == NULL)
    g_subprocess_wait (process, cancellable, &local_error);

  if (local_error != NULL)
    {
      kill_tree (process);
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

  return g_variant_new_uint64 (output.n_lines);
}

char *
jr_app_job_run_command_format (GVariant *args,
                               GVariant *result)
{
  guint64 n_lines = g_variant_get_uint64 (result);
  g_autofree char *count_text = jr_app_format_count (n_lines);

  return g_strdup_printf ("%s %s of output", count_text, n_lines == 1 ? "line" : "lines");
}
