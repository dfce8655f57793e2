"""`python -m bot demo` as a newcomer runs it: sandbox + bot + terminal, here with typed input piped in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_a_whole_avis_from_the_terminal() -> None:
    typed = "\n".join(
        [
            "1",  # Français
            "1",  # Donner mon avis
            "4",  # Mieux aider pendant une crise
            "Merci à l'équipe mobile.",
            "1",  # La mienne
            "1",  # Anonyme
            "1",  # Oui, j'envoie
            "/quitter",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--port", "0"],
        cwd=ROOT,
        input=typed + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PTB_TIMEDELTA": "true"},
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Porte-voix › Bonjour. Je suis Porte-voix." in out
    assert "[1] Français" in out
    assert "Vous › [Mieux aider pendant une crise]" in out
    assert "Message : Merci à l'équipe mobile." in out
    assert re.search(r"Votre numéro est AV-\d{4}-0001\.", out), out
    assert out.rstrip().endswith("Au revoir.")
