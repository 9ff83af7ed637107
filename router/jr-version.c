/* jr-version.c — the version of the library a program runs with.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jobrouter.h"

/**
 * jr_get_major_version:
 *
 * The major version of the jobrouter library the program runs with (the 0
 * of 0.2.1). It may differ from %JR_MAJOR_VERSION, that of the headers the
 * program was built with.
 *
 * Returns: the major version of the library
 *
 * Since: 0.2
 */
guint
jr_get_major_version (void)
{
  return JR_MAJOR_VERSION;
}

/**
 * jr_get_minor_version:
 *
 * The minor version of the jobrouter library the program runs with (the 2
 * of 0.2.1).
 *
 * Returns: the minor version of the library
 *
 * Since: 0.2
 */
guint
jr_get_minor_version (void)
{
  return JR_MINOR_VERSION;
}

/**
 * jr_get_micro_version:
 *
 * The micro version of the jobrouter library the program runs with (the 1
 * of 0.2.1).
 *
 * Returns: the micro version of the library
 *
 * Since: 0.2
 */
guint
jr_get_micro_version (void)
{
  return JR_MICRO_VERSION;
}
