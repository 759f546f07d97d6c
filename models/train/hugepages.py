"""glibc's transparent huge pages for the commands that run PyTorch hard: train.py, the probes that train the encoder
(probe_learnable.py, probe_selfsup.py, probe_crops.py) and the benchmarks' PyTorch references (bench_torch.py,
test/bench/screen_reference.py: a reference is measured at its best). Imports nothing heavy: a command calls
reexec_with_hugepages() before torch loads.

glibc hands every freed block over 32 MiB back to the kernel, so each batch's activations fault in again 4 KiB at a
time where the kernel gives huge pages only on request (transparent_hugepage=madvise): stage 29 at 512² ran at 1.8
img/s with 60 % system time on 2 cores, and at 11 img/s with the request (glibc >= 2.35 reads it; older ones and
other libcs ignore it). Tunables are read at process start, hence the re-exec.
"""

from __future__ import annotations

import os
import sys


def hugepage_tunables(tunables: str | None) -> str | None:
    """GLIBC_TUNABLES with glibc's request for transparent huge pages added; None when it already asks either way."""
    if tunables and 'malloc.hugetlb' in tunables:
        return None
    return ':'.join(t for t in (tunables, 'glibc.malloc.hugetlb=1') if t)


def reexec_with_hugepages() -> None:
    """On Linux, run this command again with the request unless GLIBC_TUNABLES already says either way (so once);
    orig_argv keeps the interpreter's own flags (-u, -X …). Call it from a command, never from an import."""
    if not sys.platform.startswith('linux'):
        return
    tunables = hugepage_tunables(os.environ.get('GLIBC_TUNABLES'))
    if tunables is not None:
        os.execve(sys.executable, sys.orig_argv, {**os.environ, 'GLIBC_TUNABLES': tunables})
