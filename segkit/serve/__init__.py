"""``segkit serve``: a scoring service over a run folder or a model folder (FastAPI + uvicorn).

The service needs the optional extra ``pip install 'segkit[serve]'``; segkit imports and runs without it,
and ``segkit serve`` then says how to install it. :mod:`segkit.serve.model` (no web code) loads the model
once and checks its hashes; :mod:`segkit.serve.app` is the FastAPI app; :func:`serve` starts uvicorn.
It listens on 127.0.0.1 by default and has no authentication: put it behind your own gateway before
exposing it to a network.
"""

from __future__ import annotations

import sys

from .model import MAX_ROWS, ServedModel, open_served

__all__ = ["serve", "open_served", "ServedModel", "MAX_ROWS", "LOOPBACK"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(path, *, host: str = "127.0.0.1", port: int = 8000, say=print) -> None:
    """Load ``path`` (run or model folder), then answer HTTP requests on ``host:port`` until stopped.

    Raises
    ------
    DependencyError
        FastAPI or uvicorn is not installed.
    DataFileError, ModelError
        ``path`` is not a run or model folder, or the model does not match its recorded hashes: the service
        does not start.
    """
    from .app import create_app  # raises DependencyError without the extra

    try:
        import uvicorn
    except ImportError:
        from ..errors import DependencyError

        raise DependencyError("segkit serve needs uvicorn, which is not installed", "pip install 'segkit[serve]'") from None
    served = open_served(path)
    health = served.health()
    say(f"serving {served.name} ({health['data_kind']} model, {health['segments']} segments, model sha256 "
        f"{str(health['model_sha256'])[:12]}...) on http://{host}:{port}")
    if host not in LOOPBACK:
        print(f"segkit: warning: listening on {host} makes the service reachable from the network; it has no "
              "authentication", file=sys.stderr)
    uvicorn.run(create_app(served), host=host, port=port, log_level="warning", access_log=False)
