"""Normal, Student t and chi-square tails and quantiles in pure Python (scipy is only a test dependency)."""

from __future__ import annotations

import math
from statistics import NormalDist

_EPS = 1e-16
_TINY = 1e-300
_MAX_ITER = 20_000
_STANDARD = NormalDist()
# Above this the beta continued fraction needs ~sqrt(df) steps and drifts; the Edgeworth tail is within
# 1e-9 of scipy for |t| <= 10 (and p below 1e-23 beyond).
_HUGE_DF = 1e8


def norm_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def norm_two_sided_p(z: float) -> float:
    """P(|Z| > |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def norm_ppf(p: float) -> float:
    """The standard normal quantile of p in (0, 1)."""
    return _STANDARD.inv_cdf(p)


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITER + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def _log_exact(x: float, y: float) -> float:
    """log(x) where y = 1 - x is known exactly: log1p keeps the digits that log(x) loses near 1."""
    return math.log1p(-y) if y < 0.5 else math.log(x)


def _stirling_tail(z: float) -> float:
    """lgamma(z) minus its Stirling leading terms, for z >= 30 (the next term is below 1e-16)."""
    inv, inv2 = 1.0 / z, 1.0 / (z * z)
    return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))


def _log_inv_beta(a: float, b: float) -> float:
    """-log B(a, b); for one large argument the lgamma difference is taken analytically (1e-16, not 1e-10)."""
    big, small = max(a, b), min(a, b)
    if big < 30.0:
        return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    lgamma_shift = ((big - 0.5) * math.log1p(small / big) + small * math.log(big + small) - small
                    + _stirling_tail(big + small) - _stirling_tail(big))
    return lgamma_shift - math.lgamma(small)


def beta_inc(a: float, b: float, x: float, y: float) -> float:
    """Regularized incomplete beta I_x(a, b); `y` is 1 - x passed exactly to avoid cancellation."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = _log_inv_beta(a, b) + a * _log_exact(x, y) + b * _log_exact(y, x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, y) / b


def _t_sf_huge_df(t: float, df: float) -> float:
    """Edgeworth tail of t for huge df: normal tail plus the 1/df term (the next term is O(1/df^2))."""
    density = math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)
    return norm_sf(t) + density * (t**3 + t) / (4.0 * df)


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with `df` (real, > 0) degrees of freedom."""
    if df > _HUGE_DF:
        return _t_sf_huge_df(t, df)
    t2 = t * t
    tail = 0.5 * beta_inc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
    return tail if t >= 0 else 1.0 - tail


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| > |t|) for Student's t."""
    if df > _HUGE_DF:
        return 2.0 * _t_sf_huge_df(abs(t), df)
    t2 = t * t
    return beta_inc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))


def _t_pdf(t: float, df: float) -> float:
    # lgamma((df + 1) / 2) - lgamma(df / 2), without losing digits to two huge lgammas.
    log_norm = _log_inv_beta(df / 2.0, 0.5) + math.lgamma(0.5) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(t * t / df))


def t_ppf(p: float, df: float) -> float:
    """The Student t quantile of p in (0, 1): Newton steps from the Cornish-Fisher start."""
    if p < 0.5:
        return -t_ppf(1.0 - p, df)
    if p == 0.5:
        return 0.0
    z = norm_ppf(p)
    # The truncated Cornish-Fisher series starts at or below the root, where the cdf is concave: Newton
    # then climbs monotonically (and from an overshoot lands left of the root and climbs from there).
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df * df)
    upper = 1.0 - p
    for _ in range(200):
        step = (t_sf(t, df) - upper) / _t_pdf(t, df)
        t += step
        if abs(step) <= 1e-15 * max(1.0, abs(t)):
            break
    return t


def _gamma_series(a: float, x: float) -> float:
    """Lower regularized gamma P(a, x) by its series (x < a + 1)."""
    term = total = 1.0 / a
    ap = a
    for _ in range(_MAX_ITER):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_cf(a: float, x: float) -> float:
    """Upper regularized gamma Q(a, x) by its continued fraction (x >= a + 1)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER + 1):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for a chi-square X with `df` degrees of freedom."""
    if x <= 0.0:
        return 1.0
    a, half = df / 2.0, x / 2.0
    if half < a + 1.0:
        return 1.0 - _gamma_series(a, half)
    return _gamma_cf(a, half)
