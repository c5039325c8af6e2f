"""The verdict tables: the findings report's full one, and the index page's one to share.

Both read :func:`actstudy.claims.evaluate`'s table: a row per claim, then a row
per component of a claim about several things.
"""

from __future__ import annotations

import html

import pandas as pd

from actstudy.present.tables import VERDICT_COLOURS

__all__ = ["verdict_table", "headline_table", "verdict_badge"]


def verdict_table(table) -> str:
    """The verdict table (:func:`actstudy.claims.evaluate`) as HTML, linking each claim's figure.

    Per claim, and per component of a claim about several things (its rows
    follow the claim's, which takes the intersection-union verdict over them):
    the verdict (with the reason where the deciding experiment
    failed an adequacy check), then its primary test: the statistic, the effect
    with its 95% interval, the prediction (side and margin) with its reason,
    the minimum detectable effect, and the seeds it used.
    """
    components = (list(table["component"].fillna("")) if "component" in table
                  else [""] * len(table))
    shown = pd.DataFrame({
        "#": table["row"] if "row" in table else table["id"],
        # a component's row names its component under the claim's own row
        "claim": [f"<i>↳ {html.escape(part)}</i>" if part else html.escape(c)
                  for c, part in zip(table["claim"], components, strict=True)],
        "verdict": [f'<b style="color:{VERDICT_COLOURS[v]}">{v}</b>'
                    + (f'<br><small>{html.escape(why)}{_alone(alone)}</small>' if why else "")
                    for v, why, alone in zip(table["verdict"], _inadequate(table),
                                             _interval_verdicts(table), strict=True)],
        "primary test": [html.escape(s) for s in table["statistic"]],
        "effect [95% CI]": [html.escape(e) for e in table["effect"]],
        "claim predicts": [f'{html.escape(p)}<br><small>{html.escape(r)}</small>'
                           for p, r in zip(table["prediction"], table["reason"], strict=True)],
        "detectable (80% power)": [html.escape(d) for d in table["detectable"]],
        "seeds": [n if counted == "seeds" else f"{n} {counted}"
                  for n, counted in zip(table["seeds"], _counted(table), strict=True)],
        "evidence": [_evidence_link(e) for e in table["evidence"]],
    })
    return shown.to_html(index=False, escape=False, border=0, classes="verdicts")


def _counted(table) -> list[str]:
    """What each row's n counts: seeds, or (the timing claims) the builds' occasions pooled."""
    return list(table["counted"]) if "counted" in table else ["seeds"] * len(table)


def _evidence_link(evidence: str, short: bool = False) -> str:
    """A claim's evidence ("05_gradient_flow#Anchor") as a link into that report, labelled
    with the report's name (``short``: its number)."""
    report, anchor = str(evidence).split("#", 1)
    label = report[:2] if short else report
    return f'<a href="{html.escape(report)}.html#{html.escape(anchor)}">{html.escape(label)}</a>'


def verdict_badge(verdict: str) -> str:
    """A verdict as a coloured label, readable without its colour."""
    colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["undecided"])
    return (f'<span style="background:{colour};color:#fff;padding:0.05em 0.45em;'
            f'border-radius:3px;white-space:nowrap">{html.escape(verdict)}</span>')


def headline_table(table) -> str:
    """The verdict table of the index page: what to mail to a colleague, with links into the reports.

    Per claim: its text, its verdict (coloured, and why it is undecided where its
    experiment failed an adequacy check), the test that decides it in words (the
    effect with its 95% interval, what the claim predicts, and the statistic), and
    a link to the report section holding its evidence. A component's row (3a
    sigmoid, 3b tanh) follows its claim's and gives its own effect and verdict.
    """
    components = (list(table["component"].fillna("")) if "component" in table
                  else [""] * len(table))
    parts = pd.Series([row_id for row_id, part in zip(table["id"], components, strict=True)
                       if part]).value_counts()
    rows = []
    for (_, row), part, why, counted in zip(table.iterrows(), components, _inadequate(table),
                                            _counted(table), strict=True):
        link = _evidence_link(row["evidence"], short=True)
        many = int(parts.get(row["id"], 0)) if not part else 0
        # a claim about several things: its components' effects are in their own rows
        seeds = f", {row['seeds']} {counted}" if str(row.get("seeds", "")).strip() else ""
        test = (f"each of its {many} components below, predicted {html.escape(row['prediction'])}"
                if many else f"<b>{html.escape(row['effect'])}</b>, predicted "
                f"{html.escape(row['prediction'])}{html.escape(seeds)}")
        if part:
            claim = f"<i>↳ {html.escape(part)}</i>"
        else:
            claim = html.escape(row["claim"])
            test += f'<br><small>{html.escape(row["statistic"])}</small>'
        verdict = verdict_badge(row["verdict"]) + (
            f"<br><small>its experiment failed a check: {html.escape(why)}</small>"
            if why else "")
        rows.append(f'<tr class="{"component" if part else "claim"}"><td>{row.get("row", row["id"])}'
                    f"</td><td>{claim}</td><td>{verdict}</td><td>{test}</td><td>{link}</td></tr>")
    return ('<table class="headline"><thead><tr><th>#</th><th>claim</th><th>verdict</th>'
            "<th>deciding test: effect [95% CI], prediction, statistic</th><th>evidence</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _interval_verdicts(table) -> list[str]:
    """What each claim's interval alone would say ("" where it is not recorded)."""
    return (list(table["interval_verdict"]) if "interval_verdict" in table
            else [""] * len(table))


def _alone(verdict: str) -> str:
    """"; the interval alone would read contradicted", where it would decide."""
    return f"; the interval alone would read {verdict}" if verdict in ("supported",
                                                                       "contradicted") else ""


def _inadequate(table) -> list[str]:
    """Each claim's inadequacy reason ("" where its experiment worked, or none is recorded)."""
    return (list(table["inadequate"].fillna("")) if "inadequate" in table
            else [""] * len(table))
