/* test-channel.c — tests of router/jr-channel.c, the queue from one child
 * process to the router: a shared-memory ring and a doorbell, handed to
 * the child as file descriptors (process transport).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The children are tests/router-child.c; the router runs in the fixture
 * of router-fixture.h.
 */
#include <unistd.h>

#include "router-fixture.h"

/* ------------------------------------------------------------------ */
/* The child's side of the queue                                      */
/* ------------------------------------------------------------------ */

static void
test_child_no_parent (Fixture       *f,
                      gconstpointer  data)
{
  const char *plain[] = { "no-parent", NULL };
  const char *any[] = { "no-parent", "any-code", NULL };
  g_autoptr(GSubprocess) unset = NULL;
  g_autoptr(GSubprocess) closed_fds = NULL;
  g_autoptr(GSubprocess) garbage = NULL;
  g_autofree char *env = g_strdup_printf ("200,201,%d", (int) getpid ());

  /* No variable at all. */
  unset = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, plain);
  wait_child_quietly (unset);
  assert_child_exit (unset, 0);

  /* A variable naming fds the child does not have, or nonsense. */
  closed_fds = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, env, any);
  wait_child_quietly (closed_fds);
  assert_child_exit (closed_fds, 0);
  garbage = spawn_child_full (NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, "x,y", any);
  wait_child_quietly (garbage);
  assert_child_exit (garbage, 0);
}

/* The queue has no name on the filesystem. */
static void
test_child_fds_anonymous (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Collector) c = collector_new (f->router);
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *id = NULL;

  start_router (f);
  id = id_arg (collector_add_pipe (c));
  child = spawn_child (f->router, "check-fds", id, NULL);
  c->expected = 1;
  route_until_done (c);
  wait_child (child);
  assert_child_exit (child, 0);

  collector_close_all (c);
  stop_router (f);
}

/* Children that exit without sending leave nothing behind. */
static void
test_child_exit_without_sending (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);

  start_router (f);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (children, spawn_child (f->router, "noop", NULL));
  for (guint i = 0; i < children->len; i++)
    {
      wait_child (g_ptr_array_index (children, i));
      assert_child_exit (g_ptr_array_index (children, i), 0);
    }
  /* Give the router a chance to see the EOFs before it stops. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  stop_router (f);
}

int
main (int    argc,
      char **argv)
{
  router_fixture_init (&argc, &argv, "channel");

  add_test ("child/no-parent", PROCESSES, test_child_no_parent);
  add_test ("child/fds-anonymous", PROCESSES, test_child_fds_anonymous);
  add_test ("child/exit-without-sending", PROCESSES, test_child_exit_without_sending);

  return router_fixture_run ();
}
