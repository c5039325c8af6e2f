"""Keras models built from a `Config`: an MLP (depth x width) or a small CNN.

Every hidden block is a linear layer named ``linear_<i>`` followed by an
activation layer named ``activation_<i>``, so the training loop can find the
pre-activations and activations of each block by name. The head gives logits
for classification and one linear output for regression.

>>> from actstudy.config import Config
>>> from actstudy import models
>>> model = models.build(Config(dataset="moons", depth=2, width=16, activation="elu"))
>>> [layer.name for layer in model.layers][:3]
['input', 'linear_0', 'activation_0']
"""

from __future__ import annotations

import keras

from actstudy import activations
from actstudy.config import Config

# The CNN's convolution widths: small enough to train on two CPU cores.
CNN_FILTERS = (32, 64)


def initializer(config: Config, seed_offset: int) -> keras.initializers.Initializer:
    """The config's weight initializer, scaled by ``init_scale``, with its own seed.

    All the named initializers are variance-scaling ones, so scaling the weights
    by s multiplies the variance by s**2.
    """
    base = keras.initializers.get(config.weight_initializer)
    return keras.initializers.VarianceScaling(
        scale=base.scale * config.init_scale**2, mode=base.mode,
        distribution=base.distribution, seed=config.seed * 1000 + seed_offset,
    )


def build(config: Config, input_shape=None, n_outputs=None) -> keras.Model:
    """The model a config describes.

    ``input_shape`` and ``n_outputs`` default to the config's dataset (loading
    it); pass them to build without touching the data.
    """
    if input_shape is None or n_outputs is None:
        dataset = config.load_dataset()
        input_shape = dataset.input_shape
        n_outputs = dataset.n_classes or dataset.y_train.shape[-1]
    options = dict(config.activation_options)
    inputs = keras.Input(shape=tuple(input_shape), name="input")
    x = inputs
    block = 0

    def hidden(x, linear):
        nonlocal block
        x = linear(x)
        x = activations.layer(config.activation, layer_name=f"activation_{block}", **options)(x)
        block += 1
        if config.dropout:
            x = keras.layers.Dropout(config.dropout, seed=config.seed * 1000 + 500 + block)(x)
        return x

    if config.architecture == "cnn":
        # depth convolution blocks (3x3, 'same'), pooled after each of the first
        # two, then one dense hidden layer of `width` units.
        for i in range(config.depth):
            filters = CNN_FILTERS[min(i, len(CNN_FILTERS) - 1)]
            conv = keras.layers.Conv2D(
                filters, 3, padding="same", kernel_initializer=initializer(config, block),
                name=f"linear_{block}",
            )
            x = hidden(x, conv)
            if i < 2:
                x = keras.layers.MaxPooling2D(2, name=f"pool_{i}")(x)
        x = keras.layers.Flatten(name="flatten")(x)
    for _ in range(config.depth if config.architecture == "mlp" else 1):
        dense = keras.layers.Dense(
            config.width, kernel_initializer=initializer(config, block), name=f"linear_{block}"
        )
        x = hidden(x, dense)
    outputs = keras.layers.Dense(
        n_outputs,
        kernel_initializer=keras.initializers.GlorotUniform(seed=config.seed * 1000 + 999),
        name="head",
    )(x)
    return keras.Model(inputs, outputs, name=f"{config.architecture}_{config.activation}")


def hidden_blocks(model: keras.Model) -> list[tuple[keras.layers.Layer, keras.layers.Layer]]:
    """The (linear, activation) layer pairs of a model made by :func:`build`."""
    blocks = []
    i = 0
    while True:
        try:
            blocks.append((model.get_layer(f"linear_{i}"), model.get_layer(f"activation_{i}")))
        except ValueError:
            return blocks
        i += 1


def weighted_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Layers whose weight (kernel) gradient the loop records, input to output."""
    return [linear for linear, _ in hidden_blocks(model)] + [model.get_layer("head")]


def trained_variables(model: keras.Model, config: Config) -> list:
    """The variables training updates: every trainable one, or the head's alone.

    With ``config.train_hidden`` False the hidden layers (and any learnable
    activation) stay at their initial values: the network is a linear model
    on fixed random features.
    """
    if config.train_hidden:
        return list(model.trainable_variables)
    return list(model.get_layer("head").trainable_variables)
