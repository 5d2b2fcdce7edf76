"""How a send failed, as the outbox needs to know: try again later, or give up."""


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status = status  # the SMTP reply code or HTTP status, when there was one
        self.permanent = permanent  # retrying cannot help (a refused address, 410 Gone)
