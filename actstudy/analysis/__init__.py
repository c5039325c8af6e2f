"""Derived measurements over runs, as tidy frames the notebooks plot and the claims test.

>>> from actstudy import analysis
>>> analysis.time_to_target(results.history, 0.95)  # doctest: +SKIP
"""

from actstudy.analysis import adequacy as adequacy  # analysis.adequacy.converged, ...
from actstudy.analysis import theory as theory  # a module: analysis.theory.chi1, ...
from actstudy.analysis.arithmetic import *  # noqa: F403
from actstudy.analysis.convergence import *  # noqa: F403
from actstudy.analysis.gradients import *  # noqa: F403
from actstudy.analysis.mechanisms import *  # noqa: F403
from actstudy.analysis.properties import *  # noqa: F403
from actstudy.analysis.rankings import *  # noqa: F403
from actstudy.analysis.synthetic import *  # noqa: F403
