/* jr-launcher.c — how the workers of a group are started.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A launcher only describes; the executor's pool (jr-worker-pool-spawn.c) does
 * the starting.
 */
#include "jobrouter.h"

#include <string.h>

/* How long a worker started through a command may take to say it is
 * ready: a login, a scheduler's allocation, a program loaded over a
 * network file system. Beyond it the try counts as a failed start. */
#define DEFAULT_START_TIMEOUT_USEC (60 * G_USEC_PER_SEC)
/* A local worker starts in milliseconds: one not ready by then never will
 * be (a program that does not call jr_init(), say). */
#define LOCAL_START_TIMEOUT_USEC   (10 * G_USEC_PER_SEC)

/**
 * JrLauncher:
 *
 * How an executor starts the workers of a group
 * ([method@Jr.Executor.add_group]).
 *
 * - The local launcher ([ctor@Jr.Launcher.new_local]) runs this program
 *   again on this machine, with a shared-memory ring to the executor: the
 *   process transport, what [ctor@Jr.Executor.new] uses.
 * - A command launcher ([ctor@Jr.Launcher.new_command]) runs the worker
 *   through a command line that ends with the worker's own:
 *   `ssh -o BatchMode=yes host /path/to/program …` or
 *   `srun -N1 -n1 --quiet --unbuffered /path/to/program …`. The worker
 *   speaks on its standard input and output, framed in both directions
 *   (the stream transport, see [method@Jr.Router.add_stream]): nothing
 *   depends on shared memory, passed descriptors, a shared file system or
 *   environment variables, which ssh does not pass on.
 *
 * The worker program on the far side must be built from the same
 * jobrouter and register the same jobs; by default it is this program's
 * path with this program's arguments ([method@Jr.Launcher.set_program]).
 * Its command line gets one more argument at the end, which
 * [func@Jr.init] takes away.
 *
 * A worker started through a command exits when its standard input ends
 * (the executor, or the connection to it, is gone), and kills its jobs'
 * processes as it does. Jobs that read local paths run on a group only
 * when its launcher says the paths are the same there
 * ([method@Jr.Launcher.set_shared_paths], [func@Jr.set_job_placement]).
 *
 * Since: 0.2
 */
struct _JrLauncher {
  GObject   parent_instance;

  gboolean  local;
  char    **command;        /* the prefix; empty: none */
  char    **program;        /* NULL: this program's path and arguments */
  gboolean  shell_command;
  gboolean  shared_paths;
  gint64    start_timeout;
};

G_DEFINE_FINAL_TYPE (JrLauncher, jr_launcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_IS_LOCAL,
  PROP_COMMAND,
  PROP_PROGRAM,
  PROP_SHELL_COMMAND,
  PROP_SHARED_PATHS,
  PROP_START_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
jr_launcher_finalize (GObject *object)
{
  JrLauncher *self = JR_LAUNCHER (object);

  g_strfreev (self->command);
  g_strfreev (self->program);
  G_OBJECT_CLASS (jr_launcher_parent_class)->finalize (object);
}

static void
jr_launcher_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JrLauncher *self = JR_LAUNCHER (object);

  switch (prop_id)
    {
    case PROP_IS_LOCAL:
      g_value_set_boolean (value, self->local);
      break;
    case PROP_COMMAND:
      g_value_set_boxed (value, self->command);
      break;
    case PROP_PROGRAM:
      g_value_set_boxed (value, self->program);
      break;
    case PROP_SHELL_COMMAND:
      g_value_set_boolean (value, self->shell_command);
      break;
    case PROP_SHARED_PATHS:
      g_value_set_boolean (value, self->shared_paths);
      break;
    case PROP_START_TIMEOUT:
      g_value_set_int64 (value, self->start_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_launcher_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JrLauncher *self = JR_LAUNCHER (object);

  switch (prop_id)
    {
    case PROP_COMMAND:
      /* Construct-only: NULL is the local launcher, [] a command of none. */
      self->local = g_value_get_boxed (value) == NULL;
      self->command = self->local ? g_new0 (char *, 1) : g_value_dup_boxed (value);
      self->shared_paths = self->command[0] == NULL;
      self->start_timeout = self->local ? LOCAL_START_TIMEOUT_USEC : DEFAULT_START_TIMEOUT_USEC;
      break;
    case PROP_PROGRAM:
      jr_launcher_set_program (self, g_value_get_boxed (value));
      break;
    case PROP_SHELL_COMMAND:
      jr_launcher_set_shell_command (self, g_value_get_boolean (value));
      break;
    case PROP_SHARED_PATHS:
      jr_launcher_set_shared_paths (self, g_value_get_boolean (value));
      break;
    case PROP_START_TIMEOUT:
      jr_launcher_set_start_timeout (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_launcher_class_init (JrLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jr_launcher_finalize;
  object_class->get_property = jr_launcher_get_property;
  object_class->set_property = jr_launcher_set_property;

  /**
   * JrLauncher:is-local:
   *
   * Whether this is the local launcher: this program run again here, with
   * a shared-memory ring.
   *
   * Since: 0.2
   */
  properties[PROP_IS_LOCAL] =
    g_param_spec_boolean ("is-local", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * JrLauncher:command:
   *
   * The command line that the worker's own is appended to (`ssh host`,
   * `srun -N1 -n1 --quiet --unbuffered`); empty for a worker started
   * directly, that speaks on its standard input and output. Set to %NULL
   * (the default) it makes the local launcher, which reads back as empty
   * too: tell the two apart by [property@Jr.Launcher:is-local] (bindings
   * may read %NULL as an empty list; make a local launcher with
   * [ctor@Jr.Launcher.new_local]).
   *
   * Since: 0.2
   */
  properties[PROP_COMMAND] =
    g_param_spec_boxed ("command", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrLauncher:program:
   *
   * The worker's command line on the far side: its program and its
   * arguments. %NULL (the default) for this program's path and the
   * arguments it was started with, which suits a machine where it is
   * installed at the same place.
   *
   * Since: 0.2
   */
  properties[PROP_PROGRAM] =
    g_param_spec_boxed ("program", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrLauncher:shell-command:
   *
   * Whether the command hands the worker's command line to a shell on the
   * far side, as ssh does: its arguments are then quoted for that shell.
   *
   * Since: 0.2
   */
  properties[PROP_SHELL_COMMAND] =
    g_param_spec_boolean ("shell-command", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrLauncher:shared-paths:
   *
   * Whether the workers see this machine's files at the same paths (a
   * shared home folder, a cluster's file system): then jobs that read
   * local paths may run there too. %TRUE for the local launcher and for a
   * command of none, %FALSE for any other command.
   *
   * Since: 0.2
   */
  properties[PROP_SHARED_PATHS] =
    g_param_spec_boolean ("shared-paths", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrLauncher:start-timeout:
   *
   * How long, in µs, a worker may take to be ready (a login, a
   * scheduler's allocation) before the try counts as a failed start:
   * 10 s for the local launcher, 60 s for a command, no limit
   * (%G_MAXINT64) for jr_launcher_new_srun()'s. A worker that is not up
   * yet takes no job.
   *
   * Since: 0.2
   */
  properties[PROP_START_TIMEOUT] =
    g_param_spec_int64 ("start-timeout", NULL, NULL, 0, G_MAXINT64, DEFAULT_START_TIMEOUT_USEC,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jr_launcher_init (JrLauncher *self)
{
}

/**
 * jr_launcher_new_local:
 *
 * The local launcher: workers are this program run again on this machine
 * (see [func@Jr.init]), each with a shared-memory ring to the executor.
 *
 * Returns: (transfer full): a new launcher
 *
 * Since: 0.2
 */
JrLauncher *
jr_launcher_new_local (void)
{
  return g_object_new (JR_TYPE_LAUNCHER, "command", NULL, NULL);
}

/**
 * jr_launcher_new_command:
 * @command: (array zero-terminated=1) (nullable): the command line that
 *   the worker's is appended to; %NULL or empty to start the worker
 *   directly
 *
 * A launcher that starts each worker by running @command followed by the
 * worker's own command line ([property@Jr.Launcher:program]). The worker
 * reads requests on its standard input and writes messages on its
 * standard output, which the command must carry byte for byte, unbuffered
 * (srun needs `--unbuffered`), in both directions.
 *
 * Returns: (transfer full): a new launcher
 *
 * Since: 0.2
 */
JrLauncher *
jr_launcher_new_command (const char * const *command)
{
  static const char * const none[] = { NULL };

  return g_object_new (JR_TYPE_LAUNCHER, "command", command != NULL ? command : none, NULL);
}

/**
 * jr_launcher_ssh_destination_is_valid:
 * @destination: (nullable): what a user gave as an ssh destination
 *
 * Whether jr_launcher_new_ssh() takes @destination: not empty, at most
 * 255 bytes, not starting with `-` (which ssh would read as an option:
 * `-oProxyCommand=…` runs a command on this machine), and with no spaces
 * or control characters. Check what a user typed with it first.
 *
 * Any thread may call it.
 *
 * Returns: %TRUE if @destination can be used
 *
 * Since: 0.2
 */
gboolean
jr_launcher_ssh_destination_is_valid (const char *destination)
{
  if (destination == NULL || destination[0] == '\0' || destination[0] == '-')
    return FALSE;
  for (const char *c = destination; *c != '\0'; c++)
    if (g_ascii_isspace (*c) || g_ascii_iscntrl (*c))
      return FALSE;
  return strlen (destination) <= 255;
}

/**
 * jr_launcher_new_ssh:
 * @destination: where to log in: `host`, `user@host`, or a `Host` of the
 *   ssh configuration, valid for jr_launcher_ssh_destination_is_valid()
 *   (check what a user typed with it first)
 * @options: (array zero-terminated=1) (nullable): more options for ssh,
 *   before the destination (`-p`, `2222`, `-F`, a file, …)
 *
 * A command launcher for OpenSSH: `ssh -o BatchMode=yes -T -e none OPTIONS
 * -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=3
 * -- DESTINATION WORKER…`. BatchMode: ssh never asks for a password — a
 * login that needs one fails at once, and says so. A host that does not
 * answer fails after 30 s, saying so; the keep-alives let a connection
 * that drops without a word end within a minute. ssh takes the first
 * value an option gets: @options may change those three (`-o
 * ConnectTimeout=5`), not BatchMode. The worker's command line is quoted
 * for the login shell. ssh passes no environment variables: the worker
 * needs none.
 *
 * Returns: (transfer full): a new launcher
 *
 * Since: 0.2
 */
JrLauncher *
jr_launcher_new_ssh (const char         *destination,
                     const char * const *options)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) command = NULL;
  JrLauncher *self;

  g_return_val_if_fail (jr_launcher_ssh_destination_is_valid (destination), NULL);

  /* ssh keeps the first value an option gets: BatchMode is not to be
   * changed, the rest are defaults that @options may change. */
  g_strv_builder_add_many (builder, "ssh", "-o", "BatchMode=yes", "-T", "-e", "none", NULL);
  if (options != NULL)
    g_strv_builder_addv (builder, (const char **) options);
  g_strv_builder_add_many (builder, "-o", "ConnectTimeout=30",
                           "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", NULL);
  /* Whatever the destination says, it is not an option. */
  g_strv_builder_add_many (builder, "--", destination, NULL);
  command = g_strv_builder_end (builder);
  self = jr_launcher_new_command ((const char * const *) command);
  self->shell_command = TRUE;
  return self;
}

/**
 * jr_launcher_new_srun:
 * @options: (array zero-terminated=1) (nullable): more options for srun
 *   (`--partition=…`, `--immediate`, `--time=…`, …)
 *
 * A command launcher for Slurm: `srun --nodes=1 --ntasks=1 --quiet
 * --unbuffered OPTIONS WORKER…`, one job step per worker. srun passes the
 * environment on, but the worker does not rely on it. A worker waits for
 * its allocation as long as Slurm keeps it in the queue
 * ([property@Jr.Launcher:start-timeout] is unlimited), taking no job
 * meanwhile. With `--immediate` a worker that cannot get its resources at
 * once fails to start (the group then gives up after a few tries, saying
 * why) instead.
 *
 * Returns: (transfer full): a new launcher
 *
 * Since: 0.2
 */
JrLauncher *
jr_launcher_new_srun (const char * const *options)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) command = NULL;

  g_strv_builder_add_many (builder, "srun", "--nodes=1", "--ntasks=1", "--quiet", "--unbuffered",
                           NULL);
  JrLauncher *self;

  if (options != NULL)
    g_strv_builder_addv (builder, (const char **) options);
  command = g_strv_builder_end (builder);
  self = jr_launcher_new_command ((const char * const *) command);
  /* A worker waiting for its allocation holds no job (only one that is up
   * takes jobs): let it wait as long as Slurm keeps it queued. */
  jr_launcher_set_start_timeout (self, G_MAXINT64);
  return self;
}

/**
 * jr_launcher_get_is_local:
 * @self: a launcher
 *
 * Gets whether @self is the local launcher: see
 * [property@Jr.Launcher:is-local].
 *
 * Returns: whether @self is the local launcher
 *
 * Since: 0.2
 */
gboolean
jr_launcher_get_is_local (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), FALSE);
  return self->local;
}

/**
 * jr_launcher_get_command:
 * @self: a launcher
 *
 * Gets the command line the worker's own is appended to: see
 * [property@Jr.Launcher:command].
 *
 * Returns: (transfer none) (array zero-terminated=1): the command line
 *   the worker's is appended to; empty for the local launcher and for a
 *   worker started directly
 *
 * Since: 0.2
 */
const char * const *
jr_launcher_get_command (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), NULL);
  return (const char * const *) self->command;
}

/**
 * jr_launcher_get_program:
 * @self: a launcher
 *
 * Gets the worker's command line on the far side: see
 * [property@Jr.Launcher:program].
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the
 *   worker's command line, or %NULL for this program's
 *
 * Since: 0.2
 */
const char * const *
jr_launcher_get_program (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), NULL);
  return (const char * const *) self->program;
}

/**
 * jr_launcher_set_program:
 * @self: a command launcher
 * @program: (array zero-terminated=1) (nullable): the worker's program
 *   and arguments on the far side, or %NULL for this program's path and
 *   arguments
 *
 * Sets the worker's command line, for a machine where the program is
 * installed elsewhere. It must call [func@Jr.init] with the same jobs
 * registered as this program. For the local launcher, see
 * [property@Jr.Executor:worker-argv] instead.
 *
 * Since: 0.2
 */
void
jr_launcher_set_program (JrLauncher         *self,
                         const char * const *program)
{
  g_return_if_fail (JR_IS_LAUNCHER (self));
  g_return_if_fail (program == NULL || program[0] != NULL);

  if (program == NULL && self->program == NULL)
    return;
  g_strfreev (self->program);
  self->program = g_strdupv ((char **) program);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRAM]);
}

/**
 * jr_launcher_get_shell_command:
 * @self: a launcher
 *
 * Gets whether the command hands the worker's command line to a shell:
 * see [property@Jr.Launcher:shell-command].
 *
 * Returns: whether the worker's command line is quoted for a shell on the
 *   far side
 *
 * Since: 0.2
 */
gboolean
jr_launcher_get_shell_command (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), FALSE);
  return self->shell_command;
}

/**
 * jr_launcher_set_shell_command:
 * @self: a command launcher
 * @shell_command: whether the command hands the worker's command line to
 *   a shell, as ssh does
 *
 * Says whether the worker's command line is to be quoted for a shell on
 * the far side. [ctor@Jr.Launcher.new_ssh] sets it.
 *
 * Since: 0.2
 */
void
jr_launcher_set_shell_command (JrLauncher *self,
                               gboolean    shell_command)
{
  g_return_if_fail (JR_IS_LAUNCHER (self));

  shell_command = !!shell_command;
  if (self->shell_command == shell_command)
    return;
  self->shell_command = shell_command;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHELL_COMMAND]);
}

/**
 * jr_launcher_get_shared_paths:
 * @self: a launcher
 *
 * Gets whether the workers see this machine's files at the same paths:
 * see [property@Jr.Launcher:shared-paths].
 *
 * Returns: whether the workers see this machine's files at the same paths
 *
 * Since: 0.2
 */
gboolean
jr_launcher_get_shared_paths (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), FALSE);
  return self->shared_paths;
}

/**
 * jr_launcher_set_shared_paths:
 * @self: a launcher
 * @shared_paths: whether the workers see this machine's files at the same
 *   paths
 *
 * Says that the workers' machine sees the same files at the same paths (a
 * shared home folder, say): jobs that read local paths
 * (%JR_JOB_PLACEMENT_LOCAL_PATHS, the default) may then run there.
 *
 * Since: 0.2
 */
void
jr_launcher_set_shared_paths (JrLauncher *self,
                              gboolean    shared_paths)
{
  g_return_if_fail (JR_IS_LAUNCHER (self));

  shared_paths = !!shared_paths;
  if (self->shared_paths == shared_paths)
    return;
  self->shared_paths = shared_paths;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARED_PATHS]);
}

/**
 * jr_launcher_get_start_timeout:
 * @self: a launcher
 *
 * Gets how long a worker may take to be ready: see
 * [property@Jr.Launcher:start-timeout].
 *
 * Returns: how long, in µs, a worker may take to be ready
 *
 * Since: 0.2
 */
gint64
jr_launcher_get_start_timeout (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), 0);
  return self->start_timeout;
}

/**
 * jr_launcher_set_start_timeout:
 * @self: a launcher
 * @timeout_usec: how long, in µs, a worker may take to be ready
 *
 * Beyond it the worker is ended and the try counts as a failed start
 * (after 3 in a row, the group gives up until a job needs it again).
 *
 * Since: 0.2
 */
void
jr_launcher_set_start_timeout (JrLauncher *self,
                               gint64      timeout_usec)
{
  g_return_if_fail (JR_IS_LAUNCHER (self));

  timeout_usec = MAX (timeout_usec, 0);
  if (self->start_timeout == timeout_usec)
    return;
  self->start_timeout = timeout_usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START_TIMEOUT]);
}

/**
 * jr_launcher_describe:
 * @self: a launcher
 *
 * A short description for messages: "this machine", or the command
 * ("ssh … host", "srun").
 *
 * Returns: (transfer full): the description
 *
 * Since: 0.2
 */
char *
jr_launcher_describe (JrLauncher *self)
{
  g_return_val_if_fail (JR_IS_LAUNCHER (self), NULL);

  if (self->local)
    return g_strdup ("this machine");
  if (self->command[0] == NULL)
    return g_strdup ("this machine, on its standard input and output");
  if (self->shell_command && self->command[1] != NULL)
    return g_strdup_printf ("%s %s", self->command[0],
                            self->command[g_strv_length (self->command) - 1]);
  return g_strdup (self->command[0]);
}
