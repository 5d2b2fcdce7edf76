"""Live updates: server-sent events fanned out across processes and hosts."""
