#!/bin/sh
# The service's own system user and group, made before the files it owns are unpacked.
# dpkg passes "install" or "upgrade", rpm 1 or 2: either way the user must exist.
set -e
if ! getent group nms_exporter >/dev/null; then
	groupadd --system nms_exporter
fi
if ! getent passwd nms_exporter >/dev/null; then
	nologin=/usr/sbin/nologin
	[ -x "$nologin" ] || nologin=/sbin/nologin
	useradd --system --gid nms_exporter --home-dir /var/lib/nms_exporter --no-create-home \
		--shell "$nologin" --comment "nms_exporter" nms_exporter
fi
