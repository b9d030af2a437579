"""Mofang (魔方): digital operations platform for retail banks."""

__version__ = "0.1.0"
