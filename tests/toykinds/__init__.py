"""Data kinds written outside segkit, to show (and test) that a new kind is one module."""
