"""Shared test helpers live in tests/helpers; the tests mirror the package's stages."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
