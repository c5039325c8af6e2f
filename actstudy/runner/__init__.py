"""Running: the run cache, experiment grids and their execution, and the activation-cost timing."""

from actstudy.runner.grid import *  # noqa: F403
from actstudy.runner.store import *  # noqa: F403
