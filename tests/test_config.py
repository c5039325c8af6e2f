import dataclasses
import shutil
from pathlib import Path

import pytest

from actstudy.run import activations
from actstudy.run import config as config_module
from actstudy.run.config import Config, default_initializer

BASE = Config(dataset="moons", depth=2, width=8, epochs=2, batch_size=32)


@pytest.mark.parametrize(
    "changes, field, value",
    [
        ({"dataset": "mnits"}, "dataset", "mnits"),
        ({"architecture": "rnn"}, "architecture", "rnn"),
        ({"architecture": "cnn"}, "architecture", "cnn"),  # the CNN needs images
        ({"epochs": 0}, "epochs", "0"),
        ({"depth": 0}, "depth", "0"),
        ({"width": -3}, "width", "-3"),
        ({"learning_rate": 0.0}, "learning_rate", "0.0"),
        ({"learning_rate": float("nan")}, "learning_rate", "nan"),
        ({"dropout": 1.0}, "dropout", "1.0"),
        ({"optimizer": "adamax"}, "optimizer", "adamax"),
        ({"initializer": "zeros"}, "initializer", "zeros"),
        ({"seed": -1}, "seed", "-1"),
        ({"gradient_every": 0}, "gradient_every", "0"),
        ({"init_scale": -2}, "init_scale", "-2"),
        ({"activation": "softmax"}, "activation", "softmax"),
        ({"restore_best": "yes"}, "restore_best", "'yes'"),
        ({"restore_best": 1}, "restore_best", "1"),
        ({"train_hidden": "no"}, "train_hidden", "'no'"),
        ({"train_hidden": 0}, "train_hidden", "0"),
    ],
)
def test_bad_fields_name_field_and_value(changes, field, value):
    with pytest.raises(ValueError) as info:
        dataclasses.replace(BASE, **changes)
    message = str(info.value)
    assert field in message and value in message


def test_unknown_activation_suggests_close_names():
    with pytest.raises(ValueError, match="relu"):
        BASE.replace(activation="relo")


def test_bad_activation_option_is_named():
    with pytest.raises(ValueError, match="negative_slope"):
        BASE.replace(activation="leaky_relu", activation_options={"negative_slope": -1.0})


def test_aliases_resolve_to_one_config():
    assert BASE.replace(activation="silu") == BASE.replace(activation="swish")


def test_literature_initializers():
    assert default_initializer("relu") == "he_normal"
    assert default_initializer("selu") == "lecun_normal"
    assert default_initializer("tanh") == "glorot_uniform"
    assert BASE.replace(activation="elu").weight_initializer == "he_normal"
    chosen = BASE.replace(activation="tanh", initializer="he_uniform")
    assert chosen.weight_initializer == "he_uniform"
    assert chosen.replace(activation="selu").weight_initializer == "he_uniform"  # chosen: kept


def test_an_unchosen_initializer_follows_the_activation_however_the_config_was_made():
    # A base built with relu once carried He init to every activation of a grid.
    from actstudy.runner import grid

    relu = Config(dataset="moons", activation="relu")
    assert relu.replace(activation="selu").weight_initializer == "lecun_normal"
    assert relu.replace(activation="sigmoid").weight_initializer == "glorot_uniform"
    made = {c.activation: c.to_dict()["initializer"]
            for c in grid(relu, activation=["relu", "selu", "tanh", "elu"])}
    assert made == {"relu": "he_normal", "selu": "lecun_normal", "tanh": "glorot_uniform",
                    "elu": "he_normal"}
    # The default and the same initializer named are one run; another is not.
    assert relu.replace(initializer="he_normal").key() == relu.key()
    assert relu.replace(activation="selu").key() != relu.replace(
        activation="selu", initializer="he_normal").key()


def test_the_model_uses_the_resolved_initializer():
    from actstudy.run import models

    config = Config(dataset="moons", activation="relu").replace(activation="selu")
    made = models.initializer(config, 0)
    lecun = models.initializer(config.replace(initializer="lecun_normal"), 0)
    assert (made.scale, made.mode, made.distribution) == (
        lecun.scale, lecun.mode, lecun.distribution)


def test_constructing_a_config_reads_no_data(monkeypatch):
    from actstudy import sources
    from actstudy.run import data

    def no_loading(*args, **kwargs):
        raise AssertionError("a Config must not load data")

    monkeypatch.setattr(data, "load", no_loading)
    monkeypatch.setattr(sources, "load_image_arrays", no_loading)
    config = Config(dataset="mnist", batch_size=59999)
    config.key()
    config.replace(activation="tanh").to_dict()


def test_a_batch_larger_than_the_training_set_is_refused_where_the_run_loads_its_data():
    config = BASE.replace(batch_size=10**6)
    with pytest.raises(ValueError, match="batch_size=1000000 is not allowed"):
        config.load_dataset()


def test_equal_configs_equal_hash():
    again = Config(dataset="moons", depth=2, width=8, epochs=2, batch_size=32)
    assert again == BASE and again.key() == BASE.key()
    assert hash(again) == hash(BASE)
    assert Config.from_dict(BASE.to_dict()).key() == BASE.key()


@pytest.mark.parametrize(
    "changes",
    [
        {"depth": 3}, {"width": 9}, {"activation": "tanh"}, {"seed": 1}, {"epochs": 3},
        {"learning_rate": 0.01}, {"batch_size": 16}, {"dropout": 0.1}, {"optimizer": "sgd"},
        {"initializer": "glorot_normal"}, {"init_scale": 2.0}, {"gradient_every": 2},
        {"probe_size": 64}, {"dataset": "circles"}, {"dataset_options": {"noise": 0.2}},
        {"activation": "leaky_relu", "activation_options": {"negative_slope": 0.2}},
        {"restore_best": True},
        {"train_hidden": False},
    ],
)
def test_any_field_change_changes_hash(changes):
    assert BASE.replace(**changes).key() != BASE.key()


def test_hash_covers_code_and_version(monkeypatch):
    import actstudy
    from actstudy.run import config as config_module

    key = BASE.key()
    monkeypatch.setattr(config_module, "code_digest", lambda: "other-code")
    assert BASE.key() != key
    monkeypatch.undo()
    monkeypatch.setattr(actstudy, "__version__", "99.0")
    assert BASE.key() != key


def test_every_hidden_activation_makes_a_config():
    for name in activations.names():
        assert Config(dataset="xor", activation=name, epochs=1, batch_size=8).activation == name


def test_the_activation_label_names_the_options_a_config_gives():
    from actstudy.run.config import activation_label

    prelu = BASE.replace(activation="prelu", activation_options={"initial_slope": 0.01})
    assert prelu.label == "prelu(initial_slope=0.01) 2x8 moons s0"
    assert BASE.label == "relu 2x8 moons s0"
    mixture = BASE.replace(activation="mixture", activation_options={"bases": ["relu", "tanh"]})
    stored = mixture.to_dict()  # a run record's config: options as a dict, tuples as lists
    assert activation_label(stored["activation"], stored["activation_options"]) == \
        activation_label(mixture.activation, mixture.activation_options) == \
        "mixture(bases=('relu', 'tanh'))"


def test_a_frozen_config_says_so_in_its_record_and_label():
    frozen = BASE.replace(train_hidden=False)
    assert frozen.to_dict()["train_hidden"] is False and BASE.to_dict()["train_hidden"] is True
    assert Config.from_dict(frozen.to_dict()).key() == frozen.key()
    assert frozen.label == "relu 2x8 moons s0 output layer only" and BASE.label == "relu 2x8 moons s0"
    with pytest.raises(ValueError, match="train_hidden='no' is not allowed: must be True "
                                         r"\(train every layer\) or False"):
        BASE.replace(train_hidden="no")


# -- the key covers behaviour, not bytes ------------------------------------------------------

RUN_FOLDER = Path(config_module.__file__).parent


def _edited_copy(tmp_path, name: str, edit) -> Path:
    """A copy of actstudy/run/ with one module edited; its digest is what the key would take."""
    copy = tmp_path / "run"
    shutil.copytree(RUN_FOLDER, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / name
    edited = edit(path.read_text())
    assert edited != path.read_text(), "the edit must change the file"
    path.write_text(edited)
    return copy


def test_the_digest_is_of_the_run_folder():
    assert config_module.folder_digest(RUN_FOLDER) == config_module.code_digest()


@pytest.mark.parametrize("name", sorted(p.name for p in RUN_FOLDER.glob("*.py")))
def test_comments_docstrings_and_layout_leave_every_key_unchanged(tmp_path, name):
    def edit(text):
        lines = text.splitlines()
        # a comment at the top, a changed module docstring, a blank line and a trailing comment
        return "# a new comment\n" + text.replace('"""', '"""Reworded. ', 1).replace(
            "\n\n\n", "\n\n\n\n", 1) + "\n# and another at the end\n" + "\n" * (len(lines) % 2)

    copy = _edited_copy(tmp_path, name, edit)
    assert config_module.folder_digest(copy) == config_module.code_digest()


def test_a_function_docstring_edit_leaves_every_key_unchanged(tmp_path):
    copy = _edited_copy(tmp_path, "registry.py", lambda text: text.replace(
        "Heaviside step: 1 for x > 0, else 0.", "The Heaviside step function: 1 above 0."))
    assert config_module.folder_digest(copy) == config_module.code_digest()


@pytest.mark.parametrize("name, old, new", [
    ("registry.py", "jnp.where(x > 0, 1.0, 0.0)", "jnp.where(x >= 0, 1.0, 0.0)"),  # a formula
    ("models.py", "class NAC(", "class NeuralAccumulator("),  # the model
    ("training.py", "INACTIVE_SHARE = 0.99", "INACTIVE_SHARE = 0.98"),  # what the loop records
    ("data.py", "SPLIT_SEED = 12345", "SPLIT_SEED = 12346"),  # data generation
])
def test_a_code_change_changes_every_key(tmp_path, name, old, new):
    copy = _edited_copy(tmp_path, name, lambda text: text.replace(old, new, 1))
    assert config_module.folder_digest(copy) != config_module.code_digest()


def test_the_image_sets_content_hash_is_in_the_key(monkeypatch):
    from actstudy import sources

    before = config_module.folder_digest(RUN_FOLDER)
    monkeypatch.setitem(sources.CONTENT_SHA256, "mnist", "0" * 64)
    assert config_module.folder_digest(RUN_FOLDER) != before


def test_code_outside_the_run_folder_is_not_in_the_key():
    # What the digest reads: the run folder's modules and the content hashes, nothing else.
    import actstudy

    package = Path(actstudy.__file__).parent
    outside = [p for p in package.rglob("*.py") if p.parent != RUN_FOLDER]
    assert {p.name for p in outside} >= {"sources.py", "cli.py", "tables.py", "build.py"}
    assert all(RUN_FOLDER not in p.parents for p in outside)


def test_an_activations_documentation_is_not_in_the_key(tmp_path):
    copy = _edited_copy(tmp_path, "activations.py", lambda text: text.replace(
        "McCulloch & Pitts (1943)", "McCulloch and Pitts (1943)").replace(
        r'r"\\max(0, x)"', r'r"\\max(x, 0)"'))
    assert config_module.folder_digest(copy) == config_module.code_digest()


def test_an_activation_registered_in_code_has_its_code_in_the_key():
    import jax.numpy as jnp

    def mine(x):
        return jnp.tanh(x)

    def other(x):
        return 3 * jnp.tanh(x)

    try:
        activations.register("mine", mine, replace=True)
        first = Config(dataset="xor", activation="mine").key()
        assert Config(dataset="xor", activation="mine").key() == first  # stable
        activations.register("mine", other, replace=True)
        assert Config(dataset="xor", activation="mine").key() != first
    finally:
        activations.unregister("mine")


def test_the_library_versions_are_in_the_key(monkeypatch):
    key = BASE.key()
    monkeypatch.setattr(config_module, "library_versions", lambda: {"jax": "0.0.1"})
    assert BASE.key() != key
