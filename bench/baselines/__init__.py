"""Servers to compare against: the practical floor and the standard pattern."""
