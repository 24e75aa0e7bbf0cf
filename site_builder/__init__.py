"""site-builder: Jukebox sampling experiments -> a Jekyll-compatible blog."""

from pathlib import Path

__version__ = "0.1.0"
# The default templates (the post's body, the sbatch script), shipped as package
# data; a blog's own templates/ folder overrides them.
TEMPLATES = Path(__file__).resolve().parent / "templates"
