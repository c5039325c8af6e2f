"""Every experiment behind the reports, each defined once, with its parameters and their defaults.

A study is a frozen dataclass: its fields are its parameters, validated on
construction; :meth:`Study.configs` is its grid of Configs; :meth:`Study.run`
trains what the cache lacks. A profile (``notebooks/params/<name>.yaml``) sets
study parameters by study name, so a notebook and a claim that use the same
experiment build the same study from the same profile section and share its
runs by construction:

.. code-block:: yaml

    common:            # applied to every study that takes the parameter
      seeds: 3
    studies:
      sine: {activations: all, epochs: 80}
      images: {datasets: [mnist], epochs: 6}

Each study says which comparison it makes (:attr:`Study.comparison`): each
activation with its literature initializer (``initializer: null``, the
default), or all activations with one initializer (``initializer: he_normal``).

>>> from actstudy import studies
>>> sine = studies.Sine(activations=["identity", "relu"], seeds=2, epochs=10)
>>> len(sine.configs()), sine.comparison
(4, 'each activation with its literature initializer')
>>> studies.get("sine", "smoke", overrides={"sine": {"epochs": 5}}).epochs
5
"""

from actstudy.studies.arithmetic import *  # noqa: F403
from actstudy.studies.base import *  # noqa: F403
from actstudy.studies.cost import *  # noqa: F403
from actstudy.studies.gradients import *  # noqa: F403
from actstudy.studies.images import *  # noqa: F403
from actstudy.studies.profile import *  # noqa: F403
from actstudy.studies.synthetic import *  # noqa: F403
