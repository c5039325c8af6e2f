"""Reports: run a notebook with papermill under a profile, render standalone HTML, and the index.

    actstudy report render notebooks/04_mnist_convergence.ipynb --profile default
    actstudy report index --profile default

The Makefile calls these (``actstudy.cli``); each writes to a temporary file and
renames it, so a failed notebook leaves the previous HTML in place.
"""

from __future__ import annotations

import contextlib
import datetime
import html
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import actstudy
from actstudy import settings
from actstudy.files import write_text_atomic

ROOT = settings.ROOT


NOTEBOOKS = ROOT / "notebooks"


REPORTS = ROOT / "reports"


EXECUTED = REPORTS / "executed"


HEADLINE = REPORTS / "headline.json"


TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


KERNEL = "actstudy"




# The findings notebook displays the index's headline under this MIME type; render takes it
# from the executed notebook (the HTML leaves it out).
HEADLINE_MIME = "application/vnd.actstudy.headline+json"


# -- provenance --------------------------------------------------------------------


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               text=True, capture_output=True, check=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def versions() -> dict:
    import importlib.metadata as metadata

    names = ["keras", "jax", "jaxlib", "numpy", "pandas", "scikit-learn", "seaborn", "matplotlib",
             "papermill", "nbconvert"]
    found = {"actstudy": actstudy.__version__, "python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _table(rows: dict) -> str:
    return "<table>" + "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    ) + "</table>"


def provenance_html(profile: str, params: dict, datasets: list[dict], wall_seconds: float) -> str:
    """The block every report opens with. No local paths or user names go in it.

    ``params`` is the profile as :func:`actstudy.studies.load_profile` reads it.
    """
    dataset_rows = "".join(
        f"<tr><td>{html.escape(str(d.get('name')))}</td><td>{html.escape(str(d.get('source')))}</td>"
        f"<td>{html.escape(json.dumps(d.get('sizes')))}</td>"
        f"<td><code>{html.escape(str(d.get('checksum', ''))[:16])}</code></td></tr>"
        for d in datasets
    ) or "<tr><td colspan=4>no dataset (computed from the activation functions only)</td></tr>"
    shown = {**{f"common: {k}": v for k, v in params.get("common", {}).items()},
             **{name: ", ".join(f"{k}={v}" for k, v in (section or {}).items())
                for name, section in params.get("studies", {}).items()}}
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = git_commit()
    # The summary line is always visible; the full record unfolds on a click.
    return (
        '<details class="actstudy-provenance"><summary>Provenance: profile '
        f"<b>{html.escape(profile)}</b> · git commit {html.escape(commit)} · {date} · "
        f"wall time {wall_seconds:.0f} s</summary>"
        + _table({
            "profile": profile,
            "git commit": commit,
            "date": date,
            "wall time": f"{wall_seconds:.0f} s",
            "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
        })
        + "<p><b>Parameters</b> (the profile's study settings)</p>" + _table(shown)
        + "<p><b>Datasets</b></p><table><tr><th>name</th><th>source</th><th>sizes</th>"
          "<th>sha256</th></tr>" + dataset_rows + "</table>"
        + "<p><b>Versions</b></p>" + _table(versions())
        + "</details>"
    )


# -- render ------------------------------------------------------------------------


def _without_local_paths(notebook):
    """The executed notebook without papermill's input and output paths and without the
    kernel's stderr (progress bars and warnings, which name this machine's folders; the
    render's log keeps them): the executed copies sit beside the reports and may be shared."""
    recorded = notebook.metadata.get("papermill", {})
    for name in ("input_path", "output_path"):
        recorded.pop(name, None)
    for cell in notebook.cells:
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return notebook


def _html(notebook) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)], template_name="actstudy",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _for_reading(notebook, provenance: str):
    """A copy for the HTML: provenance after the title, no stderr (progress bars, warnings)."""
    import copy

    import nbformat

    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")
                            and HEADLINE_MIME not in o.get("data", {})]
    title = next((i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown"), -1)
    notebook.cells.insert(title + 1, nbformat.v4.new_markdown_cell(provenance))
    return notebook


class BuildInterrupted(SystemExit):
    """A build stopped by SIGINT or SIGTERM; its code is 128 + the signal number."""


def _kernel_manager_class(started: list, folder: Path):
    """A kernel manager class that appends each kernel it starts to ``started`` and keeps its
    sockets in ``folder`` (the render's own, removed when it ends)."""
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        """The report's kernel: IPC sockets (no plain-text TCP), and its process known to us.

        The kernel runs in a session of its own, so a terminal's Ctrl-C never
        reaches it; :func:`render` forwards the signal to its process group.
        """

        def __init__(self, **kwargs):
            # Without an ``ip``, jupyter_client names the sockets kernel-ipc-1, -2, ... in the
            # working directory, so two renders at once (make report) would pick the same
            # files and read each other's messages. A name of this kernel's own instead, in
            # the render's folder.
            own = Path(folder) / f"kernel-{uuid.uuid4().hex[:8]}"
            super().__init__(transport="ipc", ip=f"{own}-ipc", **kwargs)

        async def start_kernel(self, **kwargs):
            await super().start_kernel(**kwargs)
            started.append(self.provisioner)

    return ReportKernelManager


# After forwarding a signal, how long the kernel has to stop its cell before it is killed.
INTERRUPT_GRACE_SECONDS = 5.0


def _signal_kernels(kernels: list, signum: int) -> None:
    for provisioner in kernels:
        group = getattr(provisioner, "pgid", None)
        if group:
            with contextlib.suppress(OSError):
                os.killpg(group, signum)


def _remove_orphaned_temporaries(tag: str) -> None:
    """Temporary files this render's kernel left mid-write (they carry its ``tag``, see
    actstudy.files.write_atomic); another build's, running beside it, are not touched."""
    for folder in (settings.cache_dir(), REPORTS, EXECUTED, settings.DATA_DIR):
        for path in folder.glob(f".*.{tag}.*.tmp") if folder.is_dir() else ():
            with contextlib.suppress(OSError):
                path.unlink()


RENDER_FOLDER = "actstudy-render-"


def _remove_stale_render_folders() -> None:
    """Render folders (kernel sockets, scratch) whose build was killed before removing them:
    named for their build's process, removed once that process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{RENDER_FOLDER}*"):
        try:
            pid = int(folder.name.removeprefix(RENDER_FOLDER).split("-")[0])
            os.kill(pid, 0)  # the build is still running: its folder stays
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, OverflowError, OSError):  # not a name of ours, or not ours to judge
            continue


def _execute_interruptibly(label: str, folder: Path, tick=None, **papermill_arguments) -> None:
    """papermill.execute_notebook, stopped within seconds by SIGINT or SIGTERM.

    nbclient, when it runs in the main thread, takes SIGINT and SIGTERM for
    itself and lets the cell run on, so the notebook runs in a worker thread
    here and the main thread keeps the signals: the first interrupts the
    kernel's cell (so its own cleanup runs), a second one or the end of the
    grace period kills the kernel. ``tick``, if given, is called about ten times a
    second while the notebook runs.
    """
    import papermill

    outcome: dict = {}
    received: list[int] = []
    kernels: list = []  # this execution's kernels only: an old one's group id may be reused

    def work():
        try:
            papermill.execute_notebook(
                kernel_manager_class=_kernel_manager_class(kernels, folder), **papermill_arguments)
        except BaseException as error:  # noqa: BLE001  (re-raised in the main thread)
            outcome["error"] = error

    def on_signal(signum, frame):
        received.append(signum)
        _signal_kernels(kernels, signal.SIGINT if len(received) == 1 else signal.SIGKILL)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker = threading.Thread(target=work, name=f"papermill {label}", daemon=True)
        worker.start()
        deadline = None
        while worker.is_alive():
            worker.join(0.1)
            if tick is not None:
                tick()
            if received and deadline is None:
                deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS
            if deadline is not None and time.monotonic() > deadline:
                _signal_kernels(kernels, signal.SIGKILL)
                worker.join(INTERRUPT_GRACE_SECONDS)
                break
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:
        _remove_orphaned_temporaries(Path(folder).name)
        raise BuildInterrupted(128 + received[0])
    if "error" in outcome:
        raise outcome["error"]


# With progress="lines", how often render says how far a notebook has got.
PROGRESS_LINE_SECONDS = 60.0


PROGRESS_STYLES = ("bars", "lines")


class _ProgressLines:
    """Every PROGRESS_LINE_SECONDS, one line: the notebook, its minutes, its log's last state.

    For renders that share a terminal (``make report`` renders two notebooks at
    once): each kernel's progress bars go to its own log file, and the terminal
    gets whole lines that name their notebook, never two bars redrawn over each
    other.
    """

    def __init__(self, label: str, log: Path, started: float):
        self.label, self.log, self.started = label, log, started
        self.due = started + PROGRESS_LINE_SECONDS

    def __call__(self) -> None:
        now = time.perf_counter()
        if now < self.due:
            return
        self.due = now + PROGRESS_LINE_SECONDS
        try:
            with self.log.open("rb") as log:
                log.seek(max(0, self.log.stat().st_size - 4000))
                tail = log.read().decode(errors="replace")
        except OSError:
            tail = ""
        # A bar redraws itself after a carriage return: its state is the last piece. Nested
        # bars move the cursor with escape sequences, which a line has no use for.
        tail = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", tail)
        states = [piece.strip() for piece in tail.replace("\r", "\n").splitlines()]
        states = [state for state in states if state]
        minutes = (now - self.started) / 60
        print(f"{self.label} ({minutes:.0f} min): {states[-1] if states else 'starting'}",
              flush=True)


def render(notebook_path: Path, profile: str, progress: str = "bars") -> Path:
    """Execute one notebook under a profile and write its executed copy and HTML.

    ``progress="bars"`` shows papermill's cell bar and the run grids' progress bars
    on stderr; ``"lines"`` leaves out the cell bar, writes the run grids' bars to
    ``reports/executed/<notebook>.log`` and prints a line a minute instead (see
    :class:`_ProgressLines`).
    """
    if progress not in PROGRESS_STYLES:
        raise ValueError(f"progress={progress!r} is not allowed: choose one of "
                         f"{', '.join(PROGRESS_STYLES)}")
    import nbformat
    import papermill

    notebook_path = Path(notebook_path).resolve()
    stem = notebook_path.stem
    from actstudy import studies

    params = studies.load_profile(profile)  # checked before any kernel starts
    previous = REPORTS / f"{stem}.html"
    kept = (f"the previous reports/{stem}.html is left as it was" if previous.exists()
            else f"no reports/{stem}.html was written")
    EXECUTED.mkdir(parents=True, exist_ok=True)
    print(f"running {notebook_path.name} (profile {profile})", flush=True)
    log_path = EXECUTED / f"{stem}.log"
    log = log_path.open("w") if progress == "lines" else None
    _remove_stale_render_folders()
    # The render's own folder: the executed copy, the kernel's sockets, the datasets record.
    # Removed when the render ends; a build killed before that leaves it for the next one.
    with (tempfile.TemporaryDirectory(prefix=f"{RENDER_FOLDER}{os.getpid()}-") as scratch,
          log or contextlib.nullcontext()):
        executed = Path(scratch) / f"{stem}.ipynb"
        datasets_file = Path(scratch) / "datasets.json"
        os.environ[settings.PROVENANCE_ENV] = str(datasets_file)
        os.environ[settings.TEMPORARY_TAG_ENV] = Path(scratch).name
        started = time.perf_counter()
        try:
            _execute_interruptibly(
                stem, Path(scratch),
                tick=_ProgressLines(stem, log_path, started) if log else None,
                input_path=str(notebook_path), output_path=str(executed),
                parameters={"profile": profile},
                kernel_name=KERNEL, language="python", cwd=str(notebook_path.parent),
                progress_bar=log is None,
                # The kernel's stderr: the run grids' tqdm bars.
                stderr_file=log or sys.stderr,
            )
        except BuildInterrupted as interrupted:
            print(f"\ninterrupted ({signal.Signals(interrupted.code - 128).name}) while running "
                  f"{notebook_path.name}: {kept}; no index written; finished runs stay in the "
                  "cache", file=sys.stderr)
            raise
        except papermill.PapermillExecutionError as error:
            # Keep the executed copy, traceback included, for whoever fixes the notebook.
            failed = EXECUTED / f"{stem}.failed.ipynb"
            if executed.exists():
                write_text_atomic(failed, nbformat.writes(_without_local_paths(
                    nbformat.read(executed, as_version=4))))
            raise SystemExit(
                f"notebook {notebook_path.name} failed in cell {error.exec_count}: "
                f"{error.ename}: {error.evalue}\n({kept}; the executed notebook with the "
                f"traceback is reports/executed/{failed.name}"
                + (f", its progress log reports/executed/{log_path.name})" if log else ")")
            ) from None
        finally:
            os.environ.pop(settings.PROVENANCE_ENV, None)
            os.environ.pop(settings.TEMPORARY_TAG_ENV, None)
        wall = time.perf_counter() - started
        datasets = json.loads(datasets_file.read_text()) if datasets_file.exists() else []
        notebook = nbformat.read(executed, as_version=4)
    write_text_atomic(EXECUTED / f"{stem}.ipynb", nbformat.writes(_without_local_paths(notebook)))
    (EXECUTED / f"{stem}.failed.ipynb").unlink(missing_ok=True)
    target = REPORTS / f"{stem}.html"
    page = _html(_for_reading(notebook, provenance_html(profile, params, datasets, wall)))
    write_text_atomic(target, page)
    headline = _headline_in(notebook)
    if headline is not None:
        write_text_atomic(HEADLINE, json.dumps(headline))
    print(f"wrote reports/{stem}.html ({wall:.0f} s)")
    return target


def _headline_in(notebook) -> dict | None:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if HEADLINE_MIME in output.get("data", {}):
                return dict(output["data"][HEADLINE_MIME])
    return None


def _describe(notebook_path: Path) -> tuple[str, str]:
    """Title (first heading) and first sentence of a notebook, for the index."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
            title = lines[0].lstrip("# ") if lines else notebook_path.stem
            summary = next((line for line in lines[1:] if not line.startswith("#")), "")
            return title, summary
    return notebook_path.stem, ""


def device() -> str:
    """The machine the build ran on, in words: its accelerator, or its CPU and cores."""
    import jax

    found = jax.devices()[0]
    if found.platform != "cpu":
        return f"{found.platform.upper()} ({found.device_kind})"
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines
                      if line.startswith("model name")), model)
    return f"CPU ({model}, {os.cpu_count()} cores), no GPU"


def setting(profile: str) -> str:
    """One line on what the build measured: the profile, the data sizes, epochs and seeds.

    Every study's full settings are in each report's provenance block; this is
    the line a reader needs before trusting a verdict.
    """
    from actstudy.studies import load_profile

    params = load_profile(profile)
    common = params.get("common") or {}
    sections = {name: section or {} for name, section in params.get("studies", {}).items()}
    trained = {name: s for name, s in sections.items() if "epochs" in s}
    epochs = sorted({int(s["epochs"]) for s in trained.values()})
    seeds = sorted({int(s.get("seeds", common.get("seeds", 1))) for s in trained.values()})
    images = sections.get("images", {})
    image_line = ""
    if images:
        names = " and ".join(html.escape(str(d)).replace("fashion_mnist", "Fashion-MNIST")
                             .replace("mnist", "MNIST") for d in images.get("datasets", []))
        image_line = (f"04's main {names} MLPs train on {int(images.get('n_train', 0)):,} "
                      f"images for {images.get('epochs')} epochs and are tested on the full test "
                      "sets; ")
    return (f"Profile <b>{html.escape(profile)}</b>, built "
            f"{datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d')} (this page) on "
            f"{html.escape(device())}. {image_line}the {len(trained)} trained studies run "
            f"{_span(epochs)} epochs and {_span(seeds)} seeds (each claim's row gives its seeds, "
            "each report's provenance block every setting). The links below lead into the "
            "seven reports, which travel beside this page.")


def _span(values) -> str:
    return f"{values[0]}" if len(values) == 1 else f"{values[0]}–{values[-1]}"


def index(profile: str) -> Path:
    """``reports/index.html``: the page one shares, a single file that needs nothing else.

    The setting line, the verdict counts, the forest plot of every claim's
    deciding test (an embedded PNG), the verdict table with coloured verdicts,
    the deciding tests in words and links to each claim's evidence, then the
    seven reports.
    """
    rows = []
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        title, summary = _describe(notebook)
        built = (REPORTS / f"{notebook.stem}.html").exists()
        link = (f'<a href="{notebook.stem}.html">{html.escape(title)}</a>' if built
                else f"{html.escape(title)} (not built)")
        rows.append(f"<li>{link}<br><span>{html.escape(summary)}</span></li>")
    headline = json.loads(HEADLINE.read_text()) if HEADLINE.exists() else None
    if headline:
        figure = (f'<img alt="Every claim\'s deciding effect with its 95% interval against its '
                  f'margin, coloured by verdict" src="data:image/png;base64,{headline["figure"]}">'
                  if headline.get("figure") else "")
        headline_html = (
            f"<h2>Verdicts</h2><p>{html.escape(headline['note'])}</p>"
            "<p>Each claim's deciding test: a point is its effect, a bar its 95% interval, the "
            "triangle the margin, pointing the way the claim predicts (a grey band for a claim "
            "of no difference). Green: the whole interval lies past the margin (supported); "
            "red: wholly on the other side (contradicted); grey: across it, or its experiment "
            "failed a check (hollow), undecided. The <a href=\"06_findings.html\">findings "
            f"report</a> gives each test's reason, secondary tests and quotes.</p>{figure}"
            f"{headline['html']}")
    else:
        headline_html = "<p>The verdicts appear once 06_findings has been built.</p>"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>actstudy: activation functions, measured</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
        line-height: 1.45; color: #222; }}
 li {{ margin: 0.6em 0; }} li span {{ color: #555; font-size: 0.92em; }}
 img {{ max-width: 100%; height: auto; }}
 .setting {{ background: #f4f4f4; border-left: 4px solid #888; padding: 0.5em 0.9em; }}
 table.headline {{ border-collapse: collapse; font-size: 0.88em; width: 100%; }}
 table.headline th, table.headline td {{ border-bottom: 1px solid #ddd; padding: 0.3em 0.5em;
        text-align: left; vertical-align: top; }}
 table.headline tr.claim td {{ border-top: 2px solid #bbb; }}
 table.headline tr.component td {{ font-size: 0.95em; color: #333; }}
 table.headline td:first-child {{ white-space: nowrap; }}
 table.headline small {{ color: #555; }}
 footer {{ margin-top: 2em; color: #666; font-size: 0.85em; }}
</style></head><body>
<h1>actstudy: activation functions, measured</h1>
<p>How sigmoid, tanh, the ReLU family, ELU, SELU, GELU, Swish, Mish and learnable activations
differ in convergence, accuracy and gradient flow, and which popular claims about them hold,
with every number from a run you can redo (<code>make report PROFILE={html.escape(profile)}</code>).
</p>
<p class="setting">{setting(profile)}</p>
{headline_html}
<h2>Reports</h2><ol>{''.join(rows)}</ol>
<footer>Profile <b>{html.escape(profile)}</b> · commit {html.escape(git_commit())} ·
built {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')} ·
actstudy {actstudy.__version__}</footer>
</body></html>
"""
    target = REPORTS / "index.html"
    write_text_atomic(target, page)
    print("wrote reports/index.html")
    return target
