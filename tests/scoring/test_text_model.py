"""The bundled text model loads from the installed wheel, offline, without importing wordllama."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import socket, sys

    def refuse(*args, **kwargs):
        raise OSError("network touched")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from web.infra.scorer_model import bundled_scorer
    from scoring.generic import generic_rubric

    card = bundled_scorer().score(
        "I rebuilt the plan with the two leads, cut the reporting feature to phase two and told the "
        "sponsor on Monday with a recommendation.",
        generic_rubric("Your program is six weeks late. What do you do?", "program-execution"),
    )
    assert card.scorer_version.startswith("learned-"), card.scorer_version
    assert "wordllama" not in sys.modules, "the wordllama package was imported"
    assert "requests" not in sys.modules, "an HTTP client was imported"
    print("offline ok")
    """
)


def test_the_text_model_and_scorer_work_with_the_network_refused():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "offline ok" in result.stdout


def test_the_embedder_is_deterministic_and_unit_length():
    from web.infra.text_model import load_embedder

    embedder = load_embedder()
    a = embedder.embed(["The sponsor heard about the slip from me first.", ""])
    b = embedder.embed(["The sponsor heard about the slip from me first.", ""])
    assert (a == b).all()
    assert abs(float((a[0] ** 2).sum()) - 1.0) < 1e-5
    assert not a[1].any()  # a text with no words is the zero vector
