"""Running: the run cache, experiment grids and their execution, and the activation-cost timing."""

from actstudy.runner.cache import *  # noqa: F403
from actstudy.runner.grids import *  # noqa: F403
