"""Seaborn figures the notebooks call: each takes tidy frames and returns a Figure.

The notebooks hold narrative and these calls; nothing here trains or prints
prose for a report.

Conventions every figure here follows (``../shared/DESIGN.md``):

- one message per figure; the notebook says it in a one-sentence caption
  above the figure ("Look at ...");
- many activations are drawn as small multiples by family, the families taken
  from the registry (:func:`actstudy.run.activations.families`): each panel
  colours its few members, labels them at the line ends, and draws the other
  activations in light grey behind them (:func:`learning_curves`);
- at most :data:`MAX_HUES` hues in a panel and one legend per figure, with at
  most :data:`MAX_HUES` entries (tests check the rendered reports for it);
- axes are labelled with their units, and a log scale says so in its label; an
  axis that counts (hidden layers, depth, epochs, steps) has whole-number ticks
  (:func:`integer_ticks`), and a positive, skewed quantity on a log axis is a
  geometric mean with its t-interval on log10 (:func:`centre_and_interval`);
- figures are sized for a laptop screen: at most about 13 inches wide at the
  notebook's resolution, text no smaller than 7 points.
"""

from actstudy.present.plots.base import *  # noqa: F403
from actstudy.present.plots.curves import *  # noqa: F403
from actstudy.present.plots.findings import *  # noqa: F403
from actstudy.present.plots.gradients import *  # noqa: F403
from actstudy.present.plots.theory import *  # noqa: F403
