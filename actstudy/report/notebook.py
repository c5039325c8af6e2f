"""What a notebook calls that is about the build: the headline the index page shows.
"""

from __future__ import annotations

import base64
import io

from actstudy.report.build import HEADLINE_MIME

__all__ = ["show_headline"]


def show_headline(verdicts, figure=None, note: str = "") -> None:
    """Called by the findings notebook: what the index page shows, as notebook output.

    ``verdicts`` is :func:`actstudy.claims.evaluate`'s table, written as the
    index's verdict table (:func:`actstudy.present.verdict_tables.headline_table`);
    ``figure`` (the verdict forest) travels as an embedded PNG, so the index
    stays one file that needs nothing else. ``render`` writes it all to
    ``reports/headline.json`` once the notebook has run through; an interrupted
    or failed build writes none.
    """
    from IPython.display import display

    from actstudy.present import verdict_tables  # here: `actstudy --help` loads no numpy

    png = ""
    if figure is not None:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({HEADLINE_MIME: {"note": note, "html": verdict_tables.headline_table(verdicts),
                             "figure": png}}, raw=True)
