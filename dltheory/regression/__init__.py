"""Linear regression: the linear model, squared loss, minibatch SGD, the Gaussian likelihood,
least squares, generalization, polynomial fitting, cross-validation and weight decay.

Reference functions (``from dltheory.regression import ...``): :func:`linear_model`,
:func:`squared_loss`, :func:`linear_regression_grad`, :func:`sgd_step`,
:func:`weight_decay_step`, :func:`gaussian_nll`, :func:`least_squares`,
:func:`polynomial_features`, :func:`k_fold_splits`. The claims of section 3 of the notes are in
:mod:`dltheory.regression.claims`.
"""

from dltheory.regression.reference import (
    gaussian_nll,
    k_fold_splits,
    least_squares,
    linear_model,
    linear_regression_grad,
    polynomial_features,
    sgd_step,
    squared_loss,
    weight_decay_step,
)

__all__ = [
    "gaussian_nll",
    "k_fold_splits",
    "least_squares",
    "linear_model",
    "linear_regression_grad",
    "polynomial_features",
    "sgd_step",
    "squared_loss",
    "weight_decay_step",
]
