"""Settings of cluster scoring (``calltone score --cluster``), apart from the Dask code.

Kept in their own light module so the service can list every ``CALLTONE_*`` variable
(:mod:`calltone.service.environment`) without importing Dask.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClusterSettings(BaseSettings):
    """Cluster scoring settings (environment prefix ``CALLTONE_``; CLI flags override)."""

    model_config = SettingsConfigDict(
        env_prefix="CALLTONE_", env_file=".env", extra="ignore", frozen=True
    )

    dask_scheduler: str | None = Field(
        None,
        description="Dask scheduler address (tcp://host:8786) used by `calltone score` when "
        "--cluster is not given; 'local' starts a LocalCluster on this machine",
    )
    dask_connect_timeout_s: float = Field(
        30.0, gt=0, le=3600, description="how long to wait for the scheduler and a first worker"
    )
    dask_in_flight_per_thread: int = Field(
        4,
        ge=1,
        le=1000,
        description="calls submitted at once per worker thread (back-pressure: the rest wait "
        "in the client, not in the scheduler's memory)",
    )
    dask_in_flight_min: int = Field(8, ge=1, le=100_000, description="floor of that window")
    dask_fetch_max_bytes: int = Field(
        4 << 30,
        ge=1,
        description="largest recording a worker copies from an fsspec URL (bytes)",
    )
    manifest_line_max_bytes: int = Field(
        65_536, ge=256, le=1 << 24, description="longest line a manifest may have (bytes)"
    )
