"""site-builder: Jukebox sampling experiments -> a Jekyll-compatible blog."""

__version__ = "0.1.0"
