/* jr-job-options.c — optional settings of a submission.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-executor-private.h"

G_DEFINE_BOXED_TYPE (JrJobOptions, jr_job_options, jr_job_options_copy, jr_job_options_free)

/**
 * jr_job_options_new:
 * @kind: how the job reports back
 *
 * Makes options for [method@Jr.Executor.submit_full].
 *
 * Returns: (transfer full): options with no title, dependency, retry, and
 *   priority 0
 *
 * Since: 0.1
 */
JrJobOptions *
jr_job_options_new (JrJobKind kind)
{
  JrJobOptions *options = g_new0 (JrJobOptions, 1);

  options->kind = kind;
  options->dependencies = g_ptr_array_new_with_free_func (g_object_unref);
  return options;
}

/**
 * jr_job_options_copy:
 * @options: options
 *
 * Copies @options.
 *
 * Returns: (transfer full): a copy of @options
 *
 * Since: 0.1
 */
JrJobOptions *
jr_job_options_copy (const JrJobOptions *options)
{
  JrJobOptions *copy = jr_job_options_new (options->kind);

  copy->title = g_strdup (options->title);
  for (guint i = 0; i < options->dependencies->len; i++)
    g_ptr_array_add (copy->dependencies, g_object_ref (g_ptr_array_index (options->dependencies, i)));
  copy->max_retries = options->max_retries;
  copy->first_backoff_usec = options->first_backoff_usec;
  copy->priority = options->priority;
  return copy;
}

/**
 * jr_job_options_free: (skip)
 * @options: options
 *
 * Frees @options. Bindings free their copies themselves.
 *
 * Since: 0.1
 */
void
jr_job_options_free (JrJobOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->title);
  g_ptr_array_unref (options->dependencies);
  g_free (options);
}

/**
 * jr_job_options_set_title:
 * @options: options
 * @title: (nullable): what a person sees for the job (default: its name)
 *
 * Sets the title of the job's future: see [property@Jr.Future:title].
 *
 * Since: 0.1
 */
void
jr_job_options_set_title (JrJobOptions *options,
                          const char   *title)
{
  g_return_if_fail (options != NULL);
  g_free (options->title);
  options->title = g_strdup (title);
}

/**
 * jr_job_options_add_dependency:
 * @options: options
 * @future: a future the job waits for
 *
 * The job starts only after @future has completed; if @future fails or is
 * cancelled, the job fails with %JR_JOB_ERROR_DEPENDENCY_FAILED.
 *
 * Since: 0.1
 */
void
jr_job_options_add_dependency (JrJobOptions *options,
                               JrFuture     *future)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (JR_IS_FUTURE (future));
  g_ptr_array_add (options->dependencies, g_object_ref (future));
}

/**
 * jr_job_options_set_retries:
 * @options: options
 * @max_retries: how many times to run the job again
 * @first_backoff_usec: the wait before the first retry; it doubles each time
 *
 * Retries the job when it fails with %JR_JOB_ERROR_TRY_LATER.
 *
 * Since: 0.1
 */
void
jr_job_options_set_retries (JrJobOptions *options,
                            guint         max_retries,
                            gint64        first_backoff_usec)
{
  g_return_if_fail (options != NULL);
  options->max_retries = max_retries;
  options->first_backoff_usec = MAX (first_backoff_usec, 0);
}

/**
 * jr_job_options_set_priority:
 * @options: options
 * @priority: higher runs first among waiting jobs (default 0)
 *
 * Sets the job's priority. Among the jobs waiting for a worker, one of a
 * higher priority starts first, and those of equal priority in the order
 * they were submitted. A job handed to a worker and not yet started is
 * taken back for one of a higher priority.
 *
 * Since: 0.1
 */
void
jr_job_options_set_priority (JrJobOptions *options,
                             int           priority)
{
  g_return_if_fail (options != NULL);
  options->priority = priority;
}
