#!/bin/bash
# InstallPlan approver (rhoai-gitops). Approves a Manual InstallPlan only when every CSV it would
# install is pinned in git for its namespace, so changing the pin is the approval and nothing
# else gets approved. Needs nothing beyond get/list/patch on installplans in those namespaces.
#
#   approve.sh PINS    PINS: one "<namespace> <csv>" per line, as rendered from the cluster spec.
set -euo pipefail

pins_file="${1:?usage: approve.sh PINS}"

pinned() {  # pinned NAMESPACE CSV: is CSV pinned for NAMESPACE?
  local ns csv
  while read -r ns csv; do
    [ "$ns" = "$1" ] && [ "$csv" = "$2" ] && return 0
  done < "$pins_file"
  return 1
}

namespaces=()
while read -r ns csv; do
  [ -n "${ns:-}" ] || continue
  case " ${namespaces[*]-} " in *" $ns "*) ;; *) namespaces+=("$ns") ;; esac
done < "$pins_file"

# Every oc call's output is assigned first, so that a failing call (forbidden, API server away)
# fails the Job (set -e) instead of reading as "nothing to approve".
for ns in "${namespaces[@]}"; do
  plans=$(oc get installplans -n "$ns" -o name)
  for plan in $plans; do
    info=$(oc get "$plan" -n "$ns" -o jsonpath='{.spec.approved} {.spec.approval} {.spec.clusterServiceVersionNames[*]}')
    read -r approved approval csvs <<< "$info"
    if [ "$approved" = "true" ] || [ "$approval" != "Manual" ]; then
      continue
    fi
    unpinned=""
    for csv in $csvs; do
      pinned "$ns" "$csv" || unpinned="$unpinned $csv"
    done
    if [ -n "$unpinned" ] || [ -z "$csvs" ]; then
      echo "left alone: $ns/${plan#*/} would install$unpinned, which git does not pin"
      continue
    fi
    oc patch "$plan" -n "$ns" --type merge -p '{"spec":{"approved":true}}' >/dev/null
    echo "approved: $ns/${plan#*/} installs $csvs, pinned in git"
  done
done
