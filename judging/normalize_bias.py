"""The additive judge-bias model ``bias`` (:mod:`judging.normalize`) and the weighted
least-squares solve that ``bias_scale`` shares with it. Pure numpy.
"""

from __future__ import annotations

import numpy as np

from judging.normalize_core import (
    Normalized,
    _check,
    _components,
    _Data,
    _dot,
    _group_mean,
    _result,
)
from judging.normalize_graph import _Graph
from judging.normalize_sums import (
    _BLOCK,
    _at_entries,
    _entry_slots,
    _entry_sums,
    _judge_sum,
    _judge_sums,
    _work,
)


def _solve_offsets(
    d: _Data, y, s, w, lam, a0=None, tol=1e-10, max_iter=1000, loo=False, setup=None
):
    """Weighted least squares for ``y_i ~ a[judge_i] + s[judge_i] * z[entry_i]``, minimizing
    ``sum_i w_j (y_i - a_j - s_j z_e)^2 + sum_j lam_j a_j^2`` over offsets ``a`` and qualities
    ``z`` (``s`` and ``w`` given).

    ``z`` is eliminated (``z_e = sum w s (y - a) / sum w s^2`` over e's sheets) and the
    symmetric positive definite system for ``a`` (its Schur complement) is solved by
    Jacobi-preconditioned conjugate gradients. Each matrix-vector product is an entry sum of a
    per-judge vector (:func:`_entry_sums`) and a judge sum of a per-entry vector
    (:func:`_judge_sums`); judge factors are taken out of judge sums, so every per-sheet
    product is gathered once from a per-judge vector. Works for any judge graph, connected or
    not. Returns ``(a, z, iterations)``; ``z`` is NaN for entries without sheets. With ``loo``
    also a function of no arguments that returns the leave-one-out squared residuals of
    :func:`_loo_noise` at the solution, ``(r2, valid)``, from the solve's own sums (a fit
    that stops after this solve never calls it). ``setup``: a dict that keeps the sums that
    depend only on ``y``, ``s`` and ``w`` for the next solve with the same ones (the additive
    fit solves twice with another ``lam``).
    """
    E, J = d.n_entries, d.n_judges
    wsj = w * s  # per judge; a sheet's weight in its entry's consensus is wsj[judge] * s
    if setup:
        D, Dinv, has_e, unum, js_unum, js_dinv = setup["sums"]
    else:
        D = _entry_sums(d, wsj * s)  # sum of w s^2 per entry
        has_e = D > 0
        if has_e.all():  # every entry has sheets: no masks
            has_e = None
            Dinv = 1.0 / D
        else:
            Dinv = np.zeros(E)
            np.divide(1.0, D, out=Dinv, where=has_e)
        unum = _entry_sums(d, wsj, y)  # sum of w s y per entry
        js_unum = _judge_sums(d, unum * Dinv)
        js_dinv = _judge_sums(d, Dinv)
        if setup is not None:
            setup["sums"] = D, Dinv, has_e, unum, js_unum, js_dinv
    ba_buf = _work(d, "solve_entries", E)
    wn = w * d.j_count  # sum of w_j over the judge's sheets
    lam = np.broadcast_to(np.asarray(lam, dtype=float), (J,))

    def matvec(a):
        ba = _entry_sums(d, wsj * a, out=ba_buf)
        ba *= Dinv
        return (wn + lam) * a - wsj * _judge_sums(d, ba)

    rhs = w * _judge_sum(d, y) - wsj * js_unum
    diag = wn + lam - wsj * wsj * js_dinv
    diag = np.maximum(diag, np.maximum(lam, 1e-12 * np.maximum(wn, 1.0)))
    active = (wn + lam) > 0
    diag = np.where(active, diag, 1.0)
    a = np.zeros(J) if a0 is None else np.array(a0, dtype=float)
    a[~active] = 0.0
    # the start's product, its entry sums kept: a solve that takes no step ends here
    sums_a0 = _entry_sums(d, wsj * a)
    r = rhs - ((wn + lam) * a - wsj * _judge_sums(d, sums_a0 * Dinv))
    r[~active] = 0.0
    zp = r / diag
    p = zp.copy()
    rz = _dot(r, zp)
    bnorm = float(np.sqrt(_dot(rhs, rhs))) or 1.0
    it = 0
    while it < max_iter and np.sqrt(_dot(r, r)) > tol * bnorm:
        it += 1
        Ap = matvec(p)
        Ap[~active] = 0.0
        pAp = _dot(p, Ap)
        if pAp <= 0:
            break
        alpha = rz / pAp
        a += alpha * p
        r -= alpha * Ap
        zp = r / diag
        rz_new = _dot(r, zp)
        p = zp + (rz_new / rz) * p
        rz = rz_new
    num = unum - (sums_a0 if it == 0 else _entry_sums(d, wsj * a))  # sum of w s (y - a)
    if has_e is None:
        z = num * Dinv
    else:
        z = np.full(E, np.nan)
        np.multiply(num, Dinv, out=z, where=has_e)
    if not loo:
        return a, z, it
    return a, z, it, lambda: _loo_from_sums(d, y, a, s, wsj, D, num)


def _loo_from_sums(d: _Data, y, a, s, wsj, D, num):
    """:func:`_loo_noise` from the sums of a solve (``D``: sum of w s^2, ``num``: sum of
    w s (y - a) per entry), in place in as few passes over the sheets as possible; the same
    operations in the same order, so the same numbers. ``valid`` is None when every sheet
    counts.

    The sheets go in blocks of ``_BLOCK``: every operation is elementwise, so a block's
    results do not depend on the blocks, and a block's temporaries stay in the cache (4.2
    against 5.8 ms for 250,000 sheets, measured 2026-12-04 under load). Whether every sheet
    counts is told per entry first (:func:`_all_count`); only otherwise sheet by sheet."""
    S = d.score.size
    B = max(min(S, _BLOCK), 1)
    out = _work(d, "loo_r2")
    valid_all = _work(d, "loo_valid", dtype=bool)
    sj_b, ws_b, tmp_b, safe_b = (
        _work(d, name, B) for name in ("block_s", "block_ws", "block_tmp", "block_safe")
    )
    invalid_b = _work(d, "block_invalid", B, dtype=bool)
    thr = np.maximum(D, 1e-300)
    thr *= 1e-9
    check = not _all_count(d, wsj * s, D, thr)
    some_invalid = False
    for lo in range(0, S, B):
        hi = min(lo + B, S)
        n = hi - lo
        j = d.judge[lo:hi]
        e = d.entry[lo:hi]
        sj = s.take(j, out=sj_b[:n], mode="clip")
        ws = wsj.take(j, out=ws_b[:n], mode="clip")
        wss = np.multiply(ws, sj, out=tmp_b[:n])  # (w s^2)[judge]
        yc = a.take(j, out=out[lo:hi], mode="clip")
        np.subtract(y[lo:hi], yc, out=yc)  # y - a_j
        safe = D.take(e, out=safe_b[:n], mode="clip")
        safe -= wss  # D_e without the sheet
        block_invalid = False
        if check:
            valid = np.greater(safe, thr.take(e, out=wss, mode="clip"), out=valid_all[lo:hi])
            block_invalid = not valid.all()  # only entries with a single sheet
        if block_invalid:
            some_invalid = True
            invalid = np.logical_not(valid, out=invalid_b[:n])
            np.copyto(safe, 1.0, where=invalid)
        zl = num.take(e, out=wss, mode="clip")
        np.multiply(ws, yc, out=ws)
        zl -= ws
        zl /= safe  # z without the sheet
        zl *= sj
        np.subtract(yc, zl, out=yc)  # residual against it
        yc *= yc
        np.multiply(sj, sj, out=sj)
        sj /= safe
        yc -= sj
        if block_invalid:
            np.copyto(yc, 0.0, where=invalid)
    return out, (valid_all if some_invalid else None)


def _all_count(d: _Data, wss, D, thr):
    """True when every sheet's ``D_e - (w s^2)_j`` exceeds its entry's ``thr`` (every
    leave-one-out residual counts), told per entry from the largest ``w s^2`` of its judges
    through the (slot, entry) table: a rounded subtraction does not grow with what it
    subtracts, so the entry's smallest difference is ``D_e`` minus that largest one (padding
    judges count 0, which can only make the check stricter; NaN fails it). False when it
    cannot be told this way (no table): the sheets are then checked one by one."""
    slots = _entry_slots(d)
    if slots is None:
        return False
    slots.table[:-1] = wss
    largest = slots.table.take(slots.judge[0], mode="clip")
    for r in range(1, slots.judge.shape[0]):
        np.maximum(
            largest, slots.table.take(slots.judge[r], out=slots.row, mode="clip"), out=largest
        )
    ok = np.greater(np.subtract(D, largest, out=largest), thr)
    ok |= d.e_count == 0
    return bool(ok.all())


def _component_mean(comp, values, n_comp, weights=None):
    """Mean of ``values`` per component (``comp`` >= 0), gathered back onto ``comp``."""
    ok = comp >= 0
    if ok.all():  # the usual case: no masks needed
        return _on_component(comp, _group_mean(comp, values, n_comp, weights)[0])
    mean, _ = _group_mean(comp[ok], values[ok], n_comp, None if weights is None else weights[ok])
    out = np.zeros(comp.size)
    out[ok] = mean[comp[ok]]
    return out


def _loo_noise(d: _Data, y, a, s, w):
    """Per-sheet squared leave-one-out residual, corrected for the consensus' own uncertainty.

    For sheet i of judge j on entry e, the consensus without the sheet is
    ``z_(-i) = (sum_e w s (y - a) - w_j s_j (y_i - a_j)) / (D_e - w_j s_j^2)``; the residual
    ``r = y_i - a_j - s_j z_(-i)`` has expectation ``sigma_j^2 + s_j^2 / (D_e - w_j s_j^2)``
    under the model, so the second term is subtracted. Sheets that are alone on their entry
    carry no information about noise (``valid`` is False).
    """
    wsj = w * s
    S = d.score.size
    B = max(min(S, _BLOCK), 1)
    num = _work(d, "solve")
    for lo in range(0, S, B):  # w s (y - a) per sheet, in blocks (see _loo_from_sums)
        hi = min(lo + B, S)
        g = wsj.take(d.judge[lo:hi], out=num[lo:hi], mode="clip")
        ya = a.take(d.judge[lo:hi], out=_work(d, "block_s", B)[: hi - lo], mode="clip")
        g *= np.subtract(y[lo:hi], ya, out=ya)
    num = np.bincount(d.entry, weights=num, minlength=d.n_entries)  # sum of w s (y - a)
    return _loo_from_sums(d, y, a, s, wsj, _entry_sums(d, wsj * s), num)


def _noise_per_judge(d: _Data, r2, valid, prior_n=3.0):
    """Judge noise variance: mean corrected squared LOO residual, shrunk towards the pool with
    ``prior_n`` pseudo-sheets; returns (per-judge variance, pooled variance)."""
    if valid is None or valid.all():  # sheets that count per judge (exact integers either way)
        nv = d.j_count.astype(float)
    else:
        nv = np.bincount(d.judge, weights=valid.astype(float), minlength=d.n_judges)
    ss = np.bincount(d.judge, weights=r2, minlength=d.n_judges)
    total_n = float(nv.sum())
    spread = d.cache.get("score_var")
    if spread is None:
        spread = d.cache["score_var"] = float(np.var(d.score)) if d.score.size else 1.0
    floor = 1e-6 * spread + 1e-12
    pool = max(float(ss.sum()) / total_n, floor) if total_n > 0 else max(spread, floor)
    var = (ss + prior_n * pool) / (nv + prior_n)
    return np.maximum(var, 0.05 * pool), pool


def _entry_spread(z, comp_e, n_comp):
    """Variance of entry qualities within their components (pooled over components)."""
    ok = np.isfinite(z) & (comp_e >= 0)
    if n_comp == 1 and ok.all():
        # the usual case, without masks: the mean as np.bincount adds it (in order from 0.0)
        dev = z - (float(np.cumsum(z)[-1]) + 0.0) / float(z.size)
        return _dot(dev, dev) / z.size
    if not ok.any():
        return 0.0
    m = _component_mean(comp_e, np.where(ok, z, 0.0), n_comp, ok.astype(float))
    dev = (z - m)[ok]
    return _dot(dev, dev) / max(int(ok.sum()), 1)


def _on_component(comp, per_comp):
    """Gather a per-component value onto items (0 where ``comp`` is -1)."""
    if per_comp.size == 1 and comp.size and comp.min() >= 0:
        return np.full(comp.size, per_comp[0], dtype=float)
    out = np.zeros(comp.size)
    ok = comp >= 0
    out[ok] = per_comp[comp[ok]]
    return out


def _center_offsets(d: _Data, a, z, s, e_comp, j_comp, n_comp):
    """Shift ``z`` by a constant per component so that the offsets of the component's judges
    sum to zero, moving ``a`` by ``s * shift`` so that every prediction ``a + s z`` is kept;
    judges without sheets get NaN."""
    has_j = d.j_count > 0
    jc = j_comp[has_j]
    a_sum = np.bincount(jc, weights=a[has_j], minlength=n_comp)
    s_sum = np.bincount(jc, weights=s[has_j], minlength=n_comp)
    delta = np.zeros(n_comp)
    np.divide(-a_sum, s_sum, out=delta, where=s_sum > 0)
    a = np.where(has_j, a + s * _on_component(j_comp, delta), np.nan)
    if n_comp == 1 and e_comp.size and e_comp.min() >= 0:
        return a, z - delta[0]  # the same numbers as minus an array of delta[0]
    z = z - _on_component(e_comp, delta)
    return a, z


def _fit_bias(d: _Data, shrinkage=None, tol=1e-10):
    """Fit the additive model; returns a dict of arrays (see :func:`bias`). ``tol``: relative
    residual of the conjugate-gradient solves (``bias_scale`` starts from a looser fit)."""
    e_comp, j_comp, n_comp, warning = _components(d)
    sheet_comp = _at_entries(d, e_comp)  # every sheet's entry has sheets: no -1 here
    m_c, _ = _group_mean(sheet_comp, d.score, n_comp)
    if n_comp == 1:  # y = score - m, without an array of m per sheet
        y = d.score - m_c[0]
    else:
        y = d.score - _on_component(sheet_comp, m_c)
    ones = np.ones(d.n_judges)
    n_e = d.e_count
    with_sheets = int(np.count_nonzero(n_e))
    j_with = int(np.count_nonzero(d.j_count))
    dof = d.score.size - with_sheets - j_with + n_comp
    lam0 = 1.0 if shrinkage is None else float(shrinkage)
    setup = {}  # both solves weigh every sheet 1: the second reuses the first's sums
    a, z, it = _solve_offsets(d, y, ones, ones, lam0, tol=tol, setup=setup)
    total_it = it
    resid = _residuals(d, y, a, z)
    sigma2 = _dot(resid, resid) / dof if dof > 0 else np.nan
    lam = lam0
    if shrinkage is None and np.isfinite(sigma2) and j_with > 1:
        # Empirical Bayes: offsets ~ N(0, tau^2). Undo the shrinkage of the first fit to get a
        # moment estimate of tau^2 (variance of a_hat minus its sampling variance).
        jn = d.j_count[d.j_count > 0].astype(float)
        a_un = a[d.j_count > 0] * (jn + lam0) / jn
        tau2 = float(np.mean(a_un**2) - np.mean(sigma2 / jn))
        tau2 = max(tau2, 1e-3 * sigma2, 1e-12)
        lam = float(np.clip(sigma2 / tau2, 0.05, 50.0))
        a, z, it = _solve_offsets(d, y, ones, ones, lam, a0=a, tol=tol, setup=setup)
        total_it += it
        resid = _residuals(d, y, a, z)
        sigma2 = _dot(resid, resid) / dof if dof > 0 else np.nan
    # exact sum-to-zero of offsets within each component (an exact invariance of the fit)
    a, z = _center_offsets(d, a, z, np.ones(d.n_judges), e_comp, j_comp, n_comp)
    quality = _on_component(e_comp, m_c) + z
    return dict(
        m_c=m_c,
        a=a,
        z=z,
        quality=quality,
        lam=lam,
        sigma2=sigma2,
        n_iter=total_it,
        e_comp=e_comp,
        j_comp=j_comp,
        n_comp=n_comp,
        warning=warning,
        y=y,
    )


def _residuals(d: _Data, y, a, z):
    """``y - a[judge] - z[entry]`` (z NaN read as 0) per sheet, in a work buffer (in blocks
    of ``_BLOCK`` sheets, see :func:`_loo_from_sums`)."""
    S = d.score.size
    B = max(min(S, _BLOCK), 1)
    z = z if np.isfinite(z).all() else np.nan_to_num(z)
    r = _work(d, "loo_safe")
    zb = _work(d, "block_s", B)
    for lo in range(0, S, B):
        hi = min(lo + B, S)
        rb = a.take(d.judge[lo:hi], out=r[lo:hi], mode="clip")
        np.subtract(y[lo:hi], rb, out=rb)
        rb -= z.take(d.entry[lo:hi], out=zb[: hi - lo], mode="clip")
    return r


def bias(
    entry,
    judge,
    score,
    n_entries=None,
    *,
    n_judges=None,
    scale_min=None,
    scale_max=None,
    shrinkage=None,
):
    """Additive judge-bias model: ``score = quality(entry) + offset(judge) + noise``.

    Fitted by least squares with a ridge penalty ``lam * sum(offset^2)``, i.e. each offset is
    shrunk towards zero as if it had ``lam`` extra sheets of zero bias, so a judge with one or
    two sheets gets a small offset, not one that swallows the entry's quality. ``lam`` is
    ``noise variance / offset variance``, estimated from the data (empirical Bayes, clipped to
    [0.05, 50]) unless ``shrinkage`` gives it. The normal equations are solved by conjugate
    gradients (robust when panels are only weakly linked). Within each group of linked judges
    (see ``component``) offsets sum to zero, so ``judge_offset`` reads "judge X scores 1.2
    points above the panel", and the qualities are centred on the group's mean sheet score.

    Unlike ``zscore`` the model uses the overlap of judges between panels: a panel whose
    entries are stronger gets higher scores, not a harsh-judge correction. Different groups
    (``n_components > 1``) cannot be linked and are each centred on their own mean (see
    ``warning``).

    ``sheet_score = score - offset(judge)``; ``entry_score`` is its mean. ``entry_se`` is
    ``sqrt(sigma^2/n_e + sum_i sigma^2/(n_j + lam) / n_e^2)`` (noise plus offset uncertainty).
    ``judge_noise`` is each judge's noise sd from leave-one-out residuals (diagnostic only;
    sheets are equally weighted).
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    if d.score.size == 0:
        return _result(
            d, "bias", np.full(d.n_entries, np.nan), d.score.copy(), np.full(d.n_entries, np.nan)
        )
    f = _fit_bias(d, shrinkage)
    a = f["a"]
    a0 = np.nan_to_num(a)
    sheet = d.score - a0[d.judge]
    sigma2, lam = f["sigma2"], f["lam"]
    n_e = d.e_count
    se = np.full(d.n_entries, np.nan)
    if np.isfinite(sigma2):
        den = d.j_count + lam
        var_a = np.divide(sigma2, den, out=np.zeros(d.n_judges), where=den > 0)
        extra = np.bincount(d.entry, weights=var_a[d.judge], minlength=d.n_entries)
        nz = n_e > 0
        se[nz] = np.sqrt(sigma2 / n_e[nz] + extra[nz] / n_e[nz] ** 2)
    ones = np.ones(d.n_judges)
    r2, valid = _loo_noise(d, f["y"], a0, ones, ones)
    var_j, _ = _noise_per_judge(d, r2, valid)
    var_q = _entry_spread(f["z"], f["e_comp"], f["n_comp"])
    has_j = d.j_count > 0
    noise = np.where(has_j, np.sqrt(var_j), np.nan)
    rel = np.full(d.n_judges, np.nan)
    np.divide(var_q, var_q + var_j, out=rel, where=has_j & (var_q + var_j > 0))
    return Normalized(
        entry_score=f["quality"],
        n_sheets=n_e,
        sheet_score=sheet,
        method="bias",
        entry_se=se,
        sheet_weight=np.ones(d.score.size),
        judge_offset=a,
        judge_scale=np.where(has_j, 1.0, np.nan),
        judge_noise=noise,
        judge_reliability=rel,
        judge_n_sheets=d.j_count,
        n_iter=f["n_iter"],
        converged=f.get("converged", True),
        graph=_Graph(f["e_comp"], f["j_comp"], f["n_comp"], f["warning"]),
    )
