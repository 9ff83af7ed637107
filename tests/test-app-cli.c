/* test-app-cli.c — tests of `jobrouter run` and of the headless demo
 * (app/jr-cli.c, app/jr-cli-display.c), by running the real program with
 * its worker processes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Its output is a pipe here, not a terminal: the plain progress lines.
 */
#define _GNU_SOURCE  /* posix_openpt() */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "jr-test.h"

/* Far beyond what the program takes to print a line: reaching it means a
 * hang. */
#define LINE_TIMEOUT_USEC (60 * G_USEC_PER_SEC)

static char *jobrouter;

typedef struct {
  int   status;   /* exit status, or 128 + signal */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static GSubprocessLauncher *
new_launcher (void)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* No display: the demo test depends on it, and no test here may open a
   * window. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  return launcher;
}

static int
exit_status (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    return 128 + g_subprocess_get_term_sig (process);
  return g_subprocess_get_exit_status (process);
}

/* Logs what a program printed, as TAP comments, which are UTF-8: names
 * from other locales (the not-utf8 tests) as U+FFFD. */
static void G_GNUC_PRINTF (1, 2)
log_output (const char *format,
            ...)
{
  g_autofree char *text = NULL;
  g_autofree char *valid = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  valid = g_utf8_make_valid (text, -1);
  g_test_message ("%s", valid);
}

/* Runs jobrouter with @args (NULL-terminated argument vector) to its end,
 * started by @launcher. */
static void
run_jobrouter_argv (Run                 *run,
                    GSubprocessLauncher *launcher,
                    const char * const  *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, jobrouter);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = exit_status (process);

  log_output ("exit %d\nstdout:\n%s\nstderr:\n%s", run->status, run->out, run->err);
}

/* Runs jobrouter with @args (NULL-terminated) to its end. */
static void
run_jobrouter (Run        *run,
               const char *first_arg,
               ...)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher ();
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_jobrouter_argv (run, launcher, (const char * const *) args->pdata);
}

static void
test_count_primes (void)
{
  g_auto(Run) run = { 0 };

  run_jobrouter (&run, "run", "count-primes", "10000", NULL);
  g_assert_cmpint (run.status, ==, 0);
  /* The lone job's bare result on stdout; plain progress lines on
   * stderr. */
  g_assert_cmpstr (run.out, ==, "1,229 primes up to 10,000\n");
  g_assert_true (g_str_has_prefix (run.err, "count-primes: started\n"));
  g_assert_true (g_str_has_suffix (run.err, "count-primes: done\n"));
}

static void
test_grouped_number (void)
{
  g_auto(Run) run = { 0 };

  /* Digits may come grouped, as they are printed. */
  run_jobrouter (&run, "run", "-q", "count-primes", "1,000,000", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "78,498 primes up to 1,000,000\n");
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_several_jobs (void)
{
  g_auto(Run) run = { 0 };

  /* "--" between jobs is optional; a job given twice gets a number. */
  run_jobrouter (&run, "run", "-q", "count-primes", "100", "--", "count-primes", "1000",
                 "run-command", "echo", "hello world", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "run-command| hello world\n"));
  g_assert_true (g_str_has_suffix (run.out,
                                   "count-primes: 25 primes up to 100\n"
                                   "count-primes#2: 168 primes up to 1,000\n"
                                   "run-command: 1 line of output\n"));
  g_assert_cmpstr (run.err, ==, "");
}

/* Runs jobrouter with @args through the test Slurm (SLURM_CONF from
 * JR_TEST_SLURM_CONF, which .ci/run sets once it started the engines);
 * FALSE, the test skipped, without it. */
static gboolean
run_jobrouter_on_slurm (Run                *run,
                        const char * const *args)
{
  const char *slurm_conf = g_getenv ("JR_TEST_SLURM_CONF");
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  if (slurm_conf == NULL)
    {
      g_test_skip ("no Slurm to run on: JR_TEST_SLURM_CONF is not set (.ci/run sets it)");
      return FALSE;
    }
  launcher = new_launcher ();
  g_subprocess_launcher_setenv (launcher, "SLURM_CONF", slurm_conf, TRUE);
  run_jobrouter_argv (run, launcher, args);
  return TRUE;
}

/* --workers with a Slurm group and no local worker: a job that may run
 * anywhere runs there and says where; one that reads local paths is
 * refused unless --shared-paths says they are the same there. */
static void
test_workers_slurm (void)
{
  g_autofree char *dir = jr_test_make_temp_dir ("jr-app-cli-XXXXXX");
  g_autofree char *file = g_build_filename (dir, "abc.txt", NULL);
  const char *anywhere[] = { "run", "--workers", "local:0,slurm:1", "count-primes", "100", NULL };
  const char *paths[] = { "run", "--workers", "local:0,slurm:1", "checksum", dir, NULL };
  const char *shared[] = { "run", "--workers", "local:0,slurm:1", "--shared-paths", "-q",
                           "checksum", dir, NULL };

  g_assert_true (g_file_set_contents (file, "abc", -1, NULL));
  {
    g_auto(Run) run = { 0 };

    if (!run_jobrouter_on_slurm (&run, anywhere))
      goto out;
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_str_has_suffix (run.out, "25 primes up to 100\n"));
    g_assert_nonnull (strstr (run.err, "jobrouter: count-primes ran on "));
    g_assert_nonnull (strstr (run.err, "(slurm)\n"));
  }
  {
    g_auto(Run) run = { 0 };

    /* A usage error, said before any worker starts. */
    g_assert_true (run_jobrouter_on_slurm (&run, paths));
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "checksum reads files of this machine"));
  }
  {
    g_auto(Run) run = { 0 };

    g_assert_true (run_jobrouter_on_slurm (&run, shared));
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "abc.txt"));
  }
out:
  jr_test_remove_temp_dir (dir);
}

/* Runs jobrouter with @args where `ssh` is a stand-in script: @script,
 * the body of a /bin/sh script. */
static void
run_jobrouter_with_ssh (Run                *run,
                        const char         *script,
                        const char * const *args)
{
  g_autofree char *dir = jr_test_make_temp_dir ("jr-app-cli-XXXXXX");
  g_autofree char *ssh = g_build_filename (dir, "ssh", NULL);
  g_autofree char *path = g_strdup_printf ("%s:%s", dir, g_getenv ("PATH"));
  g_autofree char *contents = g_strconcat ("#!/bin/sh\n", script, NULL);
  g_autoptr(GSubprocessLauncher) launcher = new_launcher ();

  g_assert_true (g_file_set_contents (ssh, contents, -1, NULL));
  g_assert_cmpint (g_chmod (ssh, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  run_jobrouter_argv (run, launcher, args);
  jr_test_remove_temp_dir (dir);
}

/* @line is in @text, once. */
static void
assert_said_once (const char *text,
                  const char *line)
{
  const char *first = strstr (text, line);

  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, line));
}

/* A group whose launcher cannot start workers (a stand-in ssh that
 * refuses every login, in two lines) beside a local one: the jobs run
 * locally and the run succeeds; each line of the refusal is echoed once,
 * not once per try, and the end says that the group gave up. */
static void
test_workers_group_gives_up (void)
{
  const char *args[] = { "run", "--workers", "1,ssh:nobody@box:2", "count-primes", "1000", "--",
                         "run-command", "sleep", "4", NULL };
  g_auto(Run) run = { 0 };

  run_jobrouter_with_ssh (&run,
                          "echo 'kex_exchange_identification: read: Connection reset by peer' >&2\n"
                          "echo 'Connection reset by 192.0.2.1 port 22' >&2\n"
                          "exit 255\n", args);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "168 primes up to 1,000"));
  assert_said_once (run.err, "jobrouter worker (nobody@box): kex_exchange_identification: read: "
                             "Connection reset by peer");
  assert_said_once (run.err, "jobrouter worker (nobody@box): Connection reset by 192.0.2.1 port 22");
  g_assert_nonnull (strstr (run.err, "jobrouter: every job completed, but: No worker of group "
                                     "“nobody@box” could be started"));
}

/* No worker up after a few seconds (a stand-in ssh that takes 4 s to
 * connect), jobs waiting: the run says it waits, once, rather than stay
 * silent (a host that does not answer took 90 s without a word). */
static void
test_workers_slow_start (void)
{
  const char *args[] = { "run", "--workers", "ssh:box:1", "count-primes", "100", NULL };
  g_auto(Run) run = { 0 };

  /* The far side's command is the last argument: run it here. */
  run_jobrouter_with_ssh (&run,
                          "for last; do :; done\n"
                          "sleep 4\n"
                          "exec sh -c \"$last\"\n", args);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "25 primes up to 100\n");
  assert_said_once (run.err, "jobrouter: waiting for a worker to start…");
}

/* "local" alone is a group of one worker a CPU, as "slurm" alone is one
 * of one (it was refused). */
static void
test_workers_local_alone (void)
{
  g_auto(Run) run = { 0 };

  run_jobrouter (&run, "run", "--workers", "local", "-q", "count-primes", "100", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "25 primes up to 100\n");
}

static void
test_threads (void)
{
  g_auto(Run) run = { 0 };

  run_jobrouter (&run, "run", "--threads", "--workers=1", "-q", "count-primes", "100", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "25 primes up to 100\n");
}

static void
test_checksum_report (void)
{
  g_autofree char *dir = jr_test_make_temp_dir ("jr-app-cli-XXXXXX");
  g_autofree char *file = NULL;
  g_auto(Run) run = { 0 };

  file = g_build_filename (dir, "abc.txt", NULL);
  g_assert_true (g_file_set_contents (file, "abc", -1, NULL));

  /* -q and one job: the output is the report alone, ready to save. */
  run_jobrouter (&run, "run", "-q", "checksum", dir, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc.txt\n"
                   "# 1 file, 3 bytes\n");

  jr_test_remove_temp_dir (dir);
}

/* `jobrouter run checksum DIR > SUMS`, without -q: the progress goes to
 * stderr, and `sha256sum -c SUMS` checks what was saved without a word of
 * complaint. */
static void
test_checksum_saved (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jr-app-cli-XXXXXX", &error);
  g_autofree char *sums = NULL;
  g_autofree char *sha256sum = g_find_program_in_path ("sha256sum");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) check = NULL;
  g_autofree char *check_out = NULL;
  g_autofree char *check_err = NULL;
  const char *names[] = { "one.txt", "two words.txt", "three.bin" };
  g_auto(Run) run = { 0 };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_assert_true (g_file_set_contents (path, names[i], -1, NULL));
    }

  run_jobrouter (&run, "run", "checksum", dir, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "checksum: started\n"));
  g_assert_nonnull (strstr (run.err, "checksum: done\n"));
  g_assert_null (strstr (run.out, "checksum:"));
  g_assert_true (g_str_has_suffix (run.out, "# 3 files, 29 bytes\n"));

  sums = g_build_filename (dir, "SHA256SUMS", NULL);
  g_assert_true (g_file_set_contents (sums, run.out, -1, NULL));

  if (sha256sum == NULL)
    g_test_message ("no sha256sum: the report is not checked by it");
  else
    {
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_subprocess_launcher_set_cwd (launcher, dir);
      check = g_subprocess_launcher_spawn (launcher, &error, sha256sum, "--strict", "-c",
                                           "SHA256SUMS", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (check, NULL, NULL, &check_out, &check_err, &error);
      g_assert_no_error (error);
      log_output ("sha256sum -c:\n%s%s", check_out, check_err);
      g_assert_true (g_subprocess_get_successful (check));
      g_assert_cmpstr (check_err, ==, "");
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_remove (sums);
  g_rmdir (dir);
}

/* Runs `sh -c SCRIPT sh ARGS…` as a user's shell would, without a display;
 * returns its standard output as bytes (it need not be UTF-8). */
static char *
run_shell (const char * const *args,
           int                *status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;

  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  g_ptr_array_add (argv, "/bin/sh");
  g_ptr_array_add (argv, "-c");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                status, &error);
  g_assert_no_error (error);
  log_output ("stdout:\n%s\nstderr:\n%s", out, err);
  return out;
}

/* File names that are not UTF-8 (an old archive's Latin-1), in a folder
 * whose name is not either: `jobrouter run checksum DIR > SHA256SUMS`
 * writes them as they are, and `sha256sum -c` finds every file. A
 * command's Latin-1 output goes through a pipe unchanged. */
static void
test_not_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jr-app-cli-XXXXXX", &error);
  g_autofree char *folder = g_build_filename (dir, "d\xe9j\xe0", NULL);
  g_autofree char *file = g_build_filename (folder, "caf\xe9.txt", NULL);
  g_autofree char *sums = g_build_filename (dir, "SHA256SUMS", NULL);
  const char *checksum[] = { "\"$0\" run -q checksum \"$1\" > \"$2\" && cd \"$1\" && "
                             "sha256sum --strict -c \"$2\"",
                             jobrouter, folder, sums, NULL };
  const char *command[] = { "\"$0\" run -q run-command \"printf 'caf\\351\\n'\" | cat",
                            jobrouter, NULL };
  g_autofree char *checked = NULL;
  g_autofree char *printed = NULL;
  int status;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "abc", -1, NULL));

  checked = run_shell (checksum, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (checked, ==, "caf\xe9.txt: OK\n");

  printed = run_shell (command, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (printed, ==, "caf\xe9\n");

  g_remove (file);
  g_rmdir (folder);
  g_remove (sums);
  g_rmdir (dir);
}

static void
test_failing_job (void)
{
  g_auto(Run) run = { 0 };

  run_jobrouter (&run, "run", "count-primes", "100", "checksum", "/nonexistent/folder", NULL);
  g_assert_cmpint (run.status, ==, 1);
  /* The other job still gives its result. */
  g_assert_nonnull (strstr (run.out, "count-primes: 25 primes up to 100\n"));
  g_assert_nonnull (strstr (run.err, "jobrouter: checksum: "));
  g_assert_nonnull (strstr (run.err, "/nonexistent/folder"));
}

static void
test_failing_command (void)
{
  g_auto(Run) run = { 0 };

  run_jobrouter (&run, "run", "run-command", "exit 4", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "exited with code 4"));
}

/* A command that fails says why in its error, not only its exit code. */
static void
test_failing_command_output (void)
{
  g_auto(Run) listing = { 0 };
  g_auto(Run) missing = { 0 };

  run_jobrouter (&listing, "run", "-q", "run-command", "ls", "/nonexistent", NULL);
  g_assert_cmpint (listing.status, ==, 1);
  /* What it printed is its output, on stdout, as it came… */
  g_assert_nonnull (strstr (listing.out, "/nonexistent"));
  /* …and its last line is in the error. */
  g_assert_nonnull (strstr (listing.err, "jobrouter: run-command: “ls /nonexistent” exited with code 2: "));
  g_assert_nonnull (strstr (listing.err, "ls: "));

  run_jobrouter (&missing, "run", "-q", "run-command", "no-such-program-jr", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "exited with code 127: "));
  g_assert_nonnull (strstr (missing.err, "no-such-program-jr: not found"));
}

static void
test_usage_errors (void)
{
  static const struct {
    const char *args[3];  /* after "run", up to a NULL */
    const char *error;
  } cases[] = {
    { { "no-such-job", "1" }, "no-such-job" },
    { { "count-primes" }, "count-primes needs its N" },
    { { "count-primes", "--", "checksum" }, "count-primes needs its N" },
    { { "count-primes", "lots" }, "“lots” is not a whole number from 0 to 1,000,000,000,000" },
    { { "count-primes", "10000000000000" }, "N must be at most 1,000,000,000,000" },
    { { "--workers=0", "count-primes", "1" }, "--workers must be at least 1" },
    { { "--workers=local:0", "count-primes", "1" }, "--workers must be at least 1" },
    { { "--workers=ssh:host:0", "count-primes", "1" }, "--workers must be at least 1" },
    { { "--workers=slurm:0", "count-primes", "1" }, "--workers must be at least 1" },
    { { "--workers=2x", "count-primes", "1" }, "--workers: “2x” is not an unsigned number" },
    { { "--workers=0x2", "count-primes", "1" }, "--workers: “0x2” is not an unsigned number" },
    { { "--workers=99999999999", "count-primes", "1" }, "--workers: Number “99999999999”" },
    { { "--workers=", "count-primes", "1" }, "--workers needs N or groups of workers" },
    { { "--workers=,", "count-primes", "1" }, "--workers needs N or groups of workers" },
    { { "--workers=2,nowhere:3", "count-primes", "1" }, "“nowhere:3” is not a group of workers" },
    { { "--workers=ssh:a:1,ssh:a:2", "count-primes", "1" }, "The group “a” is given twice" },
    /* A size out of range is not taken for part of the host. */
    { { "--workers=ssh:a:100000", "count-primes", "1" }, "“100000” is not a number of workers: write 0 to 256" },
    { { "--workers=ssh:a:-1", "count-primes", "1" }, "“-1” is not a number of workers" },
    { { "--workers=ssh:a:", "count-primes", "1" }, "“” is not a number of workers" },
    /* A job given a path, and nowhere to run it: said before any ssh. */
    { { "--workers=ssh:a", "checksum", "." }, "checksum reads files of this machine, and no group "
                                              "of workers runs here: add local workers" },
    { { "--workers=local:0,ssh:a", "checksum", "." }, "checksum reads files of this machine" },
    { { "--no-such-option" }, "--no-such-option" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_jobrouter (&run, "run", cases[i].args[0], cases[i].args[1], cases[i].args[2], NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, cases[i].error));
      g_assert_cmpstr (run.out, ==, "");
    }

  {
    g_auto(Run) run = { 0 };

    run_jobrouter (&run, "run", NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "No job given"));
  }
}

static void
assert_lists_jobs (const char *text)
{
  static const char * const names[] = {
    "checksum FOLDER", "find-duplicates FOLDER", "compress FILE",
    "run-command COMMAND", "count-primes N",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (strstr (text, names[i]));
}

static void
test_help (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) app_help = { 0 };

  run_jobrouter (&run, "run", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "jobrouter run [OPTION"));
  g_assert_nonnull (strstr (run.out, "--workers"));
  assert_lists_jobs (run.out);

  /* The application's own --help needs no display either. */
  run_jobrouter (&app_help, "--help", NULL);
  g_assert_cmpint (app_help.status, ==, 0);
  g_assert_nonnull (strstr (app_help.out, "run JOB ARG"));
  assert_lists_jobs (app_help.out);
}

static void
test_demo (void)
{
  g_auto(Run) run = { 0 };

  /* No display, no argument: a demo on the terminal rather than a failure. */
  run_jobrouter (&run, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.err, "jobrouter: no display; running a demo"));
  g_assert_true (g_str_has_prefix (run.out, "count-primes: 50,847,534 primes up to 1,000,000,000\n"));
  g_assert_nonnull (strstr (run.out, "== checksum ==\n"));
}

static void
assert_no_glib_warnings (const char *text)
{
  g_assert_null (strstr (text, "CRITICAL"));
  g_assert_null (strstr (text, "WARNING"));
  g_assert_null (strstr (text, "Gtk-"));
  g_assert_null (strstr (text, "GLib-"));
}

/* `jobrouter checksum /usr`, forgetting `run`: a usage error that says
 * what to type, not "This application can not open files". */
static void
test_job_without_run (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) bare = { 0 };
  g_auto(Run) unknown = { 0 };

  run_jobrouter (&run, "checksum", "/usr", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "jobrouter run checksum /usr"));
  g_assert_cmpstr (run.out, ==, "");
  assert_no_glib_warnings (run.err);

  run_jobrouter (&bare, "count-primes", NULL);
  g_assert_cmpint (bare.status, ==, 2);
  g_assert_nonnull (strstr (bare.err, "jobrouter run count-primes N"));

  run_jobrouter (&unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "unknown command “frobnicate”"));
  assert_no_glib_warnings (unknown.err);

  /* An option too, display or not (this test has none). */
  {
    g_auto(Run) option = { 0 };

    run_jobrouter (&option, "--bogus", NULL);
    g_assert_cmpint (option.status, ==, 2);
    g_assert_nonnull (strstr (option.err, "unknown option “--bogus”"));
    assert_no_glib_warnings (option.err);
  }
}

/* Asked for a window where there is no display: a sentence, not a bare
 * Gtk-WARNING. */
static void
test_no_display (void)
{
  g_auto(Run) run = { 0 };

  run_jobrouter (&run, "--gapplication-service", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "jobrouter: cannot open a window: there is no display"));
  g_assert_nonnull (strstr (run.err, "jobrouter run --help"));
  assert_no_glib_warnings (run.err);
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **line = user_data;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                     NULL, NULL);
  if (*line == NULL)
    *line = g_strdup ("");  /* end of output */
}

static char *
read_line (GDataInputStream *stream)
{
  char *line = NULL;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, on_line, &line);
  jr_test_run_until (jr_test_pointer_is_set, &line, LINE_TIMEOUT_USEC, "a line of output");
  return line;
}

static void
test_interrupt (void)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  gboolean started = FALSE;

  process = g_subprocess_launcher_spawn (launcher, &error, jobrouter, "run",
                                         "run-command", "echo ready; sleep 600", NULL);
  g_assert_no_error (error);

  /* Interrupt once the job runs: its output says so. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while (!started)
    {
      g_autofree char *line = read_line (out);

      g_assert_cmpstr (line, !=, "");  /* the program must not end by itself */
      started = g_str_equal (line, "ready");
    }
  g_subprocess_send_signal (process, SIGINT);

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("stderr:\n%s", err);

  /* The job was cancelled, the workers stopped, and the exit status says
   * it was interrupted. */
  g_assert_cmpint (exit_status (process), ==, 130);
  g_assert_nonnull (strstr (err, "interrupted"));
  g_assert_nonnull (strstr (err, "run-command: cancelled"));
}


static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

/* Waits for @process to end, failing the test (and killing it) when that
 * takes over @timeout_usec: a hang, or jobs that were not cancelled. */
static int
wait_exit_within (GSubprocess *process,
                  gint64       timeout_usec)
{
  gboolean exited = FALSE;

  g_subprocess_wait_async (process, NULL, on_exited, &exited);
  if (!jr_test_iterate_until (NULL, jr_test_flag_is_set, &exited, timeout_usec))
    {
      g_subprocess_force_exit (process);
      jr_test_run_until (jr_test_flag_is_set, &exited, LINE_TIMEOUT_USEC, "the killed program");
      g_test_fail_printf ("jobrouter did not end within %" G_GINT64_FORMAT " s",
                          timeout_usec / G_USEC_PER_SEC);
    }
  return exit_status (process);
}

/* `jobrouter run run-command … | head -1`: once the reader is gone the
 * jobs are cancelled (the command's "sleep 20" does not run out) and the
 * status is a pipeline's 141, not a death by SIGPIPE. */
static void
test_broken_pipe (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gint64 start;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  process = g_subprocess_launcher_spawn (launcher, &error, jobrouter, "run", "run-command",
                                         "echo a; sleep 1; echo b; sleep 20; echo c", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = read_line (out);
  g_assert_cmpstr (line, ==, "a");
  start = g_get_monotonic_time ();
  g_input_stream_close (G_INPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (wait_exit_within (process, 15 * G_USEC_PER_SEC), ==, 141);
  g_assert_false (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
}

/* Runs jobrouter with stdout going to @stdout_path, stderr captured. */
static void
run_jobrouter_to_file (Run                *run,
                       const char         *stdout_path,
                       const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  run_jobrouter_argv (run, launcher, args);
}

/* A full disk: the report is lost, and the status and stderr say so. */
static void
test_write_error (void)
{
  const char *checksum[] = { "run", "-q", "checksum", NULL, NULL };
  const char *command[] = { "run", "run-command", "seq", "5", NULL };
  g_autofree char *dir = jr_test_make_temp_dir ("jr-app-cli-XXXXXX");
  g_autofree char *file = g_build_filename (dir, "abc.txt", NULL);

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      jr_test_remove_temp_dir (dir);
      return;
    }
  g_assert_true (g_file_set_contents (file, "abc", -1, NULL));
  checksum[3] = dir;

  {
    g_auto(Run) run = { 0 };

    run_jobrouter_to_file (&run, "/dev/full", checksum);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "jobrouter: write error: "));
  }
  {
    g_auto(Run) run = { 0 };

    run_jobrouter_to_file (&run, "/dev/full", command);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "jobrouter: write error: "));
  }
  jr_test_remove_temp_dir (dir);
}

/* `>&-` and `2>&-`: the program's own descriptors are not lent to what
 * it opens next, and it runs as with /dev/null there. */
static void
test_closed_fds (void)
{
  const char *no_stdout[] = { "/bin/sh", "-c", "exec \"$0\" \"$@\" >&-", NULL,
                              "run", "-q", "run-command", "echo", "hello", NULL };
  const char *no_stderr[] = { "/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&-", NULL,
                              "run", "run-command", "echo", "hello", NULL };
  const char *silent_no_stdout[] = { "/bin/sh", "-c", "exec \"$0\" \"$@\" >&-", NULL,
                                     "run", "-q", "run-command", "true", NULL };
  g_autoptr(GSubprocessLauncher) launcher = new_launcher ();

  no_stdout[3] = no_stderr[3] = silent_no_stdout[3] = jobrouter;
  {
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;

    /* Nothing to write, nothing lost: as coreutils, no error. */
    process = g_subprocess_launcher_spawnv (launcher, silent_no_stdout, &error);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
    g_assert_no_error (error);
    g_assert_cmpint (exit_status (process), ==, 0);
    g_assert_cmpstr (err, ==, "");
  }
  {
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    process = g_subprocess_launcher_spawnv (launcher, no_stdout, &error);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
    g_assert_no_error (error);
    g_test_message ("stdout closed: exit %d, stderr:\n%s", exit_status (process), err);
    /* The output is lost: said, as coreutils say it. */
    g_assert_cmpint (exit_status (process), ==, 1);
    g_assert_cmpstr (out, ==, "");
    g_assert_cmpstr (err, ==, "jobrouter: write error: Bad file descriptor\n");
  }
  {
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    process = g_subprocess_launcher_spawnv (launcher, no_stderr, &error);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
    g_assert_no_error (error);
    g_test_message ("stderr closed: exit %d, stdout:\n%s", exit_status (process), out);
    g_assert_cmpint (exit_status (process), ==, 0);
    /* A lone command's output, as it printed it: nothing added. */
    g_assert_cmpstr (out, ==, "hello\n");
  }
}

/* A reader that does not read: the output waits in a bounded buffer, and
 * SIGINT, SIGTERM and SIGHUP still end the program at once, the jobs
 * cancelled. */
static void
test_signal_blocked_output (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = new_launcher ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) err = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *status_path = NULL;
      g_autofree char *status = NULL;
      gboolean started = FALSE;
      const char *rss;

      /* stdout is a pipe this test never reads. */
      process = g_subprocess_launcher_spawn (launcher, &error, jobrouter, "run",
                                             "run-command", "yes", NULL);
      g_assert_no_error (error);
      err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
      while (!started)
        {
          g_autofree char *line = read_line (err);

          g_assert_cmpstr (line, !=, "");
          started = g_str_equal (line, "run-command: started");
        }
      /* Long enough for the pipe and the buffer to fill many times over. */
      g_usleep (G_USEC_PER_SEC);

      status_path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
      if (g_file_get_contents (status_path, &status, NULL, NULL) &&
          (rss = strstr (status, "VmRSS:")) != NULL)
        {
          guint64 kib = g_ascii_strtoull (rss + strlen ("VmRSS:"), NULL, 10);

          g_test_message ("resident: %" G_GUINT64_FORMAT " KiB", kib);
          g_assert_cmpuint (kib, <, 200 * 1024);
        }

      g_subprocess_send_signal (process, signals[i]);
      g_assert_cmpint (wait_exit_within (process, 10 * G_USEC_PER_SEC), ==, 130);
    }
}

/* The documented `jobrouter run -q checksum . > SHA256SUMS`: the file the
 * shell made is not in the report, and `sha256sum -c` accepts it. */
static void
test_checksum_into_folder (void)
{
  g_autofree char *dir = jr_test_make_temp_dir ("jr-app-cli-XXXXXX");
  g_autofree char *sums = g_build_filename (dir, "SHA256SUMS", NULL);
  g_autofree char *file = g_build_filename (dir, "abc.txt", NULL);
  g_autofree char *report = NULL;
  g_autofree char *sha256sum = g_find_program_in_path ("sha256sum");
  const char *args[] = { "run", "-q", "checksum", dir, NULL };
  g_auto(Run) run = { 0 };

  g_assert_true (g_file_set_contents (file, "abc", -1, NULL));
  run_jobrouter_to_file (&run, sums, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_get_contents (sums, &report, NULL, NULL));
  g_assert_cmpstr (report, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc.txt\n"
                   "# 1 file, 3 bytes\n");

  if (sha256sum != NULL)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) check = NULL;
      g_autoptr(GError) error = NULL;

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      g_subprocess_launcher_set_cwd (launcher, dir);
      check = g_subprocess_launcher_spawn (launcher, &error, sha256sum, "--strict", "-c",
                                           "SHA256SUMS", NULL);
      g_assert_no_error (error);
      g_subprocess_wait_check (check, NULL, &error);
      g_assert_no_error (error);
    }
  jr_test_remove_temp_dir (dir);
}

/* A file it could not read is named, and its bytes are not counted. */
static void
test_checksum_unreadable (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *readable = NULL;
  g_autofree char *unreadable = NULL;
  g_auto(Run) run = { 0 };

  if (geteuid () == 0)
    {
      g_test_skip ("root reads any file");
      return;
    }
  dir = jr_test_make_temp_dir ("jr-app-cli-XXXXXX");
  readable = g_build_filename (dir, "abc.txt", NULL);
  unreadable = g_build_filename (dir, "secret.txt", NULL);
  g_assert_true (g_file_set_contents (readable, "abc", -1, NULL));
  g_assert_true (g_file_set_contents (unreadable, "secret", -1, NULL));
  g_assert_cmpint (g_chmod (unreadable, 0), ==, 0);

  run_jobrouter (&run, "run", "-q", "checksum", dir, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "# 1 file, 3 bytes\n"));
  g_assert_nonnull (strstr (run.out, "# could not read secret.txt: "));

  g_chmod (unreadable, 0600);
  jr_test_remove_temp_dir (dir);
}

/* ---- a terminal ---- */

static void
cells_free (gpointer cells)
{
  g_array_unref (cells);
}

/* Whether @line (characters) is a progress bar: it starts with a label. */
static gboolean
line_is_bar (GArray *line)
{
  static const char * const labels[] = { "count-primes ", "run-command " };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      guint n = strlen (labels[i]), k;

      for (k = 0; k < n && k < line->len; k++)
        if (g_array_index (line, gunichar, k) != (gunichar) labels[i][k])
          break;
      if (k == n)
        return TRUE;
    }
  return FALSE;
}

/* What a terminal of @columns columns shows after @text, as lines of
 * characters: enough of one for the bars (CR, LF, ESC[nA, ESC[J, ESC[K,
 * wrapping). A bar that reaches the last column fails the test: it may
 * wrap, and the cursor arithmetic of the redraw would be off. */
static GPtrArray *
terminal_screen (const char *text,
                 guint       columns)
{
  GPtrArray *screen = g_ptr_array_new_with_free_func (cells_free);
  guint row = 0, column = 0;

  g_ptr_array_add (screen, g_array_new (FALSE, TRUE, sizeof (gunichar)));
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GArray *line = g_ptr_array_index (screen, row);

      if (c == '\r')
        column = 0;
      else if (c == '\n')
        {
          column = 0;
          if (++row == screen->len)
            g_ptr_array_add (screen, g_array_new (FALSE, TRUE, sizeof (gunichar)));
        }
      else if (c == '\033' && p[1] == '[')
        {
          char *end;
          guint64 n = g_ascii_strtoull (p + 2, &end, 10);

          p = end;
          if (*p == 'A')
            row -= MIN (row, (guint) MAX (n, 1));
          else if (*p == 'J' || *p == 'K')
            g_array_set_size (line, MIN (line->len, column));
          if (*p == 'J')
            g_ptr_array_set_size (screen, row + 1);
        }
      else if (!g_unichar_iscntrl (c))
        {
          /* Past the last column a terminal wraps: fine for a message. */
          if (column == columns)
            {
              column = 0;
              if (++row == screen->len)
                g_ptr_array_add (screen, g_array_new (FALSE, TRUE, sizeof (gunichar)));
              line = g_ptr_array_index (screen, row);
            }
          if (line->len <= column)
            g_array_set_size (line, column + 1);
          g_array_index (line, gunichar, column++) = c;
          if (column == columns && line_is_bar (line))
            g_error ("a bar reaches the last of %u columns", columns);
        }
    }
  return screen;
}

static char *
screen_line (GPtrArray *screen,
             guint      row)
{
  GArray *line = g_ptr_array_index (screen, row);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < line->len; i++)
    g_string_append_unichar (text, g_array_index (line, gunichar, i) ?: ' ');
  return g_string_free (text, FALSE);
}

/* Reads the terminal's @master into @output until @until is in it (NULL:
 * until the other side is closed) or @timeout_usec have passed. */
static gboolean
read_terminal (int         master,
               GString    *output,
               const char *until,
               gint64      timeout_usec)
{
  gint64 deadline = g_get_monotonic_time () + timeout_usec;

  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { .fd = master, .events = POLLIN };
      char buf[4096];
      gssize n;

      if (until != NULL && strstr (output->str, until) != NULL)
        return TRUE;
      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (master, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return until == NULL;  /* EIO: every writer closed the terminal */
      g_string_append_len (output, buf, n);
    }
  return FALSE;
}

/* The bars on a narrow terminal fit their lines (the bar shrinks, then
 * goes), and Ctrl+C's message stays on the screen, once, above the last
 * bars. */
static void
test_terminal_narrow (void)
{
  static const guint widths[] = { 30, 45 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      const guint columns = widths[w];
      struct winsize size = { .ws_row = 24, .ws_col = columns };
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GPtrArray) screen = NULL;
      g_autoptr(GString) output = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      guint n_interrupted = 0, message_row = 0;
      gboolean ended;
      int master, slave;

      master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (master < 0 || grantpt (master) < 0 || unlockpt (master) < 0)
        {
          g_test_skip ("no pseudo-terminal");
          if (master >= 0)
            close (master);
          return;
        }
      slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (slave, >=, 0);
      g_assert_cmpint (ioctl (slave, TIOCSWINSZ, &size), ==, 0);

      /* stderr on the terminal: bars. */
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
      g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
      g_subprocess_launcher_take_stderr_fd (launcher, slave);
      process = g_subprocess_launcher_spawn (launcher, &error, jobrouter, "run",
                                             "count-primes", "1000000000000", "--",
                                             "run-command", "echo hi; sleep 600", NULL);
      g_assert_no_error (error);
      g_clear_object (&launcher);  /* and its end of the terminal */

      g_assert_true (read_terminal (master, output, "running, 1", LINE_TIMEOUT_USEC));
      g_subprocess_send_signal (process, SIGINT);
      ended = read_terminal (master, output, NULL, LINE_TIMEOUT_USEC);
      close (master);
      g_assert_true (ended);
      g_assert_cmpint (wait_exit_within (process, LINE_TIMEOUT_USEC), ==, 130);

      screen = terminal_screen (output->str, columns);
      for (guint i = 0; i < screen->len; i++)
        {
          g_autofree char *line = screen_line (screen, i);

          g_test_message ("%2u|%s", i, line);
          if (g_str_has_prefix (line, "jobrouter: interrupted"))
            {
              n_interrupted++;
              message_row = i;
            }
        }
      g_assert_cmpuint (n_interrupted, ==, 1);

      /* Below the message (on one or two lines): the final bars. */
      {
        guint bars = message_row + (columns < 44 ? 2 : 1);
        g_autofree char *primes = screen_line (screen, bars);
        g_autofree char *command = screen_line (screen, bars + 1);

        g_assert_true (g_str_has_prefix (primes, "count-primes "));
        g_assert_true (g_str_has_prefix (command, "run-command "));
        g_assert_nonnull (strstr (command, "cancelled"));
        /* Room for a short bar at 45 columns, none at 30. */
        g_assert_true ((strchr (primes, '[') != NULL) == (columns == 45));
      }
    }
}

int
main (int    argc,
      char **argv)
{
  jr_test_init (&argc, &argv);

  jobrouter = g_test_build_filename (G_TEST_BUILT, "..", "app", "jobrouter", NULL);
  if (!g_file_test (jobrouter, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built", jobrouter);

  g_test_add_func ("/app/cli/count-primes", test_count_primes);
  g_test_add_func ("/app/cli/grouped-number", test_grouped_number);
  g_test_add_func ("/app/cli/several-jobs", test_several_jobs);
  g_test_add_func ("/app/cli/threads", test_threads);
  g_test_add_func ("/app/cli/workers/slurm", test_workers_slurm);
  g_test_add_func ("/app/cli/workers/group-gives-up", test_workers_group_gives_up);
  g_test_add_func ("/app/cli/workers/local-alone", test_workers_local_alone);
  g_test_add_func ("/app/cli/workers/slow-start", test_workers_slow_start);
  g_test_add_func ("/app/cli/checksum-report", test_checksum_report);
  g_test_add_func ("/app/cli/checksum-saved", test_checksum_saved);
  g_test_add_func ("/app/cli/not-utf8", test_not_utf8);
  g_test_add_func ("/app/cli/failing-job", test_failing_job);
  g_test_add_func ("/app/cli/failing-command", test_failing_command);
  g_test_add_func ("/app/cli/failing-command-output", test_failing_command_output);
  g_test_add_func ("/app/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/app/cli/help", test_help);
  g_test_add_func ("/app/cli/demo", test_demo);
  g_test_add_func ("/app/cli/job-without-run", test_job_without_run);
  g_test_add_func ("/app/cli/no-display", test_no_display);
  g_test_add_func ("/app/cli/interrupt", test_interrupt);
  g_test_add_func ("/app/cli/broken-pipe", test_broken_pipe);
  g_test_add_func ("/app/cli/write-error", test_write_error);
  g_test_add_func ("/app/cli/closed-fds", test_closed_fds);
  g_test_add_func ("/app/cli/signal-blocked-output", test_signal_blocked_output);
  g_test_add_func ("/app/cli/checksum-into-folder", test_checksum_into_folder);
  g_test_add_func ("/app/cli/checksum-unreadable", test_checksum_unreadable);
  g_test_add_func ("/app/cli/terminal/narrow", test_terminal_narrow);

  return g_test_run ();
}
