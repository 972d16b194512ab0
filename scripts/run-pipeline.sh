#!/usr/bin/env bash
# Runs a pipeline description from Pipelines/ with gst-launch-1.0:
#   scripts/run-pipeline.sh Pipelines/text-to-mp4.pipeline prompt="a blue square" output=out.mp4 [-- gst-launch options]
# Every {name} in the file is replaced by the NAME=VALUE given here, else by the file's
# "#@ name=default" line. Values must not contain a double quote. Prints the description
# with --print instead of running it.
set -euo pipefail
file=${1:?pipeline file}
shift
declare -A values
while IFS= read -r line; do
  [[ $line == "#@ "*=* ]] || continue
  entry=${line#\#@ }
  values[${entry%%=*}]=${entry#*=}
done < "$file"
print=false
launch_options=()
while [ $# -gt 0 ]; do
  case $1 in
    --print) print=true ;;
    --) shift; launch_options=("$@"); break ;;
    *=*) values[${1%%=*}]=${1#*=} ;;
    *) echo "run-pipeline: expected NAME=VALUE, got '$1'" >&2; exit 64 ;;
  esac
  shift
done
description=$(grep -v '^#' "$file" | tr '\n' ' ')
for name in "${!values[@]}"; do
  value=${values[$name]}
  if [[ $value == *'"'* ]]; then echo "run-pipeline: $name must not contain a double quote" >&2; exit 64; fi
  description=${description//\{$name\}/$value}
done
if [[ $description =~ \{[a-z]+\} ]]; then
  echo "run-pipeline: no value for ${BASH_REMATCH[0]} in $file" >&2
  exit 64
fi
if $print; then echo "$description"; exit 0; fi
# Word by word, as a shell would pass them: gst-launch-1.0 escapes spaces inside one argument.
set -f
# shellcheck disable=SC2086
exec gst-launch-1.0 "${launch_options[@]}" $description
