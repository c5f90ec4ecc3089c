"""The scoring service's web layer: a FastAPI app over a :class:`~segkit.serve.model.ServedModel`.

Endpoints
---------
``GET /health``
    ``status``, the served run or model, its data kind, the model's sha256, the number of segments, the
    feature columns, ``max_rows`` and the number of known entities.
``GET /segments``
    Every segment: ``code``, ``name``, ``size``, ``share`` and (for a run folder) its ``profile``.
``POST /score``
    A JSON list of 1 to :data:`~segkit.serve.model.MAX_ROWS` objects, one per row, with the model's feature
    columns (values: text, numbers, true/false or null; other keys are ignored). Answers
    ``{"id_column", "rows", "warnings", "counts"}``, each row as ``segkit score`` writes it.
``GET /entities/{id}``
    The segment of an entity of the served run (its row of ``segments.csv``); 404 when the id is unknown or
    a model folder is served.

Errors are JSON ``{"error": "...", ...}`` and never a stack trace: 422 for a body that is not a list of rows
(each problem named by row and column), a longer list, a missing feature column or a value of the wrong
type (``column`` names it); 413 for a body above :data:`MAX_BODY_BYTES`; 501 when the model's data kind
cannot score rows; 500, logged on the server, for anything unexpected.
"""

import logging
from typing import Annotated, Union

from ..errors import DependencyError, SegkitError, truncate
from ..naming.words import counted

try:
    from fastapi import Body, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as exc:  # the optional extra is not installed
    raise DependencyError(f"segkit serve needs FastAPI and uvicorn, which are not installed ({exc.name or exc})",
                          "pip install 'segkit[serve]'") from None

from .model import MAX_ROWS, ServedModel

__all__ = ["create_app", "MAX_BODY_BYTES"]

#: Largest request body accepted (bytes, from the Content-Length header); above it the answer is 413.
MAX_BODY_BYTES = 2 * 1024 * 1024
#: Problems listed in one 422 answer (the rest are counted).
MAX_PROBLEMS = 10
Cell = Union[str, int, float, bool, None]
#: The body of ``POST /score``: 1 to MAX_ROWS objects of column -> value.
Rows = Annotated[list[dict[str, Cell]], Body(min_length=1, max_length=MAX_ROWS,
                                             description=f"1 to {MAX_ROWS:,} rows, each an object of column -> value")]
log = logging.getLogger("segkit.serve")


def _where(loc) -> "tuple[str, str | None]":
    """("row 3, column 'age'", "age") from a validation error's location ``("body", 2, "age")``."""
    parts = [p for p in loc if p != "body"]
    row = f"row {parts[0] + 1}" if parts and isinstance(parts[0], int) else "the body"
    column = str(parts[1]) if len(parts) > 1 else None
    return (f"{row}, column {truncate(column)}" if column else row), column


def _problems(exc: RequestValidationError) -> "list[dict]":
    """One problem per place: a cell that fits none of the value types is one problem, not four."""
    seen: dict = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            seen.setdefault(("body",), {"where": "the body", "column": None,
                                        "problem": "not valid JSON"})
            continue
        cell = len(loc) >= 3 and loc[0] == "body" and isinstance(loc[1], int)
        loc = loc[:3] if cell else loc
        where, column = _where(loc)
        problem = "should be text, a number, true/false or null" if cell else str(err.get("msg", "not valid"))
        seen.setdefault(loc, {"where": where, "column": column, "problem": problem})
    return list(seen.values())


def _validation_answer(exc: RequestValidationError) -> JSONResponse:
    problems = _problems(exc) or [{"where": "the body", "column": None, "problem": "not valid"}]
    first, more = problems[0], len(problems) - 1
    return JSONResponse(status_code=422, content={
        "error": f"the request is not a valid list of rows: {first['where']}: {first['problem']}"
                 + (f" (and {counted(more, 'more problems')})" if more else ""),
        "column": first["column"], "problems": problems[:MAX_PROBLEMS], "more_problems": max(more + 1 - MAX_PROBLEMS, 0),
        "fix": "send a JSON list of objects, one per row, with the model's feature columns (GET /health lists them)"})


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError):
        return _validation_answer(exc)

    @app.exception_handler(SegkitError)
    async def segkit_error(request: Request, exc: SegkitError):
        return JSONResponse(status_code=422, content={"error": exc.message, "column": exc.column})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse(status_code=exc.status_code, content={"error": str(exc.detail)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error while answering %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"error": "the service failed to answer this request; "
                                                               "the server's log has the details"})

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY_BYTES):
            return JSONResponse(status_code=413, content={
                "error": f"the request body is larger than {MAX_BODY_BYTES:,} bytes",
                "fix": "send fewer rows per request"})
        return await call_next(request)


def create_app(served: ServedModel) -> FastAPI:
    """The FastAPI app answering for ``served`` (see the module docstring for the endpoints)."""
    app = FastAPI(title=f"segkit scoring service: {served.name}", docs_url=None, redoc_url=None,
                  description="Segments of a saved segkit model: score new rows, list segments, look up entities.")
    _install_handlers(app)

    @app.get("/health")
    def health() -> dict:
        return served.health()

    @app.get("/segments")
    def segments() -> dict:
        return {"segments": served.segments}

    @app.post("/score")
    def score(rows: Rows):
        if not served.scorer.can_score:
            return JSONResponse(status_code=501, content={
                "error": f"a model of data kind {served.scorer.kind.name!r} cannot score new rows",
                "fix": "serve a model of a kind that ships a scorer (customer tables, census areas)"})
        return served.score(rows)

    @app.get("/entities/{entity_id}")
    def entity(entity_id: str):
        found = served.entity(entity_id)
        if found is not None:
            return {"id_column": served.id_column, **found}
        why = ("this service serves a model folder, which knows no entities (serve the run folder instead)"
               if served.entities is None else f"no entity {truncate(entity_id)} in the run {served.name}")
        return JSONResponse(status_code=404, content={"error": why})

    return app
