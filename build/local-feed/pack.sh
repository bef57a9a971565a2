#!/usr/bin/env bash
# Re-packs the stand-in Patched.DistributedLock.Core into this folder (the local feed).
# The .nupkg is committed, so a clean clone restores without running this.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet pack "$here/stand-in/StandIn.csproj" -o "$here" --nologo -v q
rm -rf "$here/stand-in/bin" "$here/stand-in/obj"
ls "$here"/*.nupkg
