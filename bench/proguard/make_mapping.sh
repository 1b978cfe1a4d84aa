#!/usr/bin/env bash
# Makes the ProGuard benchmark input: ProGuard 7.6.1 obfuscates and optimises its own
# jars and their dependencies (proguard-core, kotlin-stdlib, kotlin-metadata, gson,
# log4j-api, ...: ~6 MB of classes), writing a real ~5 MB mapping with inline ranges.
#
#   bash bench/proguard/make_mapping.sh OUT.txt
set -euo pipefail
OUT=$(realpath "$1")
cd "$(dirname "$0")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
{
  # log4j-core needs optional dependencies that are not there; leave it out.
  tr ':' '\n' <"$WORK/cp.txt" | grep -v log4j-core | sed 's|.*|-injars &(!META-INF/**,!**/module-info.class)|'
  for module in base sql desktop management naming xml scripting logging compiler rmi; do
    echo "-libraryjars <java.home>/jmods/java.$module.jmod(!**.jar;!module-info.class)"
  done
  cat <<PRO
-outjars $WORK/out
-dontshrink
-dontpreverify
-keepattributes SourceFile,LineNumberTable
-printmapping $OUT
-dontwarn
-ignorewarnings
PRO
} >"$WORK/config.pro"
# ProGuard writes the mapping before the output jars; duplicate resources in these jars
# can fail that last step, which the mapping does not need.
java -Xmx4g -cp "$(cat "$WORK/cp.txt")" proguard.ProGuard @"$WORK/config.pro" >"$WORK/log" 2>&1 || true
if [ ! -s "$OUT" ]; then
  tail -20 "$WORK/log" >&2
  exit 1
fi
echo "wrote $OUT ($(wc -c <"$OUT") bytes)"
