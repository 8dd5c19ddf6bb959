#!/bin/sh
# Vendors the five example charts into data-platform/charts/ as real
# directories, so the umbrella chart renders offline, without
# `helm dependency build` (Helm reads unpacked subcharts from charts/ just
# like .tgz archives). Run it after changing any of the five charts and
# commit the result.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/data-platform/charts"
mkdir -p "$dest"
for chart in kafka spark airflow trino minio; do
  rm -rf "${dest:?}/$chart"
  cp -R "$here/$chart" "$dest/$chart"
done
echo "synced: kafka spark airflow trino minio -> ${dest#"$here"/}"
