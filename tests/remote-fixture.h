/* remote-fixture.h — the engines that remote workers are tested and
 * measured through (tests/remote-engines.sh): an OpenSSH server on
 * 127.0.0.1 and a single-node Slurm cluster, and launchers that reach
 * this machine through them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An engine is used as .ci/run started it (JR_TEST_SSH_CONFIG,
 * SLURM_CONF in the environment), or as found running, or started here
 * — as root, with the packages installed or installable — and then
 * stopped again by remote_engines_stop(). When it cannot be had, the
 * reason says why, for a test's skip message.
 *
 * Threads: the main thread.
 */
#pragma once

#include "jr-test.h"

G_BEGIN_DECLS

typedef enum {
  REMOTE_SSH,
  REMOTE_SLURM,
} RemoteEngine;

const char *remote_engine_name        (RemoteEngine        engine);
/* TRUE once @engine is up; otherwise FALSE with *reason (for a skip). */
gboolean    remote_engine_up          (RemoteEngine        engine,
                                       char              **reason);
/* Stops the engines this process started (none that it found running). */
void        remote_engines_stop       (void);

/* The ssh configuration file of the test server, and its hosts: the test
 * user ("jr-ssh"), root ("jr-ssh-root", for a build the test user cannot
 * read), a key the server refuses ("jr-ssh-refused"). */
const char *remote_ssh_config         (void);
/* The host of the test server whose ssh configuration file is @config
 * that can run @program: "jr-ssh" if the test user can, "jr-ssh-root"
 * otherwise. Asks the server each time. */
const char *remote_ssh_host_through   (const char         *config,
                                       const char         *program);
/* The host this process's build can be run through (jr-ssh, or jr-ssh-root
 * when the test user cannot run @program). */
const char *remote_ssh_host_for       (const char         *program);

/* A launcher through @engine that starts @program (NULL: this program).
 */
JrLauncher *remote_launcher_new       (RemoteEngine        engine,
                                       const char * const *program);
/* The command line that runs @argv through @engine with its standard
 * input and output carried (for tests that play a worker, and for `cat`). */
char      **remote_command_argv       (RemoteEngine        engine,
                                       const char * const *argv);

G_END_DECLS
