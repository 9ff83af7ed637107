/* jr-app-groups.h — groups of workers as the user writes them, in the
 * worker-groups setting and in `jobrouter run --workers`:
 *
 *   N  or  local:N        N workers on this machine
 *   ssh:[USER@]HOST[:N]   N workers (1 by default) through ssh
 *   slurm[:N]             N workers (1 by default) through srun
 *
 * The application keeps the groups of other machines in its worker-groups
 * setting, in the same syntax, and edits them with jr_app_groups_set_ssh()
 * and jr_app_groups_set_slurm(); jr_app_groups_update() gives an executor
 * the groups of a new value while it runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread.
 */
#pragma once

#include <jobrouter.h>

G_BEGIN_DECLS

typedef enum {
  JR_APP_GROUP_LOCAL,
  JR_APP_GROUP_SSH,
  JR_APP_GROUP_SLURM,
} JrAppGroupKind;

typedef struct {
  char          *name;       /* the executor's group: "local", the host, "slurm" */
  JrAppGroupKind kind;
  JrLauncher    *launcher;
  guint          size;
} JrAppGroup;

/* The most workers one group may have. */
#define JR_APP_GROUP_MAX_SIZE 256

/* The groups @specs describe, in order (element-type JrAppGroup*). Groups
 * of other machines see this one's paths when @shared_paths. */
GPtrArray *jr_app_groups_parse (const char * const *specs,
                                gboolean            shared_paths,
                                GError            **error);
/* The group named "local" in @groups, or NULL. */
JrAppGroup *jr_app_groups_find_local (GPtrArray   *groups);
/* Gives the executor the groups of other machines of @groups: a group it
 * does not have yet is added, one it has is resized, or replaced when its
 * paths are no longer shared as @groups says, and one that @groups does
 * not name any more is removed (its busy workers end once their jobs are
 * done). "local" is left alone. */
gboolean   jr_app_groups_update (JrExecutor         *executor,
                                 GPtrArray          *groups,
                                 GError            **error);

/* Whether @host may be written as ssh:HOST: [USER@]NAME, where NAME is a
 * host name, an address or a Host of ~/.ssh/config, without spaces,
 * commas or colons, and not "local" or "slurm". */
gboolean   jr_app_groups_check_host (const char     *host,
                                     GError        **error);
/* A copy of @specs where the group of the ssh @host has @size workers:
 * replaced where it was, added at the end when new, removed when @size
 * is 0. Entries that are not groups are kept as they are. */
char     **jr_app_groups_set_ssh   (const char * const *specs,
                                    const char         *host,
                                    guint               size) G_GNUC_WARN_UNUSED_RESULT;
/* The same for the Slurm group. */
char     **jr_app_groups_set_slurm (const char * const *specs,
                                    guint               size) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
