"""The notebooks, the profiles and the HTML reports.

The slow tests execute every notebook under the smoke profile through
papermill (as `make report PROFILE=smoke` does), into a temporary reports
folder, then check each HTML file and load pages in headless Chromium.
"""

import ast
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from actstudy.present import verdict_tables
from actstudy.report import build

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# What each report must show: at least this many figures, and these texts.
EXPECTED = {
    "01_activation_gallery": (2, ["Properties", "Compute cost", "relu", "reference"]),
    "02_synthetic_regression": (3, ["identity", "test MSE", "linear regression"]),
    "03_synthetic_classification": (2, ["moons", "xor", "accuracy", "checkerboard",
                                        "Rule: the hardest level", "tier"]),
    "04_mnist_convergence": (5, ["mnist", "test accuracy", "seconds per epoch", "tier",
                                 "Learning-rate sensitivity", "at its best rate"]),
    "05_gradient_flow": (4, ["dead", "saturat", "first-layer"]),
    "06_findings": (1, ["Verdict", "supported", "undecided", "detectable", "at a glance"]),
    "07_arithmetic_extrapolation": (3, ["NALU", "extrapolation score", "a × b", "gate",
                                        "the paper"]),
}
# As `make report`: the findings last, since they read the other reports' runs.
RENDER_ORDER = sorted(NOTEBOOKS, key=lambda path: path.stem == "06_findings")


def test_seven_numbered_notebooks():
    assert [p.stem for p in NOTEBOOKS] == list(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stripped_with_one_parameters_cell(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            # Long cells belong in the package.
            assert len(cell.source.splitlines()) <= 15, cell.source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_holds_the_profile_and_no_study_defaults(path):
    # Study parameters are defined once, in actstudy/studies/; a notebook only names the
    # profile and what the reader may override.
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    declared = {t.id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign)
                for t in node.targets}
    assert declared <= {"profile", "overrides"} and "profile" in declared


def test_unknown_profile_is_named():
    from actstudy import studies

    with pytest.raises(ValueError, match="profile='fast'.*default"):
        studies.load_profile("fast")


@pytest.fixture(scope="module")
def smoke_reports(tmp_path_factory):
    """Every notebook executed under the smoke profile into a temporary reports folder.

    As `make report` does, the activations are timed first, into that folder.
    Records how many runs the cache held before the findings notebook, and
    after, and the stored timings before any notebook ran.
    """
    from actstudy import studies
    from actstudy.runner import timing

    reports = tmp_path_factory.mktemp("reports")
    runs = tmp_path_factory.mktemp("runs")
    patch = pytest.MonkeyPatch()
    patch.setattr(build, "REPORTS", reports)
    patch.setattr(build, "EXECUTED", reports / "executed")
    patch.setattr(build, "HEADLINE", reports / "headline.json")
    patch.setenv("ACTSTUDY_CACHE_DIR", str(runs))
    patch.setenv("ACTSTUDY_TIMING_DIR", str(reports))
    counts = {}
    try:
        studies.build_costs("smoke", force=True, by="actstudy timing --profile smoke")
        counts["timing before the notebooks"] = timing.stored_path("smoke").read_text()
        for path in RENDER_ORDER:
            if path.stem == "06_findings":
                counts["before findings"] = sorted(p.name for p in runs.glob("*.npz"))
            build.render(path, "smoke")
        counts["after findings"] = sorted(p.name for p in runs.glob("*.npz"))
        build.index("smoke")
    finally:
        patch.undo()
    (reports / "runs").symlink_to(runs)
    (reports / "counts.json").write_text(json.dumps(counts))
    return reports


@pytest.mark.slow
def test_findings_train_nothing_the_other_reports_did_not(smoke_reports):
    counts = json.loads((smoke_reports / "counts.json").read_text())
    assert counts["before findings"] and counts["after findings"] == counts["before findings"]


@pytest.mark.slow
def test_the_reports_read_the_builds_timings_and_time_nothing_again(smoke_reports, monkeypatch):
    from actstudy.runner import timing

    counts = json.loads((smoke_reports / "counts.json").read_text())
    # Neither 01 nor 06 measured again: a new measurement would have replaced the file.
    assert (smoke_reports / "timing-smoke.json").read_text() == counts[
        "timing before the notebooks"]
    monkeypatch.setenv("ACTSTUDY_TIMING_DIR", str(smoke_reports))
    line = timing.load("smoke")[0].measured
    assert "by actstudy timing --profile smoke" in line
    executed = nbformat.read(smoke_reports / "executed" / "01_activation_gallery.ipynb",
                             as_version=4)
    shown = [o.get("data", {}).get("text/markdown") for c in executed.cells
             if c.cell_type == "code" for o in c.outputs]
    assert line in shown


@pytest.mark.slow
def test_every_claim_is_measured_under_smoke(smoke_reports, monkeypatch):
    from actstudy import claims

    # The findings notebook ran these experiments: all of them are cache hits now, and it
    # read the timings measured before the notebooks.
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(smoke_reports / "runs"))
    monkeypatch.setenv("ACTSTUDY_TIMING_DIR", str(smoke_reports))
    table = claims.evaluate("smoke", progress=False)
    assert len(list((smoke_reports / "runs").glob("*.npz"))) == len(json.loads(
        (smoke_reports / "counts.json").read_text())["after findings"])  # all cache hits
    own = table[table["component"] == ""]  # each claim's own row; its components follow it
    assert list(own["id"]) == list(range(1, 20))
    assert set(table["verdict"]) <= set(claims.VERDICTS), table["verdict"].tolist()
    # A claim about several things has two or more components, each a row of its own.
    parts = table[table["component"] != ""].groupby("id")["component"].count()
    assert sorted(parts.index) == [3, 4, 5, 9, 10, 11, 12, 14, 16, 17, 18, 19] and (
        parts >= 2).all(), parts
    # Every primary test compares at least the profile's two seeds (one decides nothing).
    assert (table["seeds"] >= 2).all(), table[["row", "seeds", "statistic"]]
    assert (table["profile"] == "smoke").all() and table["effect"].notna().all()
    page = verdict_tables.verdict_table(table)
    assert page.count("<tr") == len(table) + 1 and 'href="05_gradient_flow.html#' in page


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(EXPECTED))
def test_smoke_report_has_figures_tables_and_provenance(smoke_reports, stem):
    executed = nbformat.read(smoke_reports / "executed" / f"{stem}.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    page = (smoke_reports / f"{stem}.html").read_text()
    figures, texts = EXPECTED[stem]
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) >= figures
    assert "<table" in page
    for text in texts:
        assert text.lower() in page.lower(), text
    assert "Provenance" in page and "smoke" in page and "git commit" in page
    assert len(page.encode()) < 3_000_000  # one file to mail
    # Shareable: no script from the network, no local paths or user names.
    assert not re.search(r'<script[^>]+src="https?://', page)
    assert str(ROOT) not in page and "/root/" not in page and "/home/" not in page
    # Nor in the executed copy beside it (papermill records its input and output paths).
    executed = (smoke_reports / "executed" / f"{stem}.ipynb").read_text()
    assert str(ROOT) not in executed and "output_path" not in executed, stem


@pytest.mark.slow
def test_index_links_every_report(smoke_reports):
    page = (smoke_reports / "index.html").read_text()
    for stem in EXPECTED:
        assert f'href="{stem}.html"' in page
    # The findings notebook's headline: a verdict for each of the 19 claims. ("verdict" alone
    # is always on the page: 06's one-line summary in the list of reports says it.)
    counts = re.search(r"(\d+) supported, (\d+) contradicted, (\d+) undecided", page)
    assert counts and sum(map(int, counts.groups())) == 19, page
    # the headline table: a header row, the 19 claims, and a row per component (↳) of the
    # claims about several things (3, 4, 5, 9, 10, 11, 12, 14, 16, 17: at least two each)
    components = page.count("↳")
    assert components >= 20 and page.count("<tr") == 20 + components
    # The findings notebook wrote its headline into this reports folder, not the repository's.
    assert (smoke_reports / "headline.json").exists() and "Profile smoke" in page
    # A page to share on its own: the setting, the forest plot inside it, coloured verdicts,
    # and each claim's evidence one click away, in a report beside it.
    assert re.search(r"Profile <b>smoke</b>, built \S+ \(this page\) on (CPU|GPU|TPU)", page)
    assert "epochs" in page and "seeds" in page
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/]{1000}', page)) == 1
    assert page.count("border-radius:3px") == page.count("<tr") - 1
    links = re.findall(r'<a href="(0\d_[a-z_]+)\.html#[^"]+">', page)
    assert len(links) == page.count("<tr") - 1 and set(links) <= set(EXPECTED)
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", page)


@pytest.mark.slow
def test_rendered_reports_have_none_of_the_defects_a_reader_trips_over(smoke_reports):
    # The report checker's five classes (actstudy.report.check; each shown by its own tests to
    # fire on a made-up page, and on the reports the issue was filed against).
    from actstudy.report import check

    found = {name: problems for name, problems in check.check_folder(smoke_reports).items()
             if problems}
    assert found == {}, "\n".join(p for problems in found.values() for p in problems)


@pytest.mark.slow
def test_synthetic_classification_renders_the_harder_tasks_under_smoke(tmp_path, monkeypatch):
    # 03 alone, so a change to its harder tasks is checked without rendering every report.
    monkeypatch.setattr(build, "REPORTS", tmp_path)
    monkeypatch.setattr(build, "EXECUTED", tmp_path / "executed")
    build.render(ROOT / "notebooks" / "03_synthetic_classification.ipynb", "smoke")
    executed = nbformat.read(tmp_path / "executed" / "03_synthetic_classification.ipynb",
                             as_version=4)
    assert [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "error"] == []
    page = (tmp_path / "03_synthetic_classification.html").read_text()
    # The rule and what it chose, in words and as a table; a level for each task or the
    # outcome that none reached the threshold.
    sentence = re.search(r"Rule: the hardest level at which relu.*?It chose: (.*?)\.</p>", page)
    assert sentence and "spirals" in sentence.group(1) and "checkerboard" in sentence.group(1)
    assert page.count("chosen") >= 1 and "reaches 0.62" in page
    compared = "turns;" in sentence.group(1) or "cells" in sentence.group(1)
    figures = len(re.findall(r'<img [^>]*src="data:image/png;base64,', page))
    # Easy boundaries and learning curves; the harder tasks' boundaries where one was compared.
    assert figures == 3 if compared else figures == 2 and "nothing to draw" in page
    assert "mean test accuracy over tasks" in page and "tier" in page
    assert len(page.encode()) < 3_000_000


@pytest.mark.slow
def test_failed_notebook_keeps_previous_html(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "REPORTS", tmp_path)
    monkeypatch.setattr(build, "EXECUTED", tmp_path / "executed")
    broken = tmp_path / "99_broken.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Broken"),
        nbformat.v4.new_code_cell("profile = 'smoke'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('boom')"),
    ])
    nbformat.write(notebook, broken)
    (tmp_path / "99_broken.html").write_text("previous")
    with pytest.raises(SystemExit, match="(?s)99_broken.ipynb.*RuntimeError: boom.*left as it was"):
        build.render(broken, "smoke")
    assert (tmp_path / "99_broken.html").read_text() == "previous"
    failed = nbformat.read(tmp_path / "executed" / "99_broken.failed.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in failed.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_progress_lines_name_the_notebook_and_keep_its_bars_in_a_log(tmp_path, monkeypatch,
                                                                   capsys):
    # How `make report` renders two notebooks at once: whole lines, not two sets of bars.
    monkeypatch.setattr(build, "REPORTS", tmp_path)
    monkeypatch.setattr(build, "EXECUTED", tmp_path / "executed")
    monkeypatch.setattr(build, "PROGRESS_LINE_SECONDS", 0.2)
    notebook_path = tmp_path / "99_slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("profile = 'smoke'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import sys, time\n"
            "sys.stderr.write('runs:  50%|#####     | 1/2\\x1b[A\\r'); sys.stderr.flush()\n"
            "time.sleep(3)\n"
            "raise RuntimeError('boom')"),
    ]), notebook_path)
    with pytest.raises(SystemExit, match="progress log reports/executed/99_slow.log"):
        build.render(notebook_path, "smoke", progress="lines")
    out = capsys.readouterr()
    said = [line for line in out.out.splitlines() if line.startswith("99_slow (")]
    assert said and said[-1] == "99_slow (0 min): runs:  50%|#####     | 1/2"
    assert "Executing" not in out.err and "runs:" not in out.err  # no bars on the terminal
    assert "1/2" in (tmp_path / "executed" / "99_slow.log").read_text()


def test_kernels_started_at_once_have_sockets_of_their_own():
    # Two renders at once start their kernels in the same folder (notebooks/); by default
    # both would take kernel-ipc-1, -2, ... there and sign messages for the other.
    first, second = (build._kernel_manager_class([], Path("/tmp/render"))() for _ in range(2))
    assert first.transport == second.transport == "ipc"
    assert Path(first.ip).is_absolute() and first.ip != second.ip
    assert Path(first.ip).parent == Path("/tmp/render")  # in the render's own folder


def test_an_interrupted_render_removes_its_own_temporaries_only(tmp_path, monkeypatch):
    from actstudy import files, settings

    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv(settings.TEMPORARY_TAG_ENV, "actstudy-render-1-mine")

    # Killed mid-write (as by SIGKILL): the rename and the clean-up never happen.
    with pytest.raises(KeyboardInterrupt), monkeypatch.context() as patch:
        patch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        patch.setattr(Path, "unlink", lambda *a, **k: None)
        files.write_text_atomic(tmp_path / "run.npz", "half")
    mine = list(tmp_path.glob(".run.npz.actstudy-render-1-mine.*.tmp"))
    other = tmp_path / ".other.npz.actstudy-render-2-beside.abc.tmp"  # a build beside it
    untagged = tmp_path / ".old.npz.xyz.tmp"
    other.write_text("x")
    untagged.write_text("x")
    assert len(mine) == 1
    build._remove_orphaned_temporaries("actstudy-render-1-mine")
    assert not mine[0].exists() and other.exists() and untagged.exists()


def test_a_killed_builds_render_folder_is_removed_by_the_next(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    gone = _dead_pid()
    stale = tmp_path / f"{build.RENDER_FOLDER}{gone}-abc"
    odd = tmp_path / f"{build.RENDER_FOLDER}99999999999999999999-x"  # no pid os.kill takes
    odd.mkdir()
    live = tmp_path / f"{build.RENDER_FOLDER}{os.getpid()}-def"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "kernel-1-ipc-1").write_text("")
    build._remove_stale_render_folders()
    assert not stale.exists() and live.exists() and odd.exists()


def _dead_pid() -> int:
    import subprocess

    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_unknown_progress_style_is_named():
    with pytest.raises(ValueError, match="progress='dots' is not allowed: choose one of bars, lines"):
        build.render(Path("notebooks/01_activation_gallery.ipynb"), "smoke", progress="dots")


def _chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="needs Debian's chromium (apt-get install chromium)")
@pytest.mark.parametrize("page", ["index.html", *(f"{stem}.html" for stem in EXPECTED)])
def test_pages_load_in_headless_chromium(smoke_reports, page, tmp_path):
    # Every report as a reader opens it on a laptop, 1280 px wide: each image decoded.
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 800})
            errors = []
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            # Offline, as a mailed file would be: any request off this file fails.
            tab.route(re.compile(r"^https?://"), lambda route: route.abort())
            tab.goto((smoke_reports / page).as_uri(), wait_until="load")
            widths = tab.eval_on_selector_all(
                "img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
            tab.screenshot(path=str(tmp_path / f"{page}.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert all(w > 0 for w in widths), widths
    if page != "index.html":
        assert len(widths) >= max(1, EXPECTED[page.removesuffix(".html")][0])
    assert (tmp_path / f"{page}.png").stat().st_size > 0


def _shown(notebook) -> list[str]:
    """What a reader sees of each code cell: its printed text, tables and figure count."""
    shown = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                shown.append(output.text)
            elif output.output_type in ("display_data", "execute_result"):
                html = output.data.get("text/html") or output.data.get("text/markdown")
                # pandas's Styler names each table with a random id; the numbers are the point.
                shown.append(re.sub(r"T_[0-9a-f]{5}", "T_", html) if html else sorted(output.data))
    return shown


# Run first in the kernel of the top-to-bottom test: every figure the notebook shows is
# recorded as it is drawn (the inline backend prints each through its canvas), with the
# number of entries in each of its legends.
_RECORD_FIGURES = """
import json as _json
import matplotlib.backend_bases as _backend_bases
_print_figure = _backend_bases.FigureCanvasBase.print_figure
def _recording(self, *args, **kwargs):
    figure = self.figure
    legends = list(figure.legends) + [ax.get_legend() for ax in figure.axes if ax.get_legend()]
    with open({path!r}, "a") as _out:
        _out.write(_json.dumps([len(legend.get_texts()) for legend in legends]) + "\\n")
    return _print_figure(self, *args, **kwargs)
_backend_bases.FigureCanvasBase.print_figure = _recording
"""


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(EXPECTED))
def test_notebook_run_top_to_bottom_shows_what_the_report_shows(smoke_reports, stem,
                                                                monkeypatch, tmp_path):
    # As a person in JupyterLab would: open it, set the profile line, run all; no papermill.
    # It also records every figure: at least one per report, and no legend a reader cannot
    # match to its lines (more than plots.MAX_HUES entries).
    from nbclient import NotebookClient

    from actstudy.present import plots

    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert 'profile = "default"' in cell.source
    cell.source = cell.source.replace('profile = "default"', 'profile = "smoke"')
    figures = tmp_path / "figures.jsonl"
    recorder = nbformat.v4.new_code_cell(_RECORD_FIGURES.format(path=str(figures)))
    notebook.cells.insert(0, recorder)
    monkeypatch.setenv("ACTSTUDY_CACHE_DIR", str(smoke_reports / "runs"))
    monkeypatch.setenv("ACTSTUDY_TIMING_DIR", str(smoke_reports))
    NotebookClient(notebook, kernel_name=build.KERNEL, timeout=600,
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    notebook.cells.remove(recorder)
    rendered = nbformat.read(smoke_reports / "executed" / f"{stem}.ipynb", as_version=4)
    assert _shown(notebook) == _shown(rendered)
    legends = [json.loads(line) for line in figures.read_text().splitlines()]
    assert len(legends) >= 1, f"{stem} shows no figure"
    assert all(n <= plots.MAX_HUES for entries in legends for n in entries), legends


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(EXPECTED))
def test_no_table_cell_reads_nan(smoke_reports, stem):
    page = (smoke_reports / f"{stem}.html").read_text()
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, flags=re.S)
    assert cells, f"{stem} shows no table"
    bad = [cell for cell in cells if re.fullmatch(r"\s*(nan|NaN|None|<NA>|NaT)\s*", cell)]
    assert bad == [], f"{stem}: {len(bad)} table cells read {bad[0]!r} with no explanation"


def test_headline_travels_in_the_notebook_and_stays_out_of_the_html():
    output = nbformat.v4.new_output("display_data", data={
        build.HEADLINE_MIME: {"note": "Profile smoke: 1 supported.", "html": "<table></table>"}})
    cell = nbformat.v4.new_code_cell("report.show_headline(frame)", outputs=[output])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 06"), cell])
    assert build._headline_in(notebook)["note"] == "Profile smoke: 1 supported."
    reading = build._for_reading(notebook, "provenance")
    assert build._headline_in(reading) is None
