#!/usr/bin/env bash
# release-check.sh DIR: DIR (what `make release` made) holds, for each arch in RELEASE_ARCHS, the
# archive, .deb and .rpm of PKG_VERSION, each binary built for its arch at that version, and a
# SHA256SUMS that lists every other file in DIR exactly once, with matching sums.
set -euo pipefail
dir=${1:?usage: release-check.sh DIR}
: "${PKG_VERSION:?PKG_VERSION unset}" "${RELEASE_ARCHS:?RELEASE_ARCHS unset}"
fail() {
	echo "release-check: FAIL: $*" >&2
	exit 1
}
cd "$dir"
[ -s SHA256SUMS ] || fail "$dir/SHA256SUMS missing or empty"

# The archive, .deb and .rpm for each arch. nfpm writes the version as each packager orders it:
# a snapshot's "-" becomes "~" (and "_" in the .rpm's), so it sorts before the release.
deb_version=${PKG_VERSION/-/\~}
rpm_version=${deb_version//-/_}
declare -A rpm_arch=([amd64]=x86_64 [arm64]=aarch64)
declare -A elf_machine=([amd64]=62 [arm64]=183) # e_machine: EM_X86_64, EM_AARCH64
want=()
for arch in $RELEASE_ARCHS; do
	[ -n "${rpm_arch[$arch]:-}" ] || fail "no .rpm arch known for $arch"
	tarball=nms_exporter-$PKG_VERSION.linux-$arch.tar.gz
	want+=("$tarball" "nms-exporter_${deb_version}_$arch.deb" "nms-exporter-$rpm_version-1.${rpm_arch[$arch]}.rpm")
	tmp=$(mktemp -d)
	tar -xzf "$tarball" -C "$tmp"
	bin=$tmp/nms_exporter-$PKG_VERSION.linux-$arch/nms_exporter
	[ -x "$bin" ] || fail "$tarball has no executable nms_exporter-$PKG_VERSION.linux-$arch/nms_exporter"
	machine=$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')
	[ "$machine" = "${elf_machine[$arch]}" ] || fail "$tarball's binary is for ELF machine $machine, not $arch"
	grep -aq "$PKG_VERSION" "$bin" || fail "$tarball's binary does not carry version $PKG_VERSION"
	if [ "$arch" = "$(go env GOHOSTARCH 2>/dev/null || uname -m)" ]; then
		"$bin" --version 2>&1 | grep -q "version $PKG_VERSION " || fail "$tarball's binary: $("$bin" --version 2>&1)"
	fi
	rm -rf "$tmp"
done
for f in "${want[@]}"; do
	[ -f "$f" ] || fail "$dir/$f missing (have: $(ls | tr '\n' ' '))"
done

# SHA256SUMS names each file but itself exactly once, and nothing else.
listed=$(awk '{print $2}' SHA256SUMS | sed 's/^\*//' | sort)
present=$(ls -A | grep -vx SHA256SUMS | sort)
[ "$listed" = "$present" ] || fail "SHA256SUMS lists other files than $dir holds: $(diff <(echo "$present") <(echo "$listed"))"
[ -z "$(uniq -d <<<"$listed")" ] || fail "SHA256SUMS lists a file twice"
sha256sum --quiet -c SHA256SUMS || fail "a sum in SHA256SUMS does not match"
echo "release-check: ok: $(wc -l <SHA256SUMS) artefacts for $RELEASE_ARCHS, each in SHA256SUMS with a matching sum"
