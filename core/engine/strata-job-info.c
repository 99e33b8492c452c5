/* strata-job-info.c: a job as the main thread sees it (StrataJobInfo), so
 * that every job's progress is observable on its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "engine/strata-engine.h"
#include "engine/strata-engine-private.h"

struct _StrataJobInfo
{
  GObject parent_instance;
  char *kind;
  StrataEngineQueue queue;
  gboolean running;
  double fraction;
  char *stage;
};

G_DEFINE_FINAL_TYPE (StrataJobInfo, strata_job_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_QUEUE,
  PROP_RUNNING,
  PROP_FRACTION,
  PROP_STAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
strata_job_info_finalize (GObject *object)
{
  StrataJobInfo *self = STRATA_JOB_INFO (object);
  g_free (self->kind);
  g_free (self->stage);
  G_OBJECT_CLASS (strata_job_info_parent_class)->finalize (object);
}

static void
strata_job_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataJobInfo *self = STRATA_JOB_INFO (object);
  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_QUEUE:
      g_value_set_int (value, self->queue);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_STAGE:
      g_value_set_string (value, self->stage);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_job_info_class_init (StrataJobInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_job_info_finalize;
  object_class->get_property = strata_job_info_get_property;

  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUEUE] =
    g_param_spec_int ("queue", NULL, NULL, STRATA_ENGINE_QUEUE_COMPUTE, STRATA_ENGINE_QUEUE_IO,
                      STRATA_ENGINE_QUEUE_COMPUTE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STAGE] =
    g_param_spec_string ("stage", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_job_info_init (StrataJobInfo *self)
{
  self->stage = g_strdup ("");
}

StrataJobInfo *
_strata_job_info_new (const char *kind, StrataEngineQueue queue)
{
  StrataJobInfo *self = g_object_new (STRATA_TYPE_JOB_INFO, NULL);
  self->kind = g_strdup (kind);
  self->queue = queue;
  return self;
}

void
_strata_job_info_update (StrataJobInfo *self, gboolean running, double fraction,
                         const char *stage)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (stage != NULL && g_strcmp0 (self->stage, stage) != 0)
    {
      g_free (self->stage);
      self->stage = g_strdup (stage);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * strata_job_info_get_kind:
 * @info: a job
 *
 * Returns: (transfer none): the kind the job was started with
 */
const char *
strata_job_info_get_kind (StrataJobInfo *info)
{
  g_return_val_if_fail (STRATA_IS_JOB_INFO (info), NULL);
  return info->kind;
}

/**
 * strata_job_info_get_queue:
 * @info: a job
 *
 * Returns: the queue the job runs on
 */
StrataEngineQueue
strata_job_info_get_queue (StrataJobInfo *info)
{
  g_return_val_if_fail (STRATA_IS_JOB_INFO (info), STRATA_ENGINE_QUEUE_COMPUTE);
  return info->queue;
}

/**
 * strata_job_info_get_running:
 * @info: a job
 *
 * Returns: whether a worker has taken the job (FALSE while queued)
 */
gboolean
strata_job_info_get_running (StrataJobInfo *info)
{
  g_return_val_if_fail (STRATA_IS_JOB_INFO (info), FALSE);
  return info->running;
}

/**
 * strata_job_info_get_fraction:
 * @info: a job
 *
 * Returns: the job's last reported progress, 0..1
 */
double
strata_job_info_get_fraction (StrataJobInfo *info)
{
  g_return_val_if_fail (STRATA_IS_JOB_INFO (info), 0.0);
  return info->fraction;
}

/**
 * strata_job_info_get_stage:
 * @info: a job
 *
 * Returns: (transfer none): the job's last untranslated stage name ("" at
 *   first)
 */
const char *
strata_job_info_get_stage (StrataJobInfo *info)
{
  g_return_val_if_fail (STRATA_IS_JOB_INFO (info), NULL);
  return info->stage;
}
