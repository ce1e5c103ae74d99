# Shared by the bench/run_*.sh scripts: sourced, not run.
#
# Sets PY (the Python with Optuna), BUILD_DIR (a Release build of the
# repository; default build/) and builds the targets given to build_targets.

PY=${PY:-/usr/bin/python3}
BUILD_DIR=${BUILD_DIR:-build-release}

# build_targets TARGET...: configures BUILD_DIR as a Release build if it has
# no cache yet, refuses a build of another type (its timings would mislead),
# then builds only the targets named.
build_targets() {
  if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  local type
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
  if [[ "$type" != "Release" ]]; then
    echo "error: $BUILD_DIR is a '$type' build; benchmarks need Release." >&2
    echo "       Unset BUILD_DIR to use build-release/ (configured if missing)." >&2
    exit 1
  fi
  cmake --build "$BUILD_DIR" -j2 --target "$@" >/dev/null ||
    { echo "error: building $* failed; run cmake --build $BUILD_DIR --target $*" >&2; exit 1; }
}

# has_sampler BINARY NAME: true when the C++ binary was built with NAME.
has_sampler() {
  "$1" --list | grep -qx "$2"
}
