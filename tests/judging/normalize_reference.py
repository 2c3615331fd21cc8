"""A slow reference of the default fit ``bias_scale`` for small stages: the model's fixed point,
computed with dense linear algebra straight from the definitions in the docstring of
:func:`judging.normalize_bias_scale.bias_scale`, without any of the fit's shortcuts (no
conjugate gradients, no loose early solves, no relaxation or extrapolation, no stopping rule
but a state that no longer moves).

The one thing taken from the code under test is the additive start (``_fit_bias``: the
groups' means, the offsets' ridge ``lam`` and the pooled noise), which the model is defined
from; everything after it is computed here. Used by the tests to measure how far the fit's
point scores are from the point it stops near (its stopping tolerance), and to check that a
faster fit lands on the same point.
"""

import numpy as np

from judging.normalize_bias import _fit_bias
from judging.normalize_core import _check


def _solve(d, y, s, w, lam, e_ok):
    """Dense weighted ridge least squares for ``y_i ~ a[judge_i] + s[judge_i] z[entry_i]``:
    minimizes ``sum w_j (y - a_j - s_j z_e)^2 + lam sum a_j^2``. The normal equations, with
    the qualities eliminated (their block is diagonal): a (judges x judges) system solved by
    ``np.linalg.solve``, then ``z_e = sum w s (y - a) / sum w s^2`` over e's sheets; ``z``
    NaN for entries without sheets."""
    J, E = d.n_judges, d.n_entries
    j, e = d.judge, d.entry
    ws = w[j] * s[j]
    C = np.zeros((J, E))  # cross terms a_j z_e: sum over the sheets of (j, e) of w s
    np.add.at(C, (j, e), ws)
    D = np.bincount(e, weights=ws * s[j], minlength=E)  # z block: sum of w s^2
    Dinv = np.divide(1.0, D, out=np.zeros(E), where=D > 0)
    # elementwise products and sums: no BLAS threads (see judging.normalize_core)
    A = np.diag(np.bincount(j, weights=w[j], minlength=J) + lam)
    A -= np.einsum("je,ke->jk", C * Dinv, C)
    by = np.bincount(j, weights=w[j] * y, minlength=J)
    bz = np.bincount(e, weights=ws * y, minlength=E)
    b = by - np.add.reduce(C * (Dinv * bz), axis=1)
    act = np.diag(A) > 0
    a = np.zeros(J)
    a[act] = np.linalg.solve(A[np.ix_(act, act)], b[act])
    z = np.full(E, np.nan)
    z[e_ok] = (bz - np.add.reduce(C * a[:, None], axis=0))[e_ok] / D[e_ok]
    return a, z


def _loo_noise(d, y, a, z, s, w, prior_n):
    """Per judge: the noise variance from each sheet's residual against the consensus of the
    *other* sheets of its entry, corrected for that consensus' uncertainty, shrunk towards the
    pool with ``prior_n`` pseudo-sheets and kept >= 5 % of the pool; and the pool."""
    j, e = d.judge, d.entry
    ws = w[j] * s[j]
    D = np.bincount(e, weights=ws * s[j], minlength=d.n_entries)
    num = np.bincount(e, weights=ws * (y - a[j]), minlength=d.n_entries)
    D_out = D[e] - ws * s[j]
    valid = D_out > 1e-9 * np.maximum(D[e], 1e-300)
    z_out = np.where(valid, (num[e] - ws * (y - a[j])) / np.where(valid, D_out, 1.0), 0.0)
    r2 = (y - a[j] - s[j] * z_out) ** 2 - s[j] ** 2 / np.where(valid, D_out, 1.0)
    r2 = np.where(valid, r2, 0.0)
    nv = np.bincount(j, weights=valid.astype(float), minlength=d.n_judges)
    ss = np.bincount(j, weights=r2, minlength=d.n_judges)
    spread = float(np.var(d.score))
    floor = 1e-6 * spread + 1e-12
    pool = max(ss.sum() / nv.sum(), floor) if nv.sum() > 0 else max(spread, floor)
    var = (ss + prior_n * pool) / (nv + prior_n)
    return np.maximum(var, 0.05 * pool), pool


def reference_fit(entry, judge, score, n_entries=None, *, tol=1e-12, max_iter=5000):
    """The fixed point of the default fit's scale and noise steps (dense, small stages only).

    Returns ``(entry_score, judge_scale, judge_noise, iterations)``; raises when the state
    has not settled to ``tol`` within ``max_iter`` iterations. Steps relaxed by half when they
    alternate (a 2-cycle): the same fixed point, reached more slowly."""
    d = _check(entry, judge, score, n_entries)
    f = _fit_bias(d, None, tol=1e-4)
    e_comp, j_comp, n_comp = f["e_comp"], f["j_comp"], f["n_comp"]
    y = f["y"]
    J = d.n_judges
    has_j = d.j_count > 0
    e_ok = d.e_count > 0
    lam_a = f["lam"] / f["sigma2"]
    a = np.nan_to_num(f["a"])
    z = np.nan_to_num(f["z"])
    ones = np.ones(J)
    var, pool = _loo_noise(d, y, a, z, ones, ones, 3.0)

    def step(s, v):
        w = np.exp(-v)
        a, z = _solve(d, y, s, w, lam_a, e_ok)
        var_new, pool = _loo_noise(d, y, a, z, s, w, 3.0)
        # centre: offsets of each group's judges sum to zero, predictions kept
        a_sum = np.bincount(j_comp[has_j], weights=a[has_j], minlength=n_comp)
        s_sum = np.bincount(j_comp[has_j], weights=s[has_j], minlength=n_comp)
        delta = -a_sum / s_sum
        a = a + s * np.where(has_j, delta[j_comp], 0.0)
        z = z - np.where(e_ok, delta[e_comp], 0.0)
        # the entries' spread within their groups
        zc = np.where(e_ok, z, 0.0)
        m = np.bincount(e_comp[e_ok], weights=zc[e_ok], minlength=n_comp) / np.bincount(
            e_comp[e_ok], minlength=n_comp
        )
        var_z = np.mean((z[e_ok] - m[e_comp[e_ok]]) ** 2)
        prior = 3.0 * var_z / pool
        zs = zc[d.entry]
        sxy = np.bincount(d.judge, weights=(y - a[d.judge]) * zs, minlength=J)
        sxx = np.bincount(d.judge, weights=zs * zs, minlength=J)
        s_new = np.clip((w * sxy + prior) / (w * sxx + prior), 0.1, 10.0)
        logs = np.where(has_j, np.log(s_new), 0.0)
        g = np.exp(
            np.bincount(j_comp[has_j], weights=logs[has_j], minlength=n_comp)
            / np.bincount(j_comp[has_j], minlength=n_comp)
        )
        s_new = np.where(has_j, s_new / g[np.maximum(j_comp, 0)], 1.0)
        return s_new, np.log(var_new), z

    s, v = ones, np.log(var)
    omega, last = 1.0, None
    for it in range(1, max_iter + 1):
        s_new, v_new, z = step(s, v)
        move = np.r_[s_new - s, v_new - v]
        if np.max(np.abs(move)) < tol:
            quality = np.where(e_ok, f["m_c"][np.maximum(e_comp, 0)] + z, np.nan)
            return quality, np.where(has_j, s, np.nan), np.where(has_j, np.exp(v / 2), np.nan), it
        if last is not None and np.sum(move * last) < -0.5 * np.sqrt(
            np.sum(move * move) * np.sum(last * last)
        ):
            omega = 0.5
        last = move
        s, v = s + omega * (s_new - s), v + omega * (v_new - v)
    raise RuntimeError(f"the reference fit did not settle in {max_iter} iterations")
