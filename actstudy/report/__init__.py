"""Reports: the build engine (papermill, kernels, signals, the index) is
:mod:`actstudy.report.build`; this package's face hands on what a notebook calls."""

from actstudy.report.notebook import *  # noqa: F403
