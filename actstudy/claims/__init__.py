"""The sources' claims about activation functions, each with a test stated before any run.

A :class:`Claim` names its text, its source, the report section that shows its
experiment, and its primary :class:`Test`: the statistic, in units a reader
understands (a ×-ratio, percentage points, epochs), the side of a margin the
claim predicts (``above``, ``below``) or an equivalence margin, the reason for
that margin, the study whose runs decide it and how many seeds the default
profile gives that study. ``measure`` runs (or loads from the cache) the
experiment under a profile and returns the primary statistic's interval over
seeds and any secondary :class:`Measurement` objects.

The verdict comes from the primary test alone, by its 95% confidence interval:

- ``above`` (the claim predicts an effect beyond the margin): **supported** when
  the whole interval lies above the margin, **contradicted** when it lies below,
  else **undecided**; ``below`` mirrors it;
- ``equivalence`` (the claim predicts no difference that matters): **supported**
  when the whole interval lies within ±margin (within [1/margin, margin] for a
  ratio), **contradicted** when it lies entirely outside, else **undecided**.

Ratios are tested on log10 (their logs are roughly normal over seeds) and shown
back as ratios. An undecided verdict comes with its size: the minimum detectable
effect, the smallest true distance from the margin that the design would detect
four times out of five (:func:`actstudy.stats.minimum_detectable`). Secondary
tests are shown with Bonferroni intervals and p-values within their claim (their
labels follow the intervals shown); they never change the verdict. Fewer than two seeds decide nothing.

>>> from actstudy.claims import Test, verdict
>>> from actstudy.stats import Interval
>>> test = Test("ReLU's ratio over sigmoid's", "x", "above", 10.0, "an order of magnitude")
>>> verdict(Interval(2.0, 1.5, 2.5, 5, "t"), test)  # log10: 100x [32x, 316x]
'supported'
"""

from actstudy.claims.catalogue import *  # noqa: F403
from actstudy.claims.measures import *  # noqa: F403
from actstudy.claims.tuning import *  # noqa: F403
from actstudy.claims.verdicts import *  # noqa: F403
