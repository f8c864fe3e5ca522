#!/usr/bin/env bash
# valgrind-libc.sh SRC DST: make DST a copy of the C library SRC with its GNU
# build id inverted, for minit-valgrind (Makefile), which loads DST through
# its rpath.
#
# Why: at each start valgrind reads the whole separate debug information of
# every library that has one in /usr/lib/debug. It needs ld.so's (from
# libc6-dbg), but reading libc's takes about 0.25 s of CPU, some 40% of a
# start of minit under valgrind, and the bats suite starts minit some 700
# times. With its build id changed, the copy has no debug file valgrind can
# find; libc frames in valgrind's reports then show exported function names
# (strlen, fork...) but no file and line. The code is the system's, byte for
# byte, so it always matches the system's ld.so: the Makefile runs this
# script at every build of minit-valgrind, and DST (and its time stamp) is
# left alone while it is SRC with the build id inverted.
set -euo pipefail
src=$(realpath "$1")
dst=$2
mkdir -p "$(dirname "$dst")"
python3 - "$src" "$dst" <<'PY'
import os, re, subprocess, sys
src, dst = sys.argv[1], sys.argv[2]
notes = subprocess.run(["readelf", "-n", src], capture_output=True, text=True, check=True).stdout
m = re.search(r"Build ID: ([0-9a-f]+)", notes)
if not m:
    sys.exit(f"valgrind-libc.sh: {src}: no GNU build id")
data = bytearray(open(src, "rb").read())
bid = bytes.fromhex(m.group(1))
at = data.find(b"GNU\0" + bid)
if at < 0 or data.count(bid) != 1:
    sys.exit(f"valgrind-libc.sh: {src}: build id {m.group(1)} not found exactly once")
at += 4
data[at:at + len(bid)] = bytes(b ^ 0xFF for b in bid)
try:
    with open(dst, "rb") as f:
        if f.read() == data:
            sys.exit(0)
except FileNotFoundError:
    pass
with open(dst + ".tmp", "wb") as f:
    f.write(data)
os.chmod(dst + ".tmp", 0o755)
os.replace(dst + ".tmp", dst)
print(f"valgrind-libc.sh: {dst} = {src} with build id {m.group(1)} inverted")
PY
