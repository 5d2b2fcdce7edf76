"""GET /healthz and GET /metrics."""

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from rostra.api.context import AppContext
from rostra.api.responses import CompactJSON
from rostra.ops import metrics

router = APIRouter(tags=["operations"])


def _database_reachable(ctx: AppContext) -> bool:
    try:
        with ctx.db.read() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to reach it is "unhealthy", whatever the cause
        return False


@router.get("/healthz", summary="Liveness and database reachability")
async def healthz(request: Request):
    ctx: AppContext = request.app.state.rostra
    reachable = await run_in_threadpool(_database_reachable, ctx)
    body = {"status": "ok" if reachable else "degraded", "database": reachable}
    return CompactJSON(body, status_code=200 if reachable else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics_page(request: Request):
    ctx: AppContext = request.app.state.rostra
    pool = ctx.db.engine.pool
    in_use = pool.checkedout() if hasattr(pool, "checkedout") else 0
    body, content_type = metrics.render(ctx.live.broker.open_streams, in_use)
    return Response(body, media_type=content_type)
