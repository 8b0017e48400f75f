#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# autogen.sh — generate ./configure from configure.ac (needs autoconf, automake).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
