"""`make bench` runs and writes its table (behaviour only: the ratios themselves are not tested)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_sine_benchmark_writes_its_ratio_and_device(tmp_path):
    output = tmp_path / "bench.md"
    subprocess.run([sys.executable, "benchmarks/bench_training.py", "--only", "sine",
                    "--rounds", "1", "--output", str(output)],
                   cwd=ROOT, env=dict(os.environ, KERAS_BACKEND="jax"), check=True,
                   capture_output=True, text=True, timeout=300)
    text = output.read_text()
    assert text.startswith("# Training throughput") and "\nDevice: " in text
    assert "run_grid / hand-written:" in text and "(goal <= 2x)" in text
    # The benchmark's empty cache was its own: nothing reached the tests' cache.
    assert not any(Path(os.environ["ACTSTUDY_CACHE_DIR"]).iterdir())


@pytest.mark.slow
def test_store_benchmark_compares_both_stores_on_the_same_runs(tmp_path):
    from actstudy.run.config import Config
    from actstudy.runner import grid, run_grid

    run_grid(grid(Config(dataset="moons", depth=2, width=8, epochs=2), seed=range(3)),
             progress=False)
    done = subprocess.run([sys.executable, "benchmarks/bench_store.py", "--rounds", "2",
                           "--minimum", "1", "--cache", os.environ["ACTSTUDY_CACHE_DIR"]],
                          cwd=ROOT, env=dict(os.environ, KERAS_BACKEND="jax"), check=True,
                          capture_output=True, text=True, timeout=300)
    assert "run store: 3 runs" in done.stdout
    assert "| JSON (the older store) |" in done.stdout and "| .npz (the run store) |" in done.stdout
    assert "loading time, run store / JSON: " in done.stdout
