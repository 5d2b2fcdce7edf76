"""Mails and webhooks: written to the outbox with what caused them, sent by a worker."""
