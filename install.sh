#!/bin/sh
# Installs the gunicorn-companion binary for this machine.
#
#   curl -fsSL https://github.com/gunicorn-companion/gunicorn-companion/releases/latest/download/install.sh | sh
#
# Environment:
#   GUNICORN_COMPANION_DOWNLOAD_URL  where gunicorn-companion-<os>-<arch> and SHA256SUMS are
#                                    (default: the latest release)
#   GUNICORN_COMPANION_INSTALL_DIR   where the binary goes (default: ~/.local/bin)
#
# The binary is downloaded to a temporary directory, checked against SHA256SUMS,
# run once (--version), and only then renamed into place: on any failure nothing
# is installed and an existing gunicorn-companion is left as it was.
set -eu

DEFAULT_URL="https://github.com/gunicorn-companion/gunicorn-companion/releases/latest/download"
NAME="gunicorn-companion"

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

detect_os() {
  case "$(uname -s)" in
    Linux) echo linux ;;
    Darwin) echo darwin ;;
    *) die "unsupported operating system: $(uname -s) (binaries exist for Linux and macOS)" ;;
  esac
}

detect_arch() {
  case "$(uname -m)" in
    x86_64 | amd64 | x64)
      # A shell under Rosetta 2 reports x86_64 on an Apple silicon Mac: take the native binary.
      if [ "$1" = darwin ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
        echo arm64
      else
        echo x64
      fi
      ;;
    arm64 | aarch64) echo arm64 ;;
    *) die "unsupported architecture: $(uname -m) (binaries exist for x64 and arm64)" ;;
  esac
}

# download URL FILE
download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL -o "$2" "$1" 2>"$tmp/download.err" ||
      die "could not download $1 ($(tail -n 1 "$tmp/download.err"))"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" 2>"$tmp/download.err" || die "could not download $1 (wget exited with $?)"
  else
    die "neither curl nor wget is installed: install one of them and run this again"
  fi
}

# sha256 FILE: prints the file's hex digest
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{ print $1 }'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{ print $1 }'
  else
    die "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

main() {
  os=$(detect_os)
  arch=$(detect_arch "$os")
  asset="$NAME-$os-$arch"
  base_url="${GUNICORN_COMPANION_DOWNLOAD_URL:-$DEFAULT_URL}"
  base_url="${base_url%/}"
  if [ -n "${GUNICORN_COMPANION_INSTALL_DIR:-}" ]; then
    install_dir="$GUNICORN_COMPANION_INSTALL_DIR"
  else
    [ -n "${HOME:-}" ] || die "HOME is not set: set GUNICORN_COMPANION_INSTALL_DIR"
    install_dir="$HOME/.local/bin"
  fi
  # Fail before downloading anything when there is no way to download.
  command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 ||
    die "neither curl nor wget is installed: install one of them and run this again"

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t gunicorn-companion) || die "could not create a temporary directory"
  staged=""
  trap 'rm -rf "$tmp"; [ -z "$staged" ] || rm -f "$staged"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  echo "downloading $asset from $base_url"
  download "$base_url/$asset" "$tmp/$asset"
  download "$base_url/SHA256SUMS" "$tmp/SHA256SUMS"

  expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || die "SHA256SUMS has no line for $asset"
  actual=$(sha256 "$tmp/$asset")
  [ "$actual" = "$expected" ] || die "checksum mismatch for $asset: expected $expected, got $actual; nothing was installed"

  mkdir -p "$install_dir" || die "could not create $install_dir"
  # Staged next to the target so the final rename stays on one file system (atomic).
  staged="$install_dir/.$NAME.$$.tmp"
  cp "$tmp/$asset" "$staged" || die "could not write to $install_dir"
  chmod 0755 "$staged"
  version=$("$staged" --version 2>&1) ||
    die "$asset does not run on this machine (${version:-no output}); nothing was installed"
  mv -f "$staged" "$install_dir/$NAME" || die "could not move the binary into $install_dir"
  staged=""

  echo "installed $version"
  echo "  at $install_dir/$NAME"
  case ":${PATH:-}:" in
    *":$install_dir:"* | *":${install_dir%/}:"*) ;;
    *)
      echo "$install_dir is not on your PATH; add it, for example:"
      echo "  export PATH=\"$install_dir:\$PATH\""
      ;;
  esac
}

main "$@"
