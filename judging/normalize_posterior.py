"""The Gibbs sampler of the hierarchical judge model behind
``judging.ranking.rank_uncertainty`` (model and priors in ``judging.uncertainty``) and
:func:`check_sheets`, the input checks of the uncertainty core. Pure numpy (part of
:mod:`judging.normalize`, whose import path the callers keep).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from judging.normalize_core import MAX_FREE_INDEX, _refuse_duplicates
from judging.normalize_graph import judge_graph_components, weak_blocks

MODELS = ("bias_scale", "bias", "raw")
# Beta prior of the share of blunder sheets (a score unrelated to the entry, such as 9 typed
# for 90): mean 1 %, worth 100 sheets; which sheets are blunders is redrawn every
# BLUNDER_EVERY sweeps (a fixed scan order keeps the chain's target; they change rarely)
BLUNDER_PRIOR = (1.0, 99.0)
BLUNDER_EVERY = 4
# Share of blunders that are a slip of scale: the total typed a tenth of what the judge meant
# (every criterion on a 1-10 scale, 86.5 -> 8.65, or a digit dropped, 73 -> 7); the rest are
# uniform over the rubric. A slip's intended score is 10 y + SLIP_SHIFT with an extra sd of
# SLIP_SD (percent of the scale's width: a dropped digit loses 0-9 points of 100)
SLIP_SHARE = 0.25
SLIP_SHIFT, SLIP_SD = 2.5, 3.5
# R-hat above which a fit (with the blunder mixture) is run again, twice as long
RHAT_RETRY = 1.1
ACROSS = ("refuse", "assume_equal")


def _index(a, name):
    arr = np.asarray(a)
    if (
        arr.size
        and not np.issubdtype(arr.dtype, np.integer)
        and not (
            np.issubdtype(arr.dtype, np.floating)
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        )
    ):
        raise ValueError(f"{name} must hold integer indices")
    if arr.size and (np.max(arr) > np.iinfo(np.intp).max or np.min(arr) < 0):
        raise ValueError(f"{name} indices must be non-negative (and not astronomically large)")
    return arr.astype(np.intp, copy=False)


def check_sheets(
    entry, judge, score, n_entries=None, n_judges=None, scale_min=None, scale_max=None
):
    """Validated ``(entry, judge, score, n_entries, n_judges)``; ValueError on bad input.

    Refused: arrays of different lengths; non-integer or negative indices; an index at or
    beyond ``n_entries``/``n_judges``, or, without them, beyond ``10 * n_sheets +
    MAX_FREE_INDEX`` (checked before anything is allocated); NaN, infinite or overflowing
    scores (beyond 1e12 in size); scores outside ``[scale_min, scale_max]``; two sheets of the
    same judge on the same entry (they would count twice).
    """
    entry = _index(entry, "entry")
    judge = _index(judge, "judge")
    with np.errstate(over="ignore"):
        try:
            score = np.asarray(score, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise ValueError("scores must be numbers") from None
    if not (entry.shape == judge.shape == score.shape) or entry.ndim != 1:
        raise ValueError("entry, judge and score must be 1-d arrays of the same length")
    n = score.size
    bad = ~np.isfinite(score) | (np.abs(np.nan_to_num(score)) > 1e12)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(
            f"scores must be finite numbers of sensible size: {rows.size} sheet(s) "
            f"are NaN, infinite or beyond 1e12, first at rows {rows[:5].tolist()}"
        )
    lo = -np.inf if scale_min is None else float(scale_min)
    hi = np.inf if scale_max is None else float(scale_max)
    if not lo < hi:
        raise ValueError("scale_min must be below scale_max")
    out = (score < lo) | (score > hi)
    if out.any():
        rows = np.flatnonzero(out)
        raise ValueError(
            f"{rows.size} score(s) lie outside the rubric's range [{lo:g}, {hi:g}], "
            f"first at rows {rows[:5].tolist()}"
        )
    limit = 10 * n + MAX_FREE_INDEX
    for name, idx, given in (("entry", entry, n_entries), ("judge", judge, n_judges)):
        top = int(idx.max()) if n else -1
        if given is not None:
            if given < 0:
                raise ValueError(f"n_{name}s must be non-negative")
            if top >= given:
                raise ValueError(f"{name} index {top} is out of range for n_{name}s={given}")
        elif top >= limit:
            raise ValueError(
                f"{name} index {top} is far beyond the number of sheets ({n}): pass positions "
                f"0..n-1 (not database ids), or give n_{name}s"
            )
    n_entries = int(entry.max()) + 1 if n_entries is None and n else int(n_entries or 0)
    n_judges = int(judge.max()) + 1 if n_judges is None and n else int(n_judges or 0)
    _refuse_duplicates(entry, judge, n_judges)
    return entry, judge, score, n_entries, n_judges


# --------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------


def _std_normal_above(rng, alpha):
    """Draws of a standard normal conditioned on ``x >= alpha`` (vectorized rejection: plain
    normal draws where ``alpha < 0.5``, Robert's (1995) shifted-exponential proposal in the
    tail; both accept at least about half the time)."""
    out = np.empty(alpha.size)
    todo = np.arange(alpha.size)
    for _ in range(200):
        if not todo.size:
            break
        a = alpha[todo]
        tail = a >= 0.5
        x = rng.standard_normal(todo.size)
        ok = ~tail & (x >= a)
        lam = 0.5 * (a + np.sqrt(a * a + 4.0))
        xe = a + rng.exponential(1.0, todo.size) / lam
        ok_t = tail & (rng.random(todo.size) <= np.exp(-0.5 * (xe - lam) ** 2))
        out[todo[ok]] = x[ok]
        out[todo[ok_t]] = xe[ok_t]
        todo = todo[~(ok | ok_t)]
    out[todo] = alpha[todo]
    return out


def _inv_gamma(rng, shape, scale):
    """InvGamma(shape, scale) draws (``scale / Gamma(shape, 1)``), elementwise. The standard
    gamma is ``rng.gamma(shape, 1.0)`` to the bit (the same draws, times 1.0) without checking
    a scale of 1 on every call: this runs four times in every sweep of the sampler."""
    return scale / rng.standard_gamma(shape, getattr(scale, "shape", None) or None)


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of the judge model (see the module docstring).

    score_draws: (n_draws, n_entries) float32, entry scores on the rubric's scale, unclipped
        (NaN columns for entries without sheets).
    offset, scale, noise: (n_judges,) posterior means of each judge's offset (points above
        the group's average sheet), scale (points per point of quality) and noise sd (points);
        NaN for judges without sheets.
    offset_draws, scale_draws, noise_draws: (n_draws, n_judges) float32 draws of the same.
    tau_z: posterior mean sd of the entries' quality (points); tau2_draws its draws (squared).
    entry_component, judge_component, n_components: the groups of linked judges.
    n_sheets: (n_entries,) sheets per entry; judge_n_sheets: (n_judges,).
    censored: number of sheets at the rubric's bounds treated as censored.
    rhat: largest split-R-hat of the standardized entry scores (99th percentile over 100
        entries or more; 1 = settled, > 1.1 = the chain has not settled); converged:
        rhat <= 1.1.
    model, across, n_sweeps, n_burn: settings used.
    n_blocks: weakly linked panels found (:func:`weak_blocks`), counting every group of linked
        judges as one at least; more than ``n_components`` means the panel-aware prior is on.
    blunder_rate: posterior mean share of sheets that are blunders (0 with ``robust=False``).
    sheet_blunder: (n_sheets,) posterior probability that each sheet is a blunder, a score
        unrelated to the entry such as 9 typed for 90 (zeros with ``robust=False``).
    thin: 1, or 2 when the chain was run again twice as long because its R-hat was above
        ``RHAT_RETRY`` (every second sweep kept: ``n_sweeps`` draws either way).
    """

    score_draws: np.ndarray
    offset: np.ndarray
    scale: np.ndarray
    noise: np.ndarray
    offset_draws: np.ndarray
    scale_draws: np.ndarray
    noise_draws: np.ndarray
    tau_z: float
    tau2_draws: np.ndarray
    entry_component: np.ndarray
    judge_component: np.ndarray
    n_components: int
    n_sheets: np.ndarray
    judge_n_sheets: np.ndarray
    censored: int
    rhat: float
    converged: bool
    model: str
    across: str
    n_sweeps: int
    n_burn: int
    n_blocks: int = 0
    blunder_rate: float = 0.0
    sheet_blunder: np.ndarray | None = None
    thin: int = 1


def default_sweeps(n_sheets: int) -> int:
    """Sweeps saved after burn-in: 1,600 for small competitions, fewer for big ones (about
    1e7 sheet-updates, at least 250): 666 for the national round (15,000 sheets), 250 for
    250,000 sheets. Enough for place intervals and probabilities to about +-0.02."""
    return int(np.clip(1e7 / max(n_sheets, 1), 250, 1600))


def sample_posterior(
    entry,
    judge,
    score,
    *,
    n_entries=None,
    n_judges=None,
    model="bias_scale",
    scale_min=None,
    scale_max=None,
    across="assume_equal",
    n_draws=None,
    n_burn=None,
    seed=0,
    checked=False,
    blocks=True,
    robust=True,
    slips=True,
    _thin=1,
) -> Posterior:
    """Gibbs sampler of the judge model; returns :class:`Posterior` (deterministic for a
    ``seed``). ``n_draws`` saved sweeps (default :func:`default_sweeps`) after ``n_burn``
    (default a third of ``n_draws``, at least 100). ``checked=True`` skips :func:`check_sheets`
    (the caller did it). ``blocks=False`` turns the panel-aware prior off (every entry
    exchangeable, as before 2026-12-03; for comparison). ``robust=False`` turns the blunder
    mixture off (every sheet is the judge's line plus normal noise, as before 2026-12-04);
    ``slips=False`` keeps it but reads every blunder as uniform over the rubric (no slips of
    scale, as before 2026-12-04 evening; for comparison).

    With the blunder mixture, a chain whose R-hat exceeds ``RHAT_RETRY`` is run again (same
    seed and burn-in) twice as long, every second sweep kept (the same ``n_draws`` draws
    spread over twice the sweeps; ``Posterior.thin`` is then 2). An entry whose few sheets
    disagree can have two modes (which sheet is the odd one, a blunder or not), which the
    chain crosses slowly; its draws are what R-hat flags. Fits that settle are unchanged to
    the bit; the few that do not (1 in 20 on some small benchmark designs, none on the
    national round) cost about three times the CPU."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {MODELS}")
    if across not in ACROSS:
        raise ValueError(f"across must be one of {ACROSS}")
    if not checked:
        entry, judge, score, n_entries, n_judges = check_sheets(
            entry, judge, score, n_entries, n_judges, scale_min, scale_max
        )
    E, J = int(n_entries), int(n_judges)
    n = score.size
    if n_draws is None:
        n_draws = default_sweeps(n)
    n_draws = max(int(n_draws), 4)
    if n_burn is None:
        n_burn = max(n_draws // 3, 100)
    rng = np.random.default_rng(seed)
    e, j = entry, judge
    e_comp, j_comp, n_comp = judge_graph_components(e, j, E, J)
    e_count = np.bincount(e, minlength=E)
    j_count = np.bincount(j, minlength=J).astype(float)
    has_e, has_j = e_count > 0, j_count > 0
    e_blk, n_blk = None, n_comp
    if blocks and n > 0 and model != "raw":
        e_blk, j_blk, n_blk = weak_blocks(e, j, E, J)
    use_blocks = n_blk > n_comp
    out_shape = (n_draws, E)
    if n == 0:
        nanj = np.full(J, np.nan)
        return Posterior(
            np.full(out_shape, np.nan, np.float32),
            nanj,
            nanj,
            nanj,
            np.full((n_draws, J), np.nan, np.float32),
            np.full((n_draws, J), np.nan, np.float32),
            np.full((n_draws, J), np.nan, np.float32),
            float("nan"),
            np.full(n_draws, np.nan),
            e_comp,
            j_comp,
            0,
            e_count,
            j_count.astype(np.intp),
            0,
            float("nan"),
            True,
            model,
            across,
            n_draws,
            n_burn,
        )

    # constants: the group's mean sheet, the data's spread
    sheet_comp = e_comp[e]
    m_c = np.bincount(sheet_comp, weights=score, minlength=n_comp) / np.bincount(
        sheet_comp, minlength=n_comp
    )
    r0 = score - m_c[sheet_comp]  # centred scores (observed)
    v = float(np.var(score))
    if not v > 0:
        v = 1.0
    cen_hi = np.flatnonzero(score >= scale_max) if scale_max is not None else np.zeros(0, int)
    cen_lo = np.flatnonzero(score <= scale_min) if scale_min is not None else np.zeros(0, int)
    # a bound that every sheet sits on carries no information: do not censor then
    if cen_hi.size == n:
        cen_hi = cen_hi[:0]
    if cen_lo.size == n:
        cen_lo = cen_lo[:0]
    bound_hi = (scale_max - m_c[sheet_comp[cen_hi]]) if cen_hi.size else None
    bound_lo = (scale_min - m_c[sheet_comp[cen_lo]]) if cen_lo.size else None

    # initial state: offsets = judge means, z = entry means of what is left
    jm = np.bincount(j, weights=r0, minlength=J) / np.maximum(j_count, 1)
    a = jm.copy() if model != "raw" else np.zeros(J)
    s = np.ones(J)
    ez = np.bincount(e, weights=r0 - a[j], minlength=E) / np.maximum(e_count, 1)
    z = ez.copy()
    sig2 = np.full(J, 0.3 * v)
    tau2_z, tau2_a, tau2_s, s0 = 0.5 * v, 0.1 * v, 0.09, 0.3 * v
    r = r0.copy()
    good_j = j_count
    blk_moves = []
    if use_blocks:
        blk_n = np.maximum(np.bincount(e_blk[has_e], minlength=n_blk), 1).astype(float)
        mu_blk = np.bincount(e_blk[has_e], weights=z[has_e], minlength=n_blk) / blk_n
        sheet_je, sheet_eb = j_blk[j], e_blk[e]
        cross = sheet_je != sheet_eb
        blk_moves = []  # only for blocks that few sheets link: the plain sweeps mix the rest
        blk_sheets = np.bincount(sheet_eb, minlength=n_blk)
        for b_ in range(n_blk):
            i_j = np.flatnonzero(cross & (sheet_je == b_))
            i_e = np.flatnonzero(cross & (sheet_eb == b_))
            if i_j.size + i_e.size <= 0.1 * blk_sheets[b_]:
                blk_moves.append(
                    (b_, np.flatnonzero(j_blk == b_), np.flatnonzero(e_blk == b_), i_j, i_e)
                )

    keep_z = np.empty(out_shape, np.float32)
    keep_a = np.empty((n_draws, J), np.float32)
    keep_s = np.empty((n_draws, J), np.float32)
    keep_sig = np.empty((n_draws, J), np.float32)
    keep_tau2 = np.empty(n_draws)
    jn_w = np.bincount(j_comp[has_j], weights=j_count[has_j], minlength=n_comp)
    e_n = np.bincount(e_comp[has_e], minlength=n_comp).astype(float)
    # what every sweep reads and no sweep changes, computed once
    no_e, no_j = ~has_e, ~has_j
    nj, ne = int(has_j.sum()), int(has_e.sum())
    e_comp0, j_comp0 = np.maximum(e_comp, 0), np.maximum(j_comp, 0)
    j_comp_has = j_comp[has_j]
    nu0 = 4.0
    # blunders: each sheet is, with probability pi, a score unrelated to the entry (uniform
    # over the rubric, or over the scores' range without bounds) and carries no information;
    # bad = the sheets drawn as blunders, whose terms are taken out of the sums below
    bad = np.zeros(0, dtype=np.intp)
    pi = BLUNDER_PRIOR[0] / sum(BLUNDER_PRIOR)
    width = (
        float(scale_max) - float(scale_min)
        if scale_min is not None and scale_max is not None
        else float(np.ptp(score)) or 1.0
    )
    log_u = 0.5 * math.log(2.0 * math.pi) - math.log(width)  # log(uniform density * sqrt(2 pi))
    # slips of scale (SLIP_SHARE of the blunders): a blunder's density at y is
    # (1 - q) u + q 10 N(10 y + shift; mu, sigma_j^2 + sd^2), so the log-odds of a good sheet
    # lose log((1 - q) + q 10 N(...) / u). Only low sheets (10 y within reach of the scale)
    # can be slips; for the rest the term is log(1 - q), taken into the constant
    q_slip = SLIP_SHARE if slips else 0.0
    unit = width / 100.0
    hi_reach = (float(scale_max) if scale_max is not None else float(score.max())) + 6.0 * (
        math.sqrt(v) + SLIP_SD * unit
    )
    low = 10.0 * score + SLIP_SHIFT * unit <= hi_reach
    low[cen_lo] = low[cen_hi] = False  # a score at a bound stays censored
    slip_idx = np.flatnonzero(low) if q_slip else np.zeros(0, np.intp)
    # the gap between the intended score (centred) and the sheet's residual: d = gap + res
    slip_gap = 9.0 * score[slip_idx] + SLIP_SHIFT * unit
    slip_var = (SLIP_SD * unit) ** 2
    slip_c = math.log(q_slip * 10.0 * width / math.sqrt(2.0 * math.pi)) if q_slip else 0.0
    bad_count = np.zeros(n)
    w_ok = None  # 0 for the blunders, 1 for the rest (set with them)
    pi_sum = 0.0
    thin = int(_thin)
    total = n_burn + n_draws * thin
    for sweep in range(total):
        sj, aj = s[j], a[j]
        # 1. latent scores of censored sheets (truncated normal beyond the bound)
        if bound_hi is not None:
            idx = cen_hi
            mu = aj[idx] + sj[idx] * z[e[idx]]
            sd = np.sqrt(sig2[j[idx]])
            r[idx] = mu + sd * _std_normal_above(rng, (bound_hi - mu) / sd)
        if bound_lo is not None:
            idx = cen_lo
            mu = aj[idx] + sj[idx] * z[e[idx]]
            sd = np.sqrt(sig2[j[idx]])
            r[idx] = mu - sd * _std_normal_above(rng, (mu - bound_lo) / sd)
        # 2. entries: z_e | rest, conjugate normal
        prec_j = 1.0 / sig2
        wsj = (s * prec_j)[j]
        P = np.bincount(e, weights=wsj * sj, minlength=E) + 1.0 / tau2_z
        b = np.bincount(e, weights=wsj * (r - aj), minlength=E)
        if bad.size:
            eb, wb = e[bad], wsj[bad]
            P -= np.bincount(eb, weights=wb * sj[bad], minlength=E)
            b -= np.bincount(eb, weights=wb * (r[bad] - aj[bad]), minlength=E)
        if use_blocks:
            b[has_e] += mu_blk[e_blk[has_e]] / tau2_z
        z = b / P + rng.standard_normal(E) / np.sqrt(P)
        z[no_e] = 0.0
        if use_blocks:  # block means: flat prior, z_e ~ N(mu_block, tau_z^2)
            zs = np.bincount(e_blk[has_e], weights=z[has_e], minlength=n_blk)
            mu_blk = zs / blk_n + rng.standard_normal(n_blk) * np.sqrt(tau2_z / blk_n)
        ze = z[e]
        # 3. judges: (offset, scale) | rest, a 2x2 conjugate regression per judge
        if model == "bias_scale":
            sx = np.bincount(j, weights=ze, minlength=J)
            sxx = np.bincount(j, weights=ze * ze, minlength=J)
            sr = np.bincount(j, weights=r, minlength=J)
            sxr = np.bincount(j, weights=ze * r, minlength=J)
            if bad.size:
                jb, zb, rb = j[bad], ze[bad], r[bad]
                sx -= np.bincount(jb, weights=zb, minlength=J)
                sxx -= np.bincount(jb, weights=zb * zb, minlength=J)
                sr -= np.bincount(jb, weights=rb, minlength=J)
                sxr -= np.bincount(jb, weights=zb * rb, minlength=J)
            p11 = good_j * prec_j + 1.0 / tau2_a
            p12 = sx * prec_j
            p22 = sxx * prec_j + 1.0 / tau2_s
            b1 = sr * prec_j
            b2 = sxr * prec_j + 1.0 / tau2_s
            det = p11 * p22 - p12 * p12
            m1 = (p22 * b1 - p12 * b2) / det
            m2 = (p11 * b2 - p12 * b1) / det
            l11 = np.sqrt(p11)
            l21 = p12 / l11
            l22 = np.sqrt(np.maximum(p22 - l21 * l21, 1e-300))
            x2 = rng.standard_normal(J) / l22
            x1 = (rng.standard_normal(J) - l21 * x2) / l11
            a = m1 + x1
            s = np.maximum(m2 + x2, 0.02)  # a judge's scale stays positive
        elif model == "bias":
            p11 = good_j * prec_j + 1.0 / tau2_a
            d = r - ze
            if bad.size:
                d[bad] = 0.0
            b1 = np.bincount(j, weights=d, minlength=J) * prec_j
            a = b1 / p11 + rng.standard_normal(J) / np.sqrt(p11)
        a[no_j] = 0.0
        s[no_j] = 1.0
        if blk_moves:  # move a block's entries up and its judges' offsets down together
            for blk, bj, be, i_j, i_e in blk_moves:
                res = r[i_j] - a[j[i_j]] - s[j[i_j]] * z[e[i_j]]
                res_e = r[i_e] - a[j[i_e]] - s[j[i_e]] * z[e[i_e]]
                c_j, c_e = -s[j[i_j]], s[j[i_e]]
                pj, pe = 1.0 / sig2[j[i_j]], 1.0 / sig2[j[i_e]]
                if bad.size:
                    pj, pe = pj * w_ok[i_j], pe * w_ok[i_e]
                sb = s[bj]
                prec = (
                    float(np.dot(c_j * c_j, pj) + np.dot(c_e * c_e, pe))
                    + float(np.dot(sb, sb)) / tau2_a
                )
                lin = (
                    float(np.dot(c_j * res, pj) + np.dot(c_e * res_e, pe))
                    + float(np.dot(a[bj], sb)) / tau2_a
                )
                delta = lin / prec + rng.standard_normal() / np.sqrt(prec)
                a[bj] -= sb * delta
                z[be] += delta
                mu_blk[blk] += delta
            ze = z[e]
        # 4. noise per judge, inverse gamma around the pooled level s0
        res = r - a[j] - s[j] * ze
        ss = np.bincount(j, weights=res * res, minlength=J)
        if bad.size:
            ss -= np.bincount(j[bad], weights=res[bad] ** 2, minlength=J)
        sig2 = _inv_gamma(rng, 0.5 * (nu0 + good_j), 0.5 * (nu0 * s0 + ss))
        sig2 = np.maximum(sig2, 1e-8 * v)
        if robust and sweep % BLUNDER_EVERY == 0:  # 4b. which sheets are blunders, how many
            # log of P(good) / P(blunder) per sheet: (1 - pi) N(res; 0, sigma_j^2) / (pi u')
            # with u' = (1 - q) u, then the slips' part for the low sheets
            c_j = math.log((1.0 - pi) / pi) - log_u - 0.5 * np.log(sig2) - math.log1p(-q_slip)
            logit = c_j[j] - res * res * (0.5 / sig2)[j]
            if slip_idx.size:
                k = slip_idx
                var = sig2[j[k]] + slip_var
                d = slip_gap + res[k]
                ratio = np.exp(slip_c - 0.5 * np.log(var) - d * d * (0.5 / var)) / (1.0 - q_slip)
                logit[k] -= np.log1p(ratio)
            is_bad = rng.random(n) * (1.0 + np.exp(np.minimum(logit, 700.0))) < 1.0
            is_bad[cen_hi] = is_bad[cen_lo] = False  # a score at a bound stays censored
            bad = np.flatnonzero(is_bad)
            pi = rng.beta(BLUNDER_PRIOR[0] + bad.size, BLUNDER_PRIOR[1] + n - bad.size)
            good_j = j_count - np.bincount(j[bad], minlength=J)
            w_ok = np.where(is_bad, 0.0, 1.0)
        # 5. hyperparameters
        s0 = rng.gamma(0.5 * nu0 * nj + 1.0, 1.0) / (
            0.5 * nu0 * (1.0 / sig2[has_j]).sum() + 1.0 / v
        )
        zd = z - mu_blk[np.maximum(e_blk, 0)] * has_e if use_blocks else z
        tau2_z = _inv_gamma(rng, 1.0 + 0.5 * ne, 0.05 * v + 0.5 * float(np.dot(zd, zd)))
        if model != "raw":
            tau2_a = _inv_gamma(rng, 1.0 + 0.5 * nj, 0.01 * v + 0.5 * float(np.dot(a, a)))
        if model == "bias_scale":
            ds = s[has_j] - 1.0
            tau2_s = _inv_gamma(rng, 2.0 + 0.5 * nj, 0.1 + 0.5 * float(np.dot(ds, ds)))
        if sweep >= n_burn and (sweep - n_burn) % thin == thin - 1:
            k = (sweep - n_burn) // thin
            # centre: sheet-weighted offsets sum to 0 within each group (a shift of z by
            # delta moves the offsets by -scale * delta; the predictions stay)
            a_sum = np.bincount(j_comp_has, weights=(j_count * a)[has_j], minlength=n_comp)
            s_sum = np.bincount(j_comp_has, weights=(j_count * s)[has_j], minlength=n_comp)
            delta = a_sum / np.where(s_sum > 0, s_sum, 1.0)
            zc = z + np.where(has_e, delta[e_comp0], 0.0)
            ac = a - s * np.where(has_j, delta[j_comp0], 0.0)
            level = m_c
            if across == "assume_equal" and n_comp > 1:
                zmean = np.bincount(e_comp[has_e], weights=zc[has_e], minlength=n_comp) / e_n
                grand = float(np.sum(m_c * e_n) / e_n.sum())
                shift = rng.standard_normal(n_comp) * np.sqrt(tau2_z / e_n)
                # group c's level becomes the common level; its offsets absorb the difference
                move = shift - zmean
                zc = zc + np.where(has_e, move[e_comp0], 0.0)
                ac = ac + (m_c - grand)[j_comp0] - s * move[j_comp0]
                level = np.full(n_comp, grand)
            keep_z[k] = np.where(has_e, zc + level[e_comp0], np.nan)
            keep_a[k] = np.where(has_j, ac, np.nan)
            keep_s[k] = np.where(has_j, s, np.nan)
            keep_sig[k] = np.where(has_j, np.sqrt(sig2), np.nan)
            keep_tau2[k] = tau2_z
            bad_count[bad] += 1.0
            pi_sum += pi if robust else 0.0
    del jn_w
    rhat = _split_rhat(keep_z[:, has_e], e_comp[has_e], n_comp)
    if robust and thin == 1 and rhat > RHAT_RETRY:
        return sample_posterior(
            e,
            j,
            score,
            n_entries=E,
            n_judges=J,
            model=model,
            scale_min=scale_min,
            scale_max=scale_max,
            across=across,
            n_draws=n_draws,
            n_burn=n_burn,
            seed=seed,
            checked=True,
            blocks=blocks,
            robust=robust,
            slips=slips,
            _thin=2,
        )
    with np.errstate(invalid="ignore"):
        return Posterior(
            score_draws=keep_z,
            offset=np.where(has_j, keep_a.mean(axis=0, dtype=float), np.nan),
            scale=np.where(has_j, keep_s.mean(axis=0, dtype=float), np.nan),
            noise=np.where(has_j, keep_sig.mean(axis=0, dtype=float), np.nan),
            offset_draws=keep_a,
            scale_draws=keep_s,
            noise_draws=keep_sig,
            tau_z=float(np.sqrt(keep_tau2).mean()),
            tau2_draws=keep_tau2,
            entry_component=e_comp,
            judge_component=j_comp,
            n_components=int(n_comp),
            n_sheets=e_count,
            judge_n_sheets=j_count.astype(np.intp),
            censored=int(cen_hi.size + cen_lo.size),
            rhat=rhat,
            converged=bool(rhat <= 1.1),
            model=model,
            across=across,
            n_sweeps=n_draws,
            n_burn=n_burn,
            n_blocks=int(n_blk),
            blunder_rate=pi_sum / n_draws,
            sheet_blunder=bad_count / n_draws,
            thin=thin,
        )


def _split_rhat(draws, comp, n_comp):
    """Largest split-R-hat (Gelman et al.; the 99th percentile over 100 entries or more) over
    entries of the draws standardized within
    each draw and group (rank-invariant: a common shift or stretch of a group's scores, which
    the model cannot pin down tightly, does not count as unsettled)."""
    D, m = draws.shape
    if m == 0 or D < 8:
        return float("nan") if m == 0 else 1.0
    x = draws.astype(float)
    cnt = np.bincount(comp, minlength=n_comp).astype(float)
    mean = np.zeros((D, n_comp))
    sq = np.zeros((D, n_comp))
    for c in range(n_comp) if n_comp <= 64 else ():
        cols = comp == c
        mean[:, c] = x[:, cols].mean(axis=1)
        sq[:, c] = x[:, cols].var(axis=1)
    if n_comp > 64:  # many tiny groups: standardize overall instead
        mean[:] = x.mean(axis=1, keepdims=True)
        sq[:] = x.var(axis=1, keepdims=True)
    sd = np.sqrt(sq)
    sd[sd <= 0] = 1.0
    x = (x - mean[:, comp]) / sd[:, comp]
    half = D // 2
    chains = np.stack([x[:half], x[half : 2 * half]])  # (2, half, m)
    cm = chains.mean(axis=1)
    cv = chains.var(axis=1, ddof=1)
    W = cv.mean(axis=0)
    B = half * cm.var(axis=0, ddof=1)
    var_plus = (half - 1) / half * W + B / half
    ok = (W > 1e-12) & (cnt[comp] > 1)
    if not ok.any():
        return 1.0
    r = np.sqrt(var_plus[ok] / W[ok])
    # the largest of thousands of R-hats exceeds 1.1 by chance alone: take the 99th percentile
    return float(r.max() if r.size < 100 else np.quantile(r, 0.99))
