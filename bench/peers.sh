# Sourced by the benchmark scripts: installs the PyTorch peer with OpenBLAS
# (not the reference BLAS that python3-torch pulls in by default) when it is
# missing, and makes a work directory removed on exit ($work).
if ! /usr/bin/python3 -c "import torch" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
