/* strata-stem-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "playback/strata-stem-mixer.h"
#include "strata-stem-lane.h"
#include "strata-waveform-lane.h"

#define MIN_GAIN_DB -60.0

struct _StrataStemLane
{
  StrataLane parent_instance;

  char *id;
  const char *family;           /* static */
  StrataPeaks *peaks;           /* (nullable) (owned) */
  StrataAudio *audio;           /* (nullable) (owned) */
  StrataWaveformScratch scratch;
  GtkLabel *name_label;         /* in the header */

  double gain_db;
  double pan;
  gboolean mute;
  gboolean solo;
  gboolean selected;
};

enum { PROP_0, PROP_GAIN_DB, PROP_PAN, PROP_MUTE, PROP_SOLO, PROP_SELECTED, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (StrataStemLane, strata_stem_lane, STRATA_TYPE_LANE)

/* GNOME palette: orange 3, purple 3, red 3, green 4, yellow 5, dark 1. */
static const struct { const char *family; guint32 rgb; } family_colours[] = {
  { "drums", 0xff7800 }, { "bass", 0x9141ac }, { "guitar", 0xe01b24 },
  { "piano", 0x2ec27e }, { "vocals", 0xe5a50a }, { "other", 0x77767b },
};

/**
 * strata_stem_family_rgb:
 * @family: a stem family ("drums", ..., "other"; anything else is "other")
 * @rgb: (out caller-allocates) (array fixed-size=3): its colour
 */
void
strata_stem_family_rgb (const char *family, double rgb[3])
{
  guint32 c = family_colours[G_N_ELEMENTS (family_colours) - 1].rgb;

  for (guint i = 0; i < G_N_ELEMENTS (family_colours); i++)
    if (g_strcmp0 (family, family_colours[i].family) == 0)
      c = family_colours[i].rgb;
  rgb[0] = ((c >> 16) & 0xff) / 255.0;
  rgb[1] = ((c >> 8) & 0xff) / 255.0;
  rgb[2] = (c & 0xff) / 255.0;
}

static void
strata_stem_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                         double start_s, double s_per_px)
{
  StrataStemLane *self = STRATA_STEM_LANE (lane);
  double rgb[3];

  if (self->peaks == NULL)
    return;
  strata_stem_family_rgb (self->family, rgb);
  strata_waveform_paint (&self->scratch, cr, self->peaks, self->audio, width, height, start_s,
                         s_per_px, rgb);
}

static void
strata_stem_lane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataStemLane *self = STRATA_STEM_LANE (object);

  switch (prop_id)
    {
    case PROP_GAIN_DB:
      g_value_set_double (value, self->gain_db);
      break;
    case PROP_PAN:
      g_value_set_double (value, self->pan);
      break;
    case PROP_MUTE:
      g_value_set_boolean (value, self->mute);
      break;
    case PROP_SOLO:
      g_value_set_boolean (value, self->solo);
      break;
    case PROP_SELECTED:
      g_value_set_boolean (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_stem_lane_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  StrataStemLane *self = STRATA_STEM_LANE (object);

  switch (prop_id)
    {
    case PROP_GAIN_DB:
      strata_stem_lane_set_gain_db (self, g_value_get_double (value));
      break;
    case PROP_PAN:
      strata_stem_lane_set_pan (self, g_value_get_double (value));
      break;
    case PROP_MUTE:
      strata_stem_lane_set_mute (self, g_value_get_boolean (value));
      break;
    case PROP_SOLO:
      strata_stem_lane_set_solo (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTED:
      strata_stem_lane_set_selected (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_stem_lane_finalize (GObject *object)
{
  StrataStemLane *self = STRATA_STEM_LANE (object);

  g_free (self->id);
  g_clear_pointer (&self->peaks, strata_peaks_free);
  g_clear_pointer (&self->audio, strata_audio_unref);
  strata_waveform_scratch_clear (&self->scratch);
  G_OBJECT_CLASS (strata_stem_lane_parent_class)->finalize (object);
}

static void
strata_stem_lane_class_init (StrataStemLaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StrataLaneClass *lane_class = STRATA_LANE_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = strata_stem_lane_finalize;
  object_class->get_property = strata_stem_lane_get_property;
  object_class->set_property = strata_stem_lane_set_property;
  lane_class->render = strata_stem_lane_render;
  lane_class->dark = FALSE;

  properties[PROP_GAIN_DB] = g_param_spec_double ("gain-db", NULL, NULL, MIN_GAIN_DB,
                                                  STRATA_STEM_MIXER_MAX_GAIN_DB, 0.0, flags);
  properties[PROP_PAN] = g_param_spec_double ("pan", NULL, NULL, -1.0, 1.0, 0.0, flags);
  properties[PROP_MUTE] = g_param_spec_boolean ("mute", NULL, NULL, FALSE, flags);
  properties[PROP_SOLO] = g_param_spec_boolean ("solo", NULL, NULL, FALSE, flags);
  properties[PROP_SELECTED] = g_param_spec_boolean ("selected", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-stem-lane");
}

static void
strata_stem_lane_init (StrataStemLane *self)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/strata/Strata/ui/strata-stem-header.ui");
  GtkWidget *header = GTK_WIDGET (gtk_builder_get_object (builder, "header"));
  struct { const char *object, *property, *mine; } bindings[] = {
    { "mute_button", "active", "mute" },
    { "solo_button", "active", "solo" },
    { "select_check", "active", "selected" },
    { "gain_adjustment", "value", "gain-db" },
    { "pan_adjustment", "value", "pan" },
  };

  self->family = "other";
  self->name_label = GTK_LABEL (gtk_builder_get_object (builder, "name_label"));
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    g_object_bind_property (self, bindings[i].mine, gtk_builder_get_object (builder, bindings[i].object),
                            bindings[i].property, G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  strata_lane_set_header (STRATA_LANE (self), header);
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, 64);
}

/**
 * strata_stem_lane_new:
 *
 * Returns: (transfer floating): a stem lane with no stem
 */
StrataLane *
strata_stem_lane_new (void)
{
  return g_object_new (STRATA_TYPE_STEM_LANE, NULL);
}

/**
 * strata_stem_lane_reset:
 * @self: a #StrataStemLane
 * @id: the stem's channel id in the playback mix
 * @name: its display name
 * @family: its stem family (the waveform's colour)
 *
 * Shows a new stem: default controls, no waveform until
 * strata_stem_lane_set_peaks().
 */
void
strata_stem_lane_reset (StrataStemLane *self, const char *id, const char *name, const char *family)
{
  g_return_if_fail (STRATA_IS_STEM_LANE (self));
  g_return_if_fail (id != NULL && name != NULL);

  g_free (self->id);
  self->id = g_strdup (id);
  self->family = "other";
  for (guint i = 0; i < G_N_ELEMENTS (family_colours); i++)
    if (g_strcmp0 (family, family_colours[i].family) == 0)
      self->family = family_colours[i].family;
  strata_lane_set_title (STRATA_LANE (self), name);
  gtk_label_set_label (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), name);
  strata_stem_lane_set_peaks (self, NULL, NULL);
  strata_stem_lane_set_gain_db (self, 0.0);
  strata_stem_lane_set_pan (self, 0.0);
  strata_stem_lane_set_mute (self, FALSE);
  strata_stem_lane_set_solo (self, FALSE);
  strata_stem_lane_set_selected (self, FALSE);
}

/**
 * strata_stem_lane_get_id:
 * @self: a #StrataStemLane
 *
 * Returns: (transfer none) (nullable): the stem's channel id
 */
const char *
strata_stem_lane_get_id (StrataStemLane *self)
{
  g_return_val_if_fail (STRATA_IS_STEM_LANE (self), NULL);
  return self->id;
}

/**
 * strata_stem_lane_get_family:
 * @self: a #StrataStemLane
 *
 * Returns: (transfer none): the stem family
 */
const char *
strata_stem_lane_get_family (StrataStemLane *self)
{
  g_return_val_if_fail (STRATA_IS_STEM_LANE (self), NULL);
  return self->family;
}

/**
 * strata_stem_lane_set_peaks:
 * @self: a #StrataStemLane
 * @peaks: (transfer full) (nullable): the stem's waveform summary
 * @audio: (transfer none) (nullable): its samples (a reference is taken)
 *
 * Replaces the waveform drawn.
 */
void
strata_stem_lane_set_peaks (StrataStemLane *self, StrataPeaks *peaks, StrataAudio *audio)
{
  g_return_if_fail (STRATA_IS_STEM_LANE (self));

  if (audio != NULL)
    strata_audio_ref (audio);
  g_clear_pointer (&self->peaks, strata_peaks_free);
  g_clear_pointer (&self->audio, strata_audio_unref);
  self->peaks = peaks;
  self->audio = audio;
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_stem_lane_has_peaks:
 * @self: a #StrataStemLane
 *
 * Returns: whether the waveform is there to draw
 */
gboolean
strata_stem_lane_has_peaks (StrataStemLane *self)
{
  g_return_val_if_fail (STRATA_IS_STEM_LANE (self), FALSE);
  return self->peaks != NULL;
}

#define DEFINE_CONTROL(type, name, PROP, normalise)                          \
  type                                                                       \
  strata_stem_lane_get_##name (StrataStemLane *self)                         \
  {                                                                          \
    g_return_val_if_fail (STRATA_IS_STEM_LANE (self), 0);                    \
    return self->name;                                                       \
  }                                                                          \
  void                                                                       \
  strata_stem_lane_set_##name (StrataStemLane *self, type value)             \
  {                                                                          \
    g_return_if_fail (STRATA_IS_STEM_LANE (self));                           \
    value = normalise;                                                       \
    if (self->name == value)                                                 \
      return;                                                                \
    self->name = value;                                                      \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);            \
  }

/* The controls' getters and setters (the setters notify on change). */
DEFINE_CONTROL (double, gain_db, PROP_GAIN_DB, CLAMP (value, MIN_GAIN_DB, STRATA_STEM_MIXER_MAX_GAIN_DB))
DEFINE_CONTROL (double, pan, PROP_PAN, CLAMP (value, -1.0, 1.0))
DEFINE_CONTROL (gboolean, mute, PROP_MUTE, !!value)
DEFINE_CONTROL (gboolean, solo, PROP_SOLO, !!value)
DEFINE_CONTROL (gboolean, selected, PROP_SELECTED, !!value)
