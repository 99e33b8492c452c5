/* strata-feature-maps.h: what the feature-strata views draw, computed from
 * a StrataFeatures on a worker thread (the views never compute features
 * or statistics themselves): per level, the feature dimensions standardised
 * and ordered so that structure is visible (by loading on the first
 * principal component), a PCA-to-RGB colour per frame, similarity search
 * ("passages most like this selection at this stratum") and automatic
 * sections from the novelty of the coarse-rate log-mel and coarse codes
 * (StrataSectionBasis).
 *
 * The pure functions below work on plain (T, D) row-major float matrices
 * and are what the tests exercise with synthetic features.
 *
 * Threading contract: a StrataFeatureMaps is immutable after
 * strata_feature_maps_new() and reference-counted; any thread may read it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "model/strata-model.h"

G_BEGIN_DECLS

/* A passage found by similarity search: [start, end) in frames of its
 * level (or seconds, in StrataFeatureMaps results), and its cosine score. */
typedef struct {
  double start;
  double end;
  double score;
} StrataMatch;

/* An automatic section: [start, end) in seconds and its label index
 * (0 = "A", 1 = "B", ...; sections with the same label are alike). */
typedef struct {
  double start;
  double end;
  int    label;
} StrataSection;

/* The standard deviations mapped to the ends of the heatmap's colour scale
 * and of each PCA colour channel (the views' legends name them). */
#define STRATA_FEATURE_HEAT_RANGE 2.5
#define STRATA_FEATURE_RGB_RANGE 2.0

/* ------------------------------------------------------------------ */
/* Pure computations on (T, D) matrices */

/**
 * strata_feature_standardize:
 * @x: (T, D) row-major features
 * @T: frames
 * @D: dimensions
 *
 * Returns: (transfer full): a (T, D) copy with every dimension shifted to
 *   mean 0 and scaled to variance 1 (constant dimensions become 0); g_free
 */
float   *strata_feature_standardize (const float *x, int T, int D);

/**
 * strata_feature_pca:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 * @k: components wanted (1..D)
 * @components: (out caller-allocates): (k, D) unit eigenvectors of the
 *   covariance, largest eigenvalue first; each signed so that its entries
 *   sum to a positive value (else its largest entry is positive)
 * @variances: (out caller-allocates) (nullable): (k) their eigenvalues
 *
 * Principal components by power iteration with deflation on the D x D
 * covariance (rows subsampled evenly above 4096 frames).
 */
void     strata_feature_pca         (const float *z, int T, int D, int k,
                                     float *components, double *variances);

/**
 * strata_feature_order_dims:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 *
 * Display order of the dimensions for a heatmap: by loading on the first
 * principal component, most positive first, so that dimensions that move
 * together sit next to each other.
 *
 * Returns: (transfer full): (D) dimension indices, top row first; g_free
 */
int     *strata_feature_order_dims  (const float *z, int T, int D);

/**
 * strata_feature_pca_rgb:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 * @rgb: (out caller-allocates): (T, 3) bytes
 *
 * The projections on the first three principal components as red, green
 * and blue (each mapped from ±2 standard deviations to 0..255), so that
 * frames with similar features get similar colours. Missing components
 * (D < 3) are 128.
 */
void     strata_feature_pca_rgb     (const float *z, int T, int D, guint8 *rgb);

/**
 * strata_feature_find_similar:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 * @q0: first frame of the query
 * @q1: end frame of the query (exclusive), @q0 < @q1 <= @T
 * @max_matches: at most this many results
 * @min_score: matches below this cosine similarity are dropped
 * @matches: (out caller-allocates): (@max_matches) results in frames, best
 *   first
 *
 * Slides a window as long as the query over the level and scores each
 * position by the cosine similarity of its mean-pooled features with the
 * query's, part by part: both are cut into the same four consecutive parts
 * (fewer below 8 frames) and the part-to-part cosines averaged, so that the
 * order of events counts and stationary noise, whose means agree only by
 * chance, scores low. Then non-maximum suppression: the best window wins,
 * windows overlapping it or the query are dropped, and so on.
 *
 * Returns: the number of matches written
 */
guint    strata_feature_find_similar (const float *z, int T, int D, int q0, int q1,
                                      guint max_matches, double min_score,
                                      StrataMatch *matches);

/**
 * strata_feature_novelty:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 * @half: half-width of the checkerboard kernel, in frames (>= 1)
 *
 * Foote's novelty: a Gaussian-tapered checkerboard kernel slid along the
 * diagonal of the cosine self-similarity matrix, normalised so that a
 * change between two internally constant, orthogonal passages scores 1.
 *
 * Returns: (transfer full): (T) novelty values (>= 0); g_free
 */
double  *strata_feature_novelty     (const float *z, int T, int D, int half);

/**
 * strata_feature_change:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 * @half: frames compared on each side (>= 1)
 *
 * How much the stratum changes at each frame: one minus the cosine
 * similarity of the mean unit feature vector of the @half frames before
 * frame t with that of the @half frames from t on (fewer at the ends),
 * divided by its 99th percentile over the track and clipped to 1.
 *
 * Returns: (transfer full): (T) values in [0, 1]; g_free
 */
float   *strata_feature_change      (const float *z, int T, int D, int half);

/* How strata_feature_sections_full() cuts: see strata_section_params_init(). */
typedef struct {
  double kernel_s;      /* half-width of the novelty kernel, seconds */
  double min_s;         /* shortest section, seconds */
  double min_novelty;   /* normalised novelty a boundary needs */
  double same;          /* cosine of section means for the same label */
} StrataSectionParams;

/* The defaults the window's Sections lane uses. */
void           strata_section_params_init (StrataSectionParams *params);

/**
 * strata_feature_sections_full:
 * @z: (T, D) standardised features
 * @T: frames
 * @D: dimensions
 * @rate: frames per second
 * @params: how to cut
 * @n_sections: (out): number of sections
 *
 * Boundaries at peaks of strata_feature_novelty() (a kernel of
 * @params->kernel_s, at least @params->min_s between boundaries, novelty
 * above @params->min_novelty and clearly above its typical level), then
 * labels by similarity: a section whose mean feature vector has a cosine
 * similarity of at least @params->same with an earlier label's first
 * section takes that label, else the next letter.
 *
 * Returns: (transfer full): (@n_sections) sections covering [0, T / rate),
 *   in order; g_free. Never %NULL for T > 0.
 */
StrataSection *strata_feature_sections_full (const float *z, int T, int D, double rate,
                                             const StrataSectionParams *params,
                                             guint *n_sections);

/* strata_feature_sections_full() with strata_section_params_init()'s
 * defaults. */
StrataSection *strata_feature_sections (const float *z, int T, int D, double rate,
                                        guint *n_sections);

/* ------------------------------------------------------------------ */
/* Everything the views draw, for one StrataFeatures */

typedef struct _StrataFeatureMaps StrataFeatureMaps;

/**
 * strata_feature_maps_new:
 * @features: (transfer none): extracted features (a reference is taken)
 *
 * Computes the standardised, ordered heatmaps, PCA colours and sections of
 * every level. Takes a fraction of a second for a few minutes of audio;
 * run it on a worker (the features job does).
 *
 * Returns: (transfer full): the maps
 */
StrataFeatureMaps *strata_feature_maps_new   (StrataFeatures *features);
StrataFeatureMaps *strata_feature_maps_ref   (StrataFeatureMaps *maps);
void               strata_feature_maps_unref (StrataFeatureMaps *maps);

/* Returns: (transfer none): the features the maps were made from. */
StrataFeatures    *strata_feature_maps_get_features (StrataFeatureMaps *maps);

/**
 * strata_feature_maps_get_heat:
 * @maps: the maps
 * @level: a level
 *
 * Returns: (transfer none): (T, D) values in [0, 1] (standardised features,
 *   ±2.5 standard deviations mapped to 0..1), columns in display order
 *   (column j is dimension strata_feature_maps_get_order()[j])
 */
const float       *strata_feature_maps_get_heat   (StrataFeatureMaps *maps, StrataLevel level);
/* Returns: (transfer none): (D) the dimension shown in each heatmap row. */
const int         *strata_feature_maps_get_order  (StrataFeatureMaps *maps, StrataLevel level);
/* Returns: (transfer none): (T, 3) PCA colours of @level's frames. */
const guint8      *strata_feature_maps_get_rgb    (StrataFeatureMaps *maps, StrataLevel level);
/* Returns: (transfer none) (nullable): (T) strata_feature_change() of
 * @level, comparing a second on each side. */
const float       *strata_feature_maps_get_change (StrataFeatureMaps *maps, StrataLevel level);

/**
 * strata_feature_maps_get_sections:
 * @maps: the maps
 * @n_sections: (out): how many
 *
 * Returns: (transfer none): the automatic sections, in seconds
 */
const StrataSection *strata_feature_maps_get_sections (StrataFeatureMaps *maps,
                                                       guint *n_sections);

/**
 * strata_feature_maps_find_similar:
 * @maps: the maps
 * @level: the stratum to compare at
 * @start: query start, seconds
 * @end: query end, seconds
 * @max_matches: at most this many
 * @matches: (out caller-allocates): (@max_matches) results in seconds, best first
 *
 * strata_feature_find_similar() at @level for a query in seconds (score at
 * least %STRATA_FEATURE_SIMILAR_MIN_SCORE). Fast enough for the main thread (prefix sums: O(T·D)).
 *
 * Returns: the number of matches
 */
guint              strata_feature_maps_find_similar (StrataFeatureMaps *maps, StrataLevel level,
                                                     double start, double end,
                                                     guint max_matches, StrataMatch *matches);

/* The score strata_feature_maps_find_similar() asks of a match (the
 * window's threshold slider starts there). With the default model, four
 * repeats of a synthesised phrase score 0.82–0.85 at the medium stratum,
 * the best look-alike of a 2 s passage of white noise 0.63 (tests/ui-strata
 * asserts both sides). */
#define STRATA_FEATURE_SIMILAR_MIN_SCORE 0.65

/* strata_feature_maps_find_similar() keeping matches that score at least
 * @min_score (the window's threshold slider). */
guint              strata_feature_maps_find_similar_full (StrataFeatureMaps *maps,
                                                          StrataLevel level, double start,
                                                          double end, double min_score,
                                                          guint max_matches,
                                                          StrataMatch *matches);

/* Returns: (transfer full): the label of section label index @label: "A".."Z",
 * then "A2".. for more. */
char              *strata_section_label_name (int label);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataFeatureMaps, strata_feature_maps_unref)

G_END_DECLS
