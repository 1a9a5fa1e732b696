#!/usr/bin/env bash
# hostile-env.sh — run a command on a host that has nothing the tests may
# take for granted (make test-hostile-env; make test runs its test-scripts
# and test-bats stages this way).
#
#   scripts/hostile-env.sh COMMAND [ARG...]
#
# A test may assume what `make deps*` installs and nothing else. Fresh
# machines, CI runners and containers differ in ways a developer's
# laptop hides, so the command runs here with:
#   - an empty environment: PATH only; no HOME, no TERM, no USER, and a
#     LANG that is not English (de_DE.UTF-8), so nothing reads a locale's
#     words or a home directory's dot files by accident;
#   - standard input closed (<&-): the suite must give /dev/null or a
#     pipe itself where a command needs one;
#   - no controlling terminal (setsid): a tty is made with tmux where a
#     test needs one;
#   - a mount namespace of its own in which /lib/modules is an empty
#     directory (fresh machines have none; a test that needs a module
#     tree makes a fake one) and /tmp a directory that only root may
#     write (mode 0755, on the same disk as the real /tmp), so a test
#     that lets another user write there fails here.
# The host's /lib/modules and /tmp are untouched: the namespace goes when
# the command ends.
set -euo pipefail

[ $# -gt 0 ] || {
	echo "hostile-env: usage: scripts/hostile-env.sh COMMAND [ARG...]" >&2
	exit 2
}
[ "$(id -u)" -eq 0 ] || {
	echo "hostile-env: needs root (a mount namespace, mounts over /lib/modules and /tmp)" >&2
	exit 1
}

# The directory that stands in for /tmp: on /var/tmp's disk, as /tmp is
# on an ordinary disk here, and removed afterwards whatever happens.
tmp=$(mktemp -d /var/tmp/stepbox-hostile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
mkdir -m 0755 "$tmp/modules" "$tmp/tmp" "$tmp/hold"

# Inside: the mounts, then the command with an empty environment, no
# stdin and a session of its own. unshare -m makes every mount private,
# so nothing here reaches the host.
inner='set -e
here=$(pwd -P)
# A checkout under /tmp (a CI clone) would vanish under the new /tmp:
# the real /tmp stays reachable in hold/, the checkout is bound back.
mount --bind /tmp "$1/hold"
mount --bind "$1/tmp" /tmp
case $here in
/tmp/*)
	mkdir -p "$here"
	mount --bind "$1/hold/${here#/tmp/}" "$here"
	cd "$here"
	;;
esac
if [ -d /lib/modules ]; then mount --bind "$1/modules" /lib/modules; fi
shift
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=de_DE.UTF-8 LANGUAGE=de STEPBOX_HOSTILE_ENV=1 \
	setsid --wait "$@" <&-'
unshare --mount --propagation private bash -c "$inner" hostile-env "$tmp" "$@"
