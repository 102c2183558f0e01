"""The README's Python examples type-check under ``mypy --strict`` (``test_readme`` runs them)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_python_examples() -> None:
    assert _examples()


def test_every_readme_example_passes_mypy_strict(tmp_path: Path) -> None:
    from mypy import api

    paths = []
    for number, code in enumerate(_examples()):
        path = tmp_path / f"example_{number}.py"
        path.write_text(code)
        paths.append(str(path))
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), *paths]
    )
    assert status == 0, out + err
