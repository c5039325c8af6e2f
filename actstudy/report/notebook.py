"""What a notebook calls that is about the build: the headline the index page shows.
"""

from __future__ import annotations

from actstudy.report.build import HEADLINE_MIME

__all__ = ["show_headline"]




def show_headline(frame, note: str = "") -> None:
    """Called by the findings notebook: the table the index page shows, as notebook output.

    ``render`` writes it to ``reports/headline.json`` once the notebook has run
    through; an interrupted or failed build writes none.
    """
    from IPython.display import display

    display({HEADLINE_MIME: {"note": note, "html": frame.to_html(index=False, border=0)}},
            raw=True)
