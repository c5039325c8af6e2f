"""The activation registry's machinery: specs, option checks, look-up, and activations of your own.

The catalogue of built-ins, and the module the rest of the package imports, is
:mod:`actstudy.run.activations`; it fills :data:`REGISTRY` through :func:`_builtin`.
This module also holds what Keras lacks (the binary step, Swish with a beta,
learnable Swish, a learned mixture), which the catalogue names.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

import jax
import jax.numpy as jnp
import keras
import numpy as np

from actstudy.run.properties import _slopes, measure_properties

inf = math.inf


FAMILIES = ("step", "linear", "sigmoidal", "rectifier", "smooth rectifier", "learnable", "user",
            "output")


@dataclass(frozen=True)
class ActivationSpec:
    """One registered activation and what is claimed about it.

    The properties mean what :func:`measure_properties` measures. In short:
    ``output_range`` is the lowest and highest output, an end infinite where
    the function keeps growing; ``monotonic`` means non-decreasing or
    non-increasing; ``smooth`` means continuously differentiable everywhere;
    ``zero_centred`` means the mean output for standard-normal input is within
    0.05 of zero; ``saturating`` means the derivative tends to 0 on both sides.
    A learnable activation's are those at its initial parameters.

    ``implementation`` is called with the options as keyword arguments: a
    function ``f(x, **options)``, or, where ``makes_layer`` is true, a factory
    (usually a Layer class) returning a new Keras layer. ``source`` is the
    import path (``"module:attribute"``) the activation was reached by, if any.
    """

    name: str
    aliases: tuple[str, ...]
    formula: str  # LaTeX
    output_range: tuple[float, float]
    family: str
    monotonic: bool
    smooth: bool
    zero_centred: bool
    bounded_above: bool
    bounded_below: bool
    saturating: bool
    parameters: int  # trainable parameters, per unit or per layer (see per_unit)
    per_unit: bool
    year: int | None
    reference: str
    description: str
    options: tuple[tuple[str, object], ...] = ()  # defaults, as (name, value) pairs
    output_only: bool = False
    implementation: object = field(default=None, repr=False, compare=False)
    makes_layer: bool = False  # whether implementation makes a Keras layer
    source: str | None = None

    @property
    def learnable(self) -> bool:
        return self.parameters > 0


# -- what Keras lacks ----------------------------------------------------------------


def binary_step(x, straight_through: bool = False):
    """Heaviside step: 1 for x > 0, else 0. Its derivative is 0 almost everywhere.

    With ``straight_through``, the same step forward, but back-propagation
    uses a surrogate derivative, 0.5 on [-1, 1] and 0 outside: the slope of
    the hard sigmoid (clip(x, -1, 1) + 1) / 2, which rises from 0 to 1 where
    the step does (the straight-through estimator; Bengio, Léonard & Courville
    2013, Hubara et al. 2016). Keras has no binary step and JAX no estimator,
    so both are written here. Reference: McCulloch & Pitts (1943).

    >>> x = jnp.array([-2.0, -0.5, 0.5, 2.0])
    >>> binary_step(x, straight_through=True).tolist()
    [0.0, 0.0, 1.0, 1.0]
    >>> jax.grad(lambda v: binary_step(v, straight_through=True).sum())(x).tolist()
    [0.0, 0.5, 0.5, 0.0]
    >>> jax.grad(lambda v: binary_step(v).sum())(x).tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    return _step_straight_through(x) if straight_through else _step(x)


def _step(x):
    return jnp.where(x > 0, 1.0, 0.0).astype(jnp.result_type(x, jnp.float32))


@jax.custom_jvp
def _step_straight_through(x):
    return _step(x)


@_step_straight_through.defjvp
def _step_straight_through_jvp(primals, tangents):
    (x,), (tangent,) = primals, tangents
    slope = jnp.where(jnp.abs(x) <= 1, 0.5, 0.0).astype(jnp.result_type(x, jnp.float32))
    return _step(x), slope * tangent


def swish(x, beta: float = 1.0):
    """Swish: x * sigmoid(beta * x); beta = 1 is SiLU (Keras's ``silu``).

    Keras's silu has no beta. Reference: Ramachandran et al. (2017).
    """
    if beta == 1.0:
        return keras.activations.silu(x)
    return x * jax.nn.sigmoid(beta * x)


@keras.saving.register_keras_serializable(package="actstudy")
class SwishBeta(keras.layers.Layer):
    """Swish with a learnable beta, one per layer: x * sigmoid(beta * x).

    Keras has no learnable Swish. Reference: Ramachandran et al. (2017).
    """

    def __init__(self, initial_beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_beta = initial_beta

    def build(self, input_shape):
        self.beta = self.add_weight(shape=(), name="beta",
                                    initializer=keras.initializers.Constant(self.initial_beta))

    def call(self, x):
        return x * keras.ops.sigmoid(self.beta * x)

    def get_config(self):
        return {**super().get_config(), "initial_beta": self.initial_beta}


@keras.saving.register_keras_serializable(package="actstudy")
class Mixture(keras.layers.Layer):
    """A learned convex combination of base activations, one weight per base per layer.

    f(x) = sum_i softmax(w)_i g_i(x), w initialised to zeros (equal weights).
    Keras has no such layer. Reference: Manessi & Rozza (2018), "Learning
    combinations of activation functions".
    """

    def __init__(self, bases=("relu", "tanh", "sigmoid", "identity"), **kwargs):
        super().__init__(**kwargs)
        self.bases = tuple(bases)
        self._functions = [get(name) for name in self.bases]

    def build(self, input_shape):
        self.logits = self.add_weight(shape=(len(self.bases),), name="mixture_logits",
                                      initializer="zeros")

    def call(self, x):
        weights = keras.ops.softmax(self.logits)
        return sum(weights[i] * f(x) for i, f in enumerate(self._functions))

    def get_config(self):
        return {**super().get_config(), "bases": list(self.bases)}


def prelu(initial_slope: float = 0.25) -> keras.layers.PReLU:
    """PReLU: max(a x, x) with one learned slope a per unit, all starting at ``initial_slope``.

    Keras's PReLU layer with a constant initial slope: 0.25 as He et al. (2015),
    or leaky ReLU's 0.01 to compare the two from the same start.
    """
    return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(initial_slope))


def learned_parameters(layer) -> dict[str, np.ndarray]:
    """The current learned parameters of a learnable activation layer, by name.

    Registered layers of your own report their trainable weights by variable name.
    """
    if isinstance(layer, keras.layers.PReLU):
        return {"slope": np.asarray(layer.alpha.numpy())}
    if isinstance(layer, SwishBeta):
        return {"beta": np.asarray(layer.beta.numpy())}
    if isinstance(layer, Mixture):
        weights = np.asarray(jax.nn.softmax(jnp.asarray(layer.logits.numpy())))
        return {f"weight_{name}": weights[i] for i, name in enumerate(layer.bases)}
    return {variable.name: np.asarray(variable.numpy()) for variable in layer.trainable_variables}


# -- option checks -----------------------------------------------------------------------


def _positive(name, option):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and value > 0):
            raise ValueError(f"{option}={value!r} is not allowed for {name!r}: "
                             "must be a finite number > 0")
        return float(value)
    return check


def _non_negative(name, option):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and value >= 0):
            raise ValueError(f"{option}={value!r} is not allowed for {name!r}: "
                             "must be a finite number >= 0")
        return float(value)
    return check


def _bases(value):
    allowed = [n for n, s in REGISTRY.items() if not s.learnable and not s.output_only]
    if isinstance(value, str) or not value:
        raise ValueError(f"bases={value!r} is not allowed for 'mixture': give a non-empty list "
                         f"of distinct names from {', '.join(allowed)}")
    names = []
    for base in value:
        try:
            resolved = spec(base).name
        except ValueError:
            resolved = None
        if resolved not in allowed or resolved in names:
            raise ValueError(f"bases={list(value)!r} is not allowed for 'mixture': {base!r} is "
                             f"unknown, learnable, output-only or repeated; choose distinct names "
                             f"from {', '.join(allowed)}")
        names.append(resolved)
    return tuple(names)


def _flag(name: str, option: str):
    def check(value):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{option}={value!r} is not allowed for {name!r}: give true or false")
        return bool(value)
    return check


_CHECKS = {
    ("binary_step", "straight_through"): _flag("binary_step", "straight_through"),
    ("leaky_relu", "negative_slope"): _non_negative("leaky_relu", "negative_slope"),
    ("prelu", "initial_slope"): _non_negative("prelu", "initial_slope"),
    ("elu", "alpha"): _positive("elu", "alpha"),
    ("celu", "alpha"): _positive("celu", "alpha"),
    ("swish", "beta"): _positive("swish", "beta"),
    ("swish_beta", "initial_beta"): _positive("swish_beta", "initial_beta"),
    ("mixture", "bases"): _bases,
}


def _options(entry: ActivationSpec, options: dict) -> dict:
    defaults = dict(entry.options)
    for option in options:
        if option not in defaults:
            allowed = ", ".join(defaults) or "none"
            raise ValueError(f"activation {entry.name!r} takes no option {option!r}; "
                             f"allowed: {allowed}")
    merged = {**defaults, **options}
    return {k: _CHECKS[(entry.name, k)](v) if (entry.name, k) in _CHECKS else v
            for k, v in merged.items()}


# -- the registry ----------------------------------------------------------------------------

REGISTRY: dict[str, ActivationSpec] = {}


_ALIASES: dict[str, str] = {}  # every name and alias -> canonical name
_BUILT_IN: set[str] = set()  # the catalogue's (actstudy.run.activations), filled by _builtin


def _add(entry: ActivationSpec) -> None:
    if entry.name in REGISTRY:  # replacing: its old aliases go with it
        _remove(entry.name)
    REGISTRY[entry.name] = entry
    _ALIASES.update(dict.fromkeys((entry.name, *entry.aliases), entry.name))


def _remove(name: str) -> None:
    entry = REGISTRY.pop(name)
    for alias in (entry.name, *entry.aliases):
        del _ALIASES[alias]


def _builtin(name, aliases, formula, output_range, family, *, monotonic, smooth, zero_centred,
             saturating, year, reference, description, implementation, makes_layer=False,
             parameters=0, per_unit=False, options=(), output_only=False):
    # Built-ins declare their properties; the tests measure them (measure_properties).
    _BUILT_IN.add(name)
    _add(ActivationSpec(
        name=name, aliases=tuple(aliases), formula=formula, output_range=output_range,
        family=family, monotonic=monotonic, smooth=smooth, zero_centred=zero_centred,
        bounded_above=math.isfinite(output_range[1]), bounded_below=math.isfinite(output_range[0]),
        saturating=saturating, parameters=parameters, per_unit=per_unit, year=year,
        reference=reference, description=description, options=tuple(options),
        output_only=output_only, implementation=implementation, makes_layer=makes_layer,
    ))




# -- bring your own --------------------------------------------------------------------------

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


_IMPORT_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


_NAME_RULE = "lower-case letters, digits and underscores, not starting with a digit"


def _signature(implementation) -> inspect.Signature | None:
    try:
        return inspect.signature(implementation)
    except (TypeError, ValueError):  # some builtins and ufuncs have none
        return None


def _makes_layer(activation) -> bool:
    """Whether ``activation`` is a layer factory (True) or a function of x (False)."""
    if isinstance(activation, keras.layers.Layer):
        raise ValueError(f"activation={activation!r} is not allowed: pass the layer's class, or a "
                         "function of no arguments that returns a new layer (each model needs "
                         "its own weights), not a layer instance")
    if isinstance(activation, type):
        if issubclass(activation, keras.layers.Layer):
            return True
        raise ValueError(f"activation={activation!r} is not allowed: a class must be a subclass "
                         "of keras.layers.Layer")
    if not callable(activation):
        raise ValueError(f"activation={activation!r} is not allowed: give a function x -> f(x), "
                         "a keras.layers.Layer subclass, or a function of no arguments that "
                         "returns a new layer")
    signature = _signature(activation)
    if signature is None:
        return False
    required = [p for p in signature.parameters.values() if p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return not required


def _check_option_names(activation, makes_layer: bool, options: dict) -> None:
    signature = _signature(activation)
    if signature is None or any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    parameters = list(signature.parameters.values())[0 if makes_layer else 1:]
    allowed = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for option in options:
        if option not in allowed:
            raise ValueError(f"options={options!r} is not allowed: {activation!r} takes no "
                             f"keyword argument {option!r}; it takes "
                             f"{', '.join(allowed) or 'none'}")


def _trainable_count(factory, options: dict, units: int) -> int:
    made = factory(**options)
    made.build((None, units))
    return sum(int(np.prod(w.shape)) for w in made.trainable_weights)


def register(name: str, activation, *, family: str = "user", formula: str = "",
             reference: str = "", description: str = "", aliases=(), year: int | None = None,
             options: Mapping | None = None, replace: bool = False) -> ActivationSpec:
    """Add an activation of your own to the registry, with measured properties.

    Its range and properties are measured by :func:`measure_properties` (at the
    default options; for a layer, at its initial weights), never taken on trust;
    a layer's trainable-parameter count is measured by building it on 1 and on
    7 units. Once registered, the name works everywhere a built-in's does:
    :func:`get`, :func:`layer`, :func:`function`, :func:`table` and ``Config``.

    Parameters
    ----------
    name : str
        The canonical name: lower-case letters, digits and underscores.
    activation : callable or keras.layers.Layer subclass
        A function ``f(x, **options)`` written with ``keras.ops`` or
        ``jax.numpy``; or, for an activation with trainable weights, a Keras
        Layer subclass or a function of no arguments that returns a new layer
        (called with ``**options``).
    family : str, default "user"
        One of :data:`FAMILIES` other than "output"; figures group by it.
    formula, reference, description : str
        For tables and captions; the formula in LaTeX.
    aliases : sequence of str
        Other names that find it.
    year : int or None
        The year it was published.
    options : mapping, optional
        Option names and their defaults, passed to ``activation`` as keywords.
    replace : bool, default False
        Replace an activation of your own registered earlier under ``name``
        (built-ins cannot be replaced).

    Returns
    -------
    ActivationSpec

    Examples
    --------
    >>> import keras
    >>> def scaled_tanh(x, scale=1.7159):
    ...     return scale * keras.ops.tanh(2.0 * x / 3.0)
    >>> spec = register("lecun_tanh", scaled_tanh, family="sigmoidal", year=1998,
    ...                 options={"scale": 1.7159})
    >>> [round(end, 4) for end in spec.output_range], spec.zero_centred
    ([-1.7159, 1.7159], True)
    >>> unregister("lecun_tanh")
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"name={name!r} is not allowed: use {_NAME_RULE}")
    if not isinstance(replace, bool):
        raise ValueError(f"replace={replace!r} is not allowed: use True or False")
    if isinstance(aliases, str) or not isinstance(aliases, list | tuple):
        raise ValueError(f"aliases={aliases!r} is not allowed: give a list or tuple of names")
    for alias in aliases:
        if not isinstance(alias, str) or not _NAME.fullmatch(alias) or alias == name:
            raise ValueError(f"aliases={aliases!r} is not allowed: {alias!r} is not a name of "
                             f"{_NAME_RULE}, other than name={name!r}")
    if len(set(aliases)) != len(aliases):
        raise ValueError(f"aliases={aliases!r} is not allowed: it repeats a name")
    for given in (name, *aliases):
        taken = _ALIASES.get(given)
        if taken in _BUILT_IN:
            raise ValueError(f"name {given!r} is not allowed: it names the built-in activation "
                             f"{taken!r}, which cannot be replaced; choose another name")
        if taken is not None and not (replace and taken == name):
            hint = (" or pass replace=True to replace it" if taken == name
                    else f" ({given!r} names {taken!r})")
            raise ValueError(f"name {given!r} is not allowed: it is already registered; "
                             f"choose another name{hint}")
    user_families = [f for f in FAMILIES if f != "output"]
    if family not in user_families:
        raise ValueError(f"family={family!r} is not allowed: choose one of "
                         f"{', '.join(user_families)}")
    for parameter, value in (("formula", formula), ("reference", reference),
                             ("description", description)):
        if not isinstance(value, str):
            raise ValueError(f"{parameter}={value!r} is not allowed: give a string")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ValueError(f"year={year!r} is not allowed: give an integer year or None")
    options = {} if options is None else options
    if not isinstance(options, Mapping) or not all(isinstance(k, str) for k in options):
        raise ValueError(f"options={options!r} is not allowed: give a mapping from option "
                         "names to their defaults")
    options = dict(options)
    makes_layer = _makes_layer(activation)
    _check_option_names(activation, makes_layer, options)
    return _register(name, activation, makes_layer, aliases=tuple(aliases), family=family,
                     formula=formula, reference=reference, description=description, year=year,
                     options=options, source=None)


def _register(name, activation, makes_layer, *, options, source, **metadata) -> ActivationSpec:
    """Measure and add an activation whose arguments are already checked."""
    parameters, per_unit = 0, False
    try:
        if makes_layer:
            first, second = activation(**options), activation(**options)
            if not isinstance(first, keras.layers.Layer) or first is second:
                raise ValueError(f"taken as a layer factory (it needs no argument), it returned "
                                 f"{first!r}, where a new keras.layers.Layer was expected on "
                                 "each call")
            one, seven = (_trainable_count(activation, options, units) for units in (1, 7))
            if seven == 7 * one:
                parameters, per_unit = one, one > 0
            elif seven == one:
                parameters = one
            else:
                raise ValueError(f"its layer has {one} trainable weights on 1 unit and {seven} "
                                 "on 7; the study counts parameters per unit or per layer")
            measured = measure_properties(_at_initial(first))
        else:
            measured = measure_properties(partial(activation, **options))
    except Exception as error:  # the user's code failed on a sample: say where, keep the cause
        reason = error if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
        raise ValueError(f"activation={activation!r} is not allowed: {reason}") from error
    measured.pop("sampled_range")
    entry = ActivationSpec(name=name, parameters=parameters, per_unit=per_unit,
                           options=tuple(options.items()), implementation=activation,
                           makes_layer=makes_layer, source=source, **metadata, **measured)
    _add(entry)
    return entry


def unregister(name: str) -> None:
    """Remove an activation of your own (by name or alias); built-ins stay.

    >>> unregister("relu")
    Traceback (most recent call last):
    ...
    ValueError: name='relu' is not allowed: built-in activations cannot be removed
    """
    entry = spec(name)
    if entry.name in _BUILT_IN:
        raise ValueError(f"name={name!r} is not allowed: built-in activations cannot be removed")
    _remove(entry.name)


def resolve(identifier: str) -> str:
    """The canonical name for a registered name, alias, or import path.

    An import path ``"module.path:attribute"`` (``"mypkg.acts:sawtooth"``)
    imports the module and takes the attribute: a function of ``x`` or a layer
    factory, as :func:`register` accepts. If the module registered that object
    itself, its registered name is returned; otherwise it is registered under
    the attribute's name in lower case, in family "user", with measured
    properties. :func:`spec` and :func:`get` accept import paths too, so
    anything that passes activation names through takes them unchanged.

    Raises
    ------
    ValueError
        Naming the identifier, if it is not a registered name or a well-formed
        import path, if the module cannot be imported, if it has no such
        attribute, or if the attribute is not an activation.

    Examples
    --------
    >>> resolve("SiLU")
    'swish'
    >>> resolve("keras.activations:relu")
    'relu'
    """
    if not isinstance(identifier, str):
        raise ValueError(f"activation={identifier!r} is not allowed: give a registered name or "
                         "an import path 'module.path:attribute'")
    if ":" not in identifier:
        return spec(identifier).name
    text = identifier.strip()
    module_name, _, attribute = text.partition(":")
    if not (_IMPORT_PATH.fullmatch(module_name) and _IMPORT_PATH.fullmatch(attribute)):
        raise ValueError(f"activation {identifier!r} is not allowed: an import path is "
                         "'module.path:attribute', e.g. 'mypkg.acts:sawtooth'")
    try:
        found = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or not (module_name + ".").startswith(error.name + "."):
            raise  # the module exists but imports something missing: its own traceback says what
        raise ValueError(f"activation {identifier!r} is not allowed: cannot import module "
                         f"{module_name!r} ({error}); it must be installed or on sys.path "
                         "(PYTHONPATH)") from None
    for part in attribute.split("."):
        if not hasattr(found, part):
            offered = [n for n in dir(found) if not n.startswith("_")
                       and callable(getattr(found, n, None))]
            close = difflib.get_close_matches(part, offered, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"activation {identifier!r} is not allowed: {module_name!r} has no "
                             f"attribute {attribute!r}{hint}")
        found = getattr(found, part)
    for entry in REGISTRY.values():
        # A built-in with options is not the bare function (leaky_relu's slope differs).
        if entry.implementation is found and not (entry.name in _BUILT_IN and entry.options):
            if entry.source is None and entry.name not in _BUILT_IN:
                _add(dataclasses.replace(entry, source=text))
            return entry.name
    name = attribute.rsplit(".", 1)[-1].lower()
    taken = REGISTRY.get(_ALIASES.get(name))
    if taken is not None and taken.source != text:  # the same path again: a reloaded module
        raise ValueError(f"activation {identifier!r} is not allowed: its name {name!r} is "
                         "already registered; in the module, register it under another name "
                         f"with actstudy.run.activations.register('my_{name}', {attribute}) and "
                         "name that instead")
    try:
        makes_layer = _makes_layer(found)
        return _register(name, found, makes_layer, options={}, source=text, aliases=(),
                         family="user", formula="", reference=text,
                         description=f"Imported from {text}.", year=None).name
    except ValueError as error:
        raise ValueError(f"activation {identifier!r} could not be registered: {error}") from error


# -- look-up ------------------------------------------------------------------------------------


def is_builtin(name: str) -> bool:
    """Whether an activation is one of the catalogue's (not registered or imported by a user)."""
    return spec(name).name in _BUILT_IN


def names(include_output_only: bool = False) -> list[str]:
    """Canonical names in registry order, output-only ones (if asked for) last."""
    hidden = [n for n, s in REGISTRY.items() if not s.output_only]
    return hidden + [n for n, s in REGISTRY.items() if s.output_only and include_output_only]


def families(names) -> dict[str, list[str]]:
    """``names`` grouped by family, in :data:`FAMILIES` order, each keeping the order given.

    Figures draw one panel per family (at most a handful of lines each).

    >>> families(["relu", "tanh", "gelu", "sigmoid"])
    {'sigmoidal': ['tanh', 'sigmoid'], 'rectifier': ['relu'], 'smooth rectifier': ['gelu']}
    """
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(spec(name).family, []).append(name)
    return {family: grouped[family] for family in FAMILIES if family in grouped}


def spec(name: str) -> ActivationSpec:
    """The spec for a name or alias (case-insensitive), or an import path (see :func:`resolve`).

    Unknown names suggest close ones.
    """
    if isinstance(name, str) and ":" in name:
        return REGISTRY[resolve(name)]
    key = str(name).strip().lower().replace("-", "_")
    if key in _ALIASES:
        return REGISTRY[_ALIASES[key]]
    close = difflib.get_close_matches(key, list(_ALIASES), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise ValueError(f"unknown activation {name!r}; {hint}Known: {', '.join(names(True))}, "
                     "or an import path 'module.path:attribute'")


def _make(entry: ActivationSpec, options: dict):
    if entry.makes_layer:
        return entry.implementation(**options)
    return partial(entry.implementation, **options) if options else entry.implementation


def get(name: str, **options):
    """A callable for a stateless activation, a new Keras layer for a learnable one."""
    entry = spec(name)
    return _make(entry, _options(entry, options))


def layer(name: str, layer_name: str | None = None, **options) -> keras.layers.Layer:
    """Always a Keras layer: ``Activation(fn)`` for stateless activations."""
    made = get(name, **options)
    if isinstance(made, keras.layers.Layer):
        if layer_name:  # a Keras layer's name is fixed at construction
            made = type(made).from_config({**made.get_config(), "name": layer_name})
        return made
    return keras.layers.Activation(made, name=layer_name)


def _at_initial(made: keras.layers.Layer):
    # Built eagerly on one unit: its initial parameters broadcast over any input,
    # and the function can then be traced by jax.jit without creating variables.
    if not made.built:
        made.build((1,))
    trainable = [v.value for v in made.trainable_variables]
    non_trainable = [v.value for v in made.non_trainable_variables]

    def at_initial(x):
        return made.stateless_call(trainable, non_trainable, jnp.asarray(x))[0]

    return at_initial


def function(name: str, **options):
    """A pure function x -> f(x); learnable activations at their initial parameters."""
    made = get(name, **options)
    return _at_initial(made) if isinstance(made, keras.layers.Layer) else made


def derivative(name: str, x, **options) -> np.ndarray:
    """f'(x) elementwise, by automatic differentiation through JAX."""
    return _slopes(function(name, **options), x)


__all__ = ["ActivationSpec", "FAMILIES", "REGISTRY", "Mixture", "SwishBeta", "binary_step",
           "derivative", "families", "function", "get", "is_builtin", "layer",
           "learned_parameters", "names", "prelu", "register", "resolve", "spec", "swish",
           "unregister"]
