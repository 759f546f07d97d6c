"""References for `npm run bench:probe`: the same L2-regularised logistic regression solved in numpy two ways,
by exact Newton steps (the Hessian formed and solved with LAPACK) and by the app's own algorithm, inexact Newton-CG
(Hessian-vector products in BLAS, conjugate gradients to the same forcing residual, the same stopping rule), so
that one ratio compares implementations of one algorithm and the other compares against the textbook solver.
Reads rows×dim float32 and labels; prints each one's seconds and weights."""
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


def train_newton_cg(x, y, l2=1e-2, iterations=25):
    n, dim = x.shape
    w = np.zeros(dim + 1)
    reg = np.full(dim + 1, l2 * n)
    reg[dim] = 1e-9 * n

    def hessian_times(v, curvature):
        return np.concatenate([x.T @ (curvature * (x @ v[:dim] + v[dim])), [curvature @ (x @ v[:dim] + v[dim])]]) + reg * v

    for _ in range(iterations):
        z = x @ w[:dim] + w[dim]
        p = 1 / (1 + np.exp(-z))
        g = p - y
        grad = np.concatenate([x.T @ g + l2 * n * w[:dim], [g.sum()]])
        curvature = np.maximum(p * (1 - p), 1e-9)
        forcing = max(1e-10, min(0.5, np.sqrt(np.linalg.norm(grad) / n)))  # inexact Newton, as the app's
        step = conjugate_gradient(lambda v: hessian_times(v, curvature), grad, forcing)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def conjugate_gradient(times, b, tolerance):
    """A·s = b for a symmetric positive definite A given as a product, to a relative residual of `tolerance`."""
    s = np.zeros_like(b)
    r = b.copy()
    p = b.copy()
    rr = r @ r
    enough = rr * tolerance * tolerance
    for _ in range(len(b) + 10):
        if rr <= enough:
            break
        ap = times(p)
        alpha = rr / (p @ ap)
        s += alpha * p
        r -= alpha * ap
        following = r @ r
        p = r + (following / rr) * p
        rr = following
    return s


def timed(solver, x, y):
    solver(x, y)  # warm-up
    start = time.perf_counter()
    w = solver(x, y)
    return {"seconds": time.perf_counter() - start, "weights": w.tolist()}


def main():
    path, rows, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.fromfile(path + ".x", dtype=np.float32).reshape(rows, dim).astype(np.float64)
    y = np.fromfile(path + ".y", dtype=np.uint8).astype(np.float64)
    json.dump({"newton": timed(train, x, y), "newtonCg": timed(train_newton_cg, x, y)}, sys.stdout)


if __name__ == "__main__":
    main()
