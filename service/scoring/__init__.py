"""Scoring archives of recorded calls: in local worker processes or on a Dask cluster."""
