"""segkit: segmentation reports from a params file."""
__version__ = "0.1.0"
