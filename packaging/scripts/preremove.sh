#!/bin/sh
# Stop and disable the service when the package goes away, not on upgrade.
# dpkg passes "remove" (or "upgrade"); rpm 0 on removal, 1 on upgrade.
set -e
[ -d /run/systemd/system ] || exit 0
case "$1" in
remove | 0) systemctl disable --now nms_exporter.service || true ;;
esac
