/* test-app-jobs.c — tests of app/jobs/: the built-in jobs of the
 * application, run through an executor as the application runs them, and
 * the table that parses their arguments and formats their results.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The jobs run on the threads transport (the same job functions run in
 * worker processes in the application; the CLI tests cover that path).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "jr-app-jobs.h"
#include "jr-job-private.h"
#include "jr-test.h"

/* Far beyond what any job here takes: reaching it means a hang. */
#define DONE_TIMEOUT_USEC (60 * G_USEC_PER_SEC)

#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct {
  JrExecutor *executor;
  char       *dir;       /* a fresh temporary folder */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->executor = jr_executor_new (JR_TRANSPORT_THREADS, 2);
  g_assert_nonnull (fixture->executor);
  fixture->dir = jr_test_make_temp_dir ("jr-app-jobs-XXXXXX");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jr_executor_shutdown (fixture->executor, 30 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  g_clear_object (&fixture->executor);

  jr_test_remove_temp_dir (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_file (Fixture    *fixture,
            const char *relpath,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (fixture->dir, relpath, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* Submits a built-in job as the application does: the kind from the table,
 * the arguments parsed from text. */
static JrFuture *
submit (Fixture    *fixture,
        const char *name,
        const char *arg)
{
  const JrAppJob *job = jr_app_jobs_lookup (name);
  g_autoptr(JrJobOptions) options = NULL;
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GError) error = NULL;
  JrFuture *future;

  g_assert_nonnull (job);
  args = jr_app_job_parse_args (job, arg, &error);
  g_assert_no_error (error);

  options = jr_job_options_new (job->kind);
  future = jr_executor_submit_full (fixture->executor, name, args, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (future);
  return future;
}

/* Runs a job to its end and returns its result; fails the test unless it
 * completed. */
static GVariant *
run_job (Fixture    *fixture,
         const char *name,
         const char *arg)
{
  g_autoptr(JrFuture) future = submit (fixture, name, arg);
  const GError *error;

  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  error = jr_future_get_error (future);
  g_assert_no_error ((GError *) error);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpstr (g_variant_get_type_string (jr_future_get_result (future)), ==,
                   jr_app_jobs_lookup (name)->result_type);
  return g_variant_ref (jr_future_get_result (future));
}

/* Runs a job that must fail, and checks its error. */
static void
run_job_expect_error (Fixture    *fixture,
                      const char *name,
                      const char *arg,
                      GQuark      domain,
                      int         code)
{
  g_autoptr(JrFuture) future = submit (fixture, name, arg);

  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  g_assert_error ((GError *) jr_future_get_error (future), domain, code);
}

/* Runs a job as a user whom mode 0 keeps out. Root reads every file, so as
 * root the whole process takes another effective user for the job's
 * sake (glibc changes it on every thread, the executor's too); the
 * fixture's folder must let that user in. */
static GVariant *
run_job_unprivileged (Fixture    *fixture,
                      const char *name,
                      const char *arg)
{
  gboolean root = geteuid () == 0;
  GVariant *result;

  if (root)
    {
      g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
      g_assert_cmpint (seteuid (65534), ==, 0);
    }
  result = run_job (fixture, name, arg);
  if (root)
    g_assert_cmpint (seteuid (0), ==, 0);
  return result;
}

/* ---- the table ---- */

static void
test_table (void)
{
  static const char * const names[] = {
    "checksum", "find-duplicates", "compress", "run-command", "count-primes",
  };
  g_autofree char *help = jr_app_jobs_describe_all ();
  const JrAppJob *jobs;
  guint n_jobs = 0;

  jobs = jr_app_jobs_get_all (&n_jobs);
  g_assert_cmpuint (n_jobs, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < n_jobs; i++)
    {
      g_assert_cmpstr (jobs[i].name, ==, names[i]);
      g_assert_true (jr_app_jobs_lookup (names[i]) == &jobs[i]);
      g_assert_true (g_variant_type_string_is_valid (jobs[i].args_type));
      g_assert_true (g_variant_type_string_is_valid (jobs[i].result_type));
      g_assert_nonnull (strstr (help, names[i]));
    }
  g_assert_null (jr_app_jobs_lookup ("no-such-job"));
}

/* Jobs given a path read this machine's files: they run on another
 * machine only where the paths are shared. A number or a command line
 * runs anywhere. */
static void
test_placement (void)
{
  static const struct {
    const char     *name;
    JrJobPlacement  placement;
  } expected[] = {
    { "checksum", JR_JOB_PLACEMENT_LOCAL_PATHS },
    { "find-duplicates", JR_JOB_PLACEMENT_LOCAL_PATHS },
    { "compress", JR_JOB_PLACEMENT_LOCAL_PATHS },
    { "run-command", JR_JOB_PLACEMENT_ANYWHERE },
    { "count-primes", JR_JOB_PLACEMENT_ANYWHERE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const JrJobKindInfo *info = jr_job_registry_lookup (expected[i].name);

      g_assert_nonnull (info);
      g_assert_cmpint (info->placement, ==, expected[i].placement);
    }
}

static void
test_parse_args (void)
{
  const JrAppJob *primes = jr_app_jobs_lookup ("count-primes");
  const JrAppJob *checksum = jr_app_jobs_lookup ("checksum");
  const JrAppJob *command = jr_app_jobs_lookup ("run-command");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *expected = g_build_filename (cwd, "some", "dir", NULL);
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const char *text;

  args = jr_app_job_parse_args (primes, " 1000 ", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) thousand = g_variant_ref_sink (g_variant_new ("(t)", (guint64) 1000));

    g_assert_true (g_variant_equal (args, thousand));
  }
  description = jr_app_job_describe (primes, args);
  g_assert_cmpstr (description, ==, "Primes up to 1,000");
  g_clear_pointer (&description, g_free);
  g_clear_pointer (&args, g_variant_unref);

  /* Not a number, negative, too large, empty */
  args = jr_app_job_parse_args (primes, "many", &error);
  g_assert_null (args);
  g_assert_error (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_INVALID);
  g_clear_error (&error);
  args = jr_app_job_parse_args (primes, "-5", &error);
  g_assert_null (args);
  g_assert_nonnull (error);
  g_clear_error (&error);
  args = jr_app_job_parse_args (primes, "1000000000001", &error);
  g_assert_null (args);
  g_assert_error (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS);
  g_clear_error (&error);
  args = jr_app_job_parse_args (primes, "  ", &error);
  g_assert_null (args);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Paths become absolute: workers may not share our working directory. */
  args = jr_app_job_parse_args (checksum, "some/dir", &error);
  g_assert_no_error (error);
  g_variant_get (args, "(^&ay)", &text);
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&args, g_variant_unref);

  /* A path need not be UTF-8: it is the file system's bytes. */
  args = jr_app_job_parse_args (checksum, "/tmp/caf\xe9", &error);
  g_assert_no_error (error);
  g_variant_get (args, "(^&ay)", &text);
  g_assert_cmpstr (text, ==, "/tmp/caf\xe9");
  description = jr_app_job_describe (checksum, args);
  g_assert_cmpstr (description, ==, "Checksum of /tmp/caf\xef\xbf\xbd");
  g_clear_pointer (&description, g_free);
  g_clear_pointer (&args, g_variant_unref);

  /* A command line is kept as typed, without the blanks around it. */
  args = jr_app_job_parse_args (command, "  ls -l 'a b' ", &error);
  g_assert_no_error (error);
  g_variant_get (args, "(&s)", &text);
  g_assert_cmpstr (text, ==, "ls -l 'a b'");
  g_clear_pointer (&args, g_variant_unref);

  args = jr_app_job_parse_args (command, "\xff", &error);
  g_assert_null (args);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Digits grouped by three, both ways: the prompt and the command line
 * take "50,000,000" as results print it. */
static void
test_numbers (void)
{
  const JrAppJob *primes = jr_app_jobs_lookup ("count-primes");
  static const struct {
    guint64     n;
    const char *text;
  } formatted[] = {
    { 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" }, { 65536, "65,536" },
    { 279033920, "279,033,920" }, { 5988483073, "5,988,483,073" },
    { G_MAXUINT64, "18,446,744,073,709,551,615" },
  };
  static const struct {
    const char *text;
    guint64     n;       /* 0: refused */
  } parsed[] = {
    { "50000000", 50000000 },
    { "50,000,000", 50000000 },
    { "50.000.000", 50000000 },
    { "50 000 000", 50000000 },
    { "50\u202f000\u202f000", 50000000 },
    { "50\u00a0000", 50000 },
    { "50'000'000", 50000000 },
    { "50_000_000", 50000000 },
    { "1,000", 1000 },
    { " 123,456 ", 123456 },
    { "5,00", 0 },          /* not groups of three */
    { "1,0000", 0 },
    { "50,000.000", 0 },    /* two kinds of separator */
    { ",000", 0 },
    { "1,000,", 0 },
    { "1.5", 0 },
    { "1,,000", 0 },
    { "1e9", 0 },
  };

  /* In the C locale of this test the separator is the English comma. */
  for (guint i = 0; i < G_N_ELEMENTS (formatted); i++)
    {
      g_autofree char *text = jr_app_format_count (formatted[i].n);

      g_assert_cmpstr (text, ==, formatted[i].text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (parsed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) args = jr_app_job_parse_args (primes, parsed[i].text, &error);

      g_test_message ("parsing “%s”", parsed[i].text);
      if (parsed[i].n == 0)
        {
          g_assert_null (args);
          g_assert_error (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_INVALID);
        }
      else
        {
          guint64 n = 0;

          g_assert_no_error (error);
          g_variant_get (args, "(t)", &n);
          g_assert_cmpuint (n, ==, parsed[i].n);
        }
    }
}

/* One line per result, for rows, Results and notifications. */
static void
test_summarize (void)
{
  const JrAppJob *primes = jr_app_jobs_lookup ("count-primes");
  const JrAppJob *checksum = jr_app_jobs_lookup ("checksum");
  const JrAppJob *duplicates = jr_app_jobs_lookup ("find-duplicates");
  const JrAppJob *compress = jr_app_jobs_lookup ("compress");
  g_autoptr(GVariant) primes_args = g_variant_ref_sink (g_variant_new ("(t)", (guint64) 100000));
  g_autoptr(GVariant) path_args = g_variant_ref_sink (g_variant_new ("(^ay)", "/some/where"));
  g_autoptr(GVariant) count = g_variant_ref_sink (g_variant_new_uint64 (9592));
  g_autoptr(GVariant) report = g_variant_ref_sink (g_variant_new_bytestring (
    SHA256_ABC "  abc.txt\n# 1 file, 3 bytes\n# could not read x: denied\n"));
  g_autoptr(GVariant) none = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(tsaay)"), NULL, 0));
  g_autoptr(GVariant) gz = g_variant_ref_sink (g_variant_new ("(^aytt)", "/tmp/a.log.gz",
                                                              (guint64) 1000, (guint64) 100));
  g_autofree char *primes_line = jr_app_job_summarize_result (primes, primes_args, count);
  g_autofree char *checksum_line = jr_app_job_summarize_result (checksum, path_args, report);
  g_autofree char *duplicates_line = jr_app_job_summarize_result (duplicates, path_args, none);
  g_autofree char *gz_path = jr_app_job_dup_result_path (compress, gz);
  g_autofree char *no_path = jr_app_job_dup_result_path (checksum, report);

  g_assert_cmpstr (primes_line, ==, "9,592 primes up to 100,000");
  g_assert_cmpstr (checksum_line, ==, "1 file, 3 bytes");
  g_assert_cmpstr (duplicates_line, ==, "No duplicate files.");
  /* The file a job made: compress's .gz, nothing for a report. */
  g_assert_cmpstr (gz_path, ==, "/tmp/a.log.gz");
  g_assert_null (no_path);
}

static void
test_format_unexpected (void)
{
  const JrAppJob *primes = jr_app_jobs_lookup ("count-primes");
  g_autoptr(GVariant) args = g_variant_ref_sink (g_variant_new ("(t)", (guint64) 10));
  g_autoptr(GVariant) wrong = g_variant_ref_sink (g_variant_new_string ("four"));
  g_autoptr(GVariant) one = g_variant_ref_sink (g_variant_new_uint64 (1));
  g_autofree char *text = NULL;
  g_autofree char *singular = NULL;
  g_autofree char *none = NULL;

  /* A result of the wrong type is shown, not read as the right one. */
  text = jr_app_job_format_result (primes, args, wrong);
  g_assert_cmpstr (text, ==, "'four'");
  singular = jr_app_job_format_result (primes, args, one);
  g_assert_cmpstr (singular, ==, "1 prime up to 10");
  none = jr_app_job_format_result (primes, args, NULL);
  g_assert_cmpstr (none, ==, "(no result)");
}

/* ---- count-primes ---- */

/* The obvious way, to check the sieve against. */
static guint64
count_primes_slowly (guint64 n)
{
  g_autofree guint8 *composite = g_malloc0 (n + 1);
  guint64 count = 0;

  for (guint64 i = 2; i <= n; i++)
    {
      if (composite[i])
        continue;
      count++;
      for (guint64 j = i * i; j <= n; j += i)
        composite[j] = 1;
    }
  return count;
}

static void
test_count_primes_values (Fixture       *fixture,
                          gconstpointer  data)
{
  /* Small cases, and both sides of the sieve's segments of 32768 odd
   * numbers (65536 integers from 3). */
  static const guint64 values[] = {
    0, 1, 2, 3, 4, 10, 100, 10000,
    65537, 65538, 65539, 65540, 131073, 131075, 200003,
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *arg = g_strdup_printf ("%" G_GUINT64_FORMAT, values[i]);
      g_autoptr(GVariant) result = run_job (fixture, "count-primes", arg);

      g_test_message ("pi(%s) = %" G_GUINT64_FORMAT, arg, g_variant_get_uint64 (result));
      g_assert_cmpuint (g_variant_get_uint64 (result), ==, count_primes_slowly (values[i]));
    }
}

static void
test_count_primes_known (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GVariant) result = run_job (fixture, "count-primes", "10000000");

  g_assert_cmpuint (g_variant_get_uint64 (result), ==, 664579);
}

typedef struct {
  guint  n_reports;
  double last;
  gboolean backwards;
} ProgressLog;

static void
on_progress (JrFuture    *future,
             GParamSpec  *pspec,
             ProgressLog *log)
{
  double progress = jr_future_get_progress (future);

  if (progress < log->last)
    log->backwards = TRUE;
  log->last = progress;
  log->n_reports++;
}

static void
test_count_primes_progress (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JrFuture) future = submit (fixture, "count-primes", "20000000");
  ProgressLog log = { 0, -1.0, FALSE };

  g_signal_connect (future, "notify::progress", G_CALLBACK (on_progress), &log);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_signal_handlers_disconnect_by_data (future, &log);

  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_false (log.backwards);
  /* At least a start and the end; never more than one report per 1%
   * plus the time-based ones, which 20 M numbers do not need many of. */
  g_assert_cmpuint (log.n_reports, >=, 2);
  g_assert_cmpfloat (jr_future_get_progress (future), ==, 1.0);
}

static void
test_count_primes_too_large (Fixture       *fixture,
                             gconstpointer  data)
{
  const JrAppJob *job = jr_app_jobs_lookup ("count-primes");
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  /* The parser refuses it; a caller that skips the parser meets the job's
   * own check. */
  future = jr_executor_submit_progress (fixture->executor, job->name,
                                        g_variant_new ("(t)", G_MAXUINT64), &error);
  g_assert_no_error (error);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_assert_error ((GError *) jr_future_get_error (future), G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* ---- checksum ---- */

static void
test_checksum_folder (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *hello = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "hello\n", -1);
  g_autofree char *a = write_file (fixture, "a.txt", "abc", -1);
  g_autofree char *b = write_file (fixture, "sub/b.txt", "hello\n", -1);
  g_autofree char *e = write_file (fixture, "sub/empty", "", 0);
  g_autofree char *link = g_build_filename (fixture->dir, "link-to-a", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GVariant) result = NULL;

  /* Symbolic links are not followed: a would be hashed twice. */
  g_assert_cmpint (symlink (a, link), ==, 0);

  result = run_job (fixture, "checksum", fixture->dir);
  expected = g_strdup_printf (SHA256_ABC "  a.txt\n"
                              "%s  sub/b.txt\n"
                              SHA256_EMPTY "  sub/empty\n"
                              "# 3 files, 9 bytes\n", hello);
  g_assert_cmpstr (g_variant_get_bytestring (result), ==, expected);
}

/* The report's own file (`checksum . > SHA256SUMS`) is left out: by its
 * device and inode here, by its path where they differ (another machine
 * that shares the paths). */
static void
test_checksum_skips_report (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *a = write_file (fixture, "a.txt", "abc", -1);
  g_autofree char *sums = write_file (fixture, "SHA256SUMS", "", 0);
  g_autofree char *by_path = g_strdup_printf ("0:0:%s", sums);
  g_autoptr(GVariant) result = NULL;

  g_setenv (JR_APP_CHECKSUM_SKIP_ENV, by_path, TRUE);
  result = run_job (fixture, "checksum", fixture->dir);
  g_unsetenv (JR_APP_CHECKSUM_SKIP_ENV);
  g_assert_cmpstr (g_variant_get_bytestring (result), ==, SHA256_ABC "  a.txt\n# 1 file, 3 bytes\n");
}

static void
test_checksum_single_file (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *a = write_file (fixture, "only.txt", "abc", -1);
  g_autoptr(GVariant) result = run_job (fixture, "checksum", a);

  g_assert_cmpstr (g_variant_get_bytestring (result), ==,
                   SHA256_ABC "  only.txt\n# 1 file, 3 bytes\n");
}

static void
test_checksum_escaped_name (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *a = write_file (fixture, "back\\slash", "abc", -1);
  g_autoptr(GVariant) result = run_job (fixture, "checksum", fixture->dir);

  /* As sha256sum writes it, so that `sha256sum -c` reads it back. */
  g_assert_cmpstr (g_variant_get_bytestring (result), ==,
                   "\\" SHA256_ABC "  back\\\\slash\n# 1 file, 3 bytes\n");
}

/* Names that are not UTF-8 (an old archive's Latin-1) are in the report
 * as the file system has them, in a folder whose own name is not UTF-8:
 * `sha256sum -c` checks every file. Its progress texts stay UTF-8 (a
 * GVariant string that is not would fail the job). */
static void
test_checksum_not_utf8 (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *a = write_file (fixture, "d\xe9j\xe0/caf\xe9.txt", "abc", -1);
  g_autofree char *b = write_file (fixture, "d\xe9j\xe0/ok.txt", "abc", -1);
  g_autofree char *root = g_path_get_dirname (a);
  g_autofree char *sums = g_build_filename (fixture->dir, "SHA256SUMS", NULL);
  g_autoptr(GVariant) result = run_job (fixture, "checksum", root);
  const char *check[] = { "sha256sum", "--check", "--strict", sums, NULL };
  g_autofree char *out = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_cmpstr (g_variant_get_bytestring (result), ==,
                   SHA256_ABC "  caf\xe9.txt\n" SHA256_ABC "  ok.txt\n# 2 files, 6 bytes\n");

  g_file_set_contents (sums, g_variant_get_bytestring (result), -1, &error);
  g_assert_no_error (error);
  g_spawn_sync (root, (char **) check, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "caf\xe9.txt: OK\nok.txt: OK\n");
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* Shown in a list: UTF-8. */
  summary = jr_app_job_summarize_result (jr_app_jobs_lookup ("checksum"), NULL, result);
  g_assert_true (g_utf8_validate (summary, -1, NULL));
}

static void
test_checksum_unreadable (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *a = write_file (fixture, "a.txt", "abc", -1);
  g_autofree char *secret = write_file (fixture, "secret", "x", -1);
  g_autoptr(GVariant) result = NULL;
  const char *report;

  /* One unreadable file is reported, the others still hashed. */
  g_assert_cmpint (g_chmod (a, 0644), ==, 0);
  g_assert_cmpint (g_chmod (secret, 0), ==, 0);
  result = run_job_unprivileged (fixture, "checksum", fixture->dir);
  report = g_variant_get_bytestring (result);
  /* (Which bytes the summary counts is the checksum tests' business.) */
  g_assert_true (g_str_has_prefix (report, SHA256_ABC "  a.txt\n# 1 file, "));
  g_assert_nonnull (strstr (report, "# could not read secret: "));
}

/* A folder behind one this user may not enter: "permission denied", not
 * "neither a folder nor a regular file" (GLib gives such a path a file
 * type of none, not an error). Jobs on another machine run as another
 * user, and meet this more often. */
static void
test_checksum_not_allowed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *locked = g_build_filename (fixture->dir, "locked", NULL);
  g_autofree char *inside = g_build_filename (locked, "inside", NULL);
  g_autoptr(JrFuture) future = NULL;
  gboolean root = geteuid () == 0;
  const GError *error;

  g_assert_cmpint (g_mkdir_with_parents (inside, 0700), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  if (root)
    {
      g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
      g_assert_cmpint (seteuid (65534), ==, 0);
    }
  future = submit (fixture, "checksum", inside);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  if (root)
    g_assert_cmpint (seteuid (0), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0700), ==, 0);

  error = jr_future_get_error (future);
  g_test_message ("%s", error != NULL ? error->message : "(no error)");
  g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "Could not read"));
}

static void
test_checksum_missing (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);

  run_job_expect_error (fixture, "checksum", missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
on_progress_cancel (JrFuture   *future,
                    GParamSpec *pspec,
                    gpointer    data)
{
  if (jr_future_get_progress (future) > 0)
    jr_future_cancel (future);
}

static void
test_checksum_cancel (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *big = g_build_filename (fixture->dir, "big", NULL);
  g_autoptr(JrFuture) future = NULL;
  int fd;

  /* 4 GiB of holes: nothing on disk, far too long to hash before the
   * cancel lands, unless the job ignores it. */
  fd = g_open (big, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) 4 << 30), ==, 0);
  g_close (fd, NULL);

  future = submit (fixture, "checksum", fixture->dir);
  g_signal_connect (future, "notify::progress", G_CALLBACK (on_progress_cancel), NULL);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
}

/* ---- find-duplicates ---- */

static void
test_find_duplicates (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *same = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "same", -1);
  g_autoptr(GVariant) result = NULL;
  g_autofree const char **paths = NULL;
  g_autofree char *text = NULL;
  const char *hash;
  guint64 size;
  GVariant *paths_value;

  g_free (write_file (fixture, "b", "same", -1));
  g_free (write_file (fixture, "a", "same", -1));
  g_free (write_file (fixture, "sub/g", "same", -1));
  g_free (write_file (fixture, "c", "diff", -1));         /* same size, other content */
  g_free (write_file (fixture, "d", "longer text", -1));  /* a size of its own */
  g_free (write_file (fixture, "e", "", 0));              /* empty files waste nothing */
  g_free (write_file (fixture, "f", "", 0));

  result = run_job (fixture, "find-duplicates", fixture->dir);
  g_assert_cmpuint (g_variant_n_children (result), ==, 1);

  g_variant_get_child (result, 0, "(t&s@aay)", &size, &hash, &paths_value);
  paths = g_variant_get_bytestring_array (paths_value, NULL);
  g_assert_cmpuint (size, ==, 4);
  g_assert_cmpstr (hash, ==, same);
  g_assert_cmpuint (g_strv_length ((char **) paths), ==, 3);
  g_assert_cmpstr (paths[0], ==, "a");
  g_assert_cmpstr (paths[1], ==, "b");
  g_assert_cmpstr (paths[2], ==, "sub/g");
  g_variant_unref (paths_value);

  text = jr_app_job_format_result (jr_app_jobs_lookup ("find-duplicates"), NULL, result);
  g_assert_true (g_str_has_prefix (text, "[(uint64 4, "));  /* no args: printed raw */
  g_free (text);
  {
    g_autoptr(GVariant) args = g_variant_ref_sink (g_variant_new ("(^ay)", fixture->dir));

    text = jr_app_job_format_result (jr_app_jobs_lookup ("find-duplicates"), args, result);
  }
  g_assert_nonnull (strstr (text, "3 files of 4 bytes"));
  g_assert_nonnull (strstr (text, "\n  sub/g\n"));
  g_assert_true (g_str_has_suffix (text, "1 group of duplicates, 8 bytes wasted\n"));
}

static void
test_find_duplicates_none (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GVariant) result = NULL;

  g_free (write_file (fixture, "a", "one", -1));
  g_free (write_file (fixture, "b", "two", -1));
  result = run_job (fixture, "find-duplicates", fixture->dir);
  g_assert_cmpuint (g_variant_n_children (result), ==, 0);
}

/* Names as the file system has them, in the result and in its text. */
static void
test_find_duplicates_not_utf8 (Fixture       *fixture,
                               gconstpointer  data)
{
  const JrAppJob *job = jr_app_jobs_lookup ("find-duplicates");
  g_autofree char *a = write_file (fixture, "caf\xe9", "same", -1);
  g_autofree char *b = write_file (fixture, "na\xefve/copy", "same", -1);
  g_autoptr(GVariant) result = run_job (fixture, "find-duplicates", fixture->dir);
  g_autoptr(GVariant) args = g_variant_ref_sink (g_variant_new ("(^ay)", fixture->dir));
  g_autoptr(GVariant) paths_value = NULL;
  g_autofree const char **paths = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (g_variant_n_children (result), ==, 1);
  g_variant_get_child (result, 0, "(t&s@aay)", NULL, NULL, &paths_value);
  paths = g_variant_get_bytestring_array (paths_value, NULL);
  g_assert_cmpuint (g_strv_length ((char **) paths), ==, 2);
  g_assert_cmpstr (paths[0], ==, "caf\xe9");
  g_assert_cmpstr (paths[1], ==, "na\xefve/copy");

  text = jr_app_job_format_result (job, args, result);
  g_assert_nonnull (strstr (text, "\n  caf\xe9\n  na\xefve/copy\n"));
}

/* What cannot be read is listed as the checksum job lists it (docs/app.md),
 * not skipped in silence: a file of a size another has, and a folder. */
static void
test_find_duplicates_unreadable (Fixture       *fixture,
                                 gconstpointer  data)
{
  const JrAppJob *job = jr_app_jobs_lookup ("find-duplicates");
  g_autofree char *a = write_file (fixture, "a", "same", -1);
  g_autofree char *b = write_file (fixture, "b", "same", -1);
  g_autofree char *secret = write_file (fixture, "secret", "same", -1);
  g_autofree char *hidden = write_file (fixture, "locked/c", "same", -1);
  g_autofree char *locked = g_path_get_dirname (hidden);
  g_autoptr(GVariant) args = g_variant_ref_sink (g_variant_new ("(^ay)", fixture->dir));
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) problems = NULL;
  g_autofree const char **strv = NULL;
  g_autofree char *text = NULL;
  g_autofree char *summary = NULL;
  const char *hash;
  guint64 size;

  g_assert_cmpint (g_chmod (a, 0644), ==, 0);
  g_assert_cmpint (g_chmod (b, 0644), ==, 0);
  g_assert_cmpint (g_chmod (secret, 0), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  result = run_job_unprivileged (fixture, "find-duplicates", fixture->dir);
  /* So that the fixture can remove it. */
  g_assert_cmpint (g_chmod (locked, 0700), ==, 0);

  /* The group of what could be read, then what could not. */
  g_assert_cmpuint (g_variant_n_children (result), ==, 2);
  g_variant_get_child (result, 1, "(t&s@aay)", &size, &hash, &problems);
  g_assert_cmpuint (size, ==, 0);
  g_assert_cmpstr (hash, ==, "");
  strv = g_variant_get_bytestring_array (problems, NULL);
  g_assert_cmpuint (g_strv_length ((char **) strv), ==, 2);
  g_assert_true (g_str_has_prefix (strv[0], "locked: "));
  g_assert_true (g_str_has_prefix (strv[1], "secret: "));

  text = jr_app_job_format_result (job, args, result);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "2 files of 4 bytes, sha256 "));
  g_assert_nonnull (strstr (text, "\n  a\n  b\n# 1 group of duplicates, 4 bytes wasted\n"
                                  "# could not read locked: "));
  g_assert_nonnull (strstr (text, "\n# could not read secret: "));
  /* The summary is still the count of groups. */
  summary = jr_app_job_summarize_result (job, args, result);
  g_assert_cmpstr (summary, ==, "1 group of duplicates, 4 bytes wasted");
}

/* ---- compress ---- */

static char *
gunzip (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) plain = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  GFileInfo *header;

  in = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  plain = g_converter_input_stream_new (G_INPUT_STREAM (in), G_CONVERTER (decompressor));
  g_output_stream_splice (out, plain, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, &error);
  g_assert_no_error (error);

  /* gzip -N would restore this name */
  header = g_zlib_decompressor_get_file_info (decompressor);
  g_assert_nonnull (header);
  g_assert_cmpstr (g_file_info_get_name (header), ==, "data.txt");

  g_output_stream_write (out, "", 1, NULL, &error);  /* NUL-terminate */
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_compress (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *gz_path = NULL;
  g_autofree char *unpacked = NULL;
  g_autofree char *gz_before = NULL;
  g_autofree char *gz_after = NULL;
  g_autoptr(GVariant) result = NULL;
  const char *out_path;
  guint64 in_size, out_size;
  gsize gz_length;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (contents, "line %u of a file that compresses well\n", i);
  path = write_file (fixture, "data.txt", contents->str, contents->len);
  gz_path = g_strconcat (path, ".gz", NULL);

  result = run_job (fixture, "compress", path);
  g_variant_get (result, "(^&aytt)", &out_path, &in_size, &out_size);
  g_assert_cmpstr (out_path, ==, gz_path);
  g_assert_cmpuint (in_size, ==, contents->len);
  g_assert_cmpuint (out_size, <, in_size / 4);
  g_assert_true (g_file_get_contents (gz_path, &gz_before, &gz_length, NULL));
  g_assert_cmpuint (gz_length, ==, out_size);

  unpacked = gunzip (gz_path);
  g_assert_cmpstr (unpacked, ==, contents->str);

  /* Like gzip, it does not overwrite: the first .gz stays as it was. */
  run_job_expect_error (fixture, "compress", path, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_true (g_file_get_contents (gz_path, &gz_after, NULL, NULL));
  g_assert_true (memcmp (gz_before, gz_after, gz_length) == 0);
}

/* FILE.gz is as private as FILE: made private, then given FILE's
 * permissions, as gzip does. */
/* A file whose name is not UTF-8 is compressed beside itself, and the
 * result names that file. */
static void
test_compress_not_utf8 (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "caf\xe9.txt", "some text", -1);
  g_autofree char *gz_path = g_strconcat (path, ".gz", NULL);
  g_autoptr(GVariant) result = run_job (fixture, "compress", path);
  g_autofree char *made = jr_app_job_dup_result_path (jr_app_jobs_lookup ("compress"), result);

  g_assert_cmpstr (made, ==, gz_path);
  g_assert_true (g_file_test (gz_path, G_FILE_TEST_IS_REGULAR));
}

static void
test_compress_permissions (Fixture       *fixture,
                           gconstpointer  data)
{
  static const guint modes[] = { 0600, 0644, 0640 };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%o", modes[i]);
      g_autofree char *path = write_file (fixture, name, "some text", -1);
      g_autofree char *gz_path = g_strconcat (path, ".gz", NULL);
      g_autoptr(GVariant) result = NULL;
      GStatBuf st;

      g_assert_cmpint (g_chmod (path, modes[i]), ==, 0);
      result = run_job (fixture, "compress", path);
      g_assert_cmpint (g_stat (gz_path, &st), ==, 0);
      g_assert_cmpuint (st.st_mode & 07777, ==, modes[i]);
    }
}

static void
test_compress_folder (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *gz_path = g_strconcat (fixture->dir, ".gz", NULL);

  run_job_expect_error (fixture, "compress", fixture->dir,
                        G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_assert_false (g_file_test (gz_path, G_FILE_TEST_EXISTS));
}

/* ---- run-command ---- */

static void
on_yielded (JrFuture  *future,
            GVariant  *value,
            GPtrArray *lines)
{
  gsize length;

  /* Lines are bytestrings: what the command printed. */
  g_assert_cmpstr (g_variant_get_type_string (value), ==, "ay");
  g_ptr_array_add (lines, jr_app_yield_dup_text (value, &length));
}

/* Runs a command line to its end; returns its future, @lines gets what it
 * yielded. */
static JrFuture *
run_command (Fixture    *fixture,
             const char *command_line,
             GPtrArray  *lines)
{
  JrFuture *future = submit (fixture, "run-command", command_line);

  g_assert_cmpint (jr_future_get_kind (future), ==, JR_JOB_KIND_ITERATION);
  g_signal_connect (future, "yielded", G_CALLBACK (on_yielded), lines);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_signal_handlers_disconnect_by_data (future, lines);
  return future;
}

static void
test_run_command_lines (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;

  /* No shell character: split into words and run directly. */
  future = run_command (fixture, "printf 'one\\ntwo\\r\\nlast without newline'", lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "one");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "two");
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==, "last without newline");
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (future)), ==, 3);
}

static void
test_run_command_shell (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;

  /* A pipe needs the shell; stderr comes along with stdout. */
  future = run_command (fixture, "echo a; echo b | tr b c; echo oops >&2", lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "c");
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==, "oops");
}

static void
test_run_command_invalid_utf8 (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;

  /* Latin-1 text comes as it was printed: `jobrouter run run-command …
   * > file` keeps it. */
  future = run_command (fixture, "printf 'caf\\351\\n'", lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "caf\xe9");
}

static void
test_run_command_exit_status (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;
  const GError *error;

  future = run_command (fixture, "echo before; exit 3", lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (future);
  g_assert_error ((GError *) error, G_SPAWN_EXIT_ERROR, 3);
  /* Which command, how it ended, and the last thing it said. */
  g_assert_cmpstr (error->message, ==, "“echo before; exit 3” exited with code 3: before");
  /* What it printed before failing was delivered. */
  g_assert_cmpuint (lines->len, ==, 1);
}

static void
test_run_command_failure_output (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) quiet_lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) killed_lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) missing = NULL;
  g_autoptr(JrFuture) quiet = NULL;
  g_autoptr(JrFuture) killed = NULL;
  const GError *error;

  /* No such program: the shell says so, and the error carries it. */
  missing = run_command (fixture, "no-such-program-jr --flag", lines);
  g_assert_cmpint (jr_future_get_state (missing), ==, JR_FUTURE_STATE_FAILED);
  error = jr_future_get_error (missing);
  g_assert_error ((GError *) error, G_SPAWN_EXIT_ERROR, 127);
  g_assert_true (g_str_has_prefix (error->message,
                                   "“no-such-program-jr --flag” exited with code 127: "));
  g_assert_nonnull (strstr (error->message, "no-such-program-jr: not found"));

  /* Blank lines at the end are not what it said; nothing said at all
   * leaves the exit code alone. */
  quiet = run_command (fixture, "echo reason; echo; echo '  '; exit 1", quiet_lines);
  g_assert_cmpstr (jr_future_get_error (quiet)->message, ==,
                   "“echo reason; echo; echo '  '; exit 1” exited with code 1: reason");

  killed = run_command (fixture, "kill -9 $$", killed_lines);
  error = jr_future_get_error (killed);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, "“kill -9 $$” was killed by signal 9 (Killed)");
}

static void
test_run_command_not_found (Fixture       *fixture,
                            gconstpointer  data)
{
  run_job_expect_error (fixture, "run-command", "/nonexistent/program --flag",
                        G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
}

static void
test_run_command_bad_quoting (Fixture       *fixture,
                              gconstpointer  data)
{
  run_job_expect_error (fixture, "run-command", "echo 'unfinished",
                        G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING);
}

static void
on_first_line_cancel (JrFuture *future,
                      GVariant *value,
                      gpointer  data)
{
  jr_future_cancel (future);
}

static void
test_run_command_cancel (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *pid_file = g_build_filename (fixture->dir, "pid", NULL);
  g_autofree char *command = NULL;
  g_autofree char *pid_text = NULL;
  g_autoptr(JrFuture) future = NULL;
  pid_t pid;

  /* The shell starts a child and waits: a cancel must take both down,
   * not only the shell. */
  command = g_strdup_printf ("sleep 600 & echo $! > '%s'; echo started; wait", pid_file);
  future = submit (fixture, "run-command", command);
  g_signal_connect (future, "yielded", G_CALLBACK (on_first_line_cancel), NULL);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);

  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = (pid_t) g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (pid, >, 0);
  /* SIGKILL is immediate, but the kernel takes a moment to tear down. */
  for (guint i = 0; i < 500 && !jr_test_process_is_gone (pid); i++)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (jr_test_process_is_gone (pid));
}

/* A line without end costs no more than LINE_MAX_BYTES (64 KiB) plus a
 * chunk: it is cut there, the rest dropped up to its newline, and said so. */
static void
test_run_command_long_line (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) utf8_lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;
  g_autoptr(JrFuture) utf8 = NULL;
  g_autofree char *expected = g_strnfill (64 * 1024, 'x');
  const char *line;

  /* 50 MB of x, then a newline: one line cut, then the next whole. */
  future = run_command (fixture, "yes x | tr -d '\\n' | head -c 50000000; echo; echo after",
                        lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (lines->len, ==, 2);
  line = g_ptr_array_index (lines, 0);
  g_assert_true (g_str_has_prefix (line, expected));
  g_assert_cmpstr (line + strlen (expected), ==, " [… line cut at 64 KiB]");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "after");
  g_assert_cmpuint (g_variant_get_uint64 (jr_future_get_result (future)), ==, 2);

  /* Cut at the start of a character, not inside one ("a" then two-byte
   * "é"s: byte 65536 is the second byte of one), and with no newline at
   * all. */
  utf8 = run_command (fixture, "printf a; yes é | tr -d '\\n' | head -c 200000", utf8_lines);
  g_assert_cmpint (jr_future_get_state (utf8), ==, JR_FUTURE_STATE_COMPLETED);
  g_assert_cmpuint (utf8_lines->len, ==, 1);
  line = g_ptr_array_index (utf8_lines, 0);
  g_assert_true (g_utf8_validate (line, -1, NULL));
  g_assert_null (strstr (line, "\xef\xbf\xbd"));  /* no U+FFFD */
  g_assert_true (g_str_has_suffix (line, "é [… line cut at 64 KiB]"));
  g_assert_cmpuint (strlen (line), ==, 64 * 1024 - 1 + strlen (" [… line cut at 64 KiB]"));
}

/* The process group of @pid, from /proc; 0 when it is gone. */
static int
process_group (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *end;
  char state;
  int ppid, pgrp;

  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      (end = strrchr (stat, ')')) == NULL ||
      sscanf (end + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
    return 0;
  return pgrp;
}

static void
wait_gone (int pid)
{
  /* SIGKILL is immediate, but the kernel takes a moment to tear down. */
  for (guint i = 0; i < 500 && !jr_test_process_is_gone (pid); i++)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (jr_test_process_is_gone (pid));
}

typedef struct {
  JrFuture  *future;
  GPtrArray *lines;
  guint      n_lines;
} Started;

static gboolean
has_lines_or_done (gpointer data)
{
  Started *started = data;

  return started->lines->len >= started->n_lines || jr_future_get_done (started->future);
}

/* Submits @command_line to @executor and runs until it printed @n_pids
 * lines, each a pid; returns its future (its lines still go to
 * @lines), the pids in @pids. */
static JrFuture *
start_command (JrExecutor *executor,
               const char *command_line,
               GPtrArray  *lines,
               int        *pids,
               guint       n_pids)
{
  g_autoptr(JrJobOptions) options = jr_job_options_new (JR_JOB_KIND_ITERATION);
  g_autoptr(GError) error = NULL;
  Started started = { NULL, lines, n_pids };

  started.future = jr_executor_submit_full (executor, "run-command",
                                            g_variant_new ("(s)", command_line),
                                            options, &error);
  g_assert_no_error (error);
  g_signal_connect (started.future, "yielded", G_CALLBACK (on_yielded), lines);
  jr_test_run_until (has_lines_or_done, &started, DONE_TIMEOUT_USEC, "the command's pids");
  g_assert_cmpuint (lines->len, ==, n_pids);
  for (guint i = 0; i < n_pids; i++)
    {
      pids[i] = (int) g_ascii_strtoll (g_ptr_array_index (lines, i), NULL, 10);
      g_assert_cmpint (pids[i], >, 1);
    }
  return started.future;
}

/* Cancels @future, which runs a command, and waits for its end. */
static void
cancel_command (JrFuture  *future,
                GPtrArray *lines)
{
  jr_future_cancel (future);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_signal_handlers_disconnect_by_data (future, lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_CANCELLED);
}

/* A cancel takes down the command's children's children too: here a
 * shell, the shell it started, and that one's sleep. */
static void
test_run_command_cancel_tree (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;
  int pids[3];

  future = start_command (fixture->executor,
                          "echo $$; sh -c 'echo $$; sleep 300 & echo $!; wait'",
                          lines, pids, G_N_ELEMENTS (pids));
  cancel_command (future, lines);
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    wait_gone (pids[i]);
}

/* In a worker process the command stays in the worker's process group
 * (docs/reference/guarantees.md); a cancel ends the command and what it
 * started, and leaves the worker alone. */
static void
test_run_command_worker_cancel (void)
{
  JrExecutor *executor = jr_test_shutdown_at_teardown (jr_executor_new (JR_TRANSPORT_PROCESSES, 1));
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;
  int pids[3];  /* the worker, the shell, its sleep */

  future = start_command (executor, "echo $PPID; echo $$; sleep 300 & echo $!; wait",
                          lines, pids, G_N_ELEMENTS (pids));
  g_assert_cmpint (pids[0], !=, getpid ());
  g_assert_cmpint (process_group (pids[0]), ==, pids[0]);
  g_assert_cmpint (process_group (pids[1]), ==, pids[0]);
  g_assert_cmpint (process_group (pids[2]), ==, pids[0]);

  cancel_command (future, lines);
  wait_gone (pids[1]);
  wait_gone (pids[2]);
  g_assert_false (jr_test_process_is_gone (pids[0]));
}

/* A worker that dies (killed, crashed) takes its job's command and all
 * that started with it: they are in its process group, which the executor
 * kills. */
static void
test_run_command_worker_killed (void)
{
  JrExecutor *executor = jr_test_shutdown_at_teardown (jr_executor_new (JR_TRANSPORT_PROCESSES, 1));
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JrFuture) future = NULL;
  int pids[4];  /* the worker, the shell, a sub-shell, its sleep */

  future = start_command (executor,
                          "echo $PPID; echo $$; sh -c 'echo $$; sleep 300 & echo $!; wait'",
                          lines, pids, G_N_ELEMENTS (pids));
  g_assert_cmpint (pids[0], !=, getpid ());

  g_assert_cmpint (kill (pids[0], SIGKILL), ==, 0);
  jr_test_run_until_done (future, DONE_TIMEOUT_USEC);
  g_signal_handlers_disconnect_by_data (future, lines);
  g_assert_cmpint (jr_future_get_state (future), ==, JR_FUTURE_STATE_FAILED);
  g_assert_error ((GError *) jr_future_get_error (future), JR_JOB_ERROR,
                  JR_JOB_ERROR_WORKER_CRASHED);
  for (guint i = 1; i < G_N_ELEMENTS (pids); i++)
    wait_gone (pids[i]);
}

int
main (int    argc,
      char **argv)
{
  jr_app_jobs_register ();
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);

  g_test_add_func ("/app/jobs/table", test_table);
  g_test_add_func ("/app/jobs/placement", test_placement);
  g_test_add_func ("/app/jobs/parse-args", test_parse_args);
  g_test_add_func ("/app/jobs/numbers", test_numbers);
  g_test_add_func ("/app/jobs/summarize", test_summarize);
  g_test_add_func ("/app/jobs/format-unexpected", test_format_unexpected);

#define ADD(path, func) \
  g_test_add ("/app/jobs/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("count-primes/values", test_count_primes_values);
  ADD ("count-primes/known", test_count_primes_known);
  ADD ("count-primes/progress", test_count_primes_progress);
  ADD ("count-primes/too-large", test_count_primes_too_large);
  ADD ("checksum/folder", test_checksum_folder);
  ADD ("checksum/single-file", test_checksum_single_file);
  ADD ("checksum/skips-report", test_checksum_skips_report);
  ADD ("checksum/escaped-name", test_checksum_escaped_name);
  ADD ("checksum/not-utf8", test_checksum_not_utf8);
  ADD ("checksum/unreadable", test_checksum_unreadable);
  ADD ("checksum/missing", test_checksum_missing);
  ADD ("checksum/not-allowed", test_checksum_not_allowed);
  ADD ("checksum/cancel", test_checksum_cancel);
  ADD ("find-duplicates/groups", test_find_duplicates);
  ADD ("find-duplicates/none", test_find_duplicates_none);
  ADD ("find-duplicates/not-utf8", test_find_duplicates_not_utf8);
  ADD ("find-duplicates/unreadable", test_find_duplicates_unreadable);
  ADD ("compress/round-trip", test_compress);
  ADD ("compress/permissions", test_compress_permissions);
  ADD ("compress/not-utf8", test_compress_not_utf8);
  ADD ("compress/folder", test_compress_folder);
  ADD ("run-command/lines", test_run_command_lines);
  ADD ("run-command/shell", test_run_command_shell);
  ADD ("run-command/invalid-utf8", test_run_command_invalid_utf8);
  ADD ("run-command/exit-status", test_run_command_exit_status);
  ADD ("run-command/failure-output", test_run_command_failure_output);
  ADD ("run-command/not-found", test_run_command_not_found);
  ADD ("run-command/bad-quoting", test_run_command_bad_quoting);
  ADD ("run-command/cancel", test_run_command_cancel);
  ADD ("run-command/cancel-tree", test_run_command_cancel_tree);
  ADD ("run-command/long-line", test_run_command_long_line);

#undef ADD

  /* Worker processes, which are this program run again. */
  g_test_add_func ("/app/jobs/run-command/worker-cancel", test_run_command_worker_cancel);
  g_test_add_func ("/app/jobs/run-command/worker-killed", test_run_command_worker_killed);

  return g_test_run ();
}
