"""What a notebook calls to show findings: the verdict table as HTML and the headline the index shows.
"""

from __future__ import annotations

from actstudy.report.build import HEADLINE_MIME

__all__ = ["verdict_table", "show_headline"]


# -- findings ------------------------------------------------------------------


def verdict_table(table) -> str:
    """The verdict table (:func:`actstudy.claims.evaluate`) as HTML, linking each claim's figure.

    Per claim: the verdict, then its primary test: the statistic, the effect
    with its 95% interval, the prediction (side and margin) with its reason,
    the minimum detectable effect, and the seeds it used.
    """
    import html

    import pandas as pd

    colours = {"supported": "#1a7f37", "contradicted": "#cf222e", "undecided": "#6e7781"}
    shown = pd.DataFrame({
        "#": table["id"],
        "claim": [html.escape(c) for c in table["claim"]],
        "verdict": [f'<b style="color:{colours[v]}">{v}</b>' for v in table["verdict"]],
        "primary test": [html.escape(s) for s in table["statistic"]],
        "effect [95% CI]": [html.escape(e) for e in table["effect"]],
        "claim predicts": [f'{html.escape(p)}<br><small>{html.escape(r)}</small>'
                           for p, r in zip(table["prediction"], table["reason"], strict=True)],
        "detectable (80% power)": [html.escape(d) for d in table["detectable"]],
        "seeds": table["seeds"],
        "evidence": [f'<a href="{e.split("#")[0]}.html#{e.split("#")[1]}">{e.split("#")[0]}</a>'
                     for e in table["evidence"]],
    })
    return shown.to_html(index=False, escape=False, border=0, classes="verdicts")


# -- index ---------------------------------------------------------------------------


def show_headline(frame, note: str = "") -> None:
    """Called by the findings notebook: the table the index page shows, as notebook output.

    ``render`` writes it to ``reports/headline.json`` once the notebook has run
    through; an interrupted or failed build writes none.
    """
    from IPython.display import display

    display({HEADLINE_MIME: {"note": note, "html": frame.to_html(index=False, border=0)}},
            raw=True)
