"""The default method ``bias_scale`` (:mod:`judging.normalize`): each judge's offset,
scale and noise, fitted by alternating weighted least squares. Pure numpy.
"""

from __future__ import annotations

import numpy as np

from judging.normalize_bias import (
    _center_offsets,
    _entry_spread,
    _fit_bias,
    _loo_noise,
    _noise_per_judge,
    _on_component,
    _solve_offsets,
)
from judging.normalize_core import Normalized, _check, _Data, _dot, _group_mean, _result
from judging.normalize_graph import _Graph
from judging.normalize_sums import _BLOCK, _entry_sums, _work

#: signal share of the entries' score variance below which ``bias_scale`` does not fit scales
#: (the judges hardly agree: a judge's scale cannot be told from noise, and the alternating fit
#: would wander); below MOSTLY_NOISE the result says the ranking is mostly noise
SCALE_FIT_MIN_SIGNAL = 0.25


def _signal_share(f, d: _Data):
    """Share of the variance of the additive fit's entry qualities that is not noise:
    ``1 - mean(sigma^2 / n_e) / var(z)`` (NaN when it cannot be told)."""
    var_z = _entry_spread(f["z"], f["e_comp"], f["n_comp"])
    sigma2 = f["sigma2"]
    n_e = d.e_count[d.e_count > 0]
    if not (np.isfinite(sigma2) and var_z > 0 and n_e.size):
        return float("nan")
    return float(1.0 - np.mean(sigma2 / n_e) / var_z)


def _unit_scales(s, has_j, j_comp, n_comp):
    """Scales clipped to [0.1, 10] and normalized to geometric mean 1 within each component
    (the model's unit)."""
    s = np.clip(s, 0.1, 10.0)
    logs = np.where(has_j, np.log(s), 0.0)
    g = np.exp(_on_component(j_comp, _group_mean(j_comp[has_j], logs[has_j], n_comp)[0]))
    return np.where(has_j, s / np.where(g > 0, g, 1.0), 1.0)


def _finite(z):
    """``np.nan_to_num(z)`` (read only): ``z`` itself when every value is finite."""
    return z if np.isfinite(z).all() else np.nan_to_num(z)


def _scale_sums(d: _Data, y, a, zz):
    """The scale step's sums per judge over the judge's sheets: ``(y - a_j) z_e`` and
    ``z_e^2`` (``zz``: qualities, NaN read as 0), the products formed in blocks of
    ``_BLOCK`` sheets (in the cache) and summed with ``np.bincount``."""
    S = d.score.size
    B = max(min(S, _BLOCK), 1)
    zs_all, ya_all = _work(d, "solve"), _work(d, "loo_s")
    for lo in range(0, S, B):
        hi = min(lo + B, S)
        zs = zz.take(d.entry[lo:hi], out=zs_all[lo:hi], mode="clip")
        ya = a.take(d.judge[lo:hi], out=ya_all[lo:hi], mode="clip")
        np.subtract(y[lo:hi], ya, out=ya)
        ya *= zs
        zs *= zs
    sxy = np.bincount(d.judge, weights=ya_all, minlength=d.n_judges)
    return sxy, np.bincount(d.judge, weights=zs_all, minlength=d.n_judges)


#: the fits of ``bias_scale``'s scale and noise steps: "alternating" (the default: alternating
#: steps with relaxation and Aitken jumps, stopping when no quality moves by more than ``tol``
#: of the score sd) and "anderson" (Anderson acceleration to the fixed point, see
#: :func:`_anderson`)
SOLVERS = ("alternating", "anderson")
#: memory of the Anderson-accelerated fit (``solver="anderson"``): how many past moves of the
#: state its step combines
ANDERSON_MEMORY = 5
#: the Anderson fit stops when no scale and no log noise variance would move by more than this
#: (scores then lie within about 1e-7 points of the model's fixed point on the tests' designs)
ANDERSON_STATE_TOL = 1e-9
RESTART = 10.0


def _least_squares(A, b):
    """``argmin |A g - b|`` for a tall ``A`` of a few columns, by its normal equations with a
    tiny ridge; products summed elementwise (no BLAS, see ``judging.normalize_core``)."""
    M = np.add.reduce(A[:, :, None] * A[:, None, :], axis=0)
    M[np.diag_indices_from(M)] += 1e-14 * max(float(np.trace(M)), 1e-300)
    try:
        return np.linalg.solve(M, np.add.reduce(A * b[:, None], axis=0))
    except np.linalg.LinAlgError:
        return np.zeros(A.shape[1])


def _anderson(d: _Data, y, a, var_j, lam_a, f, scale_prior, noise_prior, max_iter):
    """The fixed point of the scale and noise steps by Anderson acceleration.

    The state ``x = (scale, log noise variance)`` per judge (2 x n_judges); one evaluation of
    the map ``G(x)``: the linear step at the state's scales and weights (offsets and
    qualities, centred), then the noise step (leave-one-out residuals of that solve) and the
    scale step (ridge regression on the new qualities, prior from the new pool). The fit's
    fixed point is ``G(x) = x``: the same point the alternating loop of
    :func:`_fit_bias_scale` approaches. Each step is the combination of the last
    ``ANDERSON_MEMORY`` + 1 images ``G(x_k)`` whose residuals ``G(x_k) - x_k`` combine to the
    smallest (a small least-squares problem in the memory's differences); scales are then
    clipped and normalized as the scale step does. A step whose residual grows past twice the
    best so far restarts the memory from a plain step. The linear solves start loose
    (tolerance following the residual) and end exact (1e-10); the fit stops when the largest
    residual is under ``ANDERSON_STATE_TOL`` after an exact solve. Returns ``(a, z, s, var_j,
    evaluations, converged)``; ``a``, ``z`` are the linear step's at the returned ``s`` and
    ``var_j``."""
    e_comp, j_comp, n_comp = f["e_comp"], f["j_comp"], f["n_comp"]
    J = d.n_judges
    has_j = d.j_count > 0

    def G(x, a, tol):
        s, w = x[:J], np.exp(-x[J:])
        a, z, _, loo = _solve_offsets(d, y, s, w, lam_a, a0=a, tol=tol, loo=True)
        a, z = _center_offsets(d, a, z, s, e_comp, j_comp, n_comp)
        a = np.nan_to_num(a)
        var_new, pool = _noise_per_judge(d, *loo(), noise_prior)
        prior = scale_prior * _entry_spread(z, e_comp, n_comp) / pool
        sxy, sxx = _scale_sums(d, y, a, _finite(z))
        s_new = np.ones(J)
        np.divide(w * sxy + prior, w * sxx + prior, out=s_new, where=(w * sxx + prior) > 0)
        s_new = _unit_scales(s_new, has_j, j_comp, n_comp)
        return np.concatenate([s_new, np.log(var_new)]), a, z

    x = np.concatenate([np.ones(J), np.log(var_j)])
    images, residuals = [], []
    best, best_x, best_gx = np.inf, None, None
    beta = 1.0  # step length of the mixing (shortened by restarts)
    inner_tol = 1e-3
    n_eval = 0
    z = f["z"]
    xe = x
    while n_eval < max_iter:
        n_eval += 1
        xe = x  # the state of the solve that gives a, z
        gx, a, z = G(x, a, inner_tol)
        r = gx - x
        res = float(np.max(np.abs(r)))
        if not np.isfinite(res):
            break
        if res < ANDERSON_STATE_TOL:
            if inner_tol <= 1e-10:
                return a, z, xe[:J], np.exp(xe[J:]), n_eval, True
            inner_tol = 1e-10  # settled on a loose solve: confirm with an exact one
            images, residuals = [], []
            continue
        inner_tol = float(np.clip(1e-3 * res, 1e-10, 1e-3))
        if res > RESTART * best:
            # the combination went astray: restart from the best state with a shorter step
            # (each restart halves it: a judge who gives everyone nearly the same score can make
            # full steps 2-cycle)
            images, residuals = [], []
            beta = max(beta / 2.0, 1.0 / 64.0)
            x = best_x + beta * (best_gx - best_x)
            x[:J] = _unit_scales(x[:J], has_j, j_comp, n_comp)
            continue
        if res < best:
            best, best_x, best_gx = res, x, gx
        images.append(gx)
        residuals.append(r)
        del images[: -ANDERSON_MEMORY - 1], residuals[: -ANDERSON_MEMORY - 1]
        if len(residuals) > 1:
            dF = np.stack([q - p for p, q in zip(residuals, residuals[1:])], axis=1)
            dG = np.stack([q - p for p, q in zip(images, images[1:])], axis=1)
            gamma = _least_squares(dF, r)
            x = gx - np.add.reduce(dG * gamma, axis=1)
            if beta < 1.0:  # damped: x - dX gamma + beta (r - dF gamma)
                x -= (1.0 - beta) * (r - np.add.reduce(dF * gamma, axis=1))
        else:
            x = x + beta * r
        x[:J] = _unit_scales(x[:J], has_j, j_comp, n_comp)
    return a, z, xe[:J], np.exp(xe[J:]), n_eval, False


def _fit_bias_scale(
    d: _Data,
    shrinkage=None,
    scale_prior=3.0,
    noise_prior=3.0,
    max_iter=60,
    tol=1e-3,
    solver="alternating",
):
    f = _fit_bias(d, shrinkage, tol=1e-4)
    e_comp, j_comp, n_comp = f["e_comp"], f["j_comp"], f["n_comp"]
    y = f["y"]
    has_j = d.j_count > 0
    a = np.nan_to_num(f["a"])
    z = f["z"]
    s = np.ones(d.n_judges)
    w = np.ones(d.n_judges)
    sigma2 = f["sigma2"] if np.isfinite(f["sigma2"]) and f["sigma2"] > 0 else None
    r2, valid = _loo_noise(d, y, a, s, w)
    var_j, pool = _noise_per_judge(d, r2, valid, noise_prior)

    def loo():  # the leave-one-out residuals the next noise step reads (later: a solve's)
        return r2, valid

    if sigma2 is None:
        sigma2 = pool
    tau2 = sigma2 / f["lam"]  # offset variance from the additive fit
    lam_a = 1.0 / tau2  # ridge on offsets in the weighted objective (weights 1/sigma_j^2)
    w = 1.0 / var_j
    spread = d.cache.get("score_var")
    if spread is None:
        spread = d.cache["score_var"] = float(np.var(d.score))
    spread = float(np.sqrt(spread)) or 1.0
    signal = _signal_share(f, d)
    n_iter = 0
    converged = True
    fit_scales = not signal < SCALE_FIT_MIN_SIGNAL  # NaN (cannot tell): fit them
    n_before = 0  # evaluations of an Anderson fit that did not settle
    if solver == "anderson" and fit_scales:
        fit = _anderson(d, y, a, var_j, lam_a, f, scale_prior, noise_prior, max_iter)
        if fit[-1]:
            a, z, s, var_j, n_iter, converged = fit
            w = 1.0 / var_j
            max_iter = 0  # the alternating loop below does not run
        else:  # it did not settle: the alternating fit from the same start (its first noise
            # step reads the start's leave-one-out residuals, whose buffers the attempt reused)
            n_before = fit[4]
            r2, valid = _loo_noise(d, y, a, s, np.ones(d.n_judges))
    omega = 1.0  # relaxation of the scale and noise steps (0.5 once the fit oscillates)
    steps = []  # the last moves of the state (scales and log noise variances)
    jumps = 0
    changes = []
    inner_tol = 1e-3
    for it in range(1, max_iter + 1 if fit_scales else 1):
        n_iter = n_before + it
        state = np.concatenate([s, np.log(var_j)])
        zz = _finite(z)
        var_z = _entry_spread(z, e_comp, n_comp)
        # scale step: per-judge ridge regression of (y - a) on z, shrunk towards scale 1 with
        # `scale_prior` pseudo-sheets of typical spread at the pooled noise level
        prior = scale_prior * var_z / pool
        sxy, sxx = _scale_sums(d, y, a, zz)
        s_new = np.ones(d.n_judges)
        np.divide(w * sxy + prior, w * sxx + prior, out=s_new, where=(w * sxx + prior) > 0)
        s_new = _unit_scales(s_new, has_j, j_comp, n_comp)
        s = s_new if omega == 1.0 else s + omega * (s_new - s)
        # noise step: leave-one-out residual variance per judge, shrunk towards the pool (the
        # residuals come with the last linear step: scales and weights of the last step)
        var_new, pool = _noise_per_judge(d, *loo(), noise_prior)
        var_j = (
            var_new
            if omega == 1.0
            else np.exp(np.log(var_j) + omega * (np.log(var_new) - np.log(var_j)))
        )
        # the state moves: in a 2-cycle (a judge who gives everyone nearly the same score,
        # pinned at the scale limit) relax the steps; in a slow geometric approach (one weakly
        # determined scale creeping) jump ahead by Aitken's extrapolation
        step = np.concatenate([s, np.log(var_j)]) - state
        steps = [*steps[-1:], step]
        if len(steps) == 2:
            n0, n1 = np.linalg.norm(steps[0]), np.linalg.norm(steps[1])
            if n0 > 0 and n1 > 0:
                cos = _dot(steps[0], steps[1]) / (n0 * n1)
                rho = n1 / n0
                if cos < -0.5:
                    # successive moves point back and forth: the map contracts along a
                    # direction with eigenvalue about -rho; a step of 1 / (1 + rho) of the
                    # move lands near its fixed point (0.5 for a 2-cycle)
                    lam_eig = (omega - 1.0 - rho) / omega  # of the map without relaxation
                    omega = float(np.clip(1.0 / (1.0 - lam_eig), 0.5, 1.0))
                elif cos > 0.9 and 0.5 < rho < 0.99 and jumps < 5:
                    jumps += 1
                    ahead = step * min(rho / (1.0 - rho), 20.0)
                    s = _unit_scales(s + ahead[: s.size], has_j, j_comp, n_comp)
                    var_j = np.exp(np.log(var_j) + ahead[s.size :])
                    steps = []
        w = 1.0 / var_j
        # linear step: offsets and qualities given scales and weights; early solves need not
        # be exact (the next step moves scales and weights anyway): tolerance follows the
        # change, down to 1e-6
        a, z_new, _, loo = _solve_offsets(d, y, s, w, lam_a, a0=a, tol=inner_tol, loo=True)
        a, z_new = _center_offsets(d, a, z_new, s, e_comp, j_comp, n_comp)
        a = np.nan_to_num(a)
        with np.errstate(invalid="ignore"):
            change = np.nanmax(np.abs(z_new - z)) if np.any(np.isfinite(z_new)) else 0.0
        z = z_new
        if not change > tol * spread:
            if inner_tol <= 1e-6:
                break
            inner_tol = 1e-6  # settled on a loose solve: confirm with an exact one
            continue
        inner_tol = float(np.clip(0.01 * change / spread, 1e-6, 1e-3))
        changes.append(change)
    else:
        # Out of iterations. A weakly determined scale (a judge who gives everyone nearly the
        # same score) can keep the fit creeping by hundredths of a point: when the last
        # moves are below 1 % of the scores' spread and shrinking, the result is settled for
        # any use (far inside its standard errors) and is reported as converged.
        last = changes[-3:]
        creeping = len(last) == 3 and last[-1] < 1e-2 * spread and last[-1] < last[0]
        if max_iter > 0 and fit_scales and not creeping:
            converged = False
    if not fit_scales:
        # the judges hardly agree: keep the scales at 1 and weigh sheets by the judges' noise
        a, z, _ = _solve_offsets(d, y, s, w, lam_a, a0=a, tol=1e-6)
        a, z = _center_offsets(d, a, z, s, e_comp, j_comp, n_comp)
        a = np.nan_to_num(a)
    quality = _on_component(e_comp, f["m_c"]) + z
    return {
        "a": np.where(has_j, a, np.nan),
        "s": np.where(has_j, s, np.nan),
        "w": w,
        "var_j": var_j,
        "z": z,
        "quality": quality,
        "lam_a": lam_a,
        "y": y,
        "n_iter": n_iter,
        "converged": converged,
        "signal": signal,
        "fit_scales": fit_scales,
        "e_comp": e_comp,
        "j_comp": j_comp,
        "n_comp": n_comp,
        "warning": f["warning"],
    }


def bias_scale(
    entry,
    judge,
    score,
    n_entries=None,
    *,
    n_judges=None,
    scale_min=None,
    scale_max=None,
    shrinkage=None,
    scale_prior=3.0,
    noise_prior=3.0,
    max_iter=60,
    tol=1e-3,
    solver="alternating",
):
    """Judge offset, scale and noise: ``score = m + offset(judge) + scale(judge) * z(entry) +
    noise``, noise ~ N(0, sigma_judge^2); ``entry_score = m + z`` (``m`` = mean sheet score of
    the entry's group of linked judges).

    Fitted by weighted least squares (weights ``1/sigma_judge^2``) with alternating updates,
    starting from the ``bias`` fit:

    1. scale step: each judge's scale is a ridge regression of ``score - m - offset`` on ``z``,
       shrunk towards 1 by ``scale_prior`` pseudo-sheets and clipped to [0.1, 10]; scales are
       then normalized to geometric mean 1 within each group (the model's unit);
    2. noise step: each judge's noise variance is the mean squared residual of the judge's
       sheets against the consensus of the *other* sheets of the same entry (the judge's own
       sheet is left out, otherwise a judge would pull the consensus towards itself and look
       reliable), minus the part due to the uncertainty of that consensus, shrunk towards the
       pooled variance by ``noise_prior`` pseudo-sheets (and kept >= 5% of the pool, which caps
       a weight at 20x the pooled weight);
    3. linear step: offsets and qualities given scales and weights, by conjugate gradients,
       offsets shrunk towards 0 with the additive model's empirical-Bayes prior, then centred
       to sum to zero within each group.

    Iterates until no quality moves by more than ``tol`` (1e-3) of the score sd (``max_iter``
    at most). The steps contract slowly (0.7-0.99 per iteration), so the fit stops up to a few
    hundredths of the score sd from the model's fixed point (0.007 points on 250,000 sheets, up
    to 0.45 points on 48 seeded stages of a few hundred sheets;
    ``tests/judging/normalize_reference.py`` computes the point densely). ``solver="anderson"``
    goes to the fixed point instead (scores within 1e-7 points of it on those stages, about
    twice the default's time on 250,000 sheets; see :func:`_anderson`), falling back to the
    default steps where it does not settle within ``max_iter`` evaluations.
    The linear solves start loose (tolerance following the last move, down to 1e-6) and the
    leave-one-out residuals of step 2 come from the sums of the previous linear step. When the
    state oscillates (successive moves point back and forth) the scale and noise steps are
    relaxed to the step that cancels the oscillation (between half and full steps); when it
    creeps geometrically it jumps ahead by Aitken's extrapolation (at most 5 times); a fit
    still creeping by under 1 % of the score sd at ``max_iter`` counts as converged.
    When the judges hardly agree (``signal``, the quality share of the additive fit's entry
    variance, below ``SCALE_FIT_MIN_SIGNAL`` = 0.25) scales cannot be told from noise: they
    stay 1, sheets are weighed by the judges' noise, and the fit stops at once
    (``mostly_noise`` is then True).
    ``sheet_score = m + (score - m - offset) / scale`` is what one sheet says about the entry;
    ``sheet_weight = scale^2 / sigma^2`` and ``entry_score`` is the weighted mean. ``entry_se``
    is ``sqrt(1/D + sum_i (w s)^2 var(offset_j) / D^2)`` with ``D = sum w s^2`` over the
    entry's sheets.
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    if d.score.size == 0:
        return _result(
            d,
            "bias_scale",
            np.full(d.n_entries, np.nan),
            d.score.copy(),
            np.full(d.n_entries, np.nan),
        )
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose from {SOLVERS}")
    f = _fit_bias_scale(d, shrinkage, scale_prior, noise_prior, max_iter, tol, solver)
    j = d.judge
    a0 = np.nan_to_num(f["a"])
    s0 = np.nan_to_num(f["s"], nan=1.0)
    w = f["w"]
    y = f["y"]
    sheet = np.empty(d.score.size)  # m + (y - a0[j]) / s0[j], in blocks (cached)
    S = d.score.size
    B = max(min(S, _BLOCK), 1)
    m_b, s_b = _work(d, "block_safe", B), _work(d, "block_s", B)
    for lo in range(0, S, B):
        hi = min(lo + B, S)
        sh = a0.take(j[lo:hi], out=sheet[lo:hi], mode="clip")
        np.subtract(y[lo:hi], sh, out=sh)
        sh /= s0.take(j[lo:hi], out=s_b[: hi - lo], mode="clip")
        sh += np.subtract(d.score[lo:hi], y[lo:hi], out=m_b[: hi - lo])
    wss = w * s0 * s0
    weight = np.take(wss, j, mode="clip")
    D = _entry_sums(d, wss)
    var_a = 1.0 / (w * d.j_count + f["lam_a"])
    # weight^2 / s0^2 var_a per sheet: a per-judge value, computed per judge and summed
    extra = _entry_sums(d, wss * wss / s0**2 * var_a)
    se = np.full(d.n_entries, np.nan)
    nz = D > 0
    se[nz] = np.sqrt(1.0 / D[nz] + extra[nz] / D[nz] ** 2)
    has_j = d.j_count > 0
    var_q = _entry_spread(f["z"], f["e_comp"], f["n_comp"])
    sig = s0 * s0 * var_q
    rel = np.full(d.n_judges, np.nan)
    np.divide(sig, sig + f["var_j"], out=rel, where=has_j & (sig + f["var_j"] > 0))
    return Normalized(
        entry_score=f["quality"],
        n_sheets=d.e_count,
        sheet_score=sheet,
        method="bias_scale",
        entry_se=se,
        sheet_weight=weight,
        judge_offset=f["a"],
        judge_scale=f["s"],
        judge_noise=np.where(has_j, np.sqrt(f["var_j"]), np.nan),
        judge_reliability=rel,
        judge_n_sheets=d.j_count,
        n_iter=f["n_iter"],
        converged=f.get("converged", True),
        signal=f["signal"],
        graph=_Graph(f["e_comp"], f["j_comp"], f["n_comp"], f["warning"]),
    )
