/* jr-test-warnings.c — the warnings a test expects; see
 * jr-test-warnings.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-test-private.h"

/* ------------------------------------------------------------------ */
/* Expected warnings                                                   */
/* ------------------------------------------------------------------ */

typedef struct {
  char     *pattern;
  gboolean  required;
  guint     hits;
} Expectation;

static GMutex expect_lock;
static GPtrArray *expectations;   /* Expectation*, guarded by expect_lock */
static GPtrArray *seen_warnings;  /* char*, guarded by expect_lock */

static void
expectation_free (gpointer data)
{
  Expectation *e = data;

  g_free (e->pattern);
  g_free (e);
}

static void
add_expectation (const char *pattern,
                 gboolean    required)
{
  Expectation *e = g_new0 (Expectation, 1);

  e->pattern = g_strdup (pattern);
  e->required = required;
  g_mutex_lock (&expect_lock);
  if (expectations == NULL)
    {
      expectations = g_ptr_array_new_with_free_func (expectation_free);
      seen_warnings = g_ptr_array_new_with_free_func (g_free);
    }
  g_ptr_array_add (expectations, e);
  g_mutex_unlock (&expect_lock);
}

void
jr_test_expect_warning (const char *pattern)
{
  add_expectation (pattern, TRUE);
}

void
jr_test_allow_warnings (const char *pattern)
{
  add_expectation (pattern, FALSE);
}

GPtrArray *
jr_test_dup_seen_warnings (const char *pattern)
{
  GPtrArray *matches = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&expect_lock);
  for (guint i = 0; seen_warnings != NULL && i < seen_warnings->len; i++)
    if (g_pattern_match_simple (pattern, g_ptr_array_index (seen_warnings, i)))
      g_ptr_array_add (matches, g_strdup (g_ptr_array_index (seen_warnings, i)));
  g_mutex_unlock (&expect_lock);
  return matches;
}

gboolean
jr_test_expected_warnings_seen (gpointer unused)
{
  gboolean all = TRUE;

  g_mutex_lock (&expect_lock);
  for (guint i = 0; expectations != NULL && i < expectations->len; i++)
    {
      Expectation *e = g_ptr_array_index (expectations, i);

      if (e->required && e->hits == 0)
        all = FALSE;
    }
  g_mutex_unlock (&expect_lock);
  return all;
}

void
jr_test_check_expected_warnings (void)
{
  g_autofree char *missing = NULL;

  g_mutex_lock (&expect_lock);
  if (expectations == NULL)
    {
      g_mutex_unlock (&expect_lock);
      return;
    }
  for (guint i = 0; i < seen_warnings->len; i++)
    g_test_message ("expected warning: %s", (char *) g_ptr_array_index (seen_warnings, i));
  for (guint i = 0; i < expectations->len && missing == NULL; i++)
    {
      Expectation *e = g_ptr_array_index (expectations, i);

      if (e->required && e->hits == 0)
        missing = g_strdup (e->pattern);
    }
  g_ptr_array_set_size (expectations, 0);
  g_ptr_array_set_size (seen_warnings, 0);
  g_mutex_unlock (&expect_lock);

  if (missing != NULL)
    g_error ("no \"jobrouter\" warning matching \"%s\" was logged", missing);
}

/* Matches "jobrouter" warnings against the expectations: a match is
 * counted and not printed; anything else goes to the default writer,
 * which makes warnings and criticals fatal under g_test. A match wakes
 * the default main context so that a test waiting for it sees it. (The
 * router logs with structured logging, which g_test_expect_message() of
 * GLib 2.74 does not see.) */
GLogWriterOutput
jr_test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  g_autofree char *domain = NULL;
  g_autofree char *message = NULL;
  gboolean matched = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    {
      char **slot = NULL;

      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        slot = &domain;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        slot = &message;
      if (slot != NULL && *slot == NULL && fields[i].value != NULL)
        *slot = fields[i].length < 0 ? g_strdup (fields[i].value)
                                     : g_strndup (fields[i].value, fields[i].length);
    }

  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "jobrouter") == 0 && message != NULL)
    {
      g_mutex_lock (&expect_lock);
      for (guint i = 0; expectations != NULL && i < expectations->len && !matched; i++)
        {
          Expectation *e = g_ptr_array_index (expectations, i);

          if (g_pattern_match_simple (e->pattern, message))
            {
              e->hits++;
              matched = TRUE;
              g_ptr_array_add (seen_warnings, g_strdup (message));
            }
        }
      g_mutex_unlock (&expect_lock);
    }

  if (matched)
    {
      g_main_context_wakeup (NULL);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}
