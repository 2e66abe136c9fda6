"""Shared test set-up: hypothesis profiles, the repo root as working directory, a YAML-writing fixture."""

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# ci: derandomized so a run is reproducible; dev: more examples, random, for local bug hunting.
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    """The CLI's defaults (criteria/baseline.yaml, vendors/) are relative to the repo root."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def write_yaml(tmp_path):
    """write_yaml("name.yaml", text) -> Path: dedents the text and writes it (UTF-8) under tmp_path."""

    def write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
