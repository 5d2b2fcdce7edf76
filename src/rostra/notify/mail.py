"""Sending mail over SMTP (standard library), with the headers mail clients
and providers expect: a Message-ID fixed by the outbox row, so a mail sent
again after a crash is recognisably the same mail, and one-click unsubscribe
(RFC 8058) on reply mails."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from rostra.config import Settings
from rostra.notify.failure import DeliveryFailed
from rostra.notify.render import Mail


def message_id(row_id: int, public_url: str) -> str:
    return f"<rostra.outbox.{row_id}@{urlsplit(public_url).hostname}>"


def build_message(mail: Mail, *, sender: str, recipient: str, msgid: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = msgid
    # Tells autoresponders (holiday notices) not to answer.
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class Mailer:
    """One SMTP connection per mail: mails are few and the worker sends one at a time."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.security = settings.smtp_security
        self.username = settings.smtp_username
        self.password = settings.smtp_password
        self.ca_file = settings.smtp_ca_file
        self.sender = settings.mail_from
        self.timeout = timeout

    def _tls_context(self) -> ssl.SSLContext:
        """The system's CAs, or only those of smtp_ca_file when it is set (read
        at each connection, so a renewed bundle needs no restart)."""
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._tls_context()
            )
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            try:
                client.starttls(context=self._tls_context())
            except BaseException:
                client.close()
                raise
        return client

    def send(self, message: EmailMessage) -> None:
        """Hand one mail to the server, or raise DeliveryFailed (permanent on a 5xx refusal)."""
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise DeliveryFailed(_reply(code, text), status=code, permanent=code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(
                _reply(exc.smtp_code, exc.smtp_error), status=exc.smtp_code,
                permanent=exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError),
            ) from None  # fmt: skip
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(
                f"SMTP server {self.host}:{self.port}: {exc or type(exc).__name__}"
            ) from None


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"SMTP {code} {words}".strip()
