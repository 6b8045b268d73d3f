#!/usr/bin/env bash
# Gathers what kernels/tools/device_run.sh needs on a bare GPU machine without network, into .devdeps/
# (ignored by git; carried to the device): the Debian packages the top-level CMake requires, and prebuilt
# binaries with their two shared libraries as a fallback.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
mkdir -p .devdeps/debs .devdeps/prebuilt
(cd .devdeps/debs && apt-get download libsystemc libsystemc-dev nlohmann-json3-dev libcli11-dev libfmt-dev libfmt9 \
  libssl-dev libssl3 pkgconf pkgconf-bin libpkgconf3 libboost1.74-dev)
cp build/ssmsim-cuda .devdeps/prebuilt/
cp /lib/x86_64-linux-gnu/libfmt.so.9 .devdeps/prebuilt/
du -sh .devdeps
