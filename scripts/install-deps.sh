#!/usr/bin/env bash
# Installs everything hypertune needs to build, test and benchmark, from
# Debian 12 packages. Idempotent: installs only what is missing, and runs
# apt-get update only when something is.
set -euo pipefail

packages=(
  build-essential cmake g++ git pkg-config ca-certificates
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # Peers for the benchmarks (Optuna from Debian, with its numeric stack).
  python3 python3-optuna python3-numpy python3-scipy
  # Storage back-ends: SQLite; PostgreSQL (client library, and the server
  # the tests start on loopback).
  libsqlite3-dev nlohmann-json3-dev libpqxx-dev postgresql
  # Optuna's PostgreSQL driver, for the interoperability tests.
  python3-psycopg2
  # ml layer: model libraries, linear algebra, gzip input.
  libxgboost-dev libsvm-dev liblinear-dev libeigen3-dev zlib1g-dev
  # Peers the ml tests and benchmarks compare with.
  python3-sklearn python3-pandas python3-xgboost
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
