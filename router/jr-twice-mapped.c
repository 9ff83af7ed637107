/* jr-twice-mapped.c — memory mapped twice, back to back; see
 * jr-twice-mapped-private.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-twice-mapped-private.h"

#include <errno.h>
#include <sys/mman.h>

#include "jobrouter.h"

gboolean
jr_set_errno_error (GError     **error,
                    const char  *what)
{
  int saved = errno;

  g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_FAILED, "%s: %s", what, g_strerror (saved));
  return FALSE;
}

guint8 *
jr_map_twice (int          fd,
              off_t        offset,
              gsize        size,
              const char  *what,
              GError     **error)
{
  guint8 *base;

  /* Reserve the whole span first, then place both mappings in it: no
   * other mapping can land between them. */
  base = mmap (NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    {
      g_autofree char *reserving = g_strdup_printf ("Could not reserve %s", what);

      jr_set_errno_error (error, reserving);
      return NULL;
    }
  if (mmap (base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, offset) == MAP_FAILED ||
      mmap (base + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, offset) == MAP_FAILED)
    {
      g_autofree char *mapping = g_strdup_printf ("Could not map %s", what);

      jr_set_errno_error (error, mapping);
      munmap (base, 2 * size);
      return NULL;
    }
  return base;
}
