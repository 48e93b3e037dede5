# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Sourced by the guest's shell scripts: kmod's module tools, never busybox's applets.
# The guest's busybox sh (busybox-static) runs its own applet for a bare "modprobe" before
# looking at PATH, and the tests must load modules with kmod's modprobe, as every distribution
# does. A function wins over an applet; kmod's tools are /sbin/* in the guest
# (tests/runner/initramfs.sh).
modprobe() { /sbin/modprobe "$@"; }
rmmod() { /sbin/rmmod "$@"; }
insmod() { /sbin/insmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
depmod() { /sbin/depmod "$@"; }
