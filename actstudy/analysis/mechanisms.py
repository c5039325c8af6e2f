"""What a mechanism does: the binary step's hidden-layer gradients against frozen layers, PReLU's overfitting gap and learned slopes.
"""

from __future__ import annotations

import pandas as pd

from actstudy.analysis.gradients import unit_parameters

__all__ = ["BINARY_STEP_NETWORKS", "STRAIGHT_THROUGH", "binary_step_network", "binary_step_mechanism",
           "overfitting_gap", "learned_slopes"]


# -- the binary step's mechanism and PReLU's overfitting (studies binary_step, prelu_overfitting) -


# The binary step trained through a surrogate derivative, as a run's activation_label names it.
STRAIGHT_THROUGH = "binary_step(straight_through=True)"


# The binary_step study's networks, by (activation label, train_hidden).
BINARY_STEP_NETWORKS = {("binary_step", True): "binary step, every layer trained",
                        ("binary_step", False): "binary step, output layer only",
                        (STRAIGHT_THROUGH, True): "binary step, straight-through estimator",
                        ("identity", True): "logistic regression"}


def _labels(frame: pd.DataFrame) -> pd.Series:
    return frame["activation_label"] if "activation_label" in frame else frame["activation"]


def binary_step_network(frame: pd.DataFrame) -> pd.Series:
    """Which of the binary_step study's networks each row's run is (BINARY_STEP_NETWORKS).

    >>> frame = pd.DataFrame({"activation": ["binary_step", "identity"],
    ...                       "train_hidden": [False, True]})
    >>> binary_step_network(frame).tolist()
    ['binary step, output layer only', 'logistic regression']
    """
    names = [BINARY_STEP_NETWORKS.get((activation, bool(whole))) for activation, whole
             in zip(_labels(frame), frame["train_hidden"], strict=True)]
    return pd.Series(names, index=frame.index, name="network")


def _one_run_per_seed(part: pd.DataFrame, what: str, column: str = "test_accuracy"
                      ) -> pd.Series:
    if part["seed"].duplicated().any():
        raise ValueError(f"summary has several {what} runs for one seed; pass one setting's runs "
                         "(one dataset, depth and width)")
    if column not in part:  # a summary from before the column was kept
        return pd.Series(float("nan"), index=part["seed"])
    return part.set_index("seed")[column]


def binary_step_mechanism(summary: pd.DataFrame, gradients: pd.DataFrame) -> pd.DataFrame:
    """Per seed: what back-propagation reaches in the binary-step network, beside two baselines.

    From the ``binary_step`` study's runs: ``max_hidden_kernel_gradient_norm``
    and ``max_hidden_bias_gradient_norm`` are the largest kernel- and
    bias-gradient norms of any hidden layer of the trained binary-step network
    over all ``recorded_steps`` (exactly 0 when no error signal passes the
    step); ``trained_accuracy`` is that network's test accuracy,
    ``frozen_accuracy`` the same network's with only its output layer trained
    (hidden layers frozen at their random start), ``linear_accuracy``
    logistic regression's (the identity network of depth 1), and
    ``straight_through_accuracy`` the step trained through a surrogate
    derivative (NaN where the study has none). ``initial_val_loss`` and
    ``val_loss`` are the trained binary-step network's validation loss before
    and after training. A seed some network lacks, or a diverged run, gives NaN there.

    >>> summary = pd.DataFrame({"key": ["t", "f", "l"], "seed": 0,
    ...     "activation": ["binary_step", "binary_step", "identity"],
    ...     "train_hidden": [True, False, True], "test_accuracy": [0.8, 0.8, 0.9],
    ...     "initial_val_loss": [2.3, 2.3, 2.3], "final_val_loss": [1.2, 1.2, 0.3]})
    >>> gradients = pd.DataFrame({"key": "t", "seed": 0, "step": [0, 0, 1, 1],
    ...     "layer": ["linear_0", "head"] * 2, "gradient_norm": [0.0, 2.0, 0.0, 1.0],
    ...     "bias_gradient_norm": [0.0, 0.5, 0.0, 0.4]})
    >>> binary_step_mechanism(summary, gradients).iloc[0].tolist()
    [0.0, 0.0, 0.0, 2.0, 0.8, 0.8, 0.9, nan, 2.3, 1.2]
    """
    labels = _labels(summary)
    step = labels == "binary_step"
    whole = summary["train_hidden"].astype(bool)
    trained, frozen = summary[step & whole], summary[step & ~whole]
    straight = summary[labels == STRAIGHT_THROUGH]
    linear = summary[summary["activation"] == "identity"]
    for part, what in ((trained, "trained binary-step"), (frozen, "frozen binary-step"),
                       (linear, "identity (logistic regression)")):
        if part.empty:
            raise ValueError(f"summary has no {what} runs: pass the binary_step study's runs")
    hidden = gradients[gradients["key"].isin(trained["key"]) & (gradients["layer"] != "head")]
    norms = hidden.groupby("seed").agg(
        max_hidden_kernel_gradient_norm=("gradient_norm", "max"),
        max_hidden_bias_gradient_norm=("bias_gradient_norm", "max"),
        recorded_steps=("step", "nunique"))
    accuracies = pd.DataFrame({
        "trained_accuracy": _one_run_per_seed(trained, "trained binary-step"),
        "frozen_accuracy": _one_run_per_seed(frozen, "frozen binary-step"),
        "linear_accuracy": _one_run_per_seed(linear, "identity"),
        "straight_through_accuracy": (_one_run_per_seed(straight, "straight-through")
                                      if len(straight) else float("nan")),
        "initial_val_loss": _one_run_per_seed(trained, "trained binary-step",
                                              "initial_val_loss"),
        "val_loss": _one_run_per_seed(trained, "trained binary-step", "final_val_loss")})
    table = norms.join(accuracies, how="outer")
    table.index.name = "seed"
    return table.reset_index().astype({"seed": int})


def overfitting_gap(summary: pd.DataFrame) -> pd.DataFrame:
    """Per activation and seed: the final model's accuracy on training, validation and test data.

    ``train_accuracy`` is the final model's on the whole training split (not
    the last epoch's running mean), ``val_accuracy`` and ``test_accuracy`` the
    same model's on the validation and test sets, and ``gap_pp`` is train
    minus validation accuracy in percentage points: how much better the
    network does on the samples it was fitted to. Rows keep the runs' order.

    >>> summary = pd.DataFrame({"activation": "prelu", "activation_label": "prelu", "seed": [0],
    ...     "final_train_accuracy_full": [1.0], "final_val_accuracy": [0.9],
    ...     "test_accuracy": [0.89]})
    >>> overfitting_gap(summary)["gap_pp"].round(6).tolist()
    [10.0]
    """
    if summary["final_train_accuracy_full"].isna().all():
        raise ValueError("these runs have no final training-split accuracy (records written "
                         "before it was kept): train them again")
    table = summary[["activation", "activation_label", "seed"]].copy()
    table["train_accuracy"] = summary["final_train_accuracy_full"].astype(float)
    table["val_accuracy"] = summary["final_val_accuracy"].astype(float)
    table["test_accuracy"] = summary["test_accuracy"].astype(float)
    table["gap_pp"] = 100 * (table["train_accuracy"] - table["val_accuracy"])
    return table.reset_index(drop=True)


def learned_slopes(learned: pd.DataFrame) -> pd.DataFrame:
    """PReLU's slopes after training: one row per run, hidden layer and unit.

    ``slope`` is the unit's slope at the run's last recorded epoch,
    ``initial`` its start (epoch 0) and ``change`` the difference; leaky ReLU
    runs have none (their slope is fixed).

    >>> learned = pd.DataFrame({"key": "k", "activation_label": "prelu", "seed": 0,
    ...     "epoch": [0, 3], "layer": "activation_0", "layer_index": 0, "parameter": "slope",
    ...     "values": [[0.01, 0.01], [0.05, -0.02]], "mean": [0.01, 0.015]})
    >>> learned_slopes(learned)[["unit", "slope", "change"]].round(3).values.tolist()
    [[0.0, 0.05, 0.04], [1.0, -0.02, -0.03]]
    """
    units = unit_parameters(learned, "slope")
    last = units["epoch"] == units.groupby("key")["epoch"].transform("max")
    start = units[units["epoch"] == 0].set_index(["key", "layer_index", "unit"])["value"]
    final = units[last].rename(columns={"value": "slope"})
    final["initial"] = start.reindex(
        pd.MultiIndex.from_frame(final[["key", "layer_index", "unit"]])).to_numpy()
    final["change"] = final["slope"] - final["initial"]
    return final.reset_index(drop=True)
