"""Synthetic tables of any size with the shape of real data, for tests, demos and timing.

- :func:`generate_acs_table`: a national-size ACS ZCTA table resampled from a real one (``acs``).
"""

from .acs import generate_acs_table
