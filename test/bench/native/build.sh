#!/usr/bin/env bash
# Builds the in-process native reference decoders of `npm run bench:decode`:
#   bash test/bench/native/build.sh OUT_DIR     → OUT_DIR/decode-native (rebuilt only when older than its sources)
# Needs g++ and Debian's libcharls-dev, libopenjp2-7-dev, libopenjph-dev, libturbojpeg0-dev and
# libdcmtk-dev (scripts/setup-debian.sh installs them). -O2 as Debian builds the libraries themselves.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
binary="$out/decode-native"
mkdir -p "$out"
if [ -x "$binary" ] && [ "$binary" -nt "$here/decode-native.cc" ] && [ "$binary" -nt "$here/build.sh" ]; then
  exit 0
fi
missing=()
for header in charls/charls.h openjpeg-2.5/openjpeg.h openjph/ojph_codestream.h turbojpeg.h dcmtk/dcmjpeg/djdijg12.h; do
  [ -e "/usr/include/$header" ] || missing+=("$header")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench:decode: missing ${missing[*]}: run scripts/setup-debian.sh (as root) first" >&2
  exit 1
fi
g++ -O2 -std=c++17 -Wall -Wextra -o "$binary.tmp" "$here/decode-native.cc" \
  -I/usr/include/openjpeg-2.5 \
  -lcharls -lopenjp2 -lopenjph -lturbojpeg -ldcmjpeg -lijg8 -lijg12 -lijg16 -ldcmimgle -ldcmdata -loflog -lofstd
mv "$binary.tmp" "$binary"
