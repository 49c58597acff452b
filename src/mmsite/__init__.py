"""mmsite: a static site generator for micro-multinationals."""

__version__ = "0.1.0"
