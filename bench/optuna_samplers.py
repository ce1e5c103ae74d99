"""The Optuna samplers the benchmarks compare with, by the names bench/samplers.h
gives hypertune's: each is Optuna's default options with the seed set, the peer
of our defaults."""

import optuna


def make_sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "qmc":
        # scramble=True as hypertune's default (Optuna's default, False, makes
        # every seed give the same points after the first trial).
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed,
                                          warn_independent_sampling=False)
    if name in ("tpe", "tpe-univariate"):  # Optuna's default is univariate
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    raise SystemExit("unknown sampler %r" % name)
