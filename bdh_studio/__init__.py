"""BDH Studio: train Pathway's BDH on books, watch it learn, classify backstories."""

__version__ = "0.1.0"
