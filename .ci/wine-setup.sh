#!/usr/bin/env bash
# Sets up Wine 10 for the Windows test lane (build.ps1 TestWindows), from Debian's own packages, as root.
#
#   - debootstrap and mingw-w64 (for the lane's stand-in python.exe) on the host, from the host's apt
#   - a Debian 13 (trixie) chroot made with debootstrap from the Debian mirror the host's apt already uses
#     (read from /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; DEBIAN_MIRROR overrides it)
#   - trixie's wine (10.0) inside the chroot, so that the host's libc and packages stay as they are
#   - a Wine prefix in the chroot (/var/lib/envtools-wine/prefix) set to Windows 10, with no crash debugger
#
# Every step is skipped when its result is already there, so the chroot is made once per machine and cached in
# ENVTOOLS_WINE_ROOT (default /var/cache/envtools-wine). A run from scratch takes about 10 minutes on 2 cores.
# To throw the cache away: .ci/wine10 --unmount && rm -rf /var/cache/envtools-wine (unmount first: the chroot
# has the host's /dev, /proc and /sys bound into it while the lane runs).
set -euo pipefail
ROOT=${ENVTOOLS_WINE_ROOT:-/var/cache/envtools-wine}
CHROOT="$ROOT/trixie"
HERE=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive
log() { printf '[wine-setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
[ "$(id -u)" = 0 ] || { echo "wine-setup.sh needs root (debootstrap, chroot, mount)" >&2; exit 2; }
mkdir -p "$ROOT"
# another setup in progress on this machine (CI and a developer at once): wait for it rather than race it
exec 9> "$ROOT/.setup.lock"
flock 9

apt_host() {  # apt-get install on the host, waiting for another apt/dpkg to finish rather than failing
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$@" > /dev/null
}

# 1. host tools
missing=()
command -v debootstrap > /dev/null || missing+=(debootstrap)
command -v x86_64-w64-mingw32-gcc > /dev/null || missing+=(gcc-mingw-w64-x86-64-win32)
if [ ${#missing[@]} -gt 0 ]; then
    log "host packages: ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt_host "${missing[@]}"
fi

# 2. the Debian mirror the host's apt uses (never a hard-coded host)
mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
    local f uri
    # deb822 stanzas: the first URIs line of a stanza whose suites are not -security
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
            { u = ""; s = ""
              for (i = 1; i <= NF; i++) {
                if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, a, /[ \t]+/); u = a[1] }
                if ($i ~ /^Suites:/) s = $i }
              if (u != "" && s !~ /-security/ && u !~ /security/) { print u; exit } }' "$f")
        [ -n "$uri" ] && { echo "${uri%/}"; return; }
    done
    # one-line style: deb [options] URI suite components
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri=$(awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                                 if ($(i+1) !~ /security/ && $i !~ /security/) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "${uri%/}"; return; }
    done
}

# 3. the trixie chroot
if [ ! -e "$CHROOT/.debootstrap-done" ]; then
    M=$(mirror)
    [ -n "$M" ] || { echo "no Debian mirror found in the apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
    log "debootstrap trixie from $M into $CHROOT"
    "$HERE/wine10" --unmount
    rm -rf "$CHROOT"
    debootstrap --variant=minbase trixie "$CHROOT" "$M" > "$ROOT/debootstrap.log" 2>&1 ||
        { tail -20 "$ROOT/debootstrap.log"; exit 1; }
    touch "$CHROOT/.debootstrap-done"
fi

# 4. wine inside it
if [ ! -e "$CHROOT/.wine-installed" ]; then
    log "installing trixie's wine in the chroot"
    cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
    # the chroot's apt talks to the same mirror; dpkg needs /proc
    mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
    chroot "$CHROOT" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 > /dev/null && apt-get clean' ||
        { echo "apt-get install wine in the chroot failed" >&2; exit 1; }
    touch "$CHROOT/.wine-installed"
fi

# 5. the prefix: Windows 10, no crash dialog or debugger (a crashing test program must fail, not wait)
if [ ! -e "$CHROOT/var/lib/envtools-wine/prefix/.envtools-ready" ]; then
    log "creating the Wine prefix"
    mkdir -p "$CHROOT/var/lib/envtools-wine"
    "$HERE/wine10" wineboot -i
    "$HERE/wine10" winecfg -v win10
    "$HERE/wine10" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Auto /t REG_SZ /d 0 /f
    "$HERE/wine10" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /t REG_SZ /d '' /f
    "$HERE/wine10" reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f
    touch "$CHROOT/var/lib/envtools-wine/prefix/.envtools-ready"
fi
log "$("$HERE/wine10" --version)"
"$HERE/wine10" --unmount
log "Wine 10 is ready in $CHROOT"
