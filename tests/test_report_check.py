"""The report checker (actstudy.report.check) on small made-up pages with known answers:
for each defect class a page where it fires and a near-identical one where it does not."""

import subprocess
import sys

from actstudy.report.check import check_folder, defects


def _table(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    """A pandas-Styler-like table: one header row of <th>, body rows of <td>."""
    head = "".join(f"<th>{text}</th>" for text in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    caption = f"<caption>{caption}</caption>" if caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(*parts: str) -> str:
    """A rendered report page holding these parts after a heading."""
    return ("<html><head><style>.x { width: 1.5e+00px }</style></head><body>"
            "<h2>Results¶</h2>" + "".join(parts) + "</body></html>")


def _stream(text: str, mime: str = "text/plain", result: bool = False) -> str:
    """An output area as nbconvert's lab template renders a stream or an execute result."""
    child = "jp-OutputArea-child" + (" jp-OutputArea-executeResult" if result else "")
    extra = " jp-OutputArea-executeResult" if result else ""
    return (f'<div class="{child}"><div class="jp-RenderedText jp-OutputArea-output{extra}" '
            f'data-mime-type="{mime}"><pre>{text}</pre></div></div>')


RANKING = [["1", "0.95 [0.94, 0.96]"], ["2", "0.93 [0.92, 0.94]"]]


def test_a_ranking_without_its_activation_column_is_unidentified():
    page = _page(_table(["rank", "final accuracy"], RANKING, caption="Ranking"))
    found = defects(page, "04")
    assert len(found) == 1
    assert found[0].startswith('04: table 1 "Ranking": no column says what a row is')


def test_a_ranking_with_its_activation_column_is_identified():
    rows = [["1", "relu", "0.95 [0.94, 0.96]"], ["2", "gelu", "0.93 [0.92, 0.94]"]]
    assert defects(_page(_table(["rank", "activation", "final accuracy"], rows))) == []


def test_a_row_header_identifies_the_rows():
    table = _table(["rank", "final accuracy"], RANKING).replace("<td>1</td>", "<th>1</th>")
    assert defects(_page(table)) == []


def test_repeated_labels_are_unidentified_unless_a_setting_tells_them_apart():
    rows = [["relu", "0.01", "0.95 [0.94, 0.96]"], ["relu", "0.1", "0.93 [0.92, 0.94]"]]
    assert defects(_page(_table(["activation", "learning rate", "accuracy"], rows))) == []
    rows = [["relu", "0.95 [0.94, 0.96]"], ["relu", "0.93 [0.92, 0.94]"]]
    found = defects(_page(_table(["activation", "accuracy"], rows)))
    assert len(found) == 1 and "rows 1 and 2 are the same" in found[0]


def test_a_first_column_of_distinct_seeds_identifies_the_rows():
    rows = [["0", "0.95"], ["1", "0.93"]]
    assert defects(_page(_table(["seed", "accuracy"], rows))) == []
    assert len(defects(_page(_table(["rank", "accuracy"], rows)))) == 1


def test_provenance_tables_and_one_row_tables_are_not_asked_for_labels():
    table = _table(["rank", "final accuracy"], RANKING)
    assert defects(_page(f'<details class="actstudy-provenance">{table}</details>')) == []
    assert defects(_page(_table(["rank", "final accuracy"], RANKING[:1]))) == []


def test_an_accuracy_interval_above_1_is_out_of_range():
    rows = [["selu", "0.995 [0.986, 1.003]"], ["relu", "0.95 (same on every seed)"],
            ["tanh", "n/a"]]
    found = defects(_page(_table(["activation", "test accuracy [95% CI]"], rows)))
    assert len(found) == 1
    assert '"test accuracy [95% CI]", row "selu": 0.995 [0.986, 1.003]' in found[0]
    assert "outside [0, 1]" in found[0]
    rows[0][1] = "0.995 [0.986, 1.000]"
    assert defects(_page(_table(["activation", "test accuracy [95% CI]"], rows))) == []


def test_a_share_with_a_negative_bound_is_out_of_range_with_a_unicode_minus():
    rows = [["elu", "0.06 [\u22120.03, 0.16]"], ["relu", "4 [3, 5]"]]
    found = defects(_page(_table(["activation", "inactive units %"], rows)))
    assert len(found) == 1 and "outside [0, 100]" in found[0]
    rows[0][1] = "0.06 [0.00, 0.16]"
    assert defects(_page(_table(["activation", "inactive units %"], rows))) == []


def test_accuracies_in_percent_ratios_differences_and_unknown_quantities():
    percent = [["relu", "95.1 [94.9, 95.3]"], ["gelu", "99.9 [99.7, 100.1]"]]
    found = defects(_page(_table(["activation", "test accuracy [95% CI]"], percent)))
    assert len(found) == 1 and "outside [0, 100]" in found[0]
    ratios = [["relu", "the reference"], ["elu", "0.57× [0.55×, 0.60×]"]]
    assert defects(_page(_table(["activation", "× ReLU's loss"], ratios))) == []
    ratios[1][1] = "0.57× [0×, 1.2×]"
    assert len(defects(_page(_table(["activation", "× ReLU's loss"], ratios)))) == 1
    differences = [["relu", "-8 [-13, -3] pp"], ["gelu", "1 [-1, 3] pp"]]
    assert defects(_page(_table(["activation", "accuracy difference"], differences))) == []
    mixed = [["1", "-8 [-13, -3] pp"], ["2", "0.9× [0×, 1.1×]"], ["3", "-1 [-2, 0]"]]
    found = defects(_page(_table(["claim", "effect"], mixed)))
    assert len(found) == 1 and "0.9× [0×, 1.1×] has a bound outside (0, ∞)" in found[0]
    unknown = [["relu", "-8 [-13, -3]"], ["gelu", "1 [-1, 3]"]]
    assert defects(_page(_table(["activation", "slope"], unknown))) == []
    losses = [["relu", "0.4 [\u22120.1, 0.9]"], ["gelu", "0.2 [0.1, 0.3]"]]
    assert len(defects(_page(_table(["activation", "mean training loss"], losses)))) == 1


def test_scientific_notation_between_0_01_and_1000_is_flagged_in_tables_and_text():
    rows = [["relu", "1.5e+00 [1.5e+00, 1.5e+00]"], ["gelu", "31 [5, 1.9e+02]"]]
    found = defects(_page(_table(["activation", "ratio"], rows)))
    assert len(found) == 1
    assert 'column "ratio": 4 value(s)' in found[0] and "1.5e+00" in found[0]
    found = defects(_page("<p>the ratio is 6.1e-01× and \u22122.0e+01 there</p>"))
    assert len(found) == 1 and "6.1e-01, −2.0e+01" in found[0] and 'under "Results"' in found[0]


def test_scientific_notation_outside_0_01_to_1000_or_in_scripts_and_hashes_is_not():
    rows = [["relu", "5.1e-04 [2.2e-04, 1.2e-03]"], ["gelu", "1.5 [1.5, 1.5]"]]
    page = _page(_table(["activation", "ratio"], rows),
                 "<p>2.0e+05 runs, commit 3e2a9f1e00, 1.5 and 0.61</p>",
                 "<script>var x = 1.5e+00;</script>", "<!-- 1.5e+00 -->",
                 '<img src="data:image/png;base64,AAA1.5e+00BBB">')
    assert defects(page) == []


def test_an_empty_column_is_flagged():
    rows = [["relu", "0.95", ""], ["gelu", "0.93", "  "]]
    found = defects(_page(_table(["activation", "accuracy", "note"], rows)))
    assert found == ['table 1 "Results": column "note" is empty']
    rows[1][2] = "within 0.0005 of gelu_tanh"
    assert defects(_page(_table(["activation", "accuracy", "note"], rows))) == []


def test_printed_stdout_and_stderr_are_flagged_but_not_an_execute_result():
    found = defects(_page(_stream("linear regression test MSE: 0.4413\n")))
    assert found == ['printed stdout block (1 line(s)): "linear regression test MSE: 0.4413"']
    found = defects(_page(_stream("a warning\n", "application/vnd.jupyter.stderr")))
    assert len(found) == 1 and "stderr" in found[0]
    assert defects(_page(_stream("0.4413", result=True))) == []
    assert defects(_page('<div class="jp-RenderedHTML jp-OutputArea-output" '
                         'data-mime-type="text/html"><p>the MSE</p></div>')) == []


def test_multi_level_headers_name_the_column():
    table = ('<table><thead><tr><th colspan="2">moons</th></tr>'
             "<tr><th>activation</th><th>test accuracy</th></tr></thead><tbody>"
             "<tr><td>relu</td><td>0.99 [0.98, 1.01]</td></tr>"
             "<tr><td>gelu</td><td>0.98 [0.97, 0.99]</td></tr></tbody></table>")
    found = defects(_page(table))
    assert len(found) == 1 and 'column "moons / test accuracy"' in found[0]


def _folder(tmp_path):
    (tmp_path / "01_clean.html").write_text(_page("<p>fine</p>"), encoding="utf-8")
    (tmp_path / "02_bad.html").write_text(_page(_stream("printed\n")), encoding="utf-8")
    return tmp_path


def test_check_folder_reports_only_the_bad_page(tmp_path):
    found = check_folder(_folder(tmp_path))
    assert found == {"01_clean.html": [],
                     "02_bad.html": ['02_bad: printed stdout block (1 line(s)): "printed"']}


def test_main_exits_1_on_defects_and_0_without(tmp_path):
    command = [sys.executable, "-m", "actstudy.report.check", str(_folder(tmp_path))]
    bad = subprocess.run(command, capture_output=True, text=True)
    assert bad.returncode == 1 and "02_bad: printed stdout block" in bad.stdout
    (tmp_path / "02_bad.html").unlink()
    good = subprocess.run(command, capture_output=True, text=True)
    assert good.returncode == 0 and good.stdout.strip() == "no defects in 1 reports"


def test_a_negative_zero_is_found_in_tables_and_text_and_nothing_else_is():
    found = defects(_page("<p>selu −0% [−1%, −0%] at 512</p>"))
    assert len(found) == 1 and "negative zero" in found[0] and "selu" in found[0]
    table = ("<table><thead><tr><th>activation</th><th>gain</th></tr></thead><tbody>"
             "<tr><td>relu</td><td>+1 [-0.00, +3] epochs</td></tr>"
             "<tr><td>gelu</td><td>+1 [+0, +3] epochs</td></tr></tbody></table>")
    assert len(defects(_page(table))) == 1
    assert defects(_page("<p>-0.5, 10.0, x-0, 1e-05, -0.01, 2−0 and 0.00 [0.00, 0.01]</p>")) == []
