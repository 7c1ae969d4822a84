"""irlmeet: turn work trips into real relationships."""

__version__ = "0.1.0"
