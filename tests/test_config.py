import dataclasses

import pytest

from actstudy import activations
from actstudy.config import Config, default_initializer

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
        ({"batch_size": 10**6}, "batch_size", "1000000"),
        ({"dropout": 1.0}, "dropout", "1.0"),
        ({"optimizer": "adamax"}, "optimizer", "adamax"),
        ({"initializer": "zeros"}, "initializer", "zeros"),
        ({"seed": -1}, "seed", "-1"),
        ({"gradient_every": 0}, "gradient_every", "0"),
        ({"init_scale": -2}, "init_scale", "-2"),
        ({"activation": "softmax"}, "activation", "softmax"),
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
    assert BASE.replace(activation="elu").initializer == "he_normal"
    assert BASE.replace(activation="tanh", initializer="he_uniform").initializer == "he_uniform"


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
    ],
)
def test_any_field_change_changes_hash(changes):
    assert BASE.replace(**changes).key() != BASE.key()


def test_hash_covers_dataset_checksum_and_code(monkeypatch):
    import actstudy
    from actstudy import config as config_module

    key = BASE.key()
    monkeypatch.setattr(config_module.data, "checksum", lambda name, **options: "other-data")
    assert BASE.key() != key
    monkeypatch.undo()
    monkeypatch.setattr(actstudy, "__version__", "99.0")
    assert BASE.key() != key


def test_every_hidden_activation_makes_a_config():
    for name in activations.names():
        assert Config(dataset="xor", activation=name, epochs=1, batch_size=8).activation == name
