/* strata-feature-controller.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "analysis/strata-sections-export.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-model-registry.h"
#include "strata-feature-controller.h"
#include "strata-export.h"
#include "strata-task-slot.h"

#define MAX_MATCHES 64
#define STEP_EPSILON 0.02     /* s: a match starting this close to the playhead is "here" */

struct _StrataFeatureController
{
  GObject parent_instance;

  StrataEngine *engine;
  StrataTimeline *timeline;
  StrataSectionRibbon *ribbon;                 /* owned by the timeline */
  StrataFeatureLane *lanes[STRATA_N_LEVELS];    /* owned by the timeline */

  StrataTrack *track;              /* (nullable) */
  StrataModel *model;              /* (nullable) */
  gboolean model_missing;          /* the default model could not be loaded */
  char *model_error;               /* (nullable) why */
  StrataFeatureMaps *maps;         /* (nullable) */
  StrataTaskSlot slot;             /* the model or features job of this track */

  StrataFeatureMode mode;
  char *condition;                 /* "" = none */
  char *status;
  gboolean visible[STRATA_N_LEVELS];
  gint64 last_gesture_end;         /* monotonic µs of the last click or selection end */
  GArray *markers;                 /* StrataMarker: written with the sections */

  /* The similarity search: the query, its level and what it found. */
  int search_level;                /* -1: no search shown */
  double query_start, query_end;   /* seconds */
  double threshold;
  GArray *matches;                 /* (element-type StrataMatch) seconds, by start time */
  char *search_status;
};

enum {
  PROP_0,
  PROP_MODE,
  PROP_CONDITION,
  PROP_COARSE_VISIBLE,
  PROP_MEDIUM_VISIBLE,
  PROP_FINE_VISIBLE,
  PROP_STATUS,
  PROP_TAGS,
  PROP_HAS_FEATURES,
  PROP_THRESHOLD,
  PROP_SEARCH_STATUS,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_MATCHES_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataFeatureController, strata_feature_controller, G_TYPE_OBJECT)

static void start (StrataFeatureController *self);

/* ---- state shown in the lanes --------------------------------------------- */

static void
set_status (StrataFeatureController *self, const char *status)
{
  if (g_strcmp0 (self->status, status) == 0)
    return;
  g_free (self->status);
  self->status = g_strdup (status ? status : "");
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    strata_feature_lane_set_message (self->lanes[l], self->status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_maps (StrataFeatureController *self, StrataFeatureMaps *maps)
{
  gboolean had = self->maps != NULL;
  guint n = 0;
  const StrataSection *sections = NULL;

  if (self->maps != maps)
    {
      g_clear_pointer (&self->maps, strata_feature_maps_unref);
      if (maps)
        self->maps = strata_feature_maps_ref (maps);
    }
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    strata_feature_lane_set_maps (self->lanes[l], maps);
  if (maps)
    sections = strata_feature_maps_get_sections (maps, &n);
  strata_section_ribbon_set_sections (self->ribbon, sections, n);
  strata_feature_controller_clear_matches (self);
  if (had != (maps != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_FEATURES]);
}

/* ---- jobs ------------------------------------------------------------------ */

static void
features_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataFeatureController *self = owner;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataFeatureMaps) maps = strata_features_job_finish (STRATA_ENGINE (source), result,
                                                                  &error);

  if (!current)
    return;
  if (maps != NULL)
    {
      set_maps (self, maps);
      set_status (self, "");
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, _("Feature extraction cancelled"));
  else
    set_status (self, error->message);
}

static void
start_features (StrataFeatureController *self)
{
  const char *cond[2] = { self->condition, NULL };

  GCancellable *cancellable = strata_task_slot_restart (&self->slot);

  set_status (self, _("Computing features…"));
  strata_features_job_async (self->engine, self->model, self->track, 0,
                             self->condition[0] ? cond : NULL, cancellable,
                             strata_task_slot_ready,
                             strata_task_slot_bind (&self->slot, self, features_done_cb));
}

static void
model_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataFeatureController *self = owner;
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_model_registry_get_finish (STRATA_ENGINE (source), result, &error);

  if (!current)
    {
      /* Keep a model that arrived late all the same. */
      if (model != NULL && self->model == NULL)
        {
          self->model = model;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
        }
      else if (model != NULL)
        strata_model_unref (model);
      return;
    }
  if (model != NULL)
    {
      self->model = model;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
      start_features (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, _("Feature extraction cancelled"));
  else
    {
      self->model_missing = TRUE;
      g_free (self->model_error);
      if (g_error_matches (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_NOT_FOUND))
        self->model_error = g_strdup (_("No model installed: the feature strata need the foundation model (strata-foundation.safetensors)"));
      else
        self->model_error = g_strdup (error->message);
      set_status (self, self->model_error);
    }
}

/* Cancels what runs and starts over for the current track, model and
 * condition. */
static void
start (StrataFeatureController *self)
{
  strata_task_slot_drop (&self->slot);
  set_maps (self, NULL);

  if (self->track == NULL)
    {
      set_status (self, "");
      return;
    }
  if (self->model != NULL)
    start_features (self);
  else if (self->model_missing)
    set_status (self, self->model_error);
  else
    {
      GCancellable *cancellable = strata_task_slot_restart (&self->slot);

      set_status (self, _("Loading the model…"));
      strata_model_registry_get_async (self->engine, &strata_foundation_model_kind, NULL,
                                       cancellable, strata_task_slot_ready,
                                       strata_task_slot_bind (&self->slot, self, model_done_cb));
    }
}

/* A double-clicked section becomes the selection, as if dragged (the
 * window loops it); no stratum lane was pressed, so no search runs. */
static void
section_activated_cb (StrataFeatureController *self, double start, double end)
{
  strata_viewport_set_selection (strata_timeline_get_viewport (self->timeline), start, end);
  self->last_gesture_end = g_get_monotonic_time ();
  g_signal_emit_by_name (self->timeline, "selection-finished");
}

/* ---- selection → similar passages -------------------------------------------- */

static void
seek_cb (StrataFeatureController *self)
{
  self->last_gesture_end = g_get_monotonic_time ();
}

static void
selection_finished_cb (StrataFeatureController *self)
{
  StrataFeatureLane *pressed = NULL;

  /* The stratum lane pressed since the last gesture ended is where this
   * selection was dragged. */
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      gint64 t = strata_feature_lane_get_press_time (self->lanes[l]);
      if (t > self->last_gesture_end
          && (pressed == NULL || t > strata_feature_lane_get_press_time (pressed)))
        pressed = self->lanes[l];
    }
  self->last_gesture_end = g_get_monotonic_time ();
  if (pressed != NULL)
    strata_feature_controller_find_similar (self, strata_feature_lane_get_level (pressed));
}

static int
compare_start (gconstpointer a, gconstpointer b)
{
  const StrataMatch *ma = a, *mb = b;
  return (ma->start > mb->start) - (ma->start < mb->start);
}

static const char *
level_adjective (StrataLevel level)
{
  switch (level)
    {
    case STRATA_LEVEL_COARSE:
      return C_("stratum", "coarse");
    case STRATA_LEVEL_MEDIUM:
      return C_("stratum", "medium");
    case STRATA_LEVEL_FINE:
    default:
      return C_("stratum", "fine");
    }
}

static void
set_search_status (StrataFeatureController *self, char *status /* (transfer full) */)
{
  if (g_strcmp0 (self->search_status, status) == 0)
    {
      g_free (status);
      return;
    }
  g_free (self->search_status);
  self->search_status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_STATUS]);
}

/* Runs the stored query at the current threshold: outlines, list, count. */
static void
run_search (StrataFeatureController *self)
{
  StrataMatch found[MAX_MATCHES];
  guint n = 0;

  g_array_set_size (self->matches, 0);
  if (self->search_level >= 0 && self->maps != NULL)
    n = strata_feature_maps_find_similar_full (self->maps, self->search_level, self->query_start,
                                               self->query_end, self->threshold, MAX_MATCHES,
                                               found);
  g_array_append_vals (self->matches, found, n);
  g_array_sort (self->matches, compare_start);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    strata_feature_lane_set_matches (self->lanes[l], found, self->search_level == l ? n : 0);

  if (self->search_level < 0)
    set_search_status (self, g_strdup (""));
  else if (n == 0)
    set_search_status (self, g_strdup (_("No similar passages at this stratum — try a shorter "
                                         "selection or another stratum")));
  else
    /* Translators: e.g. "7 similar passages at the medium stratum"; %s is
     * the stratum ("coarse", "medium", "fine") */
    set_search_status (self, g_strdup_printf (ngettext ("%u similar passage at the %s stratum",
                                                        "%u similar passages at the %s stratum", n),
                                              n, level_adjective (self->search_level)));
  g_signal_emit (self, signals[SIGNAL_MATCHES_CHANGED], 0);
}

/* A selection other than the searched one (a new drag, or none after
 * Escape) takes the old matches away. */
static void
viewport_selection_changed_cb (StrataFeatureController *self)
{
  StrataViewport *vp = strata_timeline_get_viewport (self->timeline);
  double a, b;

  if (self->search_level < 0)
    return;
  if (strata_viewport_get_selection (vp, &a, &b)
      && MIN (a, b) == self->query_start && MAX (a, b) == self->query_end)
    return;
  strata_feature_controller_clear_matches (self);
}

/**
 * strata_feature_controller_find_similar:
 * @self: a #StrataFeatureController
 * @level: the stratum to compare at
 *
 * Outlines in @level's lane the passages most like the viewport's
 * selection at that stratum, scoring at least #StrataFeatureController:threshold
 * (and clears the other lanes' outlines); the matches are listed by
 * strata_feature_controller_get_matches() and counted in
 * #StrataFeatureController:search-status. Without a selection it clears.
 *
 * Returns: the number of passages found
 */
guint
strata_feature_controller_find_similar (StrataFeatureController *self, StrataLevel level)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), 0);
  g_return_val_if_fail (level >= 0 && level < STRATA_N_LEVELS, 0);

  StrataViewport *vp = strata_timeline_get_viewport (self->timeline);
  double a, b;

  if (self->maps == NULL || !strata_viewport_get_selection (vp, &a, &b) || a == b)
    {
      strata_feature_controller_clear_matches (self);
      return 0;
    }
  self->search_level = level;
  self->query_start = MIN (a, b);
  self->query_end = MAX (a, b);
  run_search (self);
  return self->matches->len;
}

/**
 * strata_feature_controller_clear_matches:
 * @self: a #StrataFeatureController
 *
 * Forgets the similarity search: no outlines, no list, no count.
 */
void
strata_feature_controller_clear_matches (StrataFeatureController *self)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));

  if (self->search_level < 0 && self->matches->len == 0)
    return;
  self->search_level = -1;
  run_search (self);
}

/**
 * strata_feature_controller_get_matches:
 * @self: a #StrataFeatureController
 * @n_matches: (out): how many
 * @level: (out) (optional): the stratum searched, -1 when none
 *
 * Returns: (transfer none) (array length=n_matches): the passages found by
 *   the last search, in seconds, in time order
 */
const StrataMatch *
strata_feature_controller_get_matches (StrataFeatureController *self, guint *n_matches,
                                       int *level)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  g_return_val_if_fail (n_matches != NULL, NULL);

  *n_matches = self->matches->len;
  if (level)
    *level = self->search_level;
  return (const StrataMatch *) self->matches->data;
}

/**
 * strata_feature_controller_step_match:
 * @self: a #StrataFeatureController
 * @from: the time to step from (the playhead), seconds
 * @forward: the next match after @from, else the one before (wrapping round)
 *
 * Returns: the index of that match in strata_feature_controller_get_matches(),
 *   or -1 when there are none
 */
int
strata_feature_controller_step_match (StrataFeatureController *self, double from,
                                      gboolean forward)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), -1);

  int n = (int) self->matches->len;

  if (n == 0)
    return -1;
  if (forward)
    {
      for (int i = 0; i < n; i++)
        if (g_array_index (self->matches, StrataMatch, i).start > from + STEP_EPSILON)
          return i;
      return 0;
    }
  for (int i = n - 1; i >= 0; i--)
    if (g_array_index (self->matches, StrataMatch, i).start < from - STEP_EPSILON)
      return i;
  return n - 1;
}

/**
 * strata_feature_controller_set_threshold:
 * @self: a #StrataFeatureController
 * @threshold: the cosine similarity a match needs, 0..1
 *
 * Re-runs the shown search with the new threshold (outlines, list and
 * count follow at once: the search is a few passes over the features).
 */
void
strata_feature_controller_set_threshold (StrataFeatureController *self, double threshold)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));

  threshold = CLAMP (threshold, 0.0, 1.0);
  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
  if (self->search_level >= 0)
    run_search (self);
}

/**
 * strata_feature_controller_get_threshold:
 * @self: a #StrataFeatureController
 *
 * Returns: the cosine similarity a match needs
 */
double
strata_feature_controller_get_threshold (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), 0.0);
  return self->threshold;
}

/**
 * strata_feature_controller_get_search_status:
 * @self: a #StrataFeatureController
 *
 * Returns: what the last search found, in words ("7 similar passages at
 *   the medium stratum", or that there are none); "" without a search
 */
const char *
strata_feature_controller_get_search_status (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  return self->search_status;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
strata_feature_controller_dispose (GObject *object)
{
  StrataFeatureController *self = STRATA_FEATURE_CONTROLLER (object);

  strata_task_slot_drop (&self->slot);
  if (self->timeline)
    {
      g_signal_handlers_disconnect_by_data (strata_timeline_get_viewport (self->timeline), self);
      g_signal_handlers_disconnect_by_data (self->timeline, self);
    }
  g_clear_object (&self->timeline);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->maps, strata_feature_maps_unref);
  g_clear_pointer (&self->track, strata_track_unref);
  g_clear_pointer (&self->model, strata_model_unref);
  G_OBJECT_CLASS (strata_feature_controller_parent_class)->dispose (object);
}

static void
strata_feature_controller_finalize (GObject *object)
{
  StrataFeatureController *self = STRATA_FEATURE_CONTROLLER (object);

  g_free (self->condition);
  g_free (self->status);
  g_free (self->model_error);
  g_array_unref (self->markers);
  g_free (self->search_status);
  g_clear_pointer (&self->matches, g_array_unref);
  G_OBJECT_CLASS (strata_feature_controller_parent_class)->finalize (object);
}

static GStrv
dup_tags (StrataFeatureController *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; self->model && i < strata_model_get_n_tags (self->model); i++)
    g_strv_builder_add (b, strata_model_get_tag_name (self->model, i));
  return g_strv_builder_end (b);
}

static void
strata_feature_controller_get_property (GObject *object, guint prop_id, GValue *value,
                                        GParamSpec *pspec)
{
  StrataFeatureController *self = STRATA_FEATURE_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_CONDITION:
      g_value_set_string (value, self->condition);
      break;
    case PROP_COARSE_VISIBLE:
    case PROP_MEDIUM_VISIBLE:
    case PROP_FINE_VISIBLE:
      g_value_set_boolean (value, self->visible[prop_id - PROP_COARSE_VISIBLE]);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_TAGS:
      g_value_take_boxed (value, dup_tags (self));
      break;
    case PROP_HAS_FEATURES:
      g_value_set_boolean (value, self->maps != NULL);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_SEARCH_STATUS:
      g_value_set_string (value, self->search_status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_feature_controller_set_property (GObject *object, guint prop_id, const GValue *value,
                                        GParamSpec *pspec)
{
  StrataFeatureController *self = STRATA_FEATURE_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      strata_feature_controller_set_mode (self, g_value_get_enum (value));
      break;
    case PROP_CONDITION:
      strata_feature_controller_set_condition (self, g_value_get_string (value));
      break;
    case PROP_COARSE_VISIBLE:
    case PROP_MEDIUM_VISIBLE:
    case PROP_FINE_VISIBLE:
      strata_feature_controller_set_level_visible (self, prop_id - PROP_COARSE_VISIBLE,
                                                   g_value_get_boolean (value));
      break;
    case PROP_THRESHOLD:
      strata_feature_controller_set_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_feature_controller_class_init (StrataFeatureControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = strata_feature_controller_dispose;
  object_class->finalize = strata_feature_controller_finalize;
  object_class->get_property = strata_feature_controller_get_property;
  object_class->set_property = strata_feature_controller_set_property;

  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, STRATA_TYPE_FEATURE_MODE,
                                             STRATA_FEATURE_MODE_DEFAULT, rw);
  properties[PROP_CONDITION] = g_param_spec_string ("condition", NULL, NULL, "", rw);
  properties[PROP_COARSE_VISIBLE] = g_param_spec_boolean ("coarse-visible", NULL, NULL, TRUE, rw);
  properties[PROP_MEDIUM_VISIBLE] = g_param_spec_boolean ("medium-visible", NULL, NULL, TRUE, rw);
  properties[PROP_FINE_VISIBLE] = g_param_spec_boolean ("fine-visible", NULL, NULL, TRUE, rw);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, "", ro);
  properties[PROP_TAGS] = g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_HAS_FEATURES] = g_param_spec_boolean ("has-features", NULL, NULL, FALSE, ro);
  properties[PROP_THRESHOLD] = g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0,
                                                    STRATA_FEATURE_SIMILAR_MIN_SCORE, rw);
  properties[PROP_SEARCH_STATUS] = g_param_spec_string ("search-status", NULL, NULL, "", ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StrataFeatureController::matches-changed:
   *
   * The similarity search's matches changed (a new search, another
   * threshold, or cleared).
   */
  signals[SIGNAL_MATCHES_CHANGED] =
    g_signal_new ("matches-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
strata_feature_controller_init (StrataFeatureController *self)
{
  strata_task_slot_init (&self->slot);
  self->condition = g_strdup ("");
  self->status = g_strdup ("");
  self->markers = g_array_new (FALSE, FALSE, sizeof (StrataMarker));
  g_array_set_clear_func (self->markers, strata_marker_clear);
  self->search_status = g_strdup ("");
  self->search_level = -1;
  self->mode = STRATA_FEATURE_MODE_DEFAULT;
  self->threshold = STRATA_FEATURE_SIMILAR_MIN_SCORE;
  self->matches = g_array_new (FALSE, FALSE, sizeof (StrataMatch));
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    self->visible[l] = TRUE;
}

/**
 * strata_feature_controller_new:
 * @engine: the engine that runs the jobs
 * @timeline: the timeline to add the lanes to
 *
 * Appends the section ribbon and the coarse, medium and fine lanes to
 * @timeline.
 *
 * Returns: (transfer full): the controller
 */
StrataFeatureController *
strata_feature_controller_new (StrataEngine *engine, StrataTimeline *timeline)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (STRATA_IS_TIMELINE (timeline), NULL);

  StrataFeatureController *self = g_object_new (STRATA_TYPE_FEATURE_CONTROLLER, NULL);
  StrataLane *ribbon = strata_section_ribbon_new ();

  self->engine = g_object_ref (engine);
  self->timeline = g_object_ref (timeline);
  self->ribbon = STRATA_SECTION_RIBBON (ribbon);
  g_signal_connect_swapped (ribbon, "section-activated", G_CALLBACK (section_activated_cb), self);
  strata_timeline_add_lane (timeline, ribbon);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      StrataLane *lane = strata_feature_lane_new (l);
      self->lanes[l] = STRATA_FEATURE_LANE (lane);
      strata_timeline_add_lane (timeline, lane);
    }
  g_signal_connect_swapped (timeline, "selection-finished", G_CALLBACK (selection_finished_cb), self);
  g_signal_connect_swapped (timeline, "seek", G_CALLBACK (seek_cb), self);
  g_signal_connect_swapped (strata_timeline_get_viewport (timeline), "selection-changed",
                            G_CALLBACK (viewport_selection_changed_cb), self);
  return self;
}

/**
 * strata_feature_controller_set_track:
 * @self: a #StrataFeatureController
 * @track: (nullable) (transfer none): the track
 *
 * Shows @track's features, computing them in the background.
 */
void
strata_feature_controller_set_track (StrataFeatureController *self, StrataTrack *track)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));

  if (track != NULL)
    strata_track_ref (track);
  g_clear_pointer (&self->track, strata_track_unref);
  self->track = track;
  start (self);
}

/**
 * strata_feature_controller_set_model:
 * @self: a #StrataFeatureController
 * @model: (transfer none): the model to use instead of the default one
 *
 * Uses @model from now on and recomputes the current track's features.
 */
void
strata_feature_controller_set_model (StrataFeatureController *self, StrataModel *model)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  g_return_if_fail (model != NULL);

  strata_model_ref (model);
  g_clear_pointer (&self->model, strata_model_unref);
  self->model = model;
  self->model_missing = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
  if (self->track)
    start (self);
}

/**
 * strata_feature_controller_cancel:
 * @self: a #StrataFeatureController
 *
 * Cancels the running model or features job (the lanes say so).
 */
void
strata_feature_controller_cancel (StrataFeatureController *self)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  strata_task_slot_cancel (&self->slot);
}

/**
 * strata_feature_controller_get_lane:
 * @self: a #StrataFeatureController
 * @level: a stratum
 *
 * Returns: (transfer none): the lane of @level
 */
StrataFeatureLane *
strata_feature_controller_get_lane (StrataFeatureController *self, StrataLevel level)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  g_return_val_if_fail (level >= 0 && level < STRATA_N_LEVELS, NULL);
  return self->lanes[level];
}

/**
 * strata_feature_controller_get_ribbon:
 * @self: a #StrataFeatureController
 *
 * Returns: (transfer none): the section ribbon
 */
StrataSectionRibbon *
strata_feature_controller_get_ribbon (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  return self->ribbon;
}

/**
 * strata_feature_controller_get_maps:
 * @self: a #StrataFeatureController
 *
 * Returns: (transfer none) (nullable): the shown features
 */
StrataFeatureMaps *
strata_feature_controller_get_maps (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  return self->maps;
}

/**
 * strata_feature_controller_get_status:
 * @self: a #StrataFeatureController
 *
 * Returns: what the lanes say ("" while features are shown)
 */
const char *
strata_feature_controller_get_status (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  return self->status;
}

/**
 * strata_feature_controller_get_has_features:
 * @self: a #StrataFeatureController
 *
 * Returns: whether features are shown
 */
gboolean
strata_feature_controller_get_has_features (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), FALSE);
  return self->maps != NULL;
}

/**
 * strata_feature_controller_set_mode:
 * @self: a #StrataFeatureController
 * @mode: heatmap, token map or PCA ribbon
 *
 * Sets how every stratum lane draws.
 */
void
strata_feature_controller_set_mode (StrataFeatureController *self, StrataFeatureMode mode)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));

  if (self->mode == mode)
    return;
  self->mode = mode;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    strata_feature_lane_set_mode (self->lanes[l], mode);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

/**
 * strata_feature_controller_get_mode:
 * @self: a #StrataFeatureController
 *
 * Returns: how the stratum lanes draw
 */
StrataFeatureMode
strata_feature_controller_get_mode (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), STRATA_FEATURE_MODE_HEATMAP);
  return self->mode;
}

/**
 * strata_feature_controller_set_condition:
 * @self: a #StrataFeatureController
 * @tag: (nullable): a tag of the model; %NULL or "" for none
 *
 * Recomputes the features conditioned on @tag.
 */
void
strata_feature_controller_set_condition (StrataFeatureController *self, const char *tag)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));

  if (tag == NULL)
    tag = "";
  if (g_strcmp0 (self->condition, tag) == 0)
    return;
  g_free (self->condition);
  self->condition = g_strdup (tag);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDITION]);
  if (self->track)
    start (self);
}

/**
 * strata_feature_controller_get_condition:
 * @self: a #StrataFeatureController
 *
 * Returns: the tag conditioned on, "" for none
 */
const char *
strata_feature_controller_get_condition (StrataFeatureController *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), NULL);
  return self->condition;
}

/**
 * strata_feature_controller_set_level_visible:
 * @self: a #StrataFeatureController
 * @level: a stratum
 * @visible: show it
 *
 * Shows or hides @level's lane (and its label).
 */
void
strata_feature_controller_set_level_visible (StrataFeatureController *self, StrataLevel level,
                                             gboolean visible)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  g_return_if_fail (level >= 0 && level < STRATA_N_LEVELS);

  GtkWidget *lane = GTK_WIDGET (self->lanes[level]);
  GtkWidget *label = gtk_widget_get_prev_sibling (lane);

  visible = !!visible;
  if (self->visible[level] == visible)
    return;
  self->visible[level] = visible;
  gtk_widget_set_visible (lane, visible);
  /* The timeline attaches each lane right after its label. */
  if (GTK_IS_LABEL (label))
    gtk_widget_set_visible (label, visible);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COARSE_VISIBLE + level]);
}

/**
 * strata_feature_controller_get_level_visible:
 * @self: a #StrataFeatureController
 * @level: a stratum
 *
 * Returns: whether @level's lane is shown
 */
gboolean
strata_feature_controller_get_level_visible (StrataFeatureController *self, StrataLevel level)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), FALSE);
  g_return_val_if_fail (level >= 0 && level < STRATA_N_LEVELS, FALSE);
  return self->visible[level];
}

/* The section ribbon and the visible stratum lanes, stacked, as drawn now;
 * NULL with @error set when they are not shown. (transfer full) */
static GdkTexture *
render_lanes (StrataFeatureController *self, GError **error)
{
  StrataLane *rows[1 + STRATA_N_LEVELS];
  cairo_surface_t *surfaces[1 + STRATA_N_LEVELS];
  int n = 0, width = 0, height = 0, y = 0;
  cairo_surface_t *out;
  cairo_t *cr;
  GdkTexture *texture;

  rows[n++] = STRATA_LANE (self->ribbon);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    if (self->visible[l])
      rows[n++] = STRATA_LANE (self->lanes[l]);
  for (int i = 0; i < n; i++)
    {
      if (gtk_widget_get_width (GTK_WIDGET (rows[i])) <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                       _("The feature lanes are not shown: nothing to export"));
          for (int j = 0; j < i; j++)
            cairo_surface_destroy (surfaces[j]);
          return NULL;
        }
      surfaces[i] = strata_lane_render_surface (rows[i]);
      width = MAX (width, cairo_image_surface_get_width (surfaces[i]));
      height += cairo_image_surface_get_height (surfaces[i]) + (i ? 1 : 0);
    }

  out = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (out);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  for (int i = 0; i < n; i++)
    {
      cairo_set_source_surface (cr, surfaces[i], 0, y);
      cairo_paint (cr);
      y += cairo_image_surface_get_height (surfaces[i]) + 1;
      cairo_surface_destroy (surfaces[i]);
    }
  cairo_destroy (cr);
  cairo_surface_flush (out);
  {
    g_autoptr(GBytes) pixels = g_bytes_new (cairo_image_surface_get_data (out),
                                            (gsize) cairo_image_surface_get_stride (out) * height);
    texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, pixels,
                                      cairo_image_surface_get_stride (out));
  }
  cairo_surface_destroy (out);
  return texture;
}

static const char *
track_path (StrataFeatureController *self)
{
  return self->track ? strata_track_get_path (self->track) : NULL;
}

/**
 * strata_feature_controller_export_png:
 * @self: a #StrataFeatureController
 * @file: the PNG file to write
 * @error: return location for a #GError
 *
 * Writes the section ribbon and the visible stratum lanes, stacked, as
 * drawn now (the visible time range, the current mode), on the calling
 * thread; the window uses strata_feature_controller_export_png_async().
 *
 * Returns: %TRUE on success
 */
gboolean
strata_feature_controller_export_png (StrataFeatureController *self, GFile *file, GError **error)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  g_autoptr(GdkTexture) texture = render_lanes (self, error);
  return texture != NULL && _strata_export_write_png (texture, file, track_path (self), error);
}

/**
 * strata_feature_controller_export_png_async:
 * @self: a #StrataFeatureController
 * @file: the PNG file to write
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread when the file is written
 * @user_data: for @callback
 *
 * Renders the lanes now (main thread), then encodes and writes the PNG on
 * the engine's I/O queue.
 */
void
strata_feature_controller_export_png_async (StrataFeatureController *self, GFile *file,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  g_return_if_fail (G_IS_FILE (file));
  GError *error = NULL;

  g_autoptr(GdkTexture) texture = render_lanes (self, &error);
  if (texture == NULL)
    {
      g_task_report_error (self->engine, callback, user_data, NULL, error);
      return;
    }
  _strata_export_png_async (self->engine, texture, file, track_path (self), cancellable,
                            callback, user_data);
}

/**
 * strata_feature_controller_export_npz:
 * @self: a #StrataFeatureController
 * @path: the .npz file to write
 * @error: return location for a #GError
 *
 * Writes the shown features as `strata-cli features` does.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_feature_controller_export_npz (StrataFeatureController *self, const char *path,
                                      GError **error)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->maps == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                   _("There are no features to export yet"));
      return FALSE;
    }
  const char *inputs[] = { track_path (self), NULL };
  return strata_features_write_npz (strata_feature_maps_get_features (self->maps), path, inputs,
                                    error);
}

/* Before the features exist an async export fails at once, saying so.
 * Returns %TRUE when it did. */
static gboolean
report_no_features (StrataFeatureController *self, GAsyncReadyCallback callback,
                    gpointer user_data)
{
  if (self->maps != NULL)
    return FALSE;
  g_task_report_new_error (self->engine, callback, user_data, NULL, G_IO_ERROR,
                           G_IO_ERROR_FAILED, "%s", _("There are no features to export yet"));
  return TRUE;
}

/**
 * strata_feature_controller_export_npz_async:
 * @self: a #StrataFeatureController
 * @path: the .npz file to write
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread when the file is written
 * @user_data: for @callback
 *
 * strata_feature_controller_export_npz() on the engine's I/O queue.
 */
void
strata_feature_controller_export_npz_async (StrataFeatureController *self, const char *path,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  g_return_if_fail (path != NULL);

  if (report_no_features (self, callback, user_data))
    return;
  _strata_export_npz_async (self->engine, strata_feature_maps_get_features (self->maps), path,
                            track_path (self), cancellable, callback, user_data);
}

/**
 * strata_feature_controller_export_sections_async:
 * @self: a #StrataFeatureController
 * @path: the file to write: CSV for ".csv", Audacity labels for ".txt"
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread when the file is written
 * @user_data: for @callback
 *
 * Writes the section ribbon's sections as `strata-cli sections --csv` or
 * `--audacity` does, on the engine's I/O queue (the few lines of text are
 * made here).
 */
void
strata_feature_controller_export_sections_async (StrataFeatureController *self, const char *path,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data)
{
  StrataSectionsFormat format;
  const StrataSection *sections;
  guint n_sections = 0;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  g_return_if_fail (path != NULL);

  if (report_no_features (self, callback, user_data))
    return;
  if (!strata_sections_format_for_path (path, &format) || format == STRATA_SECTIONS_JSON)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_task_report_new_error (self->engine, callback, user_data, NULL, G_IO_ERROR,
                               G_IO_ERROR_INVALID_FILENAME,
                               _("Cannot save “%s”: sections are saved as .csv or as Audacity "
                                 "labels (.txt)"), name);
      return;
    }
  sections = strata_feature_maps_get_sections (self->maps, &n_sections);
  bytes = strata_sections_markers_to_bytes (sections, n_sections,
                                            (const StrataMarker *) self->markers->data,
                                            self->markers->len, format,
                                            strata_feature_maps_get_features (self->maps)->model_version);
  _strata_export_bytes_async (self->engine, bytes, path, track_path (self), cancellable,
                              callback, user_data);
}

/**
 * strata_feature_controller_set_markers:
 * @self: a #StrataFeatureController
 * @markers: (array length=n_markers) (nullable): the user's markers, in time order (copied)
 * @n_markers: their number
 *
 * Markers written with the sections by
 * strata_feature_controller_export_sections_async().
 */
void
strata_feature_controller_set_markers (StrataFeatureController *self,
                                       const StrataMarker      *markers,
                                       guint                    n_markers)
{
  g_return_if_fail (STRATA_IS_FEATURE_CONTROLLER (self));
  g_array_set_size (self->markers, 0);
  for (guint i = 0; i < n_markers; i++)
    {
      StrataMarker m = { markers[i].time, g_strdup (markers[i].name) };
      g_array_append_val (self->markers, m);
    }
}

/**
 * strata_feature_controller_export_finish:
 * @self: a #StrataFeatureController
 * @result: the result given to the callback
 * @error: return location for an error naming the file
 *
 * Finishes any of the asynchronous exports.
 *
 * Returns: %TRUE when the file was written
 */
gboolean
strata_feature_controller_export_finish (StrataFeatureController *self, GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (self), FALSE);
  if (g_task_get_source_tag (G_TASK (result)) == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return _strata_export_finish (self->engine, result, error);
}
