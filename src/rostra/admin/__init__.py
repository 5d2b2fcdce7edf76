"""The moderators' side: accounts, the moderation UI at /admin, queues, actions and metrics."""
