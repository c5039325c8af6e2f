import math

import numpy as np
import pandas as pd
import pytest

from actstudy.present import tables


def test_the_interval_sets_the_precision():
    assert tables.interval(0.9512, 0.9471, 0.9553) == "0.951 [0.947, 0.955]"
    assert tables.interval(95.12, 94.62, 95.62) == "95.1 [94.6, 95.6]"
    assert tables.interval(90.0, 87.5, 92.5) == "90 [88, 92]"  # half-width 2.5: no decimals
    assert tables.interval(0.4, 0.03, 0.77, "pp") == "+0.4 [+0.0, +0.8] pp"
    assert tables.interval(327.0, 100.0, 1000.0, "x") == "327× [100×, 1,000×]"
    assert tables.interval(3.2e-4, 1.1e-4, 9.0e-4, scientific=True) == "3.2e-04 [1.1e-04, 9.0e-04]"


def test_units_and_what_cannot_be_an_interval():
    assert tables.number(327.4, "x") == "327×"
    assert tables.number(0.41, "pp", decimals=1) == "+0.4 pp"
    assert tables.number(-2.0, "epochs", decimals=0) == "-2 epochs"
    assert tables.number(math.nan, "pp") == "n/a"
    assert tables.interval(1.0, 1.0, 1.0, n=5) == "1.00 (same on every seed)"
    assert tables.interval(2.0, -math.inf, math.inf, n=1) == "2 (n = 1: no interval)"
    with pytest.raises(ValueError, match="unit='%%'|unit='seconds'"):
        tables.number(1.0, "seconds")


def test_a_column_shares_one_precision():
    frame = pd.DataFrame({"mean": [0.95, 0.90], "ci_low": [0.94, 0.85], "ci_high": [0.96, 0.95],
                          "seeds": [5, 5]})
    assert tables.intervals(frame, scale=100) == ["95 [94, 96]", "90 [85, 95]"]


def test_show_sorts_formats_and_hides_helper_columns():
    frame = pd.DataFrame({"activation": ["a", "b", "c"], "value": [0.123456, 3.0, 2.5],
                          "_order": [3, 1, 2]})
    html = tables.show(frame, sort_by="_order").to_html()
    assert html.index(">b<") < html.index(">c<") < html.index(">a<")
    assert "0.123" in html and "0.123456" not in html and "_order" not in html
    with pytest.raises(ValueError, match="sort_by='zzz'"):
        tables.show(frame, sort_by="zzz")


def test_an_empty_cell_needs_a_reason():
    frame = pd.DataFrame({"activation": ["a", "b"], "epochs": ["3", None]})
    with pytest.raises(ValueError, match="column 'epochs' has 1 empty cells"):
        tables.show(frame)
    html = tables.show(frame, missing="never reached the target").to_html()
    assert "—" in html and "never reached the target" in html
    assert "nan" not in html.lower().replace("nanoseconds", "")


def test_precision_of_nothing_is_three_decimals():
    assert tables.precision([]) == 3
    assert tables.precision([np.nan, 0.0]) == 3


def test_cell_text_is_shown_not_run():
    frame = pd.DataFrame({"name": ['<img src=x onerror="alert(1)">'], "score": [0.5],
                          "reference": ["<script>alert(2)</script> & co"]})
    page = tables.show(frame).to_html()
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page or "&lt;img" in page
    assert "&amp; co" in page and "0.5" in page
    assert "<b>ours</b>" in tables.show(pd.DataFrame({"x": ["<b>ours</b>"]}), markup=True).to_html()


def test_headers_and_captions_are_shown_not_run():
    frame = pd.DataFrame({"<img src=x onerror=alert(1)>": [1.5], "b": [None]})
    page = tables.show(frame, caption="<script>x</script>", missing="<b>why</b>").to_html()
    assert "<img" not in page and "<script" not in page and "<b>why" not in page


def test_speed_table_says_never_before_shared_program():
    import numpy as np
    import pandas as pd

    from actstudy.present import tables

    # Two activations from one shared program (no seconds of their own): one reaches the
    # target, one never does; the seconds columns say which.
    history = pd.DataFrame([{"key": f"{a}{s}", "dataset": "mnist", "activation": a, "depth": 2,
                             "seed": s, "epoch": e, "val_accuracy": acc, "seconds": np.nan}
                            for a, acc in (("relu", 0.95), ("sigmoid", 0.5)) for s in range(2)
                            for e in (1, 2)])
    summary = pd.DataFrame([{"dataset": "mnist", "activation": a, "seconds_per_epoch": np.nan}
                            for a in ("relu", "sigmoid") for _ in range(2)])
    table = tables.speed_table(history, summary, {"mnist": 0.9}).set_index("activation")
    assert table.loc["relu", "seconds to target [95% CI]"] == "shared program"
    assert table.loc["sigmoid", "seconds to target [95% CI]"] == "never in 2 epochs"
    assert table.loc["sigmoid", "seconds per epoch"] == "shared program"
