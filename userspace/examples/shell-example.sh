#!/bin/sh
# SPDX-License-Identifier: MIT
#
# shell-example.sh: use a shmap buffer from a shell script.
#
# `shmapctl create` makes a buffer, leaves its fd open across exec and runs
# a command with SHMAP_FD (the fd number) and SHMAP_SIZE (bytes) set. Here
# the command is a shell, which describes the buffer it inherited.
#
# SHMAPCTL may name the shmapctl binary (default: shmapctl from PATH).
# Exit status 0 if the child saw a 1 MiB shmap buffer on $SHMAP_FD.
set -eu

SHMAPCTL=${SHMAPCTL:-shmapctl}

echo "shell-example: creating a 1 MiB lazy buffer and starting a shell with it"
# The inner script is in single quotes: its variables belong to the child.
# shellcheck disable=SC2016
"$SHMAPCTL" create --size 1M --lazy --name shell-example -- sh -c '
	set -eu
	echo "child: SHMAP_FD=$SHMAP_FD SHMAP_SIZE=$SHMAP_SIZE"
	echo "child: fd $SHMAP_FD is $(readlink "/proc/$$/fd/$SHMAP_FD")"
	[ "$SHMAP_SIZE" = 1048576 ] || { echo "child: wrong size" >&2; exit 1; }
	# shmapctl inherits the fd as well and can describe it by number.
	"$1" info "$SHMAP_FD"
' shell-example "$SHMAPCTL"
echo "shell-example: OK"
