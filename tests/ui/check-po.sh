#!/bin/sh
# Every translatable string of the current sources (xgettext over
# po/POTFILES, as `meson compile strata-pot` does) has a German translation
# in po/de.po that is neither missing, untranslated nor fuzzy.
#   check-po.sh SOURCE_ROOT
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
grep -v '^#' po/POTFILES | grep -v '^$' > "$tmp/files"

# Every source with translatable strings is listed in POTFILES.
find app core ui resources -name '*.c' -o -name '*.ui' | sort > "$tmp/sources"
missing=""
for f in $(cat "$tmp/sources"); do
  if grep -q -E '(^|[^A-Za-z0-9_])N?_ ?\("|translatable="yes"' "$f" && ! grep -q -x "$f" "$tmp/files"; then
    missing="$missing $f"
  fi
done
if [ -n "$missing" ]; then
  echo "po/POTFILES lacks:$missing" >&2
  exit 1
fi
xgettext --package-name=strata -f "$tmp/files" -D "$src" -o "$tmp/strata.pot" \
  --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --keyword=g_dpgettext2:2c,3 --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
  --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format
n=$(grep -c '^msgid ' "$tmp/strata.pot")
echo "strings in the sources: $((n - 1))"
msgfmt --check -o /dev/null po/de.po
msgcmp po/de.po "$tmp/strata.pot"
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null po/de.po 2>&1)
echo "de.po: $stats"
case "$stats" in
  *untranslated*|*fuzzy*) echo "de.po is incomplete" >&2; exit 1 ;;
esac
