/* remote-fixture.c — the test engines for remote workers; see
 * remote-fixture.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "remote-fixture.h"

#include <string.h>
#include <unistd.h>

typedef struct {
  gboolean  looked;
  gboolean  up;
  gboolean  started_here;
  char     *reason;
} EngineState;

static EngineState engines[2];
static char *ssh_config;
static char *ssh_host;

const char *
remote_engine_name (RemoteEngine engine)
{
  return engine == REMOTE_SSH ? "ssh" : "slurm";
}

/* Runs the engines' script; TRUE when it succeeded. Its KEY=VALUE lines
 * go into @env; its first line of stderr into *reason on failure. */
static gboolean
run_script (const char  *action,
            const char  *which,
            GHashTable  *env,
            char       **reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "/bin/bash", REMOTE_ENGINES_SCRIPT, action, which, NULL };
  g_auto(GStrv) lines = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out, &err,
                     &status, &error))
    {
      if (reason != NULL)
        *reason = g_strdup_printf ("cannot run %s: %s", REMOTE_ENGINES_SCRIPT, error->message);
      return FALSE;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; env != NULL && lines[i] != NULL; i++)
    {
      char *equals = strchr (lines[i], '=');

      if (equals != NULL)
        g_hash_table_insert (env, g_strndup (lines[i], (gsize) (equals - lines[i])),
                             g_strdup (equals + 1));
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      if (reason != NULL)
        {
          g_auto(GStrv) err_lines = g_strsplit (err, "\n", 2);

          *reason = g_strdup_printf ("%s %s failed: %s", action, which,
                                     err_lines[0] != NULL && *err_lines[0] ? err_lines[0] : "no reason given");
        }
      return FALSE;
    }
  return TRUE;
}

/* Takes what the engine's environment says. */
static gboolean
use_env (RemoteEngine  engine,
         GHashTable   *env)
{
  if (engine == REMOTE_SSH)
    {
      const char *config = g_hash_table_lookup (env, "JR_TEST_SSH_CONFIG");

      if (config == NULL)
        return FALSE;
      g_free (ssh_config);
      ssh_config = g_strdup (config);
      return TRUE;
    }
  else
    {
      const char *conf = g_hash_table_lookup (env, "SLURM_CONF");

      if (conf == NULL)
        return FALSE;
      /* srun, scancel and our launchers' srun read it. */
      g_setenv ("SLURM_CONF", conf, TRUE);
      return TRUE;
    }
}

gboolean
remote_engine_up (RemoteEngine   engine,
                  char         **reason)
{
  EngineState *state = &engines[engine];
  const char *name = remote_engine_name (engine);

  if (!state->looked)
    {
      g_autoptr(GHashTable) env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      const char *given = g_getenv (engine == REMOTE_SSH ? "JR_TEST_SSH_CONFIG" : "JR_TEST_SLURM_CONF");

      state->looked = TRUE;
      if (given != NULL && *given != '\0')
        {
          /* Started by .ci/run for the whole run. */
          g_hash_table_insert (env, g_strdup (engine == REMOTE_SSH ? "JR_TEST_SSH_CONFIG" : "SLURM_CONF"),
                               g_strdup (given));
          state->up = use_env (engine, env);
        }
      else if (run_script ("env", name, env, NULL) && use_env (engine, env))
        state->up = TRUE;   /* found running */
      else if (getuid () != 0)
        state->reason = g_strdup_printf ("the %s test engine is not running, and only root can "
                                         "start it (sudo %s start %s)", name,
                                         REMOTE_ENGINES_SCRIPT, name);
      else if (run_script ("start", name, env, &state->reason) && use_env (engine, env))
        state->up = state->started_here = TRUE;
      else if (state->reason == NULL)
        state->reason = g_strdup_printf ("the %s test engine did not say how to reach it", name);
    }
  if (!state->up && reason != NULL)
    *reason = g_strdup (state->reason);
  return state->up;
}

void
remote_engines_stop (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      if (engines[i].started_here)
        run_script ("stop", remote_engine_name (i), NULL, NULL);
      g_clear_pointer (&engines[i].reason, g_free);
      engines[i] = (EngineState) { FALSE, FALSE, FALSE, NULL };
    }
  g_clear_pointer (&ssh_config, g_free);
  g_clear_pointer (&ssh_host, g_free);
}

const char *
remote_ssh_config (void)
{
  return ssh_config;
}

const char *
remote_ssh_host_through (const char *config,
                         const char *program)
{
  g_autofree char *quoted = g_shell_quote (program);
  g_autofree char *check = g_strdup_printf ("test -x %s", quoted);
  const char *argv[] = { "ssh", "-F", config, "jr-ssh", check, NULL };
  int status = 0;

  /* The test user must be able to run the build (a build under /root is
   * not): root otherwise, whose logins are slower. */
  if (g_spawn_sync (NULL, (char **) argv, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL |
                    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, &status, NULL) &&
      g_spawn_check_wait_status (status, NULL))
    return "jr-ssh";
  return "jr-ssh-root";
}

const char *
remote_ssh_host_for (const char *program)
{
  if (ssh_host == NULL)
    ssh_host = g_strdup (remote_ssh_host_through (ssh_config, program));
  return ssh_host;
}

JrLauncher *
remote_launcher_new (RemoteEngine        engine,
                     const char * const *program)
{
  JrLauncher *launcher;

  if (engine == REMOTE_SSH)
    {
      const char *options[] = { "-F", ssh_config, NULL };
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

      launcher = jr_launcher_new_ssh (remote_ssh_host_for (program != NULL ? program[0] : exe),
                                      options);
    }
  else
    launcher = jr_launcher_new_srun (NULL);
  jr_launcher_set_program (launcher, program);
  /* A test fails in seconds, not a minute. */
  jr_launcher_set_start_timeout (launcher, 20 * G_USEC_PER_SEC);
  return launcher;
}

char **
remote_command_argv (RemoteEngine        engine,
                     const char * const *argv)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (engine == REMOTE_SSH)
    {
      GString *line = g_string_new (NULL);

      g_strv_builder_add_many (builder, "ssh", "-F", ssh_config, "-o", "BatchMode=yes", "-T", "-e",
                               "none", remote_ssh_host_for (argv[0]), NULL);
      for (guint i = 0; argv[i] != NULL; i++)
        {
          g_autofree char *quoted = g_shell_quote (argv[i]);

          g_string_append_printf (line, i > 0 ? " %s" : "%s", quoted);
        }
      g_strv_builder_add (builder, line->str);
      g_string_free (line, TRUE);
    }
  else
    {
      g_strv_builder_add_many (builder, "srun", "--nodes=1", "--ntasks=1", "--quiet", "--unbuffered",
                               NULL);
      g_strv_builder_addv (builder, (const char **) argv);
    }
  return g_strv_builder_end (builder);
}
