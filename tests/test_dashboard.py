"""The dashboard (app.py) in a real browser: Playwright driving the system's Chromium.

A module fixture serves ``solara run app.py`` on a free loopback port; the tests load the
modellers' page, change controls and check that the figures change, and open a finished
experiment's folder on the planners' page. Screenshots go to the test's temporary folder.
Without Chromium the tests are skipped, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.summary import SUMMARY_OUTCOMES, summarise

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
STARTUP_S = 45.0
WAIT_MS = 20_000
TITLE = "AI confidence in the NHS: live model"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; CI must run the browser tests (apt-get install -y chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        _unavailable("Chromium is not installed (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable('playwright is not installed (pip install -e ".[dev]")')
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _solara() -> list[str]:
    script = Path(sys.executable).with_name("solara")
    return [str(script)] if script.exists() else [sys.executable, "-m", "solara"]


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``solara run app.py`` on 127.0.0.1 and a free port; its URL. Always stopped."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("solara") / "server.log"
    command = [*_solara(), "run", "app.py", "--host", "127.0.0.1", "--port", str(port)]
    # This checkout's modules first, even where another checkout is installed in the venv.
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    env.pop("HOST", None)
    env.pop("SOLARA_HOST", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*command, "--production"],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"solara exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"solara not ready in {STARTUP_S:.0f} s:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        yield page
    finally:
        context.close()


def _status(page: object) -> str:
    return page.locator("text=/Week \\d+ of \\d+/").first.locator("xpath=..").inner_text()


SHOT_ATTEMPTS = 5


def _figure_png(page: object, index: int) -> bytes:
    """Screenshot of the index-th figure (img) on the page.

    The page replaces a figure's element when it redraws; one that goes while being shot ("not
    visible or not an HTMLElement") is found again and shot again, a few times at most.
    """
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(SHOT_ATTEMPTS - 1):
        try:
            return page.locator("img").nth(index).screenshot(timeout=WAIT_MS)
        except PlaywrightError:
            page.wait_for_timeout(300)
    return page.locator("img").nth(index).screenshot(timeout=WAIT_MS)


def _set_slider_to_minimum(page: object, label: str) -> None:
    thumb = page.locator(".v-input", has_text=label).locator("[role=slider]").first
    thumb.focus()
    thumb.press("Home")


def _wait_for_images(page: object, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('img').length >= {count}", timeout=WAIT_MS)


def test_modellers_page_loads_with_its_figures(server: str, page: object, tmp_path: Path) -> None:
    page.goto(server + "/")
    page.get_by_text(TITLE).first.wait_for()
    _wait_for_images(page, 6)
    page.screenshot(path=tmp_path / "modellers_loaded.png")
    status = _status(page)
    assert "Week 0 of 156" in status
    assert "1,000 workers in 10 departments" in status
    assert "strategy: No training" in status
    for control in ("Workforce size", "Tool reliability", "Education strategy", "Automation bias"):
        assert page.get_by_text(control).first.is_visible()
    assert page.get_by_role("button", name="Reset").is_visible()


def test_changing_controls_then_reset_and_step_changes_the_plots(
    server: str, page: object, tmp_path: Path
) -> None:
    page.goto(server + "/")
    _wait_for_images(page, 6)
    scatter = 4  # status is text; images: shares, adoption, errors, scatter, archetypes, network
    before = _figure_png(page, scatter)
    page.screenshot(path=tmp_path / "controls_before.png")

    _set_slider_to_minimum(page, "Tool reliability")
    _set_slider_to_minimum(page, "Workforce size")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("200 workers in 2 departments").wait_for()
    status = _status(page)
    assert "tool reliability 0.50" in status
    page.wait_for_timeout(500)  # the figures redraw after the status line
    after_reset = _figure_png(page, scatter)
    assert after_reset != before

    steps = 3
    for week in range(1, steps + 1):
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Week {week} of 156").wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=tmp_path / "controls_after_steps.png")
    assert "Step: 3" in page.inner_text("body") or "Time: 3" in page.inner_text("body")
    assert _figure_png(page, scatter) != after_reset


def _finished_experiment(folder: Path) -> dict[str, float]:
    """A finished experiment's files, from runs whose avoidable-error levels are known."""
    levels = {"no_training": 200.0, "champions": 120.0, "elearning_all": 260.0, "blended": 160.0}
    rng = np.random.default_rng(0)
    rows = []
    for scenario, level in levels.items():
        for replicate in range(3):
            for week in range(12):
                row = {name: float(rng.uniform(0.2, 0.6)) for name in SUMMARY_OUTCOMES}
                row.update(
                    scenario=scenario,
                    condition="default",
                    replicate=replicate,
                    week=week,
                    decisions=100.0,
                    cumulative_cost_gbp=1000.0 * week,
                    appropriate_workers=100.0,
                    avoidable_errors_per_1000=level + 5 * replicate,
                )
                rows.append(row)
    runs = pd.DataFrame(rows)
    folder.mkdir(parents=True)
    runs.to_parquet(folder / "runs.parquet")
    by_group = pd.concat(
        [runs.assign(grouping="staff_group", group=g) for g in ("medical", "nursing_midwifery")]
    )
    by_group.to_parquet(folder / "runs_by_group.parquet")
    summarise(runs, "no_training").to_csv(folder / "summary.csv", index=False)
    experiment = {
        "title": "Tiny strategy comparison",
        "question": "Which strategy makes the fewest avoidable errors?",
        "baseline": "no_training",
        "primary_outcome": "avoidable_errors_per_1000",
        "primary_measure": "time_average",
    }
    (folder / "config.yaml").write_text(yaml.safe_dump({"experiment": experiment}))
    return levels


def test_planners_page_shows_a_finished_experiments_ranking(
    server: str, page: object, tmp_path: Path
) -> None:
    folder = tmp_path / "results" / "training_mix" / "2026-01-01_00-00-00"
    levels = _finished_experiment(folder)
    page.goto(server + "/planners")
    box = page.get_by_label("Results folder (summary.csv, runs.parquet)")
    box.fill(str(folder))
    box.press("Enter")
    page.get_by_text("Tiny strategy comparison").wait_for()
    page.get_by_text("Ranking: avoidable errors, averaged over the weeks").wait_for()
    _wait_for_images(page, 1)
    page.screenshot(path=tmp_path / "planners_ranking.png", full_page=True)

    rows = page.locator("table tbody tr").all_inner_texts()
    expected = ["Champions", "Blended", "No training (baseline)", "Elearning all"]
    assert len(rows) == len(levels)
    for rank, (row, name) in enumerate(zip(rows, expected, strict=True), start=1):
        cells = row.split("\t")
        assert cells[1:3] == [str(rank), name], row
    # Champions: 125 per 1,000 on average over replicates, 80 fewer than the baseline.
    assert "125 per 1,000 decisions" in rows[0]
    assert "\u221280.0 per 1,000 decisions" in rows[0]

    # Choosing a staff group redraws the bands from runs_by_group (its title names the group).
    figure = page.locator("img").first
    before = figure.screenshot()
    page.locator(".v-select", has_text="Staff group").locator(".v-select__slot").click()
    page.get_by_role("option", name="staff_group: medical").click()
    page.get_by_text("By week: avoidable errors, staff_group: medical").wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=tmp_path / "planners_medical.png", full_page=True)
    assert figure.screenshot() != before
