#!/usr/bin/env bash
# package-test.sh DIR: installs DIR's amd64 .deb on this machine with dpkg, checks what it
# installed (binary, unit, config, defaults file, user, the unit's command line run as the
# service's user), removes and purges it, and lists DIR's .rpm with rpm. `make package-test`
# builds DIR first. Needs root, or sudo (SUDO names it, as the Makefile does).
set -euo pipefail
dir=${1:?usage: package-test.sh DIR}
cd "$(dirname "$0")/.."
SUDO=${SUDO-}
PKG_VERSION=${PKG_VERSION:?PKG_VERSION unset}
pkg=nms-exporter
user=nms_exporter

fail() {
	echo "package-test: FAIL: $*" >&2
	exit 1
}
ok() { echo "package-test: ok: $*"; }
note() { echo "package-test: NOTE: $*"; }
as_root() { ${SUDO:+"$SUDO"} "$@"; }

if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
	fail "installing a package needs root or sudo"
fi
command -v dpkg >/dev/null || fail "dpkg not found: this test installs the .deb"
shopt -s nullglob
debs=("$dir"/*_amd64.deb)
rpms=("$dir"/*.x86_64.rpm)
[ ${#debs[@]} = 1 ] || fail "want one amd64 .deb in $dir, have ${#debs[@]}"
[ ${#rpms[@]} = 1 ] || fail "want one x86_64 .rpm in $dir, have ${#rpms[@]}"
deb=${debs[0]} rpmfile=${rpms[0]}

# Never replace or remove an install that was there before.
installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv 'not-installed'; }
if installed; then
	fail "$pkg is already on this machine ($(dpkg-query -W -f='${Status}' "$pkg")); this test would replace it"
fi
user_existed=false
getent passwd "$user" >/dev/null && user_existed=true
group_existed=false
getent group "$user" >/dev/null && group_existed=true

exporter_pid=
cleanup() {
	status=$?
	[ -z "$exporter_pid" ] || as_root kill "$exporter_pid" 2>/dev/null || true
	if installed; then
		as_root dpkg -P "$pkg" >/dev/null || echo "package-test: could not purge $pkg" >&2
	fi
	# The package keeps its user on purge, as Debian's policy asks; the test leaves none behind.
	if ! $user_existed && getent passwd "$user" >/dev/null; then as_root userdel "$user"; fi
	if ! $group_existed && getent group "$user" >/dev/null; then as_root groupdel "$user"; fi
	exit $status
}
trap cleanup EXIT

echo "package-test: installing $deb"
as_root dpkg -i "$deb"

# The binary, at the version built.
out=$(/usr/bin/nms_exporter --version 2>&1) || fail "/usr/bin/nms_exporter --version: $out"
grep -q "version $PKG_VERSION " <<<"$out" || fail "--version says: $out; want version $PKG_VERSION"
ok "/usr/bin/nms_exporter --version: version $PKG_VERSION"

# The user and group, a system account with no login.
entry=$(getent passwd "$user") || fail "no user $user after install"
IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
[ "$uid" -lt 1000 ] || fail "user $user has uid $uid; want a system uid (below 1000)"
[ "$(getent group "$user" | cut -d: -f3)" = "$gid" ] || fail "user $user's group is not $user"
[ "$home" = /var/lib/nms_exporter ] || fail "user $user's home is $home; want /var/lib/nms_exporter"
case $shell in */nologin) ;; *) fail "user $user's shell is $shell; want nologin" ;; esac
ok "user $user: system uid $uid, group $user, shell $shell"

# Files, their owners and modes.
check_file() { # path mode owner:group
	[ -e "$1" ] || fail "$1 not installed"
	got=$(stat -c '%a %U:%G' "$1")
	[ "$got" = "$2 $3" ] || fail "$1 is $got; want $2 $3"
	ok "$1 ($got)"
}
check_file /usr/bin/nms_exporter 755 root:root
check_file /usr/lib/systemd/system/nms_exporter.service 644 root:root
check_file /etc/nms_exporter 750 root:$user
check_file /etc/nms_exporter/nms_exporter.yml 640 root:$user
check_file /etc/default/nms_exporter 644 root:root
cmp -s /usr/lib/systemd/system/nms_exporter.service packaging/nms_exporter.service ||
	fail "the installed unit differs from packaging/nms_exporter.service"
cmp -s /etc/nms_exporter/nms_exporter.yml packaging/nms_exporter.yml ||
	fail "the installed config differs from packaging/nms_exporter.yml"
conffiles=$(dpkg-query -W -f='${Conffiles}' "$pkg")
for f in /etc/nms_exporter/nms_exporter.yml /etc/default/nms_exporter; do
	grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile (a change to it would be lost on upgrade)"
done
ok "config and defaults file are conffiles"

# The service's user reads its config, and it is valid.
out=$(as_root runuser -u "$user" -- /usr/bin/nms_exporter check-config /etc/nms_exporter/nms_exporter.yml 2>&1) ||
	fail "check-config as $user: $out"
ok "as $user: $out"

# The unit's command line, as systemd would run it (ARGS from the defaults file plus a loopback
# address), as the service's user, with its state folder made as StateDirectory= would.
execstart=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/nms_exporter.service)
grep -q '^ARGS=' /etc/default/nms_exporter || fail "/etc/default/nms_exporter sets no ARGS"
ARGS=$(. /etc/default/nms_exporter && echo "$ARGS")
# Below the kernel's ephemeral range (ip_local_port_range), where the local ends of other
# programs' connections would make a port that answers no connect fail to bind.
port=
for _ in $(seq 1 20); do
	p=$((20000 + RANDOM % 10000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p && break; fi
done
[ -n "$port" ] || fail "no free loopback port found"
as_root install -d -o "$user" -g "$user" -m 0750 /var/lib/nms_exporter
read -ra cmd <<<"${execstart//\$ARGS/$ARGS} --web.listen-address=127.0.0.1:$port"
log=$(mktemp)
# Not through as_root, whose subshell would take the pid: setpriv execs the exporter, so the pid
# is the exporter's (or sudo's, which passes signals on).
${SUDO:+"$SUDO"} setpriv --reuid="$user" --regid="$user" --init-groups -- "${cmd[@]}" >"$log" 2>&1 &
exporter_pid=$!
up=false
for _ in $(seq 1 50); do
	if curl -fsS "http://127.0.0.1:$port/-/healthy" >/dev/null 2>&1; then up=true && break; fi
	kill -0 "$exporter_pid" 2>/dev/null || break
	sleep 0.2
done
$up || fail "the unit's ExecStart did not serve /-/healthy: $(cat "$log")"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -q "nms_exporter_build_info{.*version=\"$PKG_VERSION\"" ||
	fail "/metrics has no nms_exporter_build_info of version $PKG_VERSION"
as_root kill -TERM "$exporter_pid"
wait "$exporter_pid" || fail "the exporter did not stop cleanly on SIGTERM: $(cat "$log")"
exporter_pid=
rm -f "$log"
ok "ExecStart as $user serves /-/healthy and /metrics"

# systemd's own check of the unit, where systemd-analyze exists.
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify /usr/lib/systemd/system/nms_exporter.service 2>&1) && status=0 || status=$?
	if [ $status != 0 ] || grep -q 'nms_exporter.service' <<<"$out"; then
		fail "systemd-analyze verify: $out"
	fi
	ok "systemd-analyze verify nms_exporter.service"
else
	note "systemd-analyze not found: the unit was not verified by systemd (install systemd to check it)"
fi

# Remove keeps the conffiles, purge takes them and the state folder.
as_root dpkg -r "$pkg" >/dev/null
[ ! -e /usr/bin/nms_exporter ] || fail "dpkg -r left /usr/bin/nms_exporter"
[ -e /etc/nms_exporter/nms_exporter.yml ] || fail "dpkg -r removed the config, a conffile"
as_root dpkg -P "$pkg" >/dev/null
for f in /etc/nms_exporter /etc/default/nms_exporter /var/lib/nms_exporter /usr/lib/systemd/system/nms_exporter.service; do
	[ ! -e "$f" ] || fail "dpkg -P left $f"
done
ok "dpkg -r kept the config; dpkg -P removed it and the state"

# The .rpm holds the same files, with the configs marked as such and the user made before them.
if ! command -v rpm >/dev/null; then
	if command -v apt-get >/dev/null; then
		echo "package-test: installing rpm from Debian to read the .rpm"
		as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends rpm >/dev/null
	fi
fi
if command -v rpm >/dev/null; then
	# mode owner:group path of each file, in both packages.
	rpm_all=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$rpmfile")
	rpm_files=$(grep -v '^d' <<<"$rpm_all" | sort)
	deb_files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {sub("/", ":", $2); print $1, $2, substr($6, 2)}' | sort)
	[ "$rpm_files" = "$deb_files" ] ||
		fail "the .rpm's files differ from the .deb's: $(diff <(echo "$deb_files") <(echo "$rpm_files"))"
	grep -qx "drwxr-x--- root:$user /etc/nms_exporter" <<<"$rpm_all" ||
		fail "the .rpm's /etc/nms_exporter is not root:$user 0750"
	configs=$(rpm -qpc "$rpmfile" | sort | tr '\n' ' ')
	[ "$configs" = "/etc/default/nms_exporter /etc/nms_exporter/nms_exporter.yml " ] ||
		fail "the .rpm's config files are: $configs"
	rpm -qp --qf '%{PREIN}' "$rpmfile" | grep -q "useradd --system" ||
		fail "the .rpm's preinstall does not make the user"
	ok "$rpmfile: the .deb's files, modes and owners; configs marked; user made in preinstall"
elif [ -n "${CI:-}" ]; then
	fail "rpm not found and could not be installed: the .rpm was not checked"
else
	note "rpm not found: the .rpm's file list was not checked (apt-get install rpm)"
fi
echo "package-test: PASS"
