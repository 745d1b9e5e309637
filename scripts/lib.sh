# Shared by scripts/demo and scripts/test. Sourced, not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "error: $*" >&2; exit 2; }

# Node 24 (scripts/install-node pins it: the npm registry's `node` package, cached in .cache and
# reused) first on PATH for everything below, npm included. The machine's Node only bootstraps it.
node_bin=$(bash scripts/install-node) || die "could not install Node (see above)"
export PATH="$(dirname "$node_bin"):$PATH"
[ "$(command -v node)" = "$node_bin" ] || die "node on PATH is $(command -v node), expected $node_bin"

# npm ci when node_modules is missing or older than the lock file.
install_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

build() {
  npx --no-install tsc -b
}

# Debian packages the tests drive for real; installed when missing (needs root, as in CI).
# Each argument is PACKAGE:COMMAND, or PACKAGE:/absolute/file for packages without a command.
present() {
  case $1 in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

apt_install() {
  local missing=()
  local pkg bin
  for spec in "$@"; do
    pkg=${spec%%:*}; bin=${spec#*:}
    present "$bin" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
  echo "installing ${missing[*]} from Debian packages" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for spec in "$@"; do
    bin=${spec#*:}
    present "$bin" || die "${spec%%:*} was installed but $bin is still missing"
  done
}
