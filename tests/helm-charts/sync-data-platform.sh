#!/bin/sh
# Vendors the five Go-template example charts into data-platform/charts/ as
# directories, so the umbrella renders offline without `helm dependency build`.
# Run it after changing kafka, spark, airflow, trino or minio here.
#
#   ./sync-data-platform.sh          copy the charts
#   ./sync-data-platform.sh --check  report stale copies (exit status 1)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/data-platform/charts"
charts="kafka spark airflow trino minio"

if [ "${1:-}" = "--check" ]; then
  stale=0
  for chart in $charts; do
    if ! diff -r -x case.json "$here/$chart" "$dest/$chart" >/dev/null 2>&1; then
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
  # case.json belongs to the test harness, not to the chart.
  rm -f "$dest/$chart/case.json"
done
