/* jr-executor.c — jobs in a pool of worker processes or threads, seen
 * through futures on the main thread: the object and its API.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor keeps the jobs (tasks) and their futures; its pool
 * (jr-worker-pool.c) keeps the workers. Waiting tasks sit in a priority
 * queue of the executor, and a worker is handed only one or a few of them
 * ahead of time (find_free_slot(), jr-executor-schedule.c), so that
 * waiting jobs stay cancellable in the executor.
 * Each worker reports on its own pipe: STARTED, progress, yields and one
 * last RESULT, ERROR or CANCELLED per job, so a future is done only after
 * everything before has arrived.
 *
 * Its parts share its state through jr-executor-parts-private.h, one file
 * each, so that each can be read alone:
 * - jr-executor.c: the object (its properties, its life, its disposal on
 *   its own thread), submitting, stopping, and the rest of its API;
 * - jr-executor-task.c: a task's life: its progress, its end, and how its
 *   future hears of that end;
 * - jr-executor-schedule.c: which worker runs which task: the workers'
 *   slots, the queues, recalls, retries, and cancels with their grace;
 * - jr-executor-workers.c: what the pools say: job messages, workers that
 *   come and go, workers that cannot start;
 * - jr-executor-groups.c: the groups of workers, and their API;
 * - jr-executor-dependencies.c: tasks that wait for other jobs.
 */
#include "jr-executor-parts-private.h"

#include "jr-future-private.h"
#include "jr-job-private.h"
#include "jr-router-private.h"
#include "jr-worker-private.h"
#include "jr-worker-request-private.h"

#define DEFAULT_CANCEL_GRACE    (3 * G_USEC_PER_SEC)
#define DEFAULT_WORKER_NICE     10

/**
 * JrExecutor:
 *
 * Runs registered jobs in a pool of worker processes or threads, and
 * hands back a [class@Jr.Future] for each.
 *
 * Register the job kinds with [func@Jr.register_job_full] and call
 * [func@Jr.init] first thing in `main()`. Then make an executor with
 * [ctor@Jr.Executor.new] (or `g_object_new()` with its construct-only
 * properties), submit jobs with [method@Jr.Executor.submit_call],
 * [method@Jr.Executor.submit_progress],
 * [method@Jr.Executor.submit_iteration] or
 * [method@Jr.Executor.submit_full], and bind the futures' properties to
 * widgets. [property@Jr.Executor:jobs] lists the futures not yet done;
 * the [JrUi widgets](../jobrouter-ui-1/index.html) show them.
 * [method@Jr.Executor.stop] and [method@Jr.Executor.shutdown] end it,
 * leaving no worker, thread or file descriptor behind.
 *
 * ## Workers
 *
 * The workers start with the executor. With %JR_TRANSPORT_PROCESSES a
 * worker is this program run again (or
 * [property@Jr.Executor:worker-argv]), which takes up its work in
 * [func@Jr.init]; workers run at nice 10 by default
 * ([method@Jr.Executor.set_worker_nice],
 * [method@Jr.Executor.set_worker_idle]) and die with their parent. A
 * worker that crashes fails only the job it was running, with
 * %JR_JOB_ERROR_WORKER_CRASHED; jobs it had queued go to another worker,
 * and the pool starts a new one (a few a second at most). When workers
 * cannot start at all, the pool gives up after 3 tries in a row, jobs
 * waiting for a worker fail with %JR_JOB_ERROR_NO_WORKER, and
 * [property@Jr.Executor:worker-error] says why.
 *
 * ## Threads
 *
 * An executor belongs to the thread-default main context of the thread
 * that made it: its *main context*. Call the executor's functions, and
 * those of its futures, on that thread only. Its last reference may go on
 * any thread (Python's garbage collector drops it wherever it runs, a
 * job's thread included): it is then disposed on its own thread, when its
 * main context next dispatches. Its futures' properties
 * change, and their signals and the jobs model's are emitted, only there,
 * while that context runs: in a main loop, or by hand in
 * [method@Jr.Executor.shutdown] and [method@Jr.Future.wait].
 *
 * Job functions run elsewhere: in a worker thread, or in a worker
 * process. They see only their arguments and their [struct@Jr.Job].
 *
 * ## When futures end
 *
 * Nothing completes inside your own call (GTask's rule): no future
 * becomes done, notifies its end or leaves [property@Jr.Executor:jobs]
 * inside a call you made (a submit, a cancel, a stop). That happens when
 * the main context next dispatches: right after the router delivered the
 * message that ended the job, or from an idle for an end that came inside
 * your call. [method@Jr.Future.cancel] moves the future to
 * %JR_FUTURE_STATE_CANCELLING at once. So a loop that cancels every job
 * of the jobs model, by index, reaches every job, and a handler of any of
 * these notifications may do anything, stopping or shutting down the
 * executor included.
 *
 * Progress is applied to a future once per dispatch of the main context,
 * not once per report: the future shows the latest report delivered, and
 * any other message of the job applies the pending progress first, so
 * order holds. The [architecture](architecture.html) page follows a
 * report from the job to a progress bar; [guarantees](guarantees.html)
 * lists what holds whatever a job or a worker does.
 *
 * Since: 0.1
 */
G_DEFINE_FINAL_TYPE (JrExecutor, jr_executor, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (JrExecutorState, jr_executor_state,
  G_DEFINE_ENUM_VALUE (JR_EXECUTOR_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (JR_EXECUTOR_STATE_STOPPING, "stopping"),
  G_DEFINE_ENUM_VALUE (JR_EXECUTOR_STATE_STOPPED, "stopped"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_TRANSPORT,
  PROP_MAX_WORKERS,
  PROP_JOBS,
  PROP_WORKER_ERROR,
  PROP_WORKER_ARGV,
  PROP_LOCAL_GROUP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Timers and idles go to the executor's own main context (the one its
 * router delivers on), not to the global default one. */
GSource *
jr_executor_add_source (JrExecutor  *self,
                        int          priority,
                        guint        timeout_ms,
                        gboolean     idle,
                        GSourceFunc  func,
                        gpointer     data)
{
  GSource *source = idle ? g_idle_source_new () : g_timeout_source_new (timeout_ms);

  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, "[jobrouter] executor");
  g_source_attach (source, jr_router_get_context (self->router));
  return source;
}

static void
set_state (JrExecutor      *self,
           JrExecutorState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* worker-error is the object's: the part that finds why workers cannot
 * start (jr-executor-workers.c) says it here. */
void
jr_executor_set_worker_error (JrExecutor   *self,
                              const GError *error)
{
  g_clear_error (&self->worker_error);
  if (error != NULL)
    self->worker_error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER_ERROR]);
}

/* ---- stopping ---- */

void
jr_executor_maybe_finish_stopping (JrExecutor *self)
{
  if (self->state != JR_EXECUTOR_STATE_STOPPING || self->tasks.length > 0 ||
      self->endings.length > 0)
    return;

  if (!self->retired)
    {
      self->retired = TRUE;
      for (guint i = 0; i < self->groups->len; i++)
        jr_worker_pool_retire (((Group *) g_ptr_array_index (self->groups, i))->pool);
    }
  for (guint i = 0; i < self->groups->len; i++)
    if (!jr_worker_pool_is_empty (((Group *) g_ptr_array_index (self->groups, i))->pool))
      return;

  if (jr_router_get_running (self->router))
    jr_router_stop (self->router, NULL);
  set_state (self, JR_EXECUTOR_STATE_STOPPED);
}

/* ---- the object ---- */

static gboolean
dispose_on_own_thread (gpointer data)
{
  g_object_run_dispose (data);
  return G_SOURCE_REMOVE;
}

static void
jr_executor_dispose (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);

  /* Dropped on another thread (Python's collector runs on whichever
   * thread allocates, a job's included): tearing down there would join a
   * job's thread to itself, or change futures off their thread. The
   * executor lives on until its main context dispatches, and is disposed
   * there; nothing is chained up here, so its weak references and
   * handlers also go there. Its thread is the one that made it, as a
   * future's: g_main_context_is_owner() holds for no thread while nobody
   * iterates the context. Once only: a context iterated on another thread
   * than the one that made the executor (against the rules, but seen)
   * disposes it there. */
  if (g_thread_self () != self->owner && !self->dispose_deferred)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      self->dispose_deferred = TRUE;
      g_source_set_priority (source, ENDINGS_PRIORITY);
      g_source_set_callback (source, dispose_on_own_thread, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[jobrouter] executor dropped on another thread");
      g_source_attach (source, jr_router_get_context (self->router));
      return;
    }

  if (self->groups->len > 0)
    {
      GList *link;

      /* Dropped while jobs run: kill and reap worker processes. An idle
       * worker thread is joined; one whose job runs is cancelled and let
       * go, to end once that job returns. Every future still ends,
       * cancelled (or as its job ended, if that is not delivered yet), at
       * the main context's next dispatch. */
      self->state = JR_EXECUTOR_STATE_STOPPED;
      /* Worker threads that end now send their last words: they must not
       * wait for room that only this thread, joining them, would make. */
      if (self->router != NULL)
        jr_router_close_inbox (self->router);
      g_ptr_array_set_size (self->groups, 0);
      while ((link = self->tasks.head) != NULL)
        {
          Task *task = link->data;

          jr_future_set_cancel_func (task->future, NULL, NULL);
          jr_future_cancel (task->future);
          jr_executor_task_end (task, END_CANCELLED, NULL, NULL);
        }
      jr_executor_deliver_endings_soon (self);
      for (guint i = 0; i < self->slots->len; i++)
        g_free (g_ptr_array_index (self->slots, i));
      g_ptr_array_set_size (self->slots, 0);
    }
  if (self->router != NULL && jr_router_get_running (self->router))
    jr_router_stop (self->router, NULL);
  jr_clear_source (&self->endings_source);
  jr_clear_source (&self->progress_flush);
  jr_clear_source (&self->workers_check);
  jr_clear_source (&self->sweep);
  if (self->progress_dirty != NULL)
    {
      for (guint i = 0; i < self->progress_dirty->len; i++)
        jr_executor_task_unref (g_ptr_array_index (self->progress_dirty, i));
      g_ptr_array_set_size (self->progress_dirty, 0);
    }
  G_OBJECT_CLASS (jr_executor_parent_class)->dispose (object);
}

static void
jr_executor_finalize (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);

  g_clear_object (&self->router);
  g_clear_object (&self->jobs);
  g_clear_pointer (&self->queue, jr_task_queue_free);
  g_clear_pointer (&self->queue_anywhere, jr_task_queue_free);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->progress_dirty, g_ptr_array_unref);
  g_clear_pointer (&self->waiters, jr_future_waiters_free);
  g_clear_error (&self->worker_error);
  g_strfreev (self->worker_argv);
  G_OBJECT_CLASS (jr_executor_parent_class)->finalize (object);
}

static void
jr_executor_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JrExecutor *self = JR_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_MAX_WORKERS:
      g_value_set_uint (value, self->max_workers);
      break;
    case PROP_JOBS:
      g_value_set_object (value, self->jobs);
      break;
    case PROP_WORKER_ERROR:
      g_value_set_boxed (value, self->worker_error);
      break;
    case PROP_WORKER_ARGV:
      g_value_set_boxed (value, self->worker_argv);
      break;
    case PROP_LOCAL_GROUP:
      g_value_set_boolean (value, self->local_group);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jr_executor_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JrExecutor *self = JR_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      self->transport = g_value_get_enum (value);
      break;
    case PROP_MAX_WORKERS:
      self->max_workers = g_value_get_uint (value);
      break;
    case PROP_WORKER_ARGV:
      {
        const char * const *argv = g_value_get_boxed (value);

        /* Empty is the default too: bindings read the default as an
         * empty list, and a command line of nothing runs nothing. */
        self->worker_argv = argv != NULL && argv[0] != NULL ? g_strdupv ((char **) argv) : NULL;
      }
      break;
    case PROP_LOCAL_GROUP:
      self->local_group = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A worker process whose program never called jr_init() runs main() as if
 * it were the parent, gets here, and would start workers of its own. */
static void
refuse_in_worker (void)
{
  if (g_getenv (JR_WORKER_ENV) != NULL || jr_worker_is_stream_process ())
    jr_worker_refuse ("this program was started as a worker process, but it made an executor "
                      "without calling jr_init() first: call jr_init() in main(), before "
                      "anything else");
}

static void
jr_executor_constructed (GObject *object)
{
  JrExecutor *self = JR_EXECUTOR (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (jr_executor_parent_class)->constructed (object);

  refuse_in_worker ();
  if (self->max_workers == 0)
    self->max_workers = (guint) MAX (g_get_num_processors (), 1);
  self->router = jr_router_new (self->transport, NULL);
  /* A runtime failure (no descriptor left, say), not a programmer's
   * error: said, and its jobs fail with JR_JOB_ERROR_NO_WORKER. */
  if (!jr_router_start (self->router, &error))
    g_warning ("Could not start the executor's router: %s", error->message);
  jr_executor_attach_endings_source (self);
  if (self->local_group)
    {
      g_autoptr(JrLauncher) local = jr_launcher_new_local ();

      jr_executor_start_group (self, "local", local, self->max_workers);
    }
}

static void
jr_executor_class_init (JrExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jr_executor_dispose;
  object_class->finalize = jr_executor_finalize;
  object_class->get_property = jr_executor_get_property;
  object_class->set_property = jr_executor_set_property;
  object_class->constructed = jr_executor_constructed;

  /**
   * JrExecutor:state:
   *
   * RUNNING, then STOPPING after [method@Jr.Executor.stop], then STOPPED
   * once every job is done and every worker gone.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, JR_TYPE_EXECUTOR_STATE, JR_EXECUTOR_STATE_RUNNING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:transport:
   *
   * Worker processes (the default) or worker threads.
   *
   * Since: 0.1
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, JR_TYPE_TRANSPORT, JR_TRANSPORT_PROCESSES,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:max-workers:
   *
   * The size of the pool; 0 (the default) for the number of processors.
   * Reads back as the size chosen.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_uint ("max-workers", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:worker-argv:
   *
   * The command line that starts a worker process. %NULL (the default),
   * or an empty list, runs this program again with the arguments it was
   * started with — for
   * a Python program, the interpreter with the same script — and its
   * main() hands over to the worker in [func@Jr.init]. Whatever it runs
   * must call [func@Jr.init] with the same jobs registered.
   *
   * Since: 0.2
   */
  properties[PROP_WORKER_ARGV] =
    g_param_spec_boxed ("worker-argv", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:local-group:
   *
   * Whether the executor starts with its group "local" of
   * [property@Jr.Executor:max-workers] workers of its transport (the
   * default). %FALSE for an executor whose workers all come from groups
   * added with [method@Jr.Executor.add_group]: nothing is started until
   * then.
   *
   * Since: 0.2
   */
  properties[PROP_LOCAL_GROUP] =
    g_param_spec_boolean ("local-group", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:jobs:
   *
   * The futures not yet done, in submission order (a [iface@Gio.ListModel]).
   *
   * Since: 0.1
   */
  properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * JrExecutor:worker-error:
   *
   * Why no worker could be started, while that is so: the pool tried a few
   * times in a row, then gave up, and the jobs waiting for a worker
   * failed with this error (%JR_JOB_ERROR_NO_WORKER). The next job
   * submitted makes it try again. %NULL while workers run, and once the
   * groups that gave up are resized to 0 or removed.
   *
   * Since: 0.2
   */
  properties[PROP_WORKER_ERROR] =
    g_param_spec_boxed ("worker-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jr_executor_init (JrExecutor *self)
{
  self->jobs = jr_jobs_model_new ();
  self->queue = jr_task_queue_new ();
  self->queue_anywhere = jr_task_queue_new ();
  self->groups = g_ptr_array_new_with_free_func (jr_executor_group_free);
  self->slots = g_ptr_array_new ();
  self->progress_dirty = g_ptr_array_new ();
  self->waiters = jr_future_waiters_new (jr_executor_on_dependency_done);
  self->cancel_grace = DEFAULT_CANCEL_GRACE;
  self->worker_nice = DEFAULT_WORKER_NICE;
  /* Not short until seen to be. */
  self->run_time_avg = SHORT_JOB_USEC;
  self->owner = g_thread_self ();
  g_queue_init (&self->tasks);
  g_queue_init (&self->endings);
}

/**
 * jr_executor_new:
 * @transport: %JR_TRANSPORT_PROCESSES for a pool of worker processes (this
 *   program run again; see [func@Jr.init]), %JR_TRANSPORT_THREADS for
 *   worker threads in this process
 * @max_workers: the size of the pool; 0 for the number of CPUs
 *
 * Makes an executor on the thread-default main context and starts its
 * workers.
 *
 * Returns: (transfer full): a new executor
 *
 * Since: 0.1
 */
JrExecutor *
jr_executor_new (JrTransport transport,
                 guint       max_workers)
{
  return g_object_new (JR_TYPE_EXECUTOR, "transport", transport, "max-workers", max_workers, NULL);
}

static const JrJobKindInfo *
check_submit (JrExecutor  *self,
              const char  *job,
              GVariant    *args,
              GError     **error)
{
  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                   "The executor is %s and takes no more jobs",
                   self->state == JR_EXECUTOR_STATE_STOPPING ? "stopping" : "stopped");
      return NULL;
    }
  /* What a worker process reads: the arguments in a request, with the
   * job's name (a thread worker takes the same, for the same jobs). */
  if (args != NULL &&
      jr_worker_request_data_size (JR_WORKER_REQUEST_RUN, job, args) > JR_MESSAGE_SIZE_MAX)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS,
                   "The arguments of “%s” are too large: with the job's name, they take more "
                   "than %u bytes", job, JR_MESSAGE_SIZE_MAX);
      return NULL;
    }
  if (args != NULL && !jr_worker_request_readable (JR_WORKER_REQUEST_RUN, job, args))
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS,
                   "The arguments of “%s” nest values more deeply than a worker process "
                   "accepts from another process", job);
      return NULL;
    }
  if (!jr_job_registry_check (job, args, error))
    return NULL;
  return jr_job_registry_lookup (job);
}

/* Some group with workers may run jobs of @info's kind. */
static gboolean
group_may_run (JrExecutor           *self,
               const JrJobKindInfo  *info,
               GError              **error)
{
  gboolean anywhere = info->placement == JR_JOB_PLACEMENT_ANYWHERE;

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (jr_executor_group_takes (group, anywhere) && jr_worker_pool_get_size (group->pool) > 0)
        return TRUE;
    }
  g_propagate_error (error, jr_executor_no_group_error (self, anywhere, info->name));
  return FALSE;
}

/* Whether this thread may call the executor: the one that runs its main
 * context, or any while none does (an executor made on one thread and
 * used on another before its loop runs). A job's thread, or a helper
 * thread submitting while the main loop runs, may not: the executor's
 * state is its context's thread's alone. Says so (a programmer error). */
gboolean
jr_executor_check_thread (JrExecutor *self,
                          const char *function)
{
  GMainContext *context = jr_router_get_context (self->router);

  if (G_LIKELY (g_main_context_is_owner (context)))
    return TRUE;
  if (g_main_context_acquire (context))
    {
      g_main_context_release (context);
      return TRUE;
    }
  g_critical ("%s: called on another thread than the one that runs the executor's main "
              "context; call it there (g_main_context_invoke() gets there from a job's or a "
              "helper's thread)", function);
  return FALSE;
}

JrRouter *
jr_executor_get_router (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);

  return self->router;
}

/* A dependency is a future of the same main context: its end is heard on
 * the thread that may change this executor. */
static gboolean
check_dependencies (JrExecutor         *self,
                    const JrJobOptions *options)
{
  if (options == NULL)
    return TRUE;
  for (guint i = 0; i < options->dependencies->len; i++)
    {
      JrFuture *dependency = g_ptr_array_index (options->dependencies, i);

      if (jr_future_get_context (dependency) != jr_router_get_context (self->router))
        {
          g_critical ("jr_executor_submit_full: the job depends on the future of “%s”, which "
                      "belongs to another main context than the executor's: dependencies must "
                      "share its context", jr_future_get_job_name (dependency));
          return FALSE;
        }
    }
  return TRUE;
}

static JrFuture *
submit (JrExecutor          *self,
        const char          *job,
        GVariant            *args,
        JrJobKind            kind,
        const JrJobOptions  *options,
        GError             **error)
{
  g_autoptr(GVariant) owned_args = args != NULL ? g_variant_ref_sink (args) : NULL;
  const JrJobKindInfo *info;
  JrFuture *future;
  Task *task;

  if (!jr_executor_check_thread (self, "jr_executor_submit") ||
      !check_dependencies (self, options))
    return NULL;

  /* A worker process reads the arguments as untrusted data and drops
   * what is not in normal form (bytes read back from a file, a string
   * made without its nul): send the normal form. Free for values made
   * with g_variant_new(), which are trusted. */
  if (owned_args != NULL && !g_variant_is_normal_form (owned_args))
    {
      GVariant *normal = g_variant_get_normal_form (owned_args);

      g_variant_unref (owned_args);
      owned_args = normal;
    }

  info = check_submit (self, job, owned_args, error);
  if (info == NULL)
    return NULL;
  if (!group_may_run (self, info, error))
    return NULL;

  task = g_new0 (Task, 1);
  task->ref_count = 1;
  task->executor = self;
  task->entry.sequence = ++self->n_submitted;
  task->entry.index = JR_TASK_QUEUE_NOWHERE;
  task->job = g_intern_string (info->name);
  task->args = g_steal_pointer (&owned_args);
  task->anywhere = info->placement == JR_JOB_PLACEMENT_ANYWHERE;
  task->future = jr_future_new (info->name, kind);
  task->link.data = task;
  task->place = TASK_BLOCKED;
  if (options != NULL)
    {
      if (options->title != NULL)
        jr_future_set_title (task->future, options->title);
      task->entry.priority = options->priority;
      task->retries_left = options->max_retries;
      task->backoff_usec = MAX (options->first_backoff_usec, 1000);
    }
  g_queue_push_tail_link (&self->tasks, &task->link);
  /* Cancellable before it is listed: a handler of the model's
   * items-changed may cancel it, or shut the executor down (which ends
   * the task, and frees it but for the reference held here). */
  jr_future_set_cancel_func (task->future, jr_executor_on_future_cancel, task);
  g_object_ref (self);
  jr_executor_task_ref (task);
  jr_jobs_model_append (self->jobs, task->future, &task->model_place);

  /* The caller's reference; the task keeps its own until it is over. */
  future = g_object_ref (task->future);
  /* jr_executor_task_enqueue() may start workers, and a handler of what that
   * changes may shut the executor down. */
  if (task->place != TASK_ENDED &&
      (options == NULL || options->dependencies->len == 0 ||
       jr_executor_task_wait_for_dependencies (task, options->dependencies)))
    jr_executor_task_enqueue (task, FALSE);
  jr_executor_task_unref (task);
  g_object_unref (self);
  return future;
}

/**
 * jr_executor_submit_full:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @options: (nullable): kind, title, dependencies, retries, priority
 * @error: return location for an error
 *
 * Submits a job. Fails on the spot for an unknown or unavailable job
 * (%JR_JOB_ERROR_UNKNOWN_JOB, %JR_JOB_ERROR_UNAVAILABLE), arguments of the
 * wrong type, too large (%JR_JOB_ERROR_INVALID_ARGS: with the job's name
 * they must fit in %JR_MESSAGE_SIZE_MAX) or nested more deeply than GLib
 * accepts from another process (through variants), an executor that is stopping
 * (%JR_JOB_ERROR_STOPPED), or one with no group that may run it
 * (%JR_JOB_ERROR_NO_WORKER: every group of size 0, or a job that reads
 * local paths and no group that shares them).
 *
 * Arguments not in normal form (made from untrusted bytes) are sent in
 * their normal form, as GLib would read them.
 *
 * The future is added to [property@Jr.Executor:jobs] at once; however the
 * job ends, its future becomes done only when the executor's main context
 * next dispatches, never inside this call.
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_full (JrExecutor          *self,
                         const char          *job,
                         GVariant            *args,
                         const JrJobOptions  *options,
                         GError             **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, options ? options->kind : JR_JOB_KIND_CALL, options, error);
}

/**
 * jr_executor_submit_call:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job whose future gets one result.
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_call (JrExecutor  *self,
                         const char  *job,
                         GVariant    *args,
                         GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, JR_JOB_KIND_CALL, NULL, error);
}

/**
 * jr_executor_submit_progress:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job that reports progress with [method@Jr.Job.progress]: its
 * future's [property@Jr.Future:progress] and
 * [property@Jr.Future:progress-text] follow the reports.
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_progress (JrExecutor  *self,
                             const char  *job,
                             GVariant    *args,
                             GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, JR_JOB_KIND_PROGRESS, NULL, error);
}

/**
 * jr_executor_submit_iteration:
 * @self: a running executor
 * @job: the name of a registered job
 * @args: (nullable) (transfer floating): its arguments
 * @error: return location for an error
 *
 * Submits a job that yields values with [method@Jr.Job.yield]; each one is
 * emitted as [signal@Jr.Future::yielded]. The job still returns a final
 * value, its future's result (`()` when it has nothing more to say).
 *
 * Returns: (transfer full) (nullable): the job's future
 *
 * Since: 0.1
 */
JrFuture *
jr_executor_submit_iteration (JrExecutor  *self,
                              const char  *job,
                              GVariant    *args,
                              GError     **error)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (job != NULL, NULL);

  return submit (self, job, args, JR_JOB_KIND_ITERATION, NULL, error);
}

/* Cancels every job not cancelled yet. A handler of a cancel may call
 * this again: the futures are taken first, and cancelling one twice does
 * nothing. */
static void
cancel_all (JrExecutor *self)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = self->tasks.head; l != NULL; l = l->next)
    g_ptr_array_add (futures, g_object_ref (((Task *) l->data)->future));
  for (guint i = 0; i < futures->len; i++)
    jr_future_cancel (g_ptr_array_index (futures, i));
}

/**
 * jr_executor_stop:
 * @self: an executor
 *
 * Stops taking jobs and cancels every one not done, without waiting. The
 * state goes to STOPPING at once, then to STOPPED once every job has ended
 * and every worker is gone (while the main context runs). May be called
 * from any handler of the executor's signals or of its futures'.
 *
 * Since: 0.1
 */
void
jr_executor_stop (JrExecutor *self)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return;

  if (self->state != JR_EXECUTOR_STATE_RUNNING)
    return;

  g_object_ref (self);
  set_state (self, JR_EXECUTOR_STATE_STOPPING);
  cancel_all (self);
  /* STOPPED, if nothing is left to wait for, comes from the main context. */
  self->stop_pending = TRUE;
  g_object_unref (self);
}

static gboolean
is_stopped (gpointer data)
{
  JrExecutor *self = data;

  return self->state == JR_EXECUTOR_STATE_STOPPED || self->endings.length > 0;
}

static void
set_still_running_error (JrExecutor  *self,
                         gint64       timeout_usec,
                         GError     **error)
{
  guint n = self->tasks.length;

  if (n > 0)
    g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                 "%u job%s still running after %" G_GINT64_FORMAT " ms",
                 n, n == 1 ? "" : "s", timeout_usec / 1000);
  else if (self->transport == JR_TRANSPORT_THREADS)
    g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                 "Workers still running after %" G_GINT64_FORMAT " ms (a worker thread "
                 "whose job ignores its cancel cannot be stopped)", timeout_usec / 1000);
  else
    g_set_error (error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT,
                 "Workers still running after %" G_GINT64_FORMAT " ms (a worker process, or the "
                 "command that reaches it, has not ended yet)", timeout_usec / 1000);
}

/**
 * jr_executor_shutdown:
 * @self: an executor
 * @timeout_usec: how long to wait at most, in µs; negative for no limit
 * @error: return location for an error
 *
 * Stops the executor and drives its router by hand (no main loop needed)
 * until every job has ended — every future is done — and every worker is
 * gone. Jobs that ignore cancellation are killed after the grace period.
 * May be called again after a timeout, and from any handler of the
 * executor's signals or of its futures'. Call it on the thread that runs
 * the executor's main context, or while no thread runs it: from another
 * thread it fails at once with %G_IO_ERROR_WOULD_BLOCK (and a critical).
 *
 * Returns: %TRUE once STOPPED, or %FALSE with %JR_ROUTER_ERROR_TIMED_OUT
 *
 * Since: 0.1
 */
gboolean
jr_executor_shutdown (JrExecutor  *self,
                      gint64       timeout_usec,
                      GError     **error)
{
  gint64 deadline;
  gboolean stopped = FALSE;

  g_return_val_if_fail (JR_IS_EXECUTOR (self), FALSE);

  /* Another thread runs the executor's context: routing it from here
   * could only wait for that thread, or race it. */
  if (!jr_executor_check_thread (self, G_STRFUNC))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "The executor belongs to a main context that another thread runs");
      return FALSE;
    }

  g_object_ref (self);
  jr_executor_stop (self);
  /* Called from a handler of a stop's cancel, the stop has not reached
   * every job yet: reach them here, or this would wait for them. */
  cancel_all (self);
  deadline = jr_deadline_after (timeout_usec);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 slice;

      jr_executor_deliver_endings (self);
      if (self->state == JR_EXECUTOR_STATE_STOPPED)
        {
          stopped = TRUE;
          break;
        }

      slice = MAX (MIN (deadline - g_get_monotonic_time (), 50 * 1000), 0);
      if (!jr_router_route_until (self->router, is_stopped, self, slice, &local_error) &&
          !g_error_matches (local_error, JR_ROUTER_ERROR, JR_ROUTER_ERROR_TIMED_OUT))
        {
          /* The router stopped under us: only the state tells. */
          jr_executor_deliver_endings (self);
          stopped = self->state == JR_EXECUTOR_STATE_STOPPED;
          if (!stopped)
            g_propagate_error (error, g_steal_pointer (&local_error));
          break;
        }
      jr_executor_enforce_due_graces (self);
      for (guint i = 0; i < self->groups->len; i++)
        jr_worker_pool_poll (((Group *) g_ptr_array_index (self->groups, i))->pool);
      if (g_get_monotonic_time () >= deadline)
        {
          jr_executor_deliver_endings (self);
          stopped = self->state == JR_EXECUTOR_STATE_STOPPED;
          if (!stopped)
            set_still_running_error (self, timeout_usec, error);
          break;
        }
    }
  g_object_unref (self);
  return stopped;
}

/**
 * jr_executor_get_state:
 * @self: an executor
 *
 * Gets where the executor is in its life: see
 * [property@Jr.Executor:state].
 *
 * Returns: the executor's state
 *
 * Since: 0.1
 */
JrExecutorState
jr_executor_get_state (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), JR_EXECUTOR_STATE_STOPPED);
  return self->state;
}

/**
 * jr_executor_get_jobs:
 * @self: an executor
 *
 * Gets the jobs not yet done, as their futures: see
 * [property@Jr.Executor:jobs].
 *
 * Returns: (transfer none): a list model of the [class@Jr.Future]s not yet
 *   done, in submission order; a future leaves it when it becomes done, at
 *   a dispatch of the executor's main context (never inside a call of
 *   yours), so a loop over it that cancels every job sees every job
 *
 * Since: 0.1
 */
GListModel *
jr_executor_get_jobs (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

/**
 * jr_executor_get_transport:
 * @self: an executor
 *
 * Gets where the workers run: processes or threads.
 *
 * Returns: where the workers run
 *
 * Since: 0.1
 */
JrTransport
jr_executor_get_transport (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), JR_TRANSPORT_THREADS);
  return self->transport;
}

/**
 * jr_executor_get_max_workers:
 * @self: an executor
 *
 * Gets the size the pool was made with: the number given, or the number
 * of processors chosen for 0. [method@Jr.Executor.get_group_size] tells
 * the size of each group now ("local" for this one).
 *
 * Returns: the size the pool was made with
 *
 * Since: 0.1
 */
guint
jr_executor_get_max_workers (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  return self->max_workers;
}

/**
 * jr_executor_get_n_workers:
 * @self: an executor
 *
 * Gets how many workers are up. It is below
 * [method@Jr.Executor.get_max_workers] while workers start, after a crash
 * until the new worker is up, and once workers cannot start.
 *
 * Returns: how many worker processes or threads take jobs right now
 *
 * Since: 0.1
 */
guint
jr_executor_get_n_workers (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), 0);
  guint n = 0;

  /* Up, and not on their way out: a worker still starting (a process
   * before its READY, a connection being made) takes no job yet. */
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (!slot->retiring && jr_pool_worker_is_ready (slot->worker))
        n++;
    }
  return n;
}

/**
 * jr_executor_get_worker_error:
 * @self: an executor
 *
 * Gets why no worker could be started, while that is so: see
 * [property@Jr.Executor:worker-error].
 *
 * Returns: (transfer none) (nullable): why no worker could be started, or
 *   %NULL; see [property@Jr.Executor:worker-error]
 *
 * Since: 0.2
 */
const GError *
jr_executor_get_worker_error (JrExecutor *self)
{
  g_return_val_if_fail (JR_IS_EXECUTOR (self), NULL);
  return self->worker_error;
}

/**
 * jr_executor_set_cancel_grace:
 * @self: an executor
 * @grace_usec: how long a cancelled job may take to stop before its worker
 *   is killed (default 3 s)
 *
 * Sets how long a cancelled job has to return once its cancellable fired.
 * A worker process whose job is still running after that is killed and
 * replaced. A thread cannot be killed: its future ends
 * %JR_FUTURE_STATE_CANCELLED after the grace period, a new thread takes
 * its place, and the old one finishes in its own time, its messages
 * dropped.
 *
 * Since: 0.1
 */
void
jr_executor_set_cancel_grace (JrExecutor *self,
                              gint64      grace_usec)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return;
  self->cancel_grace = MAX (grace_usec, 0);
}

/**
 * jr_executor_set_worker_nice:
 * @self: an executor
 * @nice: the nice value of the workers (default 10; 0 keeps the parent's
 *   priority)
 *
 * Workers run at a lower CPU priority than the GUI so that a busy pool
 * cannot starve the window. Applies to running workers and later ones.
 *
 * Since: 0.1
 */
void
jr_executor_set_worker_nice (JrExecutor *self,
                             int         nice)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return;
  self->worker_nice = CLAMP (nice, 0, 19);
  for (guint i = 0; i < self->groups->len; i++)
    jr_worker_pool_set_priority (((Group *) g_ptr_array_index (self->groups, i))->pool,
                                 self->worker_nice, self->worker_idle);
}

/**
 * jr_executor_set_worker_idle:
 * @self: an executor
 * @idle: whether workers run under SCHED_IDLE
 *
 * With SCHED_IDLE (Linux) the workers run only when nothing else wants the
 * processor, as desktop indexers do: a GUI stays smoothest, at some cost in
 * the pool's throughput while the GUI is busy. Off by default. Applies to
 * running workers and later ones.
 *
 * Since: 0.1
 */
void
jr_executor_set_worker_idle (JrExecutor *self,
                             gboolean    idle)
{
  g_return_if_fail (JR_IS_EXECUTOR (self));
  if (!jr_executor_check_thread (self, G_STRFUNC))
    return;
  self->worker_idle = !!idle;
  for (guint i = 0; i < self->groups->len; i++)
    jr_worker_pool_set_priority (((Group *) g_ptr_array_index (self->groups, i))->pool,
                                 self->worker_nice, self->worker_idle);
}
