#!/bin/sh
# Vendors the five example charts into data-platform/charts/ as real
# directories, so the umbrella chart renders offline, without
# `helm dependency build` (Helm reads unpacked subcharts from charts/ just
# like .tgz archives). Run it after changing any of the five charts and
# commit the result.
#
#   ./sync-data-platform.sh          copy the charts
#   ./sync-data-platform.sh --check  only report copies that are out of date
#                                    (exit status 1), e.g. in CI
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/data-platform/charts"
charts="kafka spark airflow trino minio"

if [ "${1:-}" = "--check" ]; then
  stale=0
  for chart in $charts; do
    if ! diff -r "$here/$chart" "$dest/$chart" >/dev/null 2>&1; then
      echo "out of date: data-platform/charts/$chart (run ${0##*/})"
      stale=1
    fi
  done
  exit "$stale"
fi

mkdir -p "$dest"
for chart in $charts; do
  rm -rf "${dest:?}/$chart"
  cp -R "$here/$chart" "$dest/$chart"
done
echo "synced: $charts -> data-platform/charts"
