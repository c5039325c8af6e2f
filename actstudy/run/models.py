"""Keras models built from a `Config`: an MLP (depth x width), a small CNN, or a stack of
neural accumulators (NAC) or neural arithmetic logic units (NALU).

Every hidden block is a linear layer named ``linear_<i>`` followed by an
activation layer named ``activation_<i>``, so the training loop can find the
pre-activations and activations of each block by name. In the NAC and NALU
networks (Trask et al. 2018) the block's ``linear_<i>`` is the NAC or NALU layer
and its activation is the identity. The head gives logits for classification
and one linear output for regression.

>>> from actstudy.run.config import Config
>>> from actstudy.run import models
>>> model = models.build(Config(dataset="moons", depth=2, width=16, activation="elu"))
>>> [layer.name for layer in model.layers][:3]
['input', 'linear_0', 'activation_0']
"""

from __future__ import annotations

import keras

from actstudy.run import activations
from actstudy.run.config import Config

# The CNN's convolution widths: small enough to train on two CPU cores.
CNN_FILTERS = (32, 64)
# Seed offsets of the NAC's and NALU's second and third weight matrices (M-hat, G), beside
# the block number that seeds W-hat: seeded initializers repeat their values, so each
# matrix needs a seed of its own.
MASK_SEED_OFFSET = 100
GATE_SEED_OFFSET = 200


@keras.saving.register_keras_serializable(package="actstudy")
class NAC(keras.layers.Layer):
    """Neural accumulator: y = x W with W = tanh(W_hat) * sigmoid(M_hat), no bias.

    Each effective weight lies in (-1, 1) and is pushed towards -1, 0 or 1 where
    tanh and sigmoid saturate, so a trained NAC adds and subtracts its inputs
    and, being linear, does so at any scale. Keras has no such layer.
    Reference: Trask et al. (2018), "Neural Arithmetic Logic Units", NeurIPS,
    section 2.

    ``kernel`` is W_hat (its gradient norm is the one the training loop
    records as the layer's kernel gradient); there is no bias.

    >>> import numpy as np
    >>> layer = NAC(1)
    >>> layer.build((None, 2))
    >>> _ = layer.kernel.assign([[20.0], [-20.0]]), layer.mask_kernel.assign([[20.0], [20.0]])
    >>> np.asarray(layer(np.array([[3.0, 1.0]], "float32"))).round(4).tolist()
    [[2.0]]
    """

    bias = None

    def __init__(self, units: int, kernel_initializer="glorot_uniform",
                 mask_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.mask_initializer = keras.initializers.get(mask_initializer)

    def build(self, input_shape):
        shape = (input_shape[-1], self.units)
        self.kernel = self.add_weight(shape=shape, name="w_hat",
                                      initializer=self.kernel_initializer)
        self.mask_kernel = self.add_weight(shape=shape, name="m_hat",
                                           initializer=self.mask_initializer)

    @staticmethod
    def effective(w_hat, m_hat):
        """W = tanh(W_hat) * sigmoid(M_hat), elementwise (any leading axes)."""
        return keras.ops.tanh(w_hat) * keras.ops.sigmoid(m_hat)

    @property
    def effective_kernel(self):
        """The weights the layer applies, W."""
        return self.effective(self.kernel, self.mask_kernel)

    def call(self, x):
        return keras.ops.matmul(x, self.effective_kernel)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "mask_initializer": keras.initializers.serialize(self.mask_initializer)}


@keras.saving.register_keras_serializable(package="actstudy")
class NALU(NAC):
    """Neural arithmetic logic unit: a learned gate between adding and multiplying.

    y = g * a + (1 - g) * m, with the NAC's a = x W, the same W applied in log
    space, m = exp(log(|x| + eps) W) (products, quotients and powers of the
    inputs), and an input-dependent gate g = sigmoid(x G). Reference: Trask et
    al. (2018), section 2, with eps = 1e-7.

    >>> import numpy as np
    >>> layer = NALU(1)
    >>> layer.build((None, 2))
    >>> _ = layer.kernel.assign([[20.0], [20.0]]), layer.mask_kernel.assign([[20.0], [20.0]])
    >>> _ = layer.gate_kernel.assign([[-20.0], [-20.0]])  # gate 0: the multiplying path
    >>> np.asarray(layer(np.array([[3.0, 2.0]], "float32"))).round(3).tolist()
    [[6.0]]
    """

    EPSILON = 1e-7

    def __init__(self, units: int, gate_initializer="glorot_uniform", **kwargs):
        super().__init__(units, **kwargs)
        self.gate_initializer = keras.initializers.get(gate_initializer)

    def build(self, input_shape):
        super().build(input_shape)
        self.gate_kernel = self.add_weight(shape=(input_shape[-1], self.units), name="g",
                                           initializer=self.gate_initializer)

    @staticmethod
    def gate(x, gate_kernel):
        """g = sigmoid(x G): 1 takes the adding path, 0 the multiplying one."""
        return keras.ops.sigmoid(keras.ops.matmul(x, gate_kernel))

    def call(self, x):
        weights = self.effective_kernel
        added = keras.ops.matmul(x, weights)
        multiplied = keras.ops.exp(
            keras.ops.matmul(keras.ops.log(keras.ops.abs(x) + self.EPSILON), weights))
        g = self.gate(x, self.gate_kernel)
        return g * added + (1 - g) * multiplied

    def get_config(self):
        return {**super().get_config(),
                "gate_initializer": keras.initializers.serialize(self.gate_initializer)}


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

    if config.architecture in ("nac", "nalu"):
        kind = NAC if config.architecture == "nac" else NALU
        for _ in range(config.depth):
            gate = ({"gate_initializer": initializer(config, GATE_SEED_OFFSET + block)}
                    if kind is NALU else {})
            x = hidden(x, kind(config.width, kernel_initializer=initializer(config, block),
                               mask_initializer=initializer(config, MASK_SEED_OFFSET + block),
                               name=f"linear_{block}", **gate))
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
    dense_layers = {"mlp": config.depth, "cnn": 1}.get(config.architecture, 0)
    for _ in range(dense_layers):
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
