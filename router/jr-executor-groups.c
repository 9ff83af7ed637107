/* jr-executor-groups.c — the executor's groups of workers, and their API:
 * adding, resizing and removing one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pool is made of groups (jr-worker-pool.c, one pool each): a
 * launcher and a size. "local" is the executor's own (its transport and
 * max-workers); jr_executor_add_group() adds more, whose workers may run
 * on other machines. The group API is here, not in jr-executor.c: what it
 * promises (no running job lost, a name free at once) is kept by the code
 * beside it.
 */
#include "jr-executor-parts-private.h"

void
jr_executor_group_free (gpointer data)
{
  Group *group = data;

  /* Kills and reaps its workers: no callback. */
  g_clear_pointer (&group->pool, jr_worker_pool_free);
  g_object_unref (group->launcher);
  g_free (group->name);
  g_free (group);
}

static Group *
find_group (JrExecutor *self,
            const char *name)
{
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (!group->removed && g_str_equal (group->name, name))
        return group;
    }
  return NULL;
}

static gboolean
group_has_slot (JrExecutor *self,
                Group      *group)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (((Slot *) g_ptr_array_index (self->slots, i))->group == group)
      return TRUE;
  return FALSE;
}

/* Frees the removed groups that have no worker left. */
static gboolean
sweep_due (gpointer data)
{
  JrExecutor *self = data;

  g_clear_pointer (&self->sweep, g_source_unref);
  if (self->in_pool_callback > 0)
    {
      /* A main loop run inside a callback: once it has returned. */
      self->sweep_wanted = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->sweep_wanted = FALSE;
  for (guint i = self->groups->len; i-- > 0;)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (group->removed && jr_worker_pool_is_empty (group->pool) && !group_has_slot (self, group))
        g_ptr_array_remove_index (self->groups, i);
    }
  /* The last worker of a stopping executor may have been one of those. */
  jr_executor_maybe_finish_stopping (self);
  return G_SOURCE_REMOVE;
}

void
jr_executor_sweep_soon (JrExecutor *self)
{
  self->sweep_wanted = FALSE;
  if (self->sweep == NULL)
    self->sweep = jr_executor_add_source (self, G_PRIORITY_DEFAULT_IDLE, 0, TRUE, sweep_due, self);
}

Group *
jr_executor_start_group (JrExecutor *self,
                         const char *name,
                         JrLauncher *launcher,
                         guint       size)
{
  Group *group = g_new0 (Group, 1);
  gboolean local = jr_launcher_get_is_local (launcher);

  group->name = g_strdup (name);
  group->launcher = g_object_ref (launcher);
  group->shared_paths = jr_launcher_get_shared_paths (launcher);
  /* Listed before its first worker comes (on_worker_added(),
   * jr-executor-workers.c). */
  g_ptr_array_add (self->groups, group);
  group->pool = jr_worker_pool_new (self->router, local ? self->transport : JR_TRANSPORT_PROCESSES,
                                    launcher, name, size,
                                    local ? (const char * const *) self->worker_argv : NULL,
                                    &jr_executor_pool_callbacks, self);
  jr_worker_pool_set_priority (group->pool, self->worker_nice, self->worker_idle);
  jr_worker_pool_fill (group->pool);
  return group;
}

/* The group shrank: its workers beyond @size take no more jobs and end,
 * idle ones first, the others once their running job is done; the jobs
 * they held but had not started go back to the queue, for other workers. */
static void
retire_excess (JrExecutor *self,
               Group      *group,
               guint       size)
{
  g_autoptr(GPtrArray) live = g_ptr_array_new ();
  guint excess;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->group == group && !slot->retiring)
        g_ptr_array_add (live, slot);
    }
  excess = live->len > size ? live->len - size : 0;
  for (guint busy = 0; busy <= WORKER_DEPTH && excess > 0; busy++)
    for (guint i = 0; i < live->len && excess > 0; i++)
      {
        Slot *slot = g_ptr_array_index (live, i);

        if (slot->n_tasks == busy && !slot->retiring)
          {
            slot->retiring = TRUE;
            excess--;
          }
      }
  for (guint i = 0; i < live->len; i++)
    {
      Slot *slot = g_ptr_array_index (live, i);

      for (guint k = slot->n_tasks; slot->retiring && k > 0; k--)
        {
          Task *task = slot->tasks[k - 1];

          if (!task->started && !task->recalling)
            jr_executor_task_recall (task);
        }
    }
  jr_executor_retire_emptied (self);
}

/* A group of a running executor, by name; NULL with an error if there is
 * no such group or the executor is stopping. */
static Group *
find_running_group (JrExecutor  *self,
                    const char  *name,
                    GError     **error)
{
  Group *group;

  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                           "The executor is stopping or stopped");
      return NULL;
    }
  group = find_group (self, name);
  if (group == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The executor has no group named “%s”",
                 name);
  return group;
}

/* A group that grows back keeps the workers it was retiring and has not
 * asked to end yet (busy with their last job): they count in its size
 * for the pool, which would start no new worker in their place. */
static void
keep_retiring (JrExecutor *self,
               Group      *group,
               guint       size)
{
  guint n_live = 0;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->group == group && !slot->retiring)
        n_live++;
    }
  for (guint i = 0; i < self->slots->len && n_live < size; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot->group == group && slot->retiring && !slot->asked_to_end)
        {
          slot->retiring = FALSE;
          n_live++;
        }
    }
}

static void
resize_group (JrExecutor *self,
              Group      *group,
              guint       size)
{
  guint old = jr_worker_pool_get_size (group->pool);

  g_object_ref (self);
  if (size > old)
    keep_retiring (self, group, size);
  jr_worker_pool_set_size (group->pool, size);
  if (size > old)
    jr_worker_pool_fill (group->pool);
  else if (size < old)
    retire_excess (self, group, size);
  jr_executor_assign_queued (self);
  /* Jobs no group may run any more fail, but only once the application's
   * call is over: a group it replaces (removed, then added again under
   * its name) takes them. */
  jr_executor_check_workers_soon (self);
  jr_executor_refresh_worker_error (self);
  g_object_unref (self);
}

/**
 * jr_executor_add_group:
 * @self: a running executor with %JR_TRANSPORT_PROCESSES
 * @name: the group's name, unique in the executor: it names the group in
 *   messages and in [property@Jr.Future:worker-group]
 * @launcher: how its workers start (this machine, ssh, srun, …)
 * @size: how many workers it keeps
 *
 * Adds a group of workers to the pool. The executor starts with one,
 * "local": its own transport and [property@Jr.Executor:max-workers].
 * Waiting jobs go to whichever worker is free, in the order of their
 * priority and age, except that jobs whose kind reads local paths
 * ([func@Jr.set_job_placement]) go only to groups whose launcher shares
 * them ([method@Jr.Launcher.set_shared_paths]).
 *
 * Failures that are normal at a distance stay in their group. A worker
 * whose connection drops, or whose launcher exits, fails only the job it
 * was running (%JR_JOB_ERROR_WORKER_LOST, naming the group and what the
 * launcher said); the jobs it held but had not started go to other
 * workers, and the group starts another after a pause that doubles with
 * each worker lost in a row, up to 30 s. A launcher that cannot start
 * workers (a host that does not answer, a login refused, a scheduler that
 * refuses `--immediate`) is tried 3 times, then the group gives up:
 * [property@Jr.Executor:worker-error] says why, and waiting jobs that no
 * other group can run fail with %JR_JOB_ERROR_NO_WORKER and the same
 * message. The next such job makes it try again. A cancel reaches a remote
 * job as a local one; one that ignores it past the grace period has its
 * connection closed, and the worker on the far side kills its jobs'
 * processes and exits. So does it when this process dies.
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_EXISTS (the name is taken),
 *   %G_IO_ERROR_INVALID_ARGUMENT (the name is empty),
 *   %G_IO_ERROR_NOT_SUPPORTED (a command launcher on an executor of
 *   threads) or %JR_JOB_ERROR_STOPPED
 *
 * Since: 0.2
 */
gboolean
jr_executor_add_group (JrExecutor  *self,
                       const char  *name,
                       JrLauncher  *launcher,
                       guint        size,
                       GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (JR_IS_LAUNCHER (launcher), FALSE);
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return FALSE;

  /* A name a user typed: an error, not a programmer's mistake. */
  if (*name == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A group needs a name");
      return FALSE;
    }
  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    {
      g_set_error_literal (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                           "The executor is stopping or stopped");
      return FALSE;
    }
  if (find_group (self, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "The executor has a group named “%s” already", name);
      return FALSE;
    }
  if (!jr_launcher_get_is_local (launcher) && self->transport != JR_TRANSPORT_PROCESSES)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Workers started through a command need an executor of "
                           "JR_TRANSPORT_PROCESSES");
      return FALSE;
    }
  jr_executor_start_group (self, name, launcher, size);
  return TRUE;
}

/**
 * jr_executor_set_group_size:
 * @self: a running executor
 * @name: a group's name ("local" for the executor's own)
 * @size: how many workers it is to keep; 0 for none
 * @error: return location for an error
 *
 * Resizes a group. New workers start at once (a group that gave up tries
 * again); when it shrinks, idle workers end at once and busy ones once
 * their running job is done, and the jobs those held but had not started
 * go to other workers. Jobs that no group may run any more fail with
 * %JR_JOB_ERROR_NO_WORKER at the main context's next dispatch (a group
 * grown again in the meantime keeps them).
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_NOT_FOUND or
 *   %JR_JOB_ERROR_STOPPED
 *
 * Since: 0.2
 */
gboolean
jr_executor_set_group_size (JrExecutor  *self,
                            const char  *name,
                            guint        size,
                            GError     **error)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return FALSE;

  group = find_running_group (self, name, error);
  if (group == NULL)
    return FALSE;
  resize_group (self, group, size);
  return TRUE;
}

/**
 * jr_executor_remove_group:
 * @self: a running executor
 * @name: a group's name
 * @error: return location for an error
 *
 * Removes a group of workers. Its name is free at once: the group is no
 * longer listed ([method@Jr.Executor.dup_group_names]) and another may be
 * added under the same name, with another launcher (say, to change
 * whether it shares this machine's paths). Its idle workers end at once;
 * busy ones take no more jobs and end once their running job is done, so
 * that no running job is lost; the jobs they held but had not started go
 * to other workers. Jobs that no other group may run fail with
 * %JR_JOB_ERROR_NO_WORKER, as when a group is resized to 0: at the main
 * context's next dispatch, so that a group removed and added again under
 * its name in the meantime takes them. A group that had given up starting
 * workers no longer counts for [property@Jr.Executor:worker-error].
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_NOT_FOUND or
 *   %JR_JOB_ERROR_STOPPED
 *
 * Since: 0.2
 */
gboolean
jr_executor_remove_group (JrExecutor  *self,
                          const char  *name,
                          GError     **error)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return FALSE;

  group = find_running_group (self, name, error);
  if (group == NULL)
    return FALSE;
  /* Nameless before anything is said: a handler of worker-error's notify
   * sees the group gone, and may remove or add groups itself. */
  group->removed = TRUE;
  resize_group (self, group, 0);
  jr_executor_sweep_soon (self);
  return TRUE;
}

/**
 * jr_executor_get_group_launcher:
 * @self: an executor
 * @name: a group's name
 *
 * Gets how the workers of a group start: the launcher it was added with
 * ([method@Jr.Executor.add_group]).
 *
 * Returns: (transfer none) (nullable): the group's launcher, or %NULL for
 *   no such group
 *
 * Since: 0.2
 */
JrLauncher *
jr_executor_get_group_launcher (JrExecutor *self,
                                const char *name)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  group = find_group (self, name);
  return group != NULL ? group->launcher : NULL;
}

/**
 * jr_executor_get_group_size:
 * @self: an executor
 * @name: a group's name
 *
 * Gets the number of workers a group keeps: the size it was added with
 * ([method@Jr.Executor.add_group]) or last given
 * ([method@Jr.Executor.set_group_size]).
 *
 * Returns: the number of workers the group keeps, or 0 for no such group
 *
 * Since: 0.2
 */
guint
jr_executor_get_group_size (JrExecutor *self,
                            const char *name)
{
  Group *group;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  group = find_group (self, name);
  return group != NULL && group->pool != NULL ? jr_worker_pool_get_size (group->pool) : 0;
}

/**
 * jr_executor_dup_group_names:
 * @self: an executor
 *
 * Gets the names of the executor's groups of workers: "local" (unless
 * [property@Jr.Executor:local-group] is %FALSE) and those added with
 * [method@Jr.Executor.add_group].
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of its
 *   groups, "local" first
 *
 * Since: 0.2
 */
char **
jr_executor_dup_group_names (JrExecutor *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (!group->removed)
        g_strv_builder_add (builder, group->name);
    }
  return g_strv_builder_end (builder);
}
