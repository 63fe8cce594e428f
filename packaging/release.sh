#!/usr/bin/env bash
# The release artefacts, into dist/ (or $1): the source tarball (git archive of HEAD, which the
# Homebrew formula's url points at), the Debian package built from that tree, and SHA256SUMS; then
# the url/sha256 lines for packaging/homebrew/lwgw.rb. The version comes from CMakeLists.txt's
# project(VERSION) only.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^project(lwgw VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || { echo "release: no project(lwgw VERSION …) in CMakeLists.txt" >&2; exit 1; }
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
  echo "release: warning: uncommitted changes are not in the tarball" >&2

tarball="lwgw-$version.tar.gz"
git archive --format=tar.gz --prefix="lwgw-$version/" -o "$out/$tarball" HEAD

# The package is built from the tarball, so it holds exactly what the tarball does.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$out/$tarball" -C "$work"
cmake -S "$work/lwgw-$version" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLWGW_BUILD_TESTS=OFF
cmake --build "$work/build" -j"$(nproc 2>/dev/null || echo 2)"
(cd "$work/build" && cpack -G DEB -B "$work/deb")
cp "$work"/deb/lwgw_*.deb "$out/"

(cd "$out" && sha256sum "$tarball" lwgw_*.deb >SHA256SUMS)
echo "release: $out"
cat "$out/SHA256SUMS"
echo "release: for packaging/homebrew/lwgw.rb:"
echo "  url \"https://github.com/langwatch/lwgw/releases/download/v$version/$tarball\""
echo "  sha256 \"$(cut -d' ' -f1 <(grep " $tarball\$" "$out/SHA256SUMS"))\""
