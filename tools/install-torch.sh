#!/bin/sh
# Installs what tools/make_fixtures.py needs on a fresh Debian machine (bookworm or later):
# Debian's own PyTorch, numpy and the threaded OpenBLAS torch links against, and matplotlib
# for benchmarks/plot_throughput.py.
# Run as root (or through sudo); then: /usr/bin/python3 tools/make_fixtures.py
set -eu
apt-get update
apt-get install -y python3-torch libopenblas0-pthread python3-numpy python3-matplotlib
/usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
