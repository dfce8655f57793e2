"""`python -m bot check` as an administrator runs it: a clear verdict and a clear exit code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.check import check_callback_data, check_catalogs
from bot.config import DEFAULT_CONFIG, Territory
from bot.flows import FLOWS_DIR, load_flows

ROOT = Path(__file__).resolve().parent.parent


def run_check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_check_passes_on_the_shipped_files() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed." in result.stdout
    assert "8 themes" in result.stdout


def test_check_fails_on_a_broken_flow(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, flows)
    avis = flows / "avis.yaml"
    avis.write_text(
        avis.read_text(encoding="utf-8").replace("next: sent", "next: envoye"), encoding="utf-8"
    )
    result = run_check("--flows", str(flows))
    assert result.returncode == 1
    assert "ERROR avis.yaml: line" in result.stdout
    assert "step 'confirm': leads to 'envoye', which is not a step of this flow" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_fails_on_a_broken_territory_with_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "territoire.toml"
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    broken.write_text(
        text.replace('timezone = "Europe/Paris"', 'timezone = "Europe/Lutece"'), encoding="utf-8"
    )
    result = run_check(env={"PORTEVOIX_CONFIG": str(broken)})
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert "territoire.toml" in errors[0] and "Europe/Lutece" in errors[0]
    assert "Traceback" not in result.stdout + result.stderr


def catalogs_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped catalogs with one English entry changed."""
    locales = tmp_path / "locales" / "en" / "LC_MESSAGES"
    locales.mkdir(parents=True)
    po = (ROOT / "locales/en/LC_MESSAGES/bot.po").read_text(encoding="utf-8")
    assert old in po
    (locales / "bot.po").write_text(po.replace(old, new), encoding="utf-8")
    return tmp_path / "locales"


def test_check_reports_an_untranslated_text(tmp_path: Path, territory: Territory) -> None:
    locales = catalogs_with(tmp_path, 'msgstr "Anonymous"', 'msgstr ""')
    problems = check_catalogs(territory.languages, [("flows/avis.yaml", 40, "Anonyme")], locales)
    assert problems == ["flows/avis.yaml:40: en: not translated: 'Anonyme'"]


def test_check_reports_lost_placeholders(tmp_path: Path, territory: Territory) -> None:
    locales = catalogs_with(tmp_path, 'msgstr "Person {code}"', 'msgstr "Person"')
    problems = check_catalogs(territory.languages, [("bot/x.py", 1, "Personne {code}")], locales)
    assert problems and "placeholders ['code']" in problems[0]


def test_callback_data_over_64_bytes_is_reported(territory: Territory) -> None:
    flows = load_flows(FLOWS_DIR)
    assert check_callback_data(flows, territory) == []
    menu = flows["menu"]
    step = menu.steps["choose"]
    long_choice = step.choices[0].__class__(value="v", label="L", flow="x" * 70)
    menu.steps["choose"] = step.__class__(**{**step.__dict__, "choices": (long_choice,)})
    problems = check_callback_data(flows, territory)
    assert any("callback data is 73 bytes, Telegram allows 64" in p for p in problems), problems


def test_run_stops_at_start_on_a_broken_territory_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "territoire.toml"
    broken.write_text("[territory\nname = 1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PORTEVOIX_CONFIG": str(broken), "TELEGRAM_BOT_TOKEN": "1:x"},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "territoire.toml" in lines[0] and "line 1" in lines[0]


def test_run_without_a_token_says_so() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "TELEGRAM_BOT_TOKEN is not set: give the token BotFather gave you."
    )


def test_check_blocks_a_text_that_breaks_the_falc_rules(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, flows)
    menu = flows / "menu.yaml"
    text = menu.read_text(encoding="utf-8").replace(
        "say: Que voulez-vous faire ?",
        "say: Merci de bien vouloir sélectionner ci-dessous l'option correspondant à votre demande auprès de la CDU ; nous vous répondrons.",
    )
    menu.write_text(text, encoding="utf-8")
    result = run_check("--flows", str(flows))
    assert result.returncode == 1
    assert "FALC S1" in result.stdout  # a sentence of more than 15 words
    assert "FALC S7" in result.stdout  # « ; »
    assert (
        "FALC W3" in result.stdout and "commission des usagers" in result.stdout
    )  # CDU unexplained
