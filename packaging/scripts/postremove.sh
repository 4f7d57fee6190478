#!/bin/sh
# Forget the unit once removed; a purge also deletes the saved state in /var/lib/nms_exporter.
# The nms_exporter user stays, as Debian's policy keeps system users: files may still be its.
# dpkg passes "remove", "purge" or "upgrade"; rpm 0 on removal, 1 on upgrade.
set -e
if [ "$1" = purge ]; then
	rm -rf /var/lib/nms_exporter
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
