"""The PyTorch side of `npm run bench:encode`: the same weights as a bundle's ONNX
towers, timed in Debian's PyTorch on the same input sizes, plus the machine's
fp32 matmul throughput and the image tower's FLOPs per image. Prints JSON.

  /usr/bin/python3 models/train/bench_torch.py --checkpoint <work>/checkpoint.pt \
      --tokenizer <bundle>/tokenizer.json --batches 1,8,32 --threads 2
"""
import argparse
import json
import os
import sys
import time

# Spin-waiting OpenMP threads make PyTorch many times slower on shared cores (see README).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

from hugepages import reexec_with_hugepages  # noqa: E402

if __name__ == '__main__':  # glibc's huge pages before torch loads: the reference at its best (hugepages.py)
    reexec_with_hugepages()

import torch  # noqa: E402

from radsift_train.model import DualEncoder  # noqa: E402


def timed(fn, min_seconds: float = 1.5, min_reps: int = 3) -> float:
    """Seconds per call, after one warm-up call."""
    fn()
    reps, start = 0, time.perf_counter()
    while reps < min_reps or time.perf_counter() - start < min_seconds:
        fn()
        reps += 1
    return (time.perf_counter() - start) / reps


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--batches', default='1,8,32')
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--text-length', type=int, default=24)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ck = torch.load(args.checkpoint, map_location='cpu')
    cfg = ck['config']
    vocab = len(json.load(open(args.tokenizer))['model']['vocab'])
    model = DualEncoder(cfg, vocab)
    model.load_state_dict(ck['model'])
    model.eval()
    size, ch = cfg['image']['size'], cfg['image']['channels']
    out = {'torch': torch.__version__, 'threads': args.threads, 'images': {}, 'texts': {}}
    with torch.no_grad():
        for b in [int(x) for x in args.batches.split(',')]:
            x = torch.randn(b, ch, size, size)
            out['images'][str(b)] = b / timed(lambda: model.image(x))
            ids = torch.randint(5, vocab, (b, args.text_length))
            mask = torch.ones_like(ids)
            out['texts'][str(b)] = b / timed(lambda: model.text(ids, mask))
        # FLOPs of one image through the image tower (convolutions and matmuls), by the profiler.
        with torch.profiler.profile(with_flops=True) as prof:
            model.image(torch.randn(1, ch, size, size))
        out['imageFlops'] = sum(e.flops for e in prof.key_averages() if e.flops)
        a = torch.randn(1024, 1024)
        out['matmulGflops'] = 2 * 1024**3 / timed(lambda: a @ a) / 1e9
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
