"""Reference for `npm run bench:probe`: the same L2-regularised logistic regression by exact Newton steps
(the Hessian formed and solved with numpy/LAPACK). Reads rows×dim float32 and labels, prints seconds and weights."""
import json
import sys
import time

import numpy as np


def train(x, y, l2=1e-2, iterations=25):
    n, dim = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(dim + 1)
    reg = np.full(dim + 1, l2 * n)
    reg[dim] = 1e-9 * n  # the bias is not regularised
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y)
        grad[:dim] += l2 * n * w[:dim]
        h = np.maximum(p * (1 - p), 1e-9)
        hess = xb.T @ (xb * h[:, None]) + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def main():
    path, rows, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.fromfile(path + ".x", dtype=np.float32).reshape(rows, dim).astype(np.float64)
    y = np.fromfile(path + ".y", dtype=np.uint8).astype(np.float64)
    train(x, y)  # warm-up
    start = time.perf_counter()
    w = train(x, y)
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "weights": w.tolist()}, sys.stdout)


if __name__ == "__main__":
    main()
