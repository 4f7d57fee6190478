#!/bin/sh
# Tell systemd of the unit. A first install leaves the service stopped, since its config has no
# source yet: `systemctl enable --now nms_exporter` once it has. An upgrade restarts a running one.
# dpkg passes "configure" and the old version on upgrade; rpm 1 on install, 2 on upgrade.
set -e
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload || true
case "$1" in
configure) [ -n "$2" ] && systemctl try-restart nms_exporter.service || true ;;
2) systemctl try-restart nms_exporter.service || true ;;
esac
