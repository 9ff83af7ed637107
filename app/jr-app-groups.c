/* jr-app-groups.c — groups of workers as the user writes them; see
 * jr-app-groups.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-app-groups.h"

#include <string.h>

#include <glib/gi18n.h>

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

  if (!g_ascii_string_to_unsigned (text, 10, 0, JR_APP_GROUP_MAX_SIZE, &value, NULL))
    return FALSE;
  *size = (guint) value;
  return TRUE;
}

/* Whether @text was meant as a number (of workers): "", "12", "-1". */
static gboolean
looks_like_size (const char *text)
{
  if (*text == '-')
    text++;
  while (g_ascii_isdigit (*text))
    text++;
  return *text == '\0';
}

/* "ssh:user@host:4" → "user@host", 4; "ssh:host" → "host", 1. */
static gboolean
split_size (const char  *rest,
            char       **what,
            guint       *size,
            GError     **error)
{
  const char *colon = strrchr (rest, ':');

  *size = 1;
  if (colon != NULL && parse_size (colon + 1, size))
    *what = g_strndup (rest, (gsize) (colon - rest));
  else if (colon != NULL && looks_like_size (colon + 1))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: %s is what was written after the last
                    * colon of a group of workers, "ssh:box:x"; %u is the
                    * most workers a group may have. */
                   _("“%s” is not a number of workers: write 0 to %u"), colon + 1,
                   JR_APP_GROUP_MAX_SIZE);
      return FALSE;
    }
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
  else if (g_str_equal (spec, "local"))
    {
      /* As "ssh:HOST" and "slurm" without a size: here, one per CPU. */
      group->size = MIN ((guint) g_get_num_processors (), JR_APP_GROUP_MAX_SIZE);
      group->name = g_strdup ("local");
      group->launcher = jr_launcher_new_local ();
    }
  else if (g_str_has_prefix (spec, "ssh:"))
    {
      g_autoptr(GError) host_error = NULL;

      if (!split_size (spec + 4, &what, &group->size, &host_error) ||
          !jr_app_groups_check_host (what, &host_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: the first %s is a group of workers as
                        * written, "ssh:box:4"; the second, what is wrong with
                        * it. */
                       _("“%s”: %s"), spec, host_error->message);
          group_free (group);
          return NULL;
        }
      group->name = g_strdup (what);
      group->kind = JR_APP_GROUP_SSH;
      group->launcher = jr_launcher_new_ssh (what, NULL);
    }
  else if (g_str_equal (spec, "slurm") || g_str_equal (spec, "srun") ||
           ((g_str_has_prefix (spec, "slurm:") || g_str_has_prefix (spec, "srun:")) &&
            parse_size (strchr (spec, ':') + 1, &group->size)))
    {
      if (strchr (spec, ':') == NULL)
        group->size = 1;
      group->name = g_strdup ("slurm");
      group->kind = JR_APP_GROUP_SLURM;
      group->launcher = jr_launcher_new_srun (NULL);
    }
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: %s is what was written. Keep “local”,
                    * “ssh” and “slurm” as they are: the words to write; N,
                    * USER and HOST stand for what the user writes. */
                   _("“%s” is not a group of workers: write N, local[:N], ssh:[USER@]HOST[:N] or "
                     "slurm[:N]"), spec);
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
                             /* Translators: %s is the name of a group of
                              * workers: “local”, “slurm” or a host. */
                             _("The group “%s” is given twice"), group->name);
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

static gboolean
names_group (GPtrArray  *groups,
             const char *name)
{
  for (guint i = 0; i < groups->len; i++)
    {
      JrAppGroup *group = g_ptr_array_index (groups, i);

      if (group->kind != JR_APP_GROUP_LOCAL && g_str_equal (group->name, name))
        return TRUE;
    }
  return FALSE;
}

/* Whether the executor's group runs jobs as @group says: a launcher's
 * shared paths cannot change, its group is replaced instead. */
static gboolean
launcher_matches (JrExecutor *executor,
                  JrAppGroup *group)
{
  JrLauncher *launcher = jr_executor_get_group_launcher (executor, group->name);

  return jr_launcher_get_shared_paths (launcher) == jr_launcher_get_shared_paths (group->launcher);
}

gboolean
jr_app_groups_update (JrExecutor  *executor,
                      GPtrArray   *groups,
                      GError     **error)
{
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (JR_IS_EXECUTOR (executor), FALSE);
  g_return_val_if_fail (groups != NULL, FALSE);

  /* Those no longer wanted go first: their workers end once their jobs
   * are done, and a host added back later starts afresh. */
  names = jr_executor_dup_group_names (executor);
  for (guint i = 0; names[i] != NULL; i++)
    if (!g_str_equal (names[i], "local") && !names_group (groups, names[i]) &&
        !jr_executor_remove_group (executor, names[i], error))
      return FALSE;

  for (guint i = 0; i < groups->len; i++)
    {
      JrAppGroup *group = g_ptr_array_index (groups, i);

      if (group->kind == JR_APP_GROUP_LOCAL)
        continue;
      if (g_strv_contains ((const char * const *) names, group->name) &&
          !launcher_matches (executor, group) &&
          !jr_executor_remove_group (executor, group->name, error))
        return FALSE;
      if (jr_executor_get_group_launcher (executor, group->name) != NULL)
        {
          if (jr_executor_get_group_size (executor, group->name) != group->size &&
              !jr_executor_set_group_size (executor, group->name, group->size, error))
            return FALSE;
        }
      else if (group->size > 0 &&
               !jr_executor_add_group (executor, group->name, group->launcher, group->size, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
jr_app_groups_check_host (const char  *host,
                          GError     **error)
{
  const char *at;

  g_return_val_if_fail (host != NULL, FALSE);

  if (*host == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Write the host’s name or address"));
      return FALSE;
    }
  /* It would be an option of ssh's. */
  at = strchr (host, '@');
  if (host[0] == '-' || (at != NULL && at[1] == '-'))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("A host cannot begin with “-”"));
      return FALSE;
    }
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-@", *p) == NULL)
      {
        if (*p == '[' || (*p == ':' && strchr (p + 1, ':') != NULL))
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               /* Translators: keep “Host” and “HostName”: they
                                * are keywords of ssh's configuration file. */
                               _("For an IPv6 address, give it a name in ~/.ssh/config "
                                 "(“Host box” and “HostName …”), and write the name"));
        else if (*p == ':')
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("Write the host without a port (give it one in ~/.ssh/config)"));
        else if (g_ascii_isspace (*p))
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("Write the host without spaces"));
        else if (g_ascii_isprint (*p))
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: %c is the character that may not be
                        * there, “/” say. */
                       _("A host’s name cannot contain “%c”"), *p);
        else
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("Write the host with letters, digits, “.”, “-” and “_”"));
        return FALSE;
      }
  if (at != NULL && (at == host || at[1] == '\0' || strchr (at + 1, '@') != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: “user@host” is the form to write:
                            * translate “user” and “host” if you like. */
                           _("Write the host as “user@host”, or the host alone"));
      return FALSE;
    }
  if (g_str_equal (host, "local") || g_str_equal (host, "slurm") || g_str_equal (host, "srun"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: %s is “local”, “slurm” or “srun”, written
                    * as a host. */
                   _("“%s” names another group: write the host’s full name or address"), host);
      return FALSE;
    }
  /* What the library itself takes (its length, above all). */
  if (!jr_launcher_ssh_destination_is_valid (host))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("A host’s name is at most 255 characters"));
      return FALSE;
    }
  return TRUE;
}

/* The group one entry describes, or NULL for one that is not valid. */
static JrAppGroup *
parse_spec (const char *spec)
{
  g_autofree char *stripped = g_strstrip (g_strdup (spec));

  return parse_one (stripped, FALSE, NULL);
}

/* @specs with the group of @kind and @name (any for Slurm) of @size
 * workers in the place of the one there, or at the end. */
static char **
set_group (const char * const *specs,
           JrAppGroupKind      kind,
           const char         *name,
           guint               size)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *spec = NULL;
  gboolean done = FALSE;

  if (size > 0)
    spec = kind == JR_APP_GROUP_SSH ? g_strdup_printf ("ssh:%s:%u", name, size)
                                    : g_strdup_printf ("slurm:%u", size);
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      JrAppGroup *group = parse_spec (specs[i]);
      gboolean same = group != NULL && group->kind == kind &&
                      (kind == JR_APP_GROUP_SLURM || g_str_equal (group->name, name));

      g_clear_pointer (&group, group_free);
      if (!same)
        g_strv_builder_add (builder, specs[i]);
      else if (!done && spec != NULL)
        g_strv_builder_add (builder, spec);
      done |= same;
    }
  if (!done && spec != NULL)
    g_strv_builder_add (builder, spec);
  return g_strv_builder_end (builder);
}

char **
jr_app_groups_set_ssh (const char * const *specs,
                       const char         *host,
                       guint               size)
{
  g_return_val_if_fail (jr_app_groups_check_host (host, NULL), NULL);

  return set_group (specs, JR_APP_GROUP_SSH, host, MIN (size, JR_APP_GROUP_MAX_SIZE));
}

char **
jr_app_groups_set_slurm (const char * const *specs,
                         guint               size)
{
  return set_group (specs, JR_APP_GROUP_SLURM, NULL, MIN (size, JR_APP_GROUP_MAX_SIZE));
}
