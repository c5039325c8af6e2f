"""actstudy: a reproducible study of neural-network activation functions.

Importing the package selects Keras's JAX backend. This is the one place the
backend is chosen: the training loop is written against JAX (``jax.jit`` and
``jax.lax.scan``), so any other backend would fail later and less clearly.
"""

import os
import sys

__version__ = "0.1.0"

if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "jax") != "jax":
    raise ImportError(
        "actstudy needs Keras's JAX backend, but keras was already imported with "
        f"KERAS_BACKEND={os.environ['KERAS_BACKEND']!r}; import actstudy first or "
        "set KERAS_BACKEND=jax."
    )
os.environ["KERAS_BACKEND"] = "jax"
