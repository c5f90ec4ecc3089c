"""Synthetic tables of any size with the shape of real data, for tests, demos and timing.

- :func:`generate_acs_table`: a national-size ACS ZCTA table resampled from a real one (``synth://acs``).
- :func:`generate_customers`: a mixed-type customer table with latent personas (``synth://customers``).
"""

from .acs import generate_acs_table
from .customers import generate_customers

__all__ = ["generate_acs_table", "generate_customers"]
