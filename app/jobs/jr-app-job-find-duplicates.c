/* jr-app-job-find-duplicates.c — the "find-duplicates" job: files under a
 * folder with the same content.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only files that share their size with another can be duplicates, so only
 * those are hashed; then files group by (size, SHA-256). Empty files are
 * left out: they are all alike and waste nothing.
 *
 * What could not be read (a folder, a file to hash) is reported, as the
 * checksum job does, instead of failing the whole search: the result's
 * type has no field for it, so it comes last as a group of its own with
 * no hash, (0, "", ["PATH: MESSAGE", …]); no real group has an empty hash.
 */
#include "jr-app-jobs.h"
#include "jr-app-job-funcs.h"
#include "jr-app-job-util.h"

typedef struct {
  guint64    size;
  char      *hash;
  GPtrArray *relpaths;  /* borrowed from the scanned files */
} Group;

static void
group_free (gpointer data)
{
  Group *group = data;

  g_free (group->hash);
  g_ptr_array_unref (group->relpaths);
  g_free (group);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_size (gconstpointer a,
              gconstpointer b)
{
  const JrAppFile *fa = *(const JrAppFile * const *) a;
  const JrAppFile *fb = *(const JrAppFile * const *) b;

  if (fa->size != fb->size)
    return fa->size < fb->size ? -1 : 1;
  return strcmp (fa->relpath, fb->relpath);
}

/* Largest waste first; ties by first path so the result is stable. */
static int
compare_waste (gconstpointer a,
               gconstpointer b)
{
  const Group *ga = *(const Group * const *) a;
  const Group *gb = *(const Group * const *) b;
  guint64 wa = ga->size * (ga->relpaths->len - 1);
  guint64 wb = gb->size * (gb->relpaths->len - 1);

  if (wa != wb)
    return wa > wb ? -1 : 1;
  return strcmp (g_ptr_array_index (ga->relpaths, 0), g_ptr_array_index (gb->relpaths, 0));
}

/* Hashes the files [start, end) of one size and adds a group per hash
 * shared by two files or more. */
static gboolean
group_by_hash (GPtrArray      *files,
               guint           start,
               guint           end,
               GPtrArray      *groups,
               GPtrArray      *problems,
               JrAppProgress  *progress,
               GError        **error)
{
  g_autoptr(GHashTable) by_hash = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                         NULL, group_free);
  GHashTableIter iter;
  Group *group;

  for (guint i = start; i < end; i++)
    {
      JrAppFile *file = g_ptr_array_index (files, i);
      g_autoptr(GError) local_error = NULL;
      guint64 done_before = progress->done;
      char *hash;

      hash = jr_app_sha256_file (file->path, progress, file->display, &local_error);
      progress->done = done_before + file->size;
      if (hash == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          /* Cannot be shown to be a duplicate: say so, and go on. */
          g_ptr_array_add (problems, g_strdup_printf ("%s: %s", file->relpath,
                                                      local_error->message));
          continue;
        }

      group = g_hash_table_lookup (by_hash, hash);
      if (group == NULL)
        {
          group = g_new0 (Group, 1);
          group->size = file->size;
          group->hash = hash;
          group->relpaths = g_ptr_array_new ();
          g_hash_table_insert (by_hash, group->hash, group);
        }
      else
        g_free (hash);
      g_ptr_array_add (group->relpaths, file->relpath);
    }

  g_hash_table_iter_init (&iter, by_hash);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &group))
    {
      if (group->relpaths->len < 2)
        continue;
      g_hash_table_iter_steal (&iter);
      g_ptr_array_sort (group->relpaths, compare_strings);
      g_ptr_array_add (groups, group);
    }

  return TRUE;
}

GVariant *
jr_app_job_find_duplicates (JrJob     *job,
                            GVariant  *args,
                            GError   **error)
{
  const char *root = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  GVariantBuilder builder;
  JrAppProgress progress;
  guint64 candidate_bytes = 0;
  guint start;

  g_variant_get (args, "(^&ay)", &root);

  files = jr_app_scan_files (job, root, problems, error);
  if (files == NULL)
    return NULL;
  g_ptr_array_sort (files, compare_size);

  /* First pass: how many bytes the candidates hold, for the progress. */
  for (start = 0; start < files->len;)
    {
      JrAppFile *first = g_ptr_array_index (files, start);
      guint end = start + 1;

      while (end < files->len && ((JrAppFile *) g_ptr_array_index (files, end))->size == first->size)
        end++;
      if (first->size > 0 && end - start > 1)
        candidate_bytes += first->size * (end - start);
      start = end;
    }

  jr_app_progress_init (&progress, job, candidate_bytes);
  for (start = 0; start < files->len;)
    {
      JrAppFile *first = g_ptr_array_index (files, start);
      guint end = start + 1;

      while (end < files->len && ((JrAppFile *) g_ptr_array_index (files, end))->size == first->size)
        end++;
      if (first->size > 0 && end - start > 1 &&
          !group_by_hash (files, start, end, groups, problems, &progress, error))
        return NULL;
      start = end;
    }

  g_ptr_array_sort (groups, compare_waste);

  /* The names are bytestrings, as the file system has them. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(tsaay)"));
  for (guint i = 0; i < groups->len; i++)
    {
      Group *group = g_ptr_array_index (groups, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("(tsaay)"));
      g_variant_builder_add (&builder, "t", group->size);
      g_variant_builder_add (&builder, "s", group->hash);
      g_variant_builder_add_value (&builder,
                                   g_variant_new_bytestring_array ((const char * const *) group->relpaths->pdata,
                                                                   group->relpaths->len));
      g_variant_builder_close (&builder);
    }
  if (problems->len > 0)
    {
      g_ptr_array_sort (problems, compare_strings);
      g_variant_builder_add (&builder, "(ts@aay)", (guint64) 0, "",
                             g_variant_new_bytestring_array ((const char * const *) problems->pdata,
                                                             problems->len));
    }

  if (!jr_app_progress_finish (&progress, NULL, error))
    {
      g_variant_builder_clear (&builder);
      return NULL;
    }

  return g_variant_builder_end (&builder);
}

/* The groups, then a "#" summary line and a "# could not read" line per
 * problem, as the checksum job's report ends. */
char *
jr_app_job_find_duplicates_format (GVariant *args,
                                   GVariant *result)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *wasted_text = NULL;
  GVariantIter iter;
  guint64 size, wasted = 0;
  const char *hash;
  GVariant *paths;
  gsize n_groups = 0;

  g_variant_iter_init (&iter, result);
  while (g_variant_iter_loop (&iter, "(t&s@aay)", &size, &hash, &paths))
    {
      g_autofree char *size_text = NULL;
      g_autofree const char **strv = g_variant_get_bytestring_array (paths, NULL);
      guint n = g_strv_length ((char **) strv);

      if (hash[0] == '\0')
        {
          for (guint i = 0; strv[i] != NULL; i++)
            g_string_append_printf (problems, "# could not read %s\n", strv[i]);
          continue;
        }

      size_text = g_format_size (size);
      g_string_append_printf (text, "%u files of %s, sha256 %.16s…\n", n, size_text, hash);
      for (guint i = 0; strv[i] != NULL; i++)
        g_string_append_printf (text, "  %s\n", strv[i]);
      wasted += size * (n - 1);
      n_groups++;
    }

  wasted_text = g_format_size (wasted);
  if (n_groups == 0)
    g_string_append (text, "# No duplicate files.\n");
  else
    {
      g_autofree char *count_text = jr_app_format_count (n_groups);

      g_string_append_printf (text, "# %s %s of duplicates, %s wasted\n",
                              count_text, n_groups == 1 ? "group" : "groups", wasted_text);
    }
  g_string_append_len (text, problems->str, problems->len);

  return g_string_free (g_steal_pointer (&text), FALSE);
}
