/* jr-app-job-count-primes.c — the "count-primes" job: how many primes are
 * at most N. Pure CPU work, to show a busy worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A segmented sieve of Eratosthenes over odd numbers: memory stays at one
 * segment plus the primes up to sqrt(N), whatever N is.
 */
#include "jr-app-jobs.h"
#include "jr-app-job-funcs.h"
#include "jr-app-job-util.h"

#include <math.h>

#include <glib/gi18n.h>

/* Odd numbers per segment: 32 KiB of flags, about one L1 cache. */
#define SEGMENT 32768

static guint64
isqrt (guint64 n)
{
  guint64 r = (guint64) sqrt ((double) n);

  while (r * r > n)
    r--;
  while ((r + 1) * (r + 1) <= n)
    r++;
  return r;
}

/* The odd primes up to @limit, by a plain sieve. */
static GArray *
odd_primes_up_to (guint64 limit)
{
  GArray *primes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree guint8 *composite = g_malloc0 (limit + 1);

  for (guint64 i = 3; i <= limit; i += 2)
    {
      if (composite[i])
        continue;
      g_array_append_val (primes, i);
      for (guint64 j = i * i; j <= limit; j += 2 * i)
        composite[j] = 1;
    }
  return primes;
}

GVariant *
jr_app_job_count_primes (JrJob     *job,
                         GVariant  *args,
                         GError   **error)
{
  g_autoptr(GArray) primes = NULL;
  g_autofree guint8 *flags = NULL;
  JrAppProgress progress;
  guint64 n = 0, last_odd, count;

  g_variant_get (args, "(t)", &n);
  if (n > JR_APP_COUNT_PRIMES_MAX)
    {
      g_autofree char *most = g_strdup_printf ("%" G_GUINT64_FORMAT, JR_APP_COUNT_PRIMES_MAX);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* Translators: N is the argument of the job
                    * “count-primes”, translated as that is; %s is a
                    * number, “1000000000000”. */
                   _("N must be at most %s"), most);
      return NULL;
    }
  if (n < 3)
    return g_variant_new_uint64 (n == 2 ? 1 : 0);

  count = 1;  /* 2, the one even prime */
  last_odd = n % 2 ? n : n - 1;
  primes = odd_primes_up_to (isqrt (n));
  flags = g_malloc (SEGMENT);
  jr_app_progress_init (&progress, job, n);

  for (guint64 low = 3; low <= last_odd; low += 2 * SEGMENT)
    {
      guint64 last = MIN (low + 2 * (SEGMENT - 1), last_odd);
      gsize len = (gsize) ((last - low) / 2 + 1);

      memset (flags, 1, len);
      for (guint i = 0; i < primes->len; i++)
        {
          guint64 p = g_array_index (primes, guint64, i);
          guint64 start = p * p;

          if (start > last)
            break;
          if (start < low)
            {
              start = (low + p - 1) / p * p;
              if (start % 2 == 0)
                start += p;
            }
          for (guint64 j = (start - low) / 2; j < len; j += p)
            flags[j] = 0;
        }

      for (gsize j = 0; j < len; j++)
        count += flags[j];

      if (!jr_app_progress_advance (&progress, 2 * len, error))
        return NULL;
      if (jr_app_progress_due (&progress))
        {
          g_autofree char *count_text = jr_app_format_count (count);
          g_autofree char *last_text = jr_app_format_count (last);
          /* Translators: the progress of the job “count-primes”: both %s
           * are numbers, how many primes so far and up to where, “9,592
           * primes up to 100,000”. (The English says “primes” whatever
           * the number.) */
          g_autofree char *text = g_strdup_printf (g_dngettext (NULL,
                                                                "%s primes up to %s",
                                                                "%s primes up to %s",
                                                                jr_app_plural_n (count)),
                                                   count_text, last_text);

          if (!jr_app_progress_report (&progress, text, error))
            return NULL;
        }
    }

  if (!jr_app_progress_finish (&progress, NULL, error))
    return NULL;

  return g_variant_new_uint64 (count);
}

char *
jr_app_job_count_primes_format (GVariant *args,
                                GVariant *result)
{
  guint64 n = 0, count = g_variant_get_uint64 (result);
  g_autofree char *count_text = jr_app_format_count (count);
  g_autofree char *n_text = NULL;

  g_variant_get (args, "(t)", &n);
  n_text = jr_app_format_count (n);
  return g_strdup_printf ("%s %s up to %s", count_text, count == 1 ? "prime" : "primes", n_text);
}
