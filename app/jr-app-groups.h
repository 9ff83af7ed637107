/* jr-app-groups.h — groups of workers as the user writes them, in the
 * worker-groups setting and in `jobrouter run --workers`:
 *
 *   N  or  local:N        N workers on this machine
 *   ssh:[USER@]HOST[:N]   N workers (1 by default) through ssh
 *   slurm[:N]             N workers (1 by default) through srun
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread.
 */
#pragma once

#include <jobrouter.h>

G_BEGIN_DECLS

typedef struct {
  char       *name;       /* the executor's group: "local", the host, "slurm" */
  JrLauncher *launcher;
  guint       size;
} JrAppGroup;

/* The groups @specs describe, in order (element-type JrAppGroup*). Groups
 * of other machines see this one's paths when @shared_paths. */
GPtrArray *jr_app_groups_parse (const char * const *specs,
                                gboolean            shared_paths,
                                GError            **error);
/* The group named "local" in @groups, or NULL. */
JrAppGroup *jr_app_groups_find_local (GPtrArray   *groups);
/* Adds the groups of other machines in @groups to @executor. */
gboolean   jr_app_groups_add    (JrExecutor         *executor,
                                 GPtrArray          *groups,
                                 GError            **error);
/* "on HOST (GROUP)" for a job that ran on a group of another machine, or
 * NULL for one that ran here. */
char      *jr_app_groups_describe_where (JrFuture   *future);

G_END_DECLS
