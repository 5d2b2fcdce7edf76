"""The /admin pages, gathered under one router."""

from fastapi import APIRouter

from rostra.admin.routes import (
    actions,
    notifications,
    oversight,
    queues,
    sanctions,
    session,
    sites,
    threads,
)
from rostra.admin.web import AdminRoute

router = APIRouter(prefix="/admin", route_class=AdminRoute, include_in_schema=False)
for _module in (session, queues, actions, sanctions, sites, threads, oversight, notifications):
    router.include_router(_module.router)
