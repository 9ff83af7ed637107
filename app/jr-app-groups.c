/* jr-app-groups.c — groups of workers as the user writes them; see
 * jr-app-groups.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-groups.h"

#include <string.h>

static void
group_free (gpointer data)
{
  JrAppGroup *group = data;

  g_free (group->name);
  g_clear_object (&group->launcher);
  g_free (group);
}

static gboolean
parse_size (const char  *text,
            guint       *size)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, 256, &value, NULL))
    return FALSE;
  *size = (guint) value;
  return TRUE;
}

/* "ssh:user@host:4" → "user@host", 4; "ssh:host" → "host", 1. */
static gboolean
split_size (const char  *rest,
            char       **what,
            guint       *size)
{
  const char *colon = strrchr (rest, ':');

  *size = 1;
  if (colon != NULL && parse_size (colon + 1, size))
    *what = g_strndup (rest, (gsize) (colon - rest));
  else
    *what = g_strdup (rest);
  return TRUE;
}

static JrAppGroup *
parse_one (const char  *spec,
           gboolean     shared_paths,
           GError     **error)
{
  g_autofree char *what = NULL;
  JrAppGroup *group = g_new0 (JrAppGroup, 1);

  if (parse_size (spec, &group->size))
    {
      group->name = g_strdup ("local");
      group->launcher = jr_launcher_new_local ();
    }
  else if (g_str_has_prefix (spec, "local:") && parse_size (spec + 6, &group->size))
    {
      group->name = g_strdup ("local");
      group->launcher = jr_launcher_new_local ();
    }
  else if (g_str_has_prefix (spec, "ssh:") && split_size (spec + 4, &what, &group->size) &&
           jr_launcher_ssh_destination_is_valid (what))
    {
      group->name = g_strdup (what);
      group->launcher = jr_launcher_new_ssh (what, NULL);
    }
  else if (g_str_equal (spec, "slurm") || g_str_equal (spec, "srun") ||
           ((g_str_has_prefix (spec, "slurm:") || g_str_has_prefix (spec, "srun:")) &&
            parse_size (strchr (spec, ':') + 1, &group->size)))
    {
      if (strchr (spec, ':') == NULL)
        group->size = 1;
      group->name = g_strdup ("slurm");
      group->launcher = jr_launcher_new_srun (NULL);
    }
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "“%s” is not a group of workers: write N, local:N, ssh:[USER@]HOST[:N] or "
                   "slurm[:N]", spec);
      group_free (group);
      return NULL;
    }
  if (!jr_launcher_get_is_local (group->launcher) && shared_paths)
    jr_launcher_set_shared_paths (group->launcher, TRUE);
  return group;
}

GPtrArray *
jr_app_groups_parse (const char * const *specs,
                     gboolean            shared_paths,
                     GError            **error)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);

  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (specs[i], ",", -1);

      /* "--workers local:2,ssh:box:4" as well as one option each. */
      for (guint k = 0; parts[k] != NULL; k++)
        {
          const char *spec = g_strstrip (parts[k]);
          JrAppGroup *group;

          if (*spec == '\0')
            continue;
          group = parse_one (spec, shared_paths, error);
          if (group == NULL)
            return NULL;
          for (guint j = 0; j < groups->len; j++)
            if (g_str_equal (((JrAppGroup *) g_ptr_array_index (groups, j))->name, group->name))
              {
                g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                             "The group “%s” is given twice", group->name);
                group_free (group);
                return NULL;
              }
          g_ptr_array_add (groups, group);
        }
    }
  return g_steal_pointer (&groups);
}

JrAppGroup *
jr_app_groups_find_local (GPtrArray *groups)
{
  for (guint i = 0; i < groups->len; i++)
    {
      JrAppGroup *group = g_ptr_array_index (groups, i);

      if (jr_launcher_get_is_local (group->launcher))
        return group;
    }
  return NULL;
}

gboolean
jr_app_groups_add (JrExecutor  *executor,
                   GPtrArray   *groups,
                   GError     **error)
{
  for (guint i = 0; i < groups->len; i++)
    {
      JrAppGroup *group = g_ptr_array_index (groups, i);

      if (jr_launcher_get_is_local (group->launcher) || group->size == 0)
        continue;
      if (!jr_executor_add_group (executor, group->name, group->launcher, group->size, error))
        return FALSE;
    }
  return TRUE;
}

char *
jr_app_groups_describe_where (JrFuture *future)
{
  const char *group = jr_future_get_worker_group (future);
  const char *host = jr_future_get_worker_host (future);

  if (group == NULL || g_str_equal (group, "local"))
    return NULL;
  if (host == NULL || g_str_equal (host, group))
    return g_strdup_printf ("on %s", group);
  return g_strdup_printf ("on %s (%s)", host, group);
}
