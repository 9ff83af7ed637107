/* jr-cli.c — `jobrouter run JOB ARG [[--] JOB ARG…]`: run jobs in worker
 * processes from the command line and print their results.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each job takes one argument. run-command takes every word up to the next
 * "--" (or the end), so that `jobrouter run run-command ls -l` works.
 * Results and what the jobs print go to stdout; progress, states and
 * errors to stderr. Exit status: 0 when every job
 * completed, 1 when one failed or was cancelled or stdout could not be
 * written, 2 on a usage error, 130 after SIGINT, SIGTERM or SIGHUP, 141
 * when the reader of stdout went away (the jobs are cancelled and the
 * workers stopped first).
 */
#include "jr-cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "jr-app-groups.h"
#include "jr-app-jobs.h"
#include "jr-app-settings.h"
#include "jr-cli-display.h"

#define SHUTDOWN_TIMEOUT_US (5 * G_USEC_PER_SEC)

typedef struct {
  const JrAppJob *info;
  GVariant       *args;
  char           *label;
  JrFuture       *future;
  GError         *submit_error;
} CliJob;

typedef struct {
  GMainLoop    *loop;
  JrExecutor   *executor;
  JrCliDisplay *display;
  GPtrArray    *jobs;
  gboolean      interrupted;
  gboolean      stopping;   /* the jobs are cancelled, the workers stopped */
  int           out_errno;  /* of a failed write to stdout */
  char         *group_failure;  /* the last group that gave up, why */
  guint         waiting_note_id;
} Cli;

/* The signal handler writes a byte to [1]; the main loop watches [0], and
 * so does the display while it waits for a slow reader, so that a signal
 * ends that wait too. */
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t signal_caught;

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
cli_job_free (gpointer data)
{
  CliJob *job = data;

  g_clear_pointer (&job->args, g_variant_unref);
  g_clear_object (&job->future);
  g_clear_error (&job->submit_error);
  g_free (job->label);
  g_free (job);
}

/* The words of a command given as several: quoted where a shell would need
 * it, so that `run-command ls "my dir"` runs what was meant. One word is
 * taken as a whole command line. */
static char *
join_command (char **words,
              int    n_words)
{
  GString *line = g_string_new (NULL);

  if (n_words == 1)
    return g_string_free (g_string_append (line, words[0]), FALSE);

  for (int i = 0; i < n_words; i++)
    {
      gboolean plain = words[i][0] != '\0' &&
                       strspn (words[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_./=:,+@%") == strlen (words[i]);
      g_autofree char *quoted = plain ? g_strdup (words[i]) : g_shell_quote (words[i]);

      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, quoted);
    }
  return g_string_free (line, FALSE);
}

static void
add_job (GPtrArray      *jobs,
         const JrAppJob *info,
         GVariant       *args)
{
  CliJob *job = g_new0 (CliJob, 1);
  guint same = 1;

  for (guint i = 0; i < jobs->len; i++)
    if (((CliJob *) g_ptr_array_index (jobs, i))->info == info)
      same++;

  job->info = info;
  job->args = g_variant_ref_sink (args);
  job->label = same > 1 ? g_strdup_printf ("%s#%u", info->name, same) : g_strdup (info->name);
  g_ptr_array_add (jobs, job);
}

static gboolean
parse_jobs (char      **words,
            int         n_words,
            GPtrArray  *jobs,
            GError    **error)
{
  int i = 0;

  while (i < n_words)
    {
      const JrAppJob *info;
      GVariant *args;

      if (g_str_equal (words[i], "--"))
        {
          i++;
          continue;
        }

      info = jr_app_jobs_lookup (words[i]);
      if (info == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: %s is what was given as a job's name. */
                       _("Unknown job “%s”"), words[i]);
          return FALSE;
        }
      i++;

      if (info->arg_kind == JR_APP_ARG_TEXT)
        {
          int start = i;
          g_autofree char *line = NULL;

          while (i < n_words && !g_str_equal (words[i], "--"))
            i++;
          if (i == start)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: the first %s is a job's name, as
                            * written on the command line, “checksum”; the
                            * second, the name of its argument, “FOLDER”. */
                           _("%s needs its %s"), info->name, _(info->arg_name));
              return FALSE;
            }
          line = join_command (words + start, i - start);
          args = jr_app_job_parse_args (info, line, error);
        }
      else
        {
          if (i == n_words || g_str_equal (words[i], "--"))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: the first %s is a job's name, as
                            * written on the command line, “checksum”; the
                            * second, the name of its argument, “FOLDER”. */
                           _("%s needs its %s"), info->name, _(info->arg_name));
              return FALSE;
            }
          args = jr_app_job_parse_args (info, words[i++], error);
        }

      if (args == NULL)
        return FALSE;
      add_job (jobs, info, args);
      g_variant_unref (args);
    }

  if (jobs->len == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("No job given"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
all_done (Cli *cli)
{
  for (guint i = 0; i < cli->jobs->len; i++)
    {
      CliJob *job = g_ptr_array_index (cli->jobs, i);

      if (job->future != NULL && !jr_future_get_done (job->future))
        return FALSE;
    }
  return TRUE;
}

static void
on_state (JrFuture   *future,
          GParamSpec *pspec,
          Cli        *cli)
{
  if (jr_future_get_done (future) && all_done (cli))
    g_main_loop_quit (cli->loop);
}

/* Cancels every job and stops the workers, once. */
static void
stop_jobs (Cli *cli)
{
  g_autoptr(GError) error = NULL;

  if (cli->stopping)
    return;
  cli->stopping = TRUE;

  for (guint i = 0; i < cli->jobs->len; i++)
    {
      CliJob *job = g_ptr_array_index (cli->jobs, i);

      if (job->future != NULL)
        jr_future_cancel (job->future);
    }

  /* Leave no worker behind, even one whose job ignores the cancel. */
  if (!jr_executor_shutdown (cli->executor, SHUTDOWN_TIMEOUT_US, &error))
    /* Translators: “jobrouter” is the program's name; %s is why the
     * workers could not be stopped. */
    jr_cli_display_message (cli->display, _("jobrouter: stopping the workers: %s"),
                            error->message);

  g_main_loop_quit (cli->loop);
}

static void
on_signal_caught (int signum)
{
  int saved = errno;
  char byte = 1;

  signal_caught = signum;
  /* The pipe does not block: full, it already says it. */
  if (write (signal_pipe[1], &byte, 1) < 0)
    {
    }
  errno = saved;
}

/* Not SIG_IGN, which commands run by the jobs would inherit through
 * exec(): a handler is reset there. Here write() says EPIPE instead. */
static void
on_sigpipe (int signum)
{
}

static void
set_handler (int    signum,
             void (*handler) (int))
{
  struct sigaction action = { 0 };

  action.sa_handler = handler;
  sigemptyset (&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction (signum, &action, NULL);
}

static gboolean
on_signal (int          fd,
           GIOCondition condition,
           gpointer     user_data)
{
  Cli *cli = user_data;
  char bytes[16];

  while (read (fd, bytes, sizeof bytes) > 0)
    ;
  if (cli->stopping)
    return G_SOURCE_CONTINUE;
  cli->interrupted = TRUE;

  /* The output may be stuck on a reader that does not read: no more
   * waiting for it. */
  jr_cli_display_stop_waiting (cli->display);
  /* On a line of its own, after the “^C” the terminal echoed. */
  jr_cli_display_message (cli->display, "\n%s", _("jobrouter: interrupted, cancelling the jobs"));
  stop_jobs (cli);
  return G_SOURCE_CONTINUE;
}

/* stdout failed (EPIPE: the reader is gone): the results would be lost,
 * no use running the jobs. */
static void
on_output_error (int      errsv,
                 gpointer user_data)
{
  Cli *cli = user_data;

  cli->out_errno = errsv;
  stop_jobs (cli);
}

/* `jobrouter run -q checksum . > SHA256SUMS`: the shell made the file
 * before the job lists the folder; tell the job to leave it out. */
static void
skip_output_file (void)
{
  struct stat st;

  if (fstat (STDOUT_FILENO, &st) == 0 && S_ISREG (st.st_mode))
    {
      /* Its path too, for workers on machines that share the paths: ssh
       * carries the variable in their HELLO (the device differs there). */
      g_autofree char *path = g_file_read_link ("/proc/self/fd/1", NULL);
      g_autofree char *value = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%s",
                                                (guint64) st.st_dev, (guint64) st.st_ino,
                                                path != NULL && g_path_is_absolute (path) ? path : "");

      g_setenv (JR_APP_CHECKSUM_SKIP_ENV, value, TRUE);
    }
  else
    g_unsetenv (JR_APP_CHECKSUM_SKIP_ENV);
}

static void
submit_all (Cli          *cli,
            JrCliDisplay *display)
{
  for (guint i = 0; i < cli->jobs->len; i++)
    {
      CliJob *job = g_ptr_array_index (cli->jobs, i);
      g_autoptr(JrJobOptions) options = jr_job_options_new (job->info->kind);
      g_autofree char *title = jr_app_job_describe (job->info, job->args);

      jr_job_options_set_title (options, title);
      job->future = jr_executor_submit_full (cli->executor, job->info->name, job->args,
                                             options, &job->submit_error);
      if (job->future == NULL)
        continue;

      g_signal_connect (job->future, "notify::state", G_CALLBACK (on_state), cli);
      jr_cli_display_add (display, job->future, job->label);
    }
}

/* A group of workers gave up (its launcher could not start them): kept
 * for the end, where it explains the lines its tries printed. */
static void
on_worker_error (JrExecutor *executor,
                 GParamSpec *pspec,
                 Cli        *cli)
{
  const GError *error = jr_executor_get_worker_error (executor);

  /* None: its workers started after all. */
  g_free (cli->group_failure);
  cli->group_failure = error != NULL ? g_strdup (error->message) : NULL;
}

/* No worker up a while after the start, and jobs waiting: a host that
 * does not answer (ssh gives up after 30 s, and tries 3 times), srun
 * waiting for its allocation. Said once, so that a silent terminal does
 * not look hung. */
#define WAITING_NOTE_SECONDS 3

static gboolean
on_waiting_note_due (gpointer data)
{
  Cli *cli = data;

  cli->waiting_note_id = 0;
  if (jr_executor_get_n_workers (cli->executor) > 0)
    return G_SOURCE_REMOVE;
  for (guint i = 0; i < cli->jobs->len; i++)
    {
      CliJob *job = g_ptr_array_index (cli->jobs, i);

      if (job->future != NULL && jr_future_get_state (job->future) == JR_FUTURE_STATE_WAITING)
        {
          jr_cli_display_message (cli->display, "%s", _("jobrouter: waiting for a worker to start…"));
          break;
        }
    }
  return G_SOURCE_REMOVE;
}

/* Prints what each job gave, in the order given; returns the exit status. */
static int
report (Cli      *cli,
        gboolean  quiet)
{
  int status = JR_CLI_EXIT_OK;
  gboolean one = cli->jobs->len == 1;

  for (guint i = 0; i < cli->jobs->len; i++)
    {
      CliJob *job = g_ptr_array_index (cli->jobs, i);
      const GError *error = job->submit_error;
      JrFutureState state = job->future ? jr_future_get_state (job->future)
                                        : JR_FUTURE_STATE_FAILED;
      g_autofree char *text = NULL;
      g_autofree char *printed = NULL;

      if (state == JR_FUTURE_STATE_COMPLETED)
        {
          text = jr_app_job_format_result (job->info, job->args,
                                           jr_future_get_result (job->future));
          /* A lone job prints its bare result, ready for a pipe or a
           * file (`jobrouter run -q checksum . > SHA256SUMS`). */
          /* Raw UTF-8, not g_print(): in a C locale that would turn file
           * names into question marks and spoil a saved report. */
          if (!quiet)
            {
              g_autofree char *place = jr_future_dup_place (job->future);

              if (place != NULL)
                /* Translators: the first %s is a job's label, “checksum” or
                 * “checksum#2”; the second, the other machine where it ran:
                 * a host and its group of workers, “node17 (cluster)”. */
                jr_cli_display_message (cli->display, _("jobrouter: %s ran on %s"), job->label,
                                        place);
            }
          /* A lone command's output is what it printed, as it printed
           * it (`| wc -l`, `> file`): what the job says of it goes with
           * the messages. */
          if (one && job->info->kind == JR_JOB_KIND_ITERATION)
            {
              if (!quiet)
                jr_cli_display_message (cli->display, "jobrouter: %s: %s", job->label, text);
              continue;
            }
          if (one)
            printed = g_strconcat (text, g_str_has_suffix (text, "\n") ? "" : "\n", NULL);
          else if (strchr (text, '\n') == NULL)
            printed = g_strdup_printf ("%s: %s\n", job->label, text);
          else
            printed = g_strdup_printf ("== %s ==\n%s", job->label, text);
          jr_cli_display_print (cli->display, printed);
          continue;
        }

      status = JR_CLI_EXIT_JOB_FAILED;
      if (error == NULL && job->future != NULL)
        error = jr_future_get_error (job->future);
      if (state == JR_FUTURE_STATE_FAILED)
        {
          /* Where it failed, when that was another machine (as another
           * user, with other files): "compress, on box (box): …". */
          g_autofree char *place = job->future != NULL ? jr_future_dup_place (job->future) : NULL;
          /* Translators: a failed job's error when it has none,
           * “jobrouter: compress: failed”. */
          const char *message = error != NULL ? error->message : _("failed");

          if (place != NULL)
            /* Translators: the first %s is a job's label, “compress” or
             * “compress#2”; the second, the other machine where it failed,
             * “node17 (cluster)”; the third, its error. */
            jr_cli_display_message (cli->display, _("jobrouter: %s, on %s: %s"), job->label,
                                    place, message);
          else
            jr_cli_display_message (cli->display, "jobrouter: %s: %s", job->label, message);
        }
      else if (state == JR_FUTURE_STATE_CANCELLED)
        {
          if (!quiet)
            /* Translators: %s is a job's label, “checksum” or “checksum#2”. */
            jr_cli_display_message (cli->display, _("jobrouter: %s: cancelled"), job->label);
        }
      else
        /* Translators: %s is a job's label, “checksum” or “checksum#2”. */
        jr_cli_display_message (cli->display, _("jobrouter: %s: did not finish"), job->label);
    }

  /* Every job completed, but a group's tries printed their complaints:
   * say that it gave up. */
  if (status == JR_CLI_EXIT_OK && cli->group_failure != NULL && !quiet)
    /* Translators: %s is why a group of workers gave up, “No worker of
     * group “box” could start: …”. */
    jr_cli_display_message (cli->display, _("jobrouter: every job completed, but: %s"),
                            cli->group_failure);
  return status;
}

static gboolean stdout_closed;

void
jr_cli_set_stdout_closed (void)
{
  stdout_closed = TRUE;
}

/* The exit status once the output is written: a write error or a signal
 * overrides what the jobs gave. */
static int
final_status (Cli          *cli,
              JrCliDisplay *display,
              int           status)
{
  int errsv = jr_cli_display_flush (display);

  /* Anything printed through stdio (GLib's own g_print()) too. */
  if (errsv == 0 && (fflush (stdout) != 0 || ferror (stdout)))
    errsv = errno != 0 ? errno : EIO;
  if (errsv == 0)
    errsv = cli->out_errno;
  /* Closed: what was for it is lost (nothing lost, nothing to say). */
  if (errsv == 0 && stdout_closed && jr_cli_display_wrote_output (display))
    errsv = EBADF;

  if (errsv != 0 && errsv != EPIPE)
    {
      /* Translators: %s is the system's error, “No space left on device”. */
      jr_cli_display_message (display, _("jobrouter: write error: %s"), g_strerror (errsv));
      jr_cli_display_flush (display);
      return JR_CLI_EXIT_JOB_FAILED;
    }
  if (cli->interrupted || signal_caught != 0)
    return JR_CLI_EXIT_INTERRUPTED;
  /* The reader is gone (`| head -1`): said with the status a shell gives
   * a program killed by SIGPIPE, without a message. */
  if (errsv == EPIPE)
    return JR_CLI_EXIT_BROKEN_PIPE;
  return status;
}

static int
run_jobs (GPtrArray   *jobs,
          JrTransport  transport,
          guint        max_workers,
          GPtrArray   *groups,
          gboolean     quiet)
{
  g_autoptr(JrCliDisplay) display = jr_cli_display_new (STDERR_FILENO, STDOUT_FILENO, quiet);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JrExecutor) executor = NULL;
  g_autoptr(GError) error = NULL;
  Cli cli = { .loop = loop, .jobs = jobs, .display = display };
  guint signal_id;
  int status;

  /* Before the executor: its worker processes inherit the environment. */
  skip_output_file ();

  /* No use starting more workers than there are jobs. With groups given
   * (--workers local:2,ssh:box:4), they are the whole pool. */
  if (groups != NULL && groups->len > 0)
    {
      JrAppGroup *local = jr_app_groups_find_local (groups);

      for (guint i = 0; i < groups->len; i++)
        {
          JrAppGroup *group = g_ptr_array_index (groups, i);

          group->size = MIN (group->size, jobs->len);
        }
      executor = g_object_new (JR_TYPE_EXECUTOR, "transport", transport,
                               "max-workers", local != NULL ? MAX (local->size, 1u) : 1u,
                               "local-group", local != NULL && local->size > 0, NULL);
      if (!jr_app_groups_update (executor, groups, &error))
        {
          g_printerr ("jobrouter: %s\n", error->message);
          jr_executor_shutdown (executor, SHUTDOWN_TIMEOUT_US, NULL);
          return JR_CLI_EXIT_USAGE;
        }
    }
  else
    executor = jr_executor_new (transport, MIN (max_workers, jobs->len));
  if (executor == NULL)
    {
      g_printerr (_("jobrouter: cannot start the executor\n"));
      return JR_CLI_EXIT_JOB_FAILED;
    }
  cli.executor = executor;
  g_signal_connect (executor, "notify::worker-error", G_CALLBACK (on_worker_error), &cli);

  if (!g_unix_open_pipe (signal_pipe, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (signal_pipe[0], TRUE, &error) ||
      !g_unix_set_fd_nonblocking (signal_pipe[1], TRUE, &error))
    g_error ("jobrouter: cannot make a pipe: %s", error->message);
  signal_caught = 0;
  for (guint i = 0; i < G_N_ELEMENTS (stop_signals); i++)
    set_handler (stop_signals[i], on_signal_caught);
  set_handler (SIGPIPE, on_sigpipe);
  signal_id = g_unix_fd_add_full (G_PRIORITY_HIGH, signal_pipe[0], G_IO_IN, on_signal, &cli,
                                  NULL);
  jr_cli_display_set_interrupt_fd (display, signal_pipe[0]);
  jr_cli_display_set_error_func (display, on_output_error, &cli);

  submit_all (&cli, display);
  if (!quiet)
    cli.waiting_note_id = g_timeout_add_seconds (WAITING_NOTE_SECONDS, on_waiting_note_due, &cli);
  if (!all_done (&cli))
    g_main_loop_run (loop);
  g_clear_handle_id (&cli.waiting_note_id, g_source_remove);

  jr_cli_display_finish (display);
  /* Stopping takes the groups away, and their errors with them. */
  g_signal_handlers_disconnect_by_func (executor, on_worker_error, &cli);

  if (!cli.stopping &&
      !jr_executor_shutdown (executor, SHUTDOWN_TIMEOUT_US, &error))
    jr_cli_display_message (display, _("jobrouter: stopping the workers: %s"), error->message);

  /* The output is lost: no report to give. */
  status = cli.out_errno != 0 ? JR_CLI_EXIT_JOB_FAILED : report (&cli, quiet);
  status = final_status (&cli, display, status);

  jr_cli_display_set_error_func (display, NULL, NULL);
  g_source_remove (signal_id);
  for (guint i = 0; i < G_N_ELEMENTS (stop_signals); i++)
    set_handler (stop_signals[i], SIG_DFL);
  set_handler (SIGPIPE, SIG_DFL);
  jr_cli_display_set_interrupt_fd (display, -1);
  for (guint i = 0; i < 2; i++)
    {
      close (signal_pipe[i]);
      signal_pipe[i] = -1;
    }

  for (guint i = 0; i < jobs->len; i++)
    {
      CliJob *job = g_ptr_array_index (jobs, i);

      if (job->future != NULL)
        g_signal_handlers_disconnect_by_data (job->future, &cli);
    }
  g_free (cli.group_failure);

  return status;
}

/**
 * jr_cli_run:
 * @argc: the length of @argv
 * @argv: the command line: the program, "run", then options and jobs
 *
 * Runs `jobrouter run`.
 *
 * Returns: the exit status
 */
int
jr_cli_run (int    argc,
            char **argv)
{
  int workers = -1;
  g_auto(GStrv) worker_specs = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  gboolean threads = FALSE, quiet = FALSE, shared_paths = FALSE;
  const GOptionEntry entries[] = {
    { "workers", 'j', 0, G_OPTION_ARG_STRING_ARRAY, &worker_specs,
      /* Translators: the help of --workers. Keep “max-workers” (a
       * setting's name), “local”, “ssh” and “slurm” (what to write); N,
       * USER and HOST stand for what the user writes. */
      N_("Run up to N jobs at once here (default: the max-workers setting, or the number of CPUs); "
         "or the groups of workers to run them on, here and on other machines: "
         "local[:N] (by default one per CPU), ssh:[USER@]HOST[:N], slurm[:N] (N up to 256), "
         "comma-separated or repeated"),
      /* Translators: what --workers takes: N, or groups of workers
       * separated by commas; translate N and GROUP as in its help. */
      N_("N|GROUP,…") },
    { "shared-paths", 0, 0, G_OPTION_ARG_NONE, &shared_paths,
      N_("The other machines see this one's files at the same paths: jobs given a path may run there"),
      NULL },
    { "threads", 't', 0, G_OPTION_ARG_NONE, &threads,
      N_("Run the jobs in threads of this process rather than in worker processes"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print results and job output only, no progress"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (cli_job_free);
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *job_list = jr_app_jobs_describe_all ();
  g_autoptr(GString) description = g_string_new (job_list);
  g_auto(GStrv) args = NULL;
  g_autofree char *prgname = NULL;
  gboolean ok;

  g_return_val_if_fail (argc >= 2, JR_CLI_EXIT_USAGE);

  /* After the list of jobs, paragraphs of their own: the examples are
   * commands, not translated. The lines of the paragraphs are at most 64
   * columns wide, as --help's. */
  g_string_append_c (description, '\n');
  /* Translators: part of “jobrouter run --help”, after the list of jobs:
   * keep “run-command” and “--”; a line at most 64 columns wide. */
  g_string_append (description, _("Each job takes one argument; run-command takes every word\n"
                                  "up to the next “--”."));
  g_string_append (description, "\n\n");
  /* Translators: part of “jobrouter run --help”: the heading of a few
   * commands. */
  g_string_append (description, _("Examples:"));
  g_string_append (description, "\n"
                                "  jobrouter run count-primes 1000000 checksum /etc\n"
                                "  jobrouter run -q checksum . > SHA256SUMS\n"
                                "  jobrouter run run-command make -j2 -- compress big.log\n"
                                "  jobrouter run --workers 2,ssh:build-box:8,slurm:16 \\\n"
                                "      count-primes 100000000 -- run-command make test\n"
                                "\n");
  /* Translators: part of “jobrouter run --help”: keep “ssh”, “srun” and
   * “--shared-paths”; a line at most 64 columns wide. */
  g_string_append (description, _("Through ssh and srun the other machines run this program, at\n"
                                  "the same path; jobs given a path run there only with\n"
                                  "--shared-paths."));
  g_string_append (description, "\n\n");
  /* Translators: part of “jobrouter run --help”; a line at most 64
   * columns wide. */
  g_string_append (description, _("Exit status: 0 if every job completed, 1 if one failed or\n"
                                  "was cancelled or the output could not be written, 2 on a\n"
                                  "usage error, 130 when interrupted (SIGINT, SIGTERM, SIGHUP),\n"
                                  "141 when the reader of the output went away."));
  g_string_append_c (description, '\n');

  context = g_option_context_new (/* Translators: what follows the options in
                                   * “jobrouter run --help”: keep “--”; JOB and
                                   * ARG stand for what the user writes. */
                                  N_("JOB ARG [[--] JOB ARG…] — run jobs without a window"));
  /* The context translates that, and would the summary and the
   * description (translated already: the same text comes back). */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, description->str);
  /* Options stop at the first job: what follows belongs to the jobs
   * (`run-command ls -l`). */
  g_option_context_set_strict_posix (context, TRUE);

  /* Parse "jobrouter run …" as if "jobrouter run" were the program. */
  args = g_new0 (char *, argc);
  prgname = g_strdup (g_get_prgname () ? g_get_prgname () : "jobrouter");
  args[0] = g_strdup_printf ("%s %s", prgname, argv[1]);
  for (int i = 2; i < argc; i++)
    args[i - 1] = g_strdup (argv[i]);
  /* --help prints the program name: make it say "jobrouter run". */
  g_set_prgname (args[0]);
  ok = g_option_context_parse_strv (context, &args, &error);
  g_set_prgname (prgname);

  if (!ok || !parse_jobs (args + 1, (int) g_strv_length (args) - 1, jobs, &error))
    {
      g_printerr ("%s: %s\n", args[0], error->message);
      /* Translators: %s is the command, “jobrouter run”. */
      g_printerr (_("Try “%s --help”.\n"), args[0]);
      return JR_CLI_EXIT_USAGE;
    }
  if (worker_specs != NULL && worker_specs[0] != NULL && worker_specs[1] == NULL &&
      g_ascii_isdigit (worker_specs[0][0]) && strchr (worker_specs[0], ',') == NULL)
    {
      /* --workers N: N here, as before groups. */
      guint64 n;

      if (!g_ascii_string_to_unsigned (worker_specs[0], 10, 0, G_MAXINT, &n, &error))
        {
          g_printerr ("%s: --workers: %s\n", args[0], error->message);
          return JR_CLI_EXIT_USAGE;
        }
      if (n == 0)
        {
          /* Translators: %s is the command, “jobrouter run”; keep
           * “--workers”, an option. */
          g_printerr (_("%s: --workers must be at least 1\n"), args[0]);
          return JR_CLI_EXIT_USAGE;
        }
      workers = (int) n;
    }
  else if (worker_specs != NULL)
    {
      guint64 total = 0;

      groups = jr_app_groups_parse ((const char * const *) worker_specs, shared_paths, &error);
      if (groups == NULL)
        {
          g_printerr ("%s: %s\n", args[0], error->message);
          return JR_CLI_EXIT_USAGE;
        }
      /* `-j ''`, `-j ,`, `-j local:0`: nowhere to run a job. */
      for (guint i = 0; i < groups->len; i++)
        total += ((JrAppGroup *) g_ptr_array_index (groups, i))->size;
      if (groups->len == 0)
        {
          /* Translators: %s is the command, “jobrouter run”; keep
           * “--workers”, an option; N stands for a number. */
          g_printerr (_("%s: --workers needs N or groups of workers\n"), args[0]);
          return JR_CLI_EXIT_USAGE;
        }
      if (total == 0)
        {
          /* Translators: %s is the command, “jobrouter run”; keep
           * “--workers”, an option. */
          g_printerr (_("%s: --workers must be at least 1\n"), args[0]);
          return JR_CLI_EXIT_USAGE;
        }
      if (threads && (groups->len > 1 || jr_app_groups_find_local (groups) == NULL))
        {
          /* Translators: %s is the command, “jobrouter run”; keep
           * “--threads”, an option. */
          g_printerr (_("%s: --threads runs jobs in this process only: no groups\n"), args[0]);
          return JR_CLI_EXIT_USAGE;
        }
      /* A job given a path reads this machine's files: somewhere here must
       * run it (the executor would refuse it, naming a C function). */
      if ((jr_app_groups_find_local (groups) == NULL ||
           jr_app_groups_find_local (groups)->size == 0) && !shared_paths)
        for (guint i = 0; i < jobs->len; i++)
          {
            CliJob *job = g_ptr_array_index (jobs, i);

            if (job->info->arg_kind == JR_APP_ARG_PATH)
              {
                /* Translators: the first %s is the command, “jobrouter
                 * run”; the second, a job's name, “checksum”. Keep the
                 * options, “--workers N,ssh:…” and “--shared-paths”. */
                g_printerr (_("%s: %s reads files of this machine, and no group of workers runs "
                              "here: add local workers (--workers N,ssh:…), or --shared-paths if "
                              "the other machines see the same files at the same paths\n"),
                            args[0], job->info->name);
                return JR_CLI_EXIT_USAGE;
              }
          }
    }

  if (workers < 0)
    {
      settings = jr_app_settings_new ();
      workers = (int) jr_app_settings_get_max_workers (settings);
    }

  return run_jobs (jobs, threads ? JR_TRANSPORT_THREADS : JR_TRANSPORT_PROCESSES,
                   (guint) workers, groups, quiet);
}

/* Something small that is there on any system with GLib. */
static const char *
demo_folder (void)
{
  static const char * const candidates[] = {
    "/usr/share/doc/libglib2.0-0",
    "/usr/share/glib-2.0/schemas",
    "/etc/ssl",
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_DIR))
      return candidates[i];
  return g_get_tmp_dir ();
}

/**
 * jr_cli_demo:
 *
 * Without a display and without arguments, shows what the application does
 * on the terminal: counts primes and checksums a small folder.
 *
 * Returns: the exit status
 */
int
jr_cli_demo (void)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (cli_job_free);
  char *words[] = { "count-primes", "1000000000", "checksum", (char *) demo_folder () };
  g_autoptr(GSettings) settings = jr_app_settings_new ();
  g_autoptr(GError) error = NULL;

  g_printerr (_("jobrouter: no display; running a demo on the terminal instead.\n"
                "Try “jobrouter run --help” to run jobs of your own.\n\n"));

  if (!parse_jobs (words, G_N_ELEMENTS (words), jobs, &error))
    {
      g_printerr ("jobrouter: %s\n", error->message);
      return JR_CLI_EXIT_JOB_FAILED;
    }

  return run_jobs (jobs, JR_TRANSPORT_PROCESSES,
                   jr_app_settings_get_max_workers (settings), NULL, FALSE);
}
