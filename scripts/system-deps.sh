#!/bin/sh
# Debian packages the test suite drives for real: Postfix (end-to-end relay test) and
# Chromium (web console browser tests). Installed when missing, as root.
set -eu

missing=""
command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] || missing="$missing postfix"
[ -x /usr/bin/chromium ] || missing="$missing chromium"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "schoolgate tests need these Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "installing Debian packages:$missing"
# Postfix asks how to configure itself; the tests bring their own configuration.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
