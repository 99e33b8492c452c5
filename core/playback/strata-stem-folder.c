/* strata-stem-folder.c: stem files of a folder, decoded to one length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "playback/strata-stem-folder.h"

G_DEFINE_QUARK (strata-stem-folder-error-quark, strata_stem_folder_error)

/* The rule of the header, in its order; a word matches a keyword it starts
 * with, unless it starts with one of the family's exceptions. */
static const struct {
  const char *family;
  const char *keywords[11];
  const char *except[2];
} families[] = {
  { "drums", { "drum", "kit", "perc", "kick", "snare", "hat", "hihat", "cymbal", "overhead", "tom", NULL },
    { NULL } },
  { "bass", { "bass", "sub", NULL }, { "bassoon", NULL } },
  { "guitar", { "guitar", "gtr", NULL }, { NULL } },
  { "piano", { "piano", "keys", "keyboard", "pno", "rhodes", NULL }, { NULL } },
  { "vocals", { "vocal", "vox", "voice", "sing", "choir", NULL }, { NULL } },
};

static gboolean
word_matches (const char *word, guint family)
{
  for (guint e = 0; families[family].except[e]; e++)
    if (g_str_has_prefix (word, families[family].except[e]))
      return FALSE;
  for (guint k = 0; families[family].keywords[k]; k++)
    if (g_str_has_prefix (word, families[family].keywords[k]))
      return TRUE;
  return FALSE;
}

/**
 * strata_stem_family_for_file:
 * @file_name: a file name (a path's last part is used)
 *
 * The stem family a file's name says, by the rule in strata-stem-folder.h.
 *
 * Returns: (transfer none): "drums", "bass", "guitar", "piano", "vocals" or
 *   "other"
 */
const char *
strata_stem_family_for_file (const char *file_name)
{
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;
  g_auto(GStrv) words = NULL;
  char *dot;

  g_return_val_if_fail (file_name != NULL, "other");

  base = g_path_get_basename (file_name);
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  lower = g_utf8_strdown (base, -1);
  for (char *p = lower; *p; p++)
    if (!g_ascii_isalpha (*p))
      *p = ' ';
  words = g_strsplit (lower, " ", -1);
  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    for (guint w = 0; words[w]; w++)
      if (*words[w] && word_matches (words[w], f))
        return families[f].family;
  return "other";
}

/**
 * strata_audio_fit_length:
 * @audio: (transfer none): stereo audio
 * @n_frames: the length wanted
 *
 * Returns: (transfer full): @audio itself (a new reference) when it has
 *   @n_frames frames, else a copy cut to or padded with silence to them
 */
StrataAudio *
strata_audio_fit_length (StrataAudio *audio, gint64 n_frames)
{
  gint64 have = strata_audio_get_n_frames (audio);
  float *s;

  g_return_val_if_fail (n_frames >= 0, NULL);
  if (have == n_frames)
    return strata_audio_ref (audio);
  s = g_new0 (float, n_frames * STRATA_CHANNELS);
  memcpy (s, strata_audio_get_samples (audio),
          (gsize) MIN (have, n_frames) * STRATA_CHANNELS * sizeof (float));
  return strata_audio_new_take (s, n_frames);
}

/**
 * strata_audio_sum:
 * @audios: (array length=n): stereo audio of one length
 * @n: how many, at least one
 *
 * Returns: (transfer full): the float sum, frame by frame (what the stem
 *   mixer plays at its default controls)
 */
StrataAudio *
strata_audio_sum (StrataAudio *const *audios, guint n)
{
  gint64 n_frames;
  float *s;

  g_return_val_if_fail (n > 0, NULL);
  n_frames = strata_audio_get_n_frames (audios[0]);
  s = g_new0 (float, n_frames * STRATA_CHANNELS);
  for (guint i = 0; i < n; i++)
    {
      const float *x = strata_audio_get_samples (audios[i]);

      g_return_val_if_fail (strata_audio_get_n_frames (audios[i]) == n_frames, NULL);
      for (gint64 j = 0; j < n_frames * STRATA_CHANNELS; j++)
        s[j] += x[j];
    }
  return strata_audio_new_take (s, n_frames);
}

/* The audio files of @folder, sorted by name. (transfer full) */
static GPtrArray *
list_audio_files (const char *folder, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &local);
  GPtrArray *files;
  const char *name;

  if (dir == NULL)
    {
      g_set_error (error, STRATA_STEM_FOLDER_ERROR, STRATA_STEM_FOLDER_ERROR_UNREADABLE,
                   _("Cannot open the folder “%s”: %s"), folder, local->message);
      return NULL;
    }
  files = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *type = NULL;
      g_autofree char *mime = NULL;

      if (name[0] == '.')
        continue;
      path = g_build_filename (folder, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      type = g_content_type_guess (name, NULL, 0, NULL);
      mime = g_content_type_get_mime_type (type);
      if (mime != NULL && g_str_has_prefix (mime, "audio/"))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
  return files;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

typedef struct {
  StrataProgressFunc progress;
  void *data;
  double lo, hi;
} Span;

static void
span_progress (double fraction, const char *stage, void *user_data)
{
  Span *span = user_data;

  if (span->progress)
    span->progress (span->lo + (span->hi - span->lo) * fraction, "decode", span->data);
}

/**
 * strata_stem_folder_load:
 * @folder: the folder
 * @n_frames: the stems' length, or -1 for the longest stem's
 * @progress: (nullable): progress (stage "decode"), on the calling thread
 * @progress_data: for @progress
 * @cancellable: (nullable): stops between and inside the decodes
 * @error: return location for an error
 *
 * Decodes the folder's audio files as the header says. Files that fail are
 * named in the result's notes; only a folder that cannot be listed, holds
 * no audio file, or none of whose files decode is an error (naming the
 * folder, and the files with their reasons). G_IO_ERROR_CANCELLED when
 * @cancellable fired.
 *
 * Returns: (transfer full) (nullable): the stems
 */
StrataStemFolder *
strata_stem_folder_load (const char *folder, gint64 n_frames, StrataProgressFunc progress,
                         void *progress_data, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) audios = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_audio_unref);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) failures = g_string_new (NULL);
  StrataStemFolder *self;
  gint64 length = n_frames;
  guint n_failed = 0;

  g_return_val_if_fail (folder != NULL, NULL);

  files = list_audio_files (folder, error);
  if (files == NULL)
    return NULL;
  g_ptr_array_sort (files, compare_paths);
  if (files->len == 0)
    {
      g_set_error (error, STRATA_STEM_FOLDER_ERROR, STRATA_STEM_FOLDER_ERROR_NO_AUDIO,
                   _("No audio files in the folder “%s”"), folder);
      return NULL;
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      Span span = { progress, progress_data, (double) i / files->len, (double) (i + 1) / files->len };
      g_autoptr(GError) local = NULL;
      StrataAudio *audio = strata_audio_decode (path, span_progress, &span, cancellable, &local);

      if (audio == NULL)
        {
          g_autofree char *base = g_path_get_basename (path);

          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          /* The decoder's messages usually name the file already. */
          if (strstr (local->message, base) != NULL)
            g_string_append (failures, local->message);
          else
            g_string_append_printf (failures, _("“%s” could not be read: %s"), base, local->message);
          g_string_append_c (failures, '\n');
          n_failed++;
          continue;
        }
      g_ptr_array_add (audios, audio);
      g_ptr_array_add (paths, g_strdup (path));
    }
  if (failures->len > 0)
    g_string_truncate (failures, failures->len - 1);
  if (audios->len == 0)
    {
      g_set_error (error, STRATA_STEM_FOLDER_ERROR, STRATA_STEM_FOLDER_ERROR_ALL_FAILED,
                   _("No file in the folder “%s” could be read:\n%s"), folder, failures->str);
      return NULL;
    }

  {
    g_auto(GStrv) names = g_new0 (char *, audios->len + 1);

    for (guint i = 0; i < audios->len; i++)
      {
        char *dot;

        names[i] = g_path_get_basename (g_ptr_array_index (paths, i));
        if ((dot = strrchr (names[i], '.')) != NULL && dot != names[i])
          *dot = '\0';
      }
    self = strata_stem_folder_new ((StrataAudio *const *) audios->pdata, (const char *const *) names,
                                   (const char *const *) paths->pdata, audios->len, length);
  }
  self->n_failed = n_failed;
  if (failures->len > 0)
    {
      g_autofree char *fitted = g_steal_pointer (&self->notes);
      self->notes = fitted ? g_strconcat (failures->str, "\n", fitted, NULL) : g_strdup (failures->str);
    }
  return self;
}

/**
 * strata_stem_folder_new:
 * @stems: (array length=n): stereo stems (references are taken)
 * @names: (array length=n): their display names
 * @paths: (array length=n) (nullable): their files, or %NULL
 * @n: how many
 * @n_frames: the length to fit them to, or -1 for the longest stem's
 *
 * Stems fitted to one length (strata_audio_fit_length()), each one's family
 * read from its file name (else its name), and a note for every stem whose
 * length changed (naming its file, else its name).
 *
 * Returns: (transfer full): the stems
 */
StrataStemFolder *
strata_stem_folder_new (StrataAudio *const *stems, const char *const *names,
                        const char *const *paths, guint n, gint64 n_frames)
{
  g_autoptr(GString) notes = g_string_new (NULL);
  StrataStemFolder *self = g_new0 (StrataStemFolder, 1);
  gint64 length = n_frames;

  if (length < 0)
    for (guint i = 0; i < n; i++)
      length = MAX (length, strata_audio_get_n_frames (stems[i]));
  self->n_stems = n;
  self->n_frames = length;
  self->stems = g_new0 (StrataAudio *, n);
  self->names = g_new0 (char *, n + 1);
  self->families = g_new0 (const char *, n + 1);
  self->paths = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *base = paths ? g_path_get_basename (paths[i]) : g_strdup (names[i]);
      gint64 have = strata_audio_get_n_frames (stems[i]);

      if (have != length)
        {
          double diff = (double) ABS (have - length) / STRATA_SAMPLE_RATE;

          if (notes->len > 0)
            g_string_append_c (notes, '\n');
          if (have < length)
            g_string_append_printf (notes, _("“%s” was %.3f s shorter and was padded with silence."),
                                    base, diff);
          else
            g_string_append_printf (notes, _("“%s” was %.3f s longer and was cut."), base, diff);
        }
      self->stems[i] = strata_audio_fit_length (stems[i], length);
      self->names[i] = g_strdup (names[i]);
      self->paths[i] = g_strdup (paths ? paths[i] : "");
      self->families[i] = strata_stem_family_for_file (base);
    }
  self->notes = notes->len > 0 ? g_strdup (notes->str) : NULL;
  return self;
}

/**
 * strata_stem_folder_free:
 * @self: (nullable): a result of strata_stem_folder_load()
 */
void
strata_stem_folder_free (StrataStemFolder *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n_stems; i++)
    strata_audio_unref (self->stems[i]);
  g_free (self->stems);
  g_strfreev (self->names);
  g_free (self->families);
  g_strfreev (self->paths);
  g_free (self->notes);
  g_free (self);
}
