"""Test functions of the quality benchmark, Python side.

Each function here has a twin in bench/test_functions.h with the same name,
parameters (names, order, ranges, scales), formula and known optimum; the
runner checks that both give the same values at fixed points before it runs
anything (see `check_against` below and `quality_bench --check`).

A function takes a list of values in parameter order. A categorical parameter
is passed as the index of its choice, so that formulas stay numeric.
Everything is minimized; `optimum` is the exact (or best known) minimum and
`optimizer` a point where it is reached.

Only the `math` module is used (it calls the same C library functions as the
C++ side), and sums are taken in the same order as in C++, so that the two
agree to rounding.
"""

import math


class Param:
    """One parameter: kind is "float", "int" or "categorical"."""

    def __init__(self, name, kind, low=None, high=None, log=False, choices=None):
        self.name = name
        self.kind = kind
        self.low = low
        self.high = high
        self.log = log
        self.choices = choices


class TestFunction:
    def __init__(self, name, params, fn, optimum, optimizer):
        self.name = name
        self.params = params
        self.fn = fn
        self.optimum = optimum
        self.optimizer = optimizer

    def __call__(self, values):
        return self.fn(values)


def floats(prefix, dim, low, high):
    return [Param("%s%d" % (prefix, i), "float", low, high) for i in range(dim)]


def suggest_all(trial, func):
    """Asks an Optuna trial for every parameter of `func`, in order; returns
    the values with categoricals as choice indices."""
    values = []
    for p in func.params:
        if p.kind == "float":
            values.append(trial.suggest_float(p.name, p.low, p.high, log=p.log))
        elif p.kind == "int":
            values.append(trial.suggest_int(p.name, p.low, p.high, log=p.log))
        else:
            choice = trial.suggest_categorical(p.name, p.choices)
            values.append(p.choices.index(choice))
    return values


# ---- Branin (2D). x1 in [-5, 10], x2 in [0, 15]; f* = 5 / (4 pi) at
# (pi, 2.275) and two other points.
def branin(x):
    a = 1.0
    b = 5.1 / (4.0 * math.pi * math.pi)
    c = 5.0 / math.pi
    r = 6.0
    s = 10.0
    t = 1.0 / (8.0 * math.pi)
    u = x[1] - b * x[0] * x[0] + c * x[0] - r
    return a * u * u + s * (1.0 - t) * math.cos(x[0]) + s


# ---- Hartmann6 in [0, 1]^6. f* = -3.322368011415515 (scipy BFGS from the
# published optimizer; published as -3.32237).
HARTMANN6_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN6_A = [
    [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
    [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
    [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
    [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
]
HARTMANN6_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = 0.0
        for j in range(6):
            d = x[j] - HARTMANN6_P[i][j]
            inner += HARTMANN6_A[i][j] * d * d
        total += HARTMANN6_ALPHA[i] * math.exp(-inner)
    return -total


# ---- Rosenbrock (5D) in [-5, 10]^5; f* = 0 at (1, ..., 1).
def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        total += 100.0 * a * a + b * b
    return total


# ---- Ackley (5D) in [-32.768, 32.768]^5; f* = 0 at the origin.
def ackley(x):
    d = float(len(x))
    sum_sq = 0.0
    sum_cos = 0.0
    for v in x:
        sum_sq += v * v
        sum_cos += math.cos(2.0 * math.pi * v)
    return (-20.0 * math.exp(-0.2 * math.sqrt(sum_sq / d))
            - math.exp(sum_cos / d) + 20.0 + math.e)


# ---- Styblinski-Tang (8D) in [-5, 5]^8; f* = 8 * -39.16616570377141 at
# x_i = -2.903534027771177 (the root of 4x^3 - 32x + 5 in [-3, -2.5]).
STYBLINSKI_TANG_X = -2.903534027771177
STYBLINSKI_TANG_F1 = -39.16616570377141  # per dimension


def styblinski_tang(x):
    total = 0.0
    for v in x:
        total += v * v * v * v - 16.0 * v * v + 5.0 * v
    return 0.5 * total


# ---- Levy (4D) in [-10, 10]^4; f* = 0 at (1, ..., 1).
def levy(x):
    w = [1.0 + (v - 1.0) / 4.0 for v in x]
    s = math.sin(math.pi * w[0])
    total = s * s
    for i in range(len(w) - 1):
        s = math.sin(math.pi * w[i] + 1.0)
        total += (w[i] - 1.0) * (w[i] - 1.0) * (1.0 + 10.0 * s * s)
    s = math.sin(2.0 * math.pi * w[-1])
    total += (w[-1] - 1.0) * (w[-1] - 1.0) * (1.0 + s * s)
    return total


# ---- Mixed (5 parameters): x, y floats in [-5, 5], lr a log float in
# [1e-5, 1], n an int in [1, 16], kind a categorical in {a, b, c}.
#
# Each kind has its own centre (x0, y0, n0) and a bias; the log10 of lr should
# match u0 = -4 + n / 4, which couples the int and the log float:
#   f = dx^2 + 0.5 dy^2 + 0.5 dx dy + (log10(lr) - u0)^2 + 0.05 (n - n0)^2 + bias
# The quadratic form in (dx, dy) is positive definite, so f >= bias, with
# equality only at the centre. Only kind "b" has bias 0, so
# f* = 0 at x = -2.5, y = 1, lr = 0.1 (u0 = -4 + 12/4 = -1), n = 12, kind = b.
# The other kinds' minima (0.6 and 0.3) are local optima a sampler must leave.
MIXED_CENTERS = [
    # x0, y0, n0, bias
    (1.5, -2.0, 4.0, 0.6),   # a
    (-2.5, 1.0, 12.0, 0.0),  # b: the global optimum
    (3.0, 3.0, 8.0, 0.3),    # c
]


def mixed(v):
    x0, y0, n0, bias = MIXED_CENTERS[int(v[4])]
    dx = v[0] - x0
    dy = v[1] - y0
    du = math.log10(v[2]) - (-4.0 + v[3] / 4.0)
    dn = v[3] - n0
    return dx * dx + 0.5 * dy * dy + 0.5 * dx * dy + du * du + 0.05 * dn * dn + bias


FUNCTIONS = [
    TestFunction("branin", [Param("x0", "float", -5.0, 10.0),
                            Param("x1", "float", 0.0, 15.0)],
                 branin, 5.0 / (4.0 * math.pi), [math.pi, 2.275]),
    TestFunction("hartmann6", floats("x", 6, 0.0, 1.0), hartmann6,
                 -3.322368011415515,
                 [0.20168951397760904, 0.15001069019946628, 0.4768739709136298,
                  0.27533243023964377, 0.3116516154723292, 0.6573005311849274]),
    TestFunction("rosenbrock5", floats("x", 5, -5.0, 10.0), rosenbrock, 0.0,
                 [1.0] * 5),
    TestFunction("ackley5", floats("x", 5, -32.768, 32.768), ackley, 0.0,
                 [0.0] * 5),
    TestFunction("styblinski_tang8", floats("x", 8, -5.0, 5.0), styblinski_tang,
                 8 * STYBLINSKI_TANG_F1, [STYBLINSKI_TANG_X] * 8),
    TestFunction("levy4", floats("x", 4, -10.0, 10.0), levy, 0.0, [1.0] * 4),
    TestFunction("mixed", [Param("x", "float", -5.0, 5.0),
                           Param("y", "float", -5.0, 5.0),
                           Param("lr", "float", 1e-5, 1.0, log=True),
                           Param("n", "int", 1, 16),
                           Param("kind", "categorical", choices=["a", "b", "c"])],
                 mixed, 0.0, [-2.5, 1.0, 0.1, 12, 1]),
]

BY_NAME = {f.name: f for f in FUNCTIONS}


def check_against(lines):
    """Compares values computed elsewhere (JSON objects with "function", "x",
    "f", as printed by `quality_bench --check`) with this module's. Returns a
    list of mismatch descriptions; empty when all agree. Also checks that
    every function reaches its stated optimum at its optimizer."""
    problems = []
    seen = set()
    for rec in lines:
        func = BY_NAME.get(rec["function"])
        if func is None:
            problems.append("unknown function %s" % rec["function"])
            continue
        seen.add(func.name)
        ours = func(rec["x"])
        theirs = rec["f"]
        if not math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12):
            problems.append("%s at %s: python %.17g, C++ %.17g"
                            % (func.name, rec["x"], ours, theirs))
        if "optimum" in rec and rec["optimum"] != func.optimum:
            problems.append("%s: optimum python %.17g, C++ %.17g"
                            % (func.name, func.optimum, rec["optimum"]))
    for func in FUNCTIONS:
        if func.name not in seen:
            problems.append("%s: not checked (missing on the C++ side)" % func.name)
        at_opt = func(func.optimizer)
        if not math.isclose(at_opt, func.optimum, rel_tol=1e-9, abs_tol=1e-9):
            problems.append("%s: f(optimizer) = %.17g but optimum = %.17g"
                            % (func.name, at_opt, func.optimum))
    return problems
