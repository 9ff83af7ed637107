/* jr-app-jobs.c — the table of built-in jobs, and reading and writing their
 * arguments and results as text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-jobs.h"
#include "jr-app-job-funcs.h"

#include <langinfo.h>

#include <glib/gi18n.h>

/* The titles, run titles and argument names are marked here and translated
 * where they are shown; the names and types are not for people. */

static const JrAppJob builtin_jobs[] = {
  {
    .name = "checksum",
    /* Translators: what the job “checksum” does, in the list of jobs of
     * “jobrouter --help”. */
    .title = N_("SHA-256 of every file under a folder"),
    /* Translators: the title of a run of the job “checksum”; %s is the
     * folder or file, “/etc”. */
    .describe_format = N_("Checksum of %s"),
    /* Translators: the name of the argument of the job “checksum”, in
     * usage texts: “checksum FOLDER”, in capitals if your language has
     * them. */
    .arg_name = N_("FOLDER"),
    .arg_kind = JR_APP_ARG_PATH,
    .args_type = "(ay)",
    .kind = JR_JOB_KIND_PROGRESS,
    .result_type = "ay",
    .func = jr_app_job_checksum,
    .format_result = jr_app_job_checksum_format,
    .result_file_name = "SHA256SUMS",
  },
  {
    .name = "find-duplicates",
    /* Translators: what the job “find-duplicates” does, in the list of
     * jobs of “jobrouter --help”. */
    .title = N_("Files with the same content under a folder"),
    /* Translators: the title of a run of the job “find-duplicates”; %s is
     * the folder, “/home/me/Photos”. */
    .describe_format = N_("Duplicates in %s"),
    /* Translators: the name of the argument of the job “find-duplicates”,
     * in usage texts: “find-duplicates FOLDER”. */
    .arg_name = N_("FOLDER"),
    .arg_kind = JR_APP_ARG_PATH,
    .args_type = "(ay)",
    .kind = JR_JOB_KIND_PROGRESS,
    .result_type = "a(tsaay)",
    .func = jr_app_job_find_duplicates,
    .format_result = jr_app_job_find_duplicates_format,
    .result_file_name = "duplicates.txt",
  },
  {
    .name = "compress",
    /* Translators: what the job “compress” does, in the list of jobs of
     * “jobrouter --help”: FILE is its argument, translated as that is. */
    .title = N_("Gzip a file into FILE.gz"),
    /* Translators: the title of a run of the job “compress”; %s is the
     * file, “/var/log/big.log”. */
    .describe_format = N_("Compress %s"),
    /* Translators: the name of the argument of the job “compress”, in
     * usage texts: “compress FILE”, in capitals if your language has
     * them. */
    .arg_name = N_("FILE"),
    .arg_kind = JR_APP_ARG_PATH,
    .args_type = "(ay)",
    .kind = JR_JOB_KIND_PROGRESS,
    .result_type = "(aytt)",
    .func = jr_app_job_compress,
    .format_result = jr_app_job_compress_format,
    .result_file_name = "compress.txt",
  },
  {
    .name = "run-command",
    /* Translators: what the job “run-command” does, in the list of jobs
     * of “jobrouter --help”. */
    .title = N_("Run a command line and stream its output"),
    /* Translators: the title of a run of the job “run-command”: “Run” is a
     * verb; %s is the command line, “make -j2”. */
    .describe_format = N_("Run “%s”"),
    /* Translators: the name of the argument of the job “run-command”, in
     * usage texts: “run-command COMMAND”, in capitals if your language has
     * them. */
    .arg_name = N_("COMMAND"),
    .arg_kind = JR_APP_ARG_TEXT,
    .args_type = "(s)",
    .kind = JR_JOB_KIND_ITERATION,
    .result_type = "t",
    .func = jr_app_job_run_command,
    .format_result = jr_app_job_run_command_format,
    .result_file_name = "output.txt",
  },
  {
    .name = "count-primes",
    /* Translators: what the job “count-primes” does, in the list of jobs
     * of “jobrouter --help”: N is its argument, translated as that is. */
    .title = N_("Count the primes up to N (busy CPU)"),
    /* Translators: the title of a run of the job “count-primes”; %s is a
     * number, “1,000,000”. */
    .describe_format = N_("Primes up to %s"),
    /* Translators: the name of the argument of the job “count-primes”, a
     * number, in usage texts: “count-primes N”. */
    .arg_name = N_("N"),
    .arg_kind = JR_APP_ARG_NUMBER,
    .max_number = JR_APP_COUNT_PRIMES_MAX,
    .args_type = "(t)",
    .kind = JR_JOB_KIND_PROGRESS,
    .result_type = "t",
    .func = jr_app_job_count_primes,
    .format_result = jr_app_job_count_primes_format,
    .result_file_name = "primes.txt",
  },
};

/**
 * jr_app_jobs_register:
 *
 * Registers every built-in job with the router. Call once, from main(),
 * before jr_init(): a worker process must know the jobs it may be sent.
 */
void
jr_app_jobs_register (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_jobs); i++)
    {
      jr_register_job_full (builtin_jobs[i].name, builtin_jobs[i].func,
                            G_VARIANT_TYPE (builtin_jobs[i].args_type), NULL);
      /* A job given a path reads this machine's files: it runs elsewhere
       * only where the paths are shared. The others (a number, a command
       * line) may run on any machine. */
      if (builtin_jobs[i].arg_kind != JR_APP_ARG_PATH)
        jr_set_job_placement (builtin_jobs[i].name, JR_JOB_PLACEMENT_ANYWHERE);
    }
}

const JrAppJob *
jr_app_jobs_get_all (guint *n_jobs)
{
  g_return_val_if_fail (n_jobs != NULL, NULL);

  *n_jobs = G_N_ELEMENTS (builtin_jobs);
  return builtin_jobs;
}

const JrAppJob *
jr_app_jobs_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_jobs); i++)
    if (g_str_equal (builtin_jobs[i].name, name))
      return &builtin_jobs[i];
  return NULL;
}

/**
 * jr_app_jobs_describe_all:
 *
 * Returns: the list of jobs for --help: one "  NAME ARG  title" line each
 */
char *
jr_app_jobs_describe_all (void)
{
  /* Translators: the heading of the list of jobs in “jobrouter --help”. */
  GString *text = g_string_new (_("Jobs:"));

  g_string_append_c (text, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (builtin_jobs); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", builtin_jobs[i].name,
                                                _(builtin_jobs[i].arg_name));
      /* Padded by characters, not bytes: a translated argument name may
       * not be ASCII. */
      glong width = g_utf8_strlen (usage, -1);

      g_string_append_printf (text, "  %s%*s %s\n", usage, (int) MAX (24 - width, 0), "",
                              _(builtin_jobs[i].title));
    }
  return g_string_free (text, FALSE);
}

/* The separator between groups of three digits: the locale's, or a comma
 * (the interface is in English) when the locale has none, as C has not. */
static const char *
thousands_separator (void)
{
  const char *separator = nl_langinfo (THOUSEP);

  if (separator == NULL || separator[0] == '\0' || !g_utf8_validate (separator, -1, NULL))
    return ",";
  return separator;
}

/**
 * jr_app_plural_n:
 * @n: a count
 *
 * Returns: @n as ngettext() takes it: an unsigned long, smaller than a
 *   guint64 on 32-bit machines, where the last six digits choose the
 *   plural form as well
 */
gulong
jr_app_plural_n (guint64 n)
{
  return n <= G_MAXULONG ? (gulong) n : (gulong) (n % 1000000 + 1000000);
}

/**
 * jr_app_format_count:
 * @n: a number
 *
 * Returns: @n with its digits in groups of three, "279,033,920"
 */
char *
jr_app_format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  const char *separator = thousands_separator ();
  gsize len = strlen (digits);
  GString *text = g_string_sized_new (len + len / 3 * strlen (separator));

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (text, separator);
      g_string_append_c (text, digits[i]);
    }
  return g_string_free (text, FALSE);
}

/* Characters people put between groups of digits: "50,000,000",
 * "50.000.000", "50 000 000", "50'000'000", "50_000_000", and the
 * locale's own. */
static gboolean
is_group_separator (gunichar c)
{
  return c == ',' || c == '.' || c == ' ' || c == '\'' || c == '_' ||
         c == 0x00A0 || c == 0x2009 || c == 0x202F ||
         c == g_utf8_get_char (thousands_separator ());
}

/* "50,000,000" → "50000000". Returns NULL when @text is not digits grouped
 * by three with one kind of separator (then it is read as it is, and the
 * number parser says what is wrong). */
static char *
ungroup_digits (const char *text)
{
  GString *digits = g_string_new (NULL);
  gunichar separator = 0;
  guint group = 0;          /* digits since the last separator */
  gboolean grouped = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_ascii_isdigit (c))
        {
          g_string_append_c (digits, (char) c);
          group++;
          continue;
        }

      /* A separator: after 1 to 3 digits first, exactly 3 later on, and
       * always the same one. */
      if (!is_group_separator (c) || group == 0 || group > 3 ||
          (grouped && (group != 3 || c != separator)))
        goto not_grouped;
      separator = c;
      grouped = TRUE;
      group = 0;
    }

  if (grouped && group == 3)
    return g_string_free (digits, FALSE);

not_grouped:
  g_string_free (digits, TRUE);
  return NULL;
}

/**
 * jr_app_job_parse_args:
 * @job: a built-in job
 * @text: its argument as typed
 * @error: return location for a %G_IO_ERROR_INVALID_ARGUMENT or a
 *   %G_NUMBER_PARSER_ERROR
 *
 * Reads the argument of @job from text, as the command line and the
 * dialogs get it. A number may have its digits grouped by three
 * ("50,000,000", "50 000 000").
 *
 * Returns: (transfer full): the job's arguments, of its args type
 */
GVariant *
jr_app_job_parse_args (const JrAppJob  *job,
                       const char      *text,
                       GError         **error)
{
  g_autofree char *stripped = NULL;
  guint64 number = 0;

  g_return_val_if_fail (job != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  /* A path is bytes in the file system's encoding, whatever they are (a
   * folder from an old archive may have Latin-1 names): only the other
   * kinds are text. */
  if (job->arg_kind != JR_APP_ARG_PATH && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* Translators: the first %s is the name of a job's
                    * argument, “COMMAND”; the second, the job's name as
                    * written on the command line, “run-command”. */
                   _("The %s of %s is not valid UTF-8"), _(job->arg_name), job->name);
      return NULL;
    }

  stripped = g_strstrip (g_strdup (text));
  if (stripped[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* Translators: the first %s is a job's name, as
                    * written on the command line, “checksum”; the
                    * second, the name of its argument, “FOLDER”. */
                   _("%s needs its %s"), job->name, _(job->arg_name));
      return NULL;
    }

  switch (job->arg_kind)
    {
    case JR_APP_ARG_PATH:
      {
        /* Not stripped: a file name may really end in a space. */
        g_autofree char *absolute = g_canonicalize_filename (text, NULL);

        return g_variant_ref_sink (g_variant_new ("(^ay)", absolute));
      }
    case JR_APP_ARG_TEXT:
      return g_variant_ref_sink (g_variant_new ("(s)", stripped));
    case JR_APP_ARG_NUMBER:
      {
        g_autofree char *digits = ungroup_digits (stripped);
        g_autoptr(GError) parse_error = NULL;

        if (!g_ascii_string_to_unsigned (digits ? digits : stripped, 10, 0, job->max_number,
                                         &number, &parse_error))
          {
            g_autofree char *most = jr_app_format_count (job->max_number);

            /* Said in the application's words, numbers grouped. */
            if (g_error_matches (parse_error, G_NUMBER_PARSER_ERROR,
                                 G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
              g_set_error (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS,
                           /* Translators: the first %s is the name of a
                            * job's argument, “N”; the second, a number,
                            * “1,000,000,000,000”. */
                           _("%s must be at most %s"), _(job->arg_name), most);
            else
              g_set_error (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_INVALID,
                           /* Translators: the first %s is what was written;
                            * the second, a number, “1,000,000,000,000”. */
                           _("“%s” is not a whole number from 0 to %s"), stripped, most);
            return NULL;
          }
        return g_variant_ref_sink (g_variant_new ("(t)", number));
      }
    default:
      g_assert_not_reached ();
    }
}

static char *
arg_to_text (GVariant *args)
{
  GVariant *arg;
  char *text;

  if (args == NULL || !g_variant_is_of_type (args, G_VARIANT_TYPE_TUPLE) ||
      g_variant_n_children (args) != 1)
    return g_strdup ("?");

  arg = g_variant_get_child_value (args, 0);
  if (g_variant_is_of_type (arg, G_VARIANT_TYPE_STRING))
    text = g_variant_dup_string (arg, NULL);
  else if (g_variant_is_of_type (arg, G_VARIANT_TYPE_BYTESTRING))
    text = g_filename_display_name (g_variant_get_bytestring (arg));
  else if (g_variant_is_of_type (arg, G_VARIANT_TYPE_UINT64))
    text = jr_app_format_count (g_variant_get_uint64 (arg));
  else
    text = g_variant_print (arg, FALSE);
  g_variant_unref (arg);

  return text;
}

/**
 * jr_app_job_describe:
 * @job: a built-in job
 * @args: (nullable): arguments of @job
 *
 * Returns: a title for one run of @job, e.g. "Checksum of /etc"
 */
char *
jr_app_job_describe (const JrAppJob *job,
                     GVariant       *args)
{
  g_autofree char *arg = NULL;

  g_return_val_if_fail (job != NULL, NULL);

  arg = arg_to_text (args);
  return g_strdup_printf (_(job->describe_format), arg);
}

/**
 * jr_app_job_format_result:
 * @job: a built-in job
 * @args: the arguments it ran with
 * @result: (nullable): its result
 *
 * The text is what a file of it holds: file names in it are as the file
 * system has them, and need not be UTF-8. Show it through
 * g_utf8_make_valid().
 *
 * Returns: the result as text for people; a placeholder if @result is not
 *   of the type the job returns
 */
char *
jr_app_job_format_result (const JrAppJob *job,
                          GVariant       *args,
                          GVariant       *result)
{
  g_return_val_if_fail (job != NULL, NULL);

  if (result == NULL)
    return g_strdup ("(no result)");

  /* Results cross a process boundary: check before reading. */
  if (!g_variant_is_of_type (result, G_VARIANT_TYPE (job->result_type)) ||
      args == NULL || !g_variant_is_of_type (args, G_VARIANT_TYPE (job->args_type)))
    return g_variant_print (result, TRUE);

  return job->format_result (args, result);
}

/**
 * jr_app_job_summarize_result:
 * @job: a built-in job
 * @args: the arguments it ran with
 * @result: (nullable): its result
 *
 * The result in one line, for a list or a notification: a report's first
 * "#" summary line ("3 files, 29 bytes"), or else the last line of the
 * text ("2 groups of duplicates, 1.2 MB wasted").
 *
 * Returns: one line
 */
char *
jr_app_job_summarize_result (const JrAppJob *job,
                             GVariant       *args,
                             GVariant       *result)
{
  g_autofree char *formatted = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *summary = NULL;

  g_return_val_if_fail (job != NULL, NULL);

  formatted = jr_app_job_format_result (job, args, result);
  /* Shown in a list or a notification: UTF-8. */
  text = g_utf8_make_valid (formatted, -1);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL && summary == NULL; i++)
    if (g_str_has_prefix (lines[i], "# "))
      summary = lines[i] + 2;

  for (guint i = g_strv_length (lines); i > 0 && summary == NULL; i--)
    if (g_strstrip (lines[i - 1])[0] != '\0')
      summary = lines[i - 1];

  return g_strdup (summary != NULL ? summary : "");
}

/**
 * jr_app_job_dup_result_path:
 * @job: a built-in job
 * @result: (nullable): its result
 *
 * Returns: (nullable): the file the job made (compress: FILE.gz), or %NULL
 *   when its result is only text
 */
char *
jr_app_job_dup_result_path (const JrAppJob *job,
                            GVariant       *result)
{
  const char *path = NULL;

  g_return_val_if_fail (job != NULL, NULL);

  if (result == NULL || !g_str_equal (job->name, "compress") ||
      !g_variant_is_of_type (result, G_VARIANT_TYPE (job->result_type)))
    return NULL;

  g_variant_get (result, "(^&aytt)", &path, NULL, NULL);
  return g_strdup (path);
}

/**
 * jr_app_yield_dup_text:
 * @value: a value a built-in job yielded
 * @length: (out): the length of the text, in bytes
 *
 * A yield as a line of output, without its newline: a line's bytes as the
 * command printed them (run-command yields bytestrings: they need not be
 * UTF-8, nor free of NULs), a string as it is, anything else printed.
 *
 * Returns: the text, NUL-terminated after @length bytes
 */
char *
jr_app_yield_dup_text (GVariant *value,
                       gsize    *length)
{
  char *text;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    {
      gsize size;
      const char *bytes = g_variant_get_fixed_array (value, &size, 1);

      /* Without the NUL that ends a bytestring (one from elsewhere may
       * lack it). */
      if (size > 0 && bytes[size - 1] == '\0')
        size--;
      text = g_malloc (size + 1);
      memcpy (text, bytes, size);
      text[size] = '\0';
      *length = size;
      return text;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    text = g_variant_dup_string (value, length);
  else
    {
      text = g_variant_print (value, FALSE);
      *length = strlen (text);
    }
  return text;
}

