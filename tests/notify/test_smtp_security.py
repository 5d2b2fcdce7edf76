"""Mail over TLS to real SMTP servers: STARTTLS with a required login,
implicit TLS, and a server whose certificate is not trusted, which keeps
mails waiting in the outbox rather than losing them.

The servers (aiosmtpd on 127.0.0.1) present a self-signed certificate made
for the test; `smtp_ca_file` pointing at it is what makes Rostra trust it.
"""

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from notify_support import text_of
from sqlalchemy import select

from helpers import post, reader
from rostra.config import ConfigError, load_settings
from rostra.notify.worker import OutboxSender
from rostra.store.schema import outbox
from serving import free_port

USERNAME = "comments"
PASSWORD = "relay secret"
READER = "ana@example.com"


class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, in PEM files."""

    def __init__(self, folder: Path) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rostra test relay")])
        now = datetime.now(UTC)
        public = key.public_key()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        self.cert_file = folder / "relay.crt"
        self.key_file = folder / "relay.key"
        self.cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


class TlsRelay:
    """An SMTP server speaking TLS that takes mail only after a login:
    STARTTLS before anything else (`starttls`), or TLS from the first byte
    (`tls`). Keeps the mails it accepts and every login tried."""

    def __init__(self, certificate: Certificate, security: str, **smtp_options) -> None:
        self.port = free_port()
        self.security = security
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[str, str, bool]] = []  # mechanism, login, accepted
        self.senders: list[tuple[bool, bytes | None, bool]] = []  # authenticated, login, over TLS
        context = certificate.server_context()
        if security == "starttls":
            options = dict(
                tls_context=context, require_starttls=True, auth_required=True,
                auth_require_tls=True,
            )  # fmt: skip
        else:
            # aiosmtpd counts only STARTTLS as encryption for AUTH; here every
            # byte is TLS, and handle_MAIL below asks for the login instead.
            options = dict(ssl_context=context, auth_require_tls=False)
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, authenticator=self._authenticate,
            **options, **smtp_options,
        )  # fmt: skip

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        """aiosmtpd's PLAIN and LOGIN both hand over a LoginPassword."""
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        accepted = (login, password) == (USERNAME, PASSWORD)
        self.logins.append((mechanism, login, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        over_tls = server.transport.get_extra_info("ssl_object") is not None
        self.senders.append((bool(session.authenticated), session.login_data, over_tls))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Certificate:
    return Certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def relays(certificate):
    started: list[TlsRelay] = []

    def start(security: str, **smtp_options) -> TlsRelay:
        relay = TlsRelay(certificate, security, **smtp_options)
        relay.start()
        started.append(relay)
        return relay

    yield start
    for relay in started:
        relay.stop()


@pytest.fixture
def mail_through(database_url, db, clock):
    """A sender driven by the test, for the given relay and mail settings."""
    senders: list[OutboxSender] = []

    def make(relay: TlsRelay, host: str = "127.0.0.1", **mail_settings) -> OutboxSender:
        settings = load_settings(
            database_url=database_url, smtp_host=host, smtp_port=relay.port,
            smtp_security=relay.security, mail_from="Comments <comments@news.example>",
            public_url="https://comments.news.example", outbox_worker=False, **mail_settings,
        )  # fmt: skip
        sender = OutboxSender(db, settings, clock=clock)
        senders.append(sender)
        return sender

    yield make
    for sender in senders:
        sender.close()


def ask_for_reply_mails(ctx) -> None:
    """A comment whose author asks for reply mails: a confirmation mail waits."""
    post(ctx.db, ctx.hasher, "Mail me replies", email=READER, notify_replies=True, client=reader(1))


def outbox_rows(db) -> list[tuple]:
    columns = [outbox.c.status, outbox.c.attempts, outbox.c.last_status, outbox.c.last_error]
    with db.read() as conn:
        return [tuple(row) for row in conn.execute(select(*columns).order_by(outbox.c.id))]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_with_a_login_delivers(
    ctx, site, db, relays, mail_through, certificate, mechanism
):
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    relay = relays("starttls", auth_exclude_mechanism=[other])
    sender = mail_through(
        relay, smtp_username=USERNAME, smtp_password=PASSWORD,
        smtp_ca_file=str(certificate.cert_file),
    )  # fmt: skip
    ask_for_reply_mails(ctx)

    assert sender.run_once() == {"sent": 1}
    assert relay.logins == [(mechanism, USERNAME, True)]
    assert relay.senders == [(True, USERNAME.encode(), True)]
    (message,) = relay.messages
    assert message["To"] == READER
    assert message["From"] == "Comments <comments@news.example>"
    assert "/subscriptions/confirm" in text_of(message)
    assert outbox_rows(db) == [("sent", 1, None, None)]


def test_a_wrong_password_keeps_the_mail_pending_with_the_servers_answer(
    ctx, site, db, relays, mail_through, certificate, clock
):
    relay = relays("starttls")
    ca_file = str(certificate.cert_file)
    wrong = mail_through(relay, smtp_username=USERNAME, smtp_password="guess", smtp_ca_file=ca_file)
    ask_for_reply_mails(ctx)

    assert wrong.run_once() == {"retry": 1}
    assert relay.messages == []
    assert relay.logins and all(
        login == USERNAME and not accepted for _, login, accepted in relay.logins
    )
    ((status, attempts, last_status, last_error),) = outbox_rows(db)
    assert (status, attempts, last_status) == ("pending", 1, 535)
    assert last_error == "SMTP 535 5.7.8 Authentication credentials invalid"

    # With the password put right, the waiting mail goes at its next try.
    right = mail_through(
        relay, smtp_username=USERNAME, smtp_password=PASSWORD, smtp_ca_file=ca_file
    )
    clock.advance(seconds=31)
    assert right.run_once() == {"sent": 1}
    assert [message["To"] for message in relay.messages] == [READER]


def test_implicit_tls_delivers(ctx, site, db, relays, mail_through, certificate):
    relay = relays("tls")
    # By name this time: the certificate's DNS name is checked, not its IP address.
    sender = mail_through(
        relay, host="localhost", smtp_username=USERNAME, smtp_password=PASSWORD,
        smtp_ca_file=str(certificate.cert_file),
    )  # fmt: skip
    ask_for_reply_mails(ctx)

    assert sender.run_once() == {"sent": 1}
    assert relay.logins == [("PLAIN", USERNAME, True)]
    assert relay.senders == [(True, USERNAME.encode(), True)]
    assert [message["To"] for message in relay.messages] == [READER]
    assert outbox_rows(db) == [("sent", 1, None, None)]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_an_untrusted_certificate_is_refused_and_the_mail_waits(
    ctx, site, db, relays, mail_through, certificate, clock, security
):
    relay = relays(security)
    login = dict(smtp_username=USERNAME, smtp_password=PASSWORD)
    system_cas_only = mail_through(relay, **login)
    ask_for_reply_mails(ctx)

    assert system_cas_only.run_once() == {"retry": 1}
    assert relay.messages == [] and relay.logins == []  # the password never went out
    ((status, attempts, last_status, last_error),) = outbox_rows(db)
    assert (status, attempts, last_status) == ("pending", 1, None)
    assert last_error.startswith(f"SMTP server 127.0.0.1:{relay.port}: ")
    assert "certificate verify failed" in last_error

    # Nothing is lost: trusting the relay's CA sends the waiting mail.
    trusting = mail_through(relay, smtp_ca_file=str(certificate.cert_file), **login)
    clock.advance(seconds=31)
    assert trusting.run_once() == {"sent": 1}
    assert [message["To"] for message in relay.messages] == [READER]


def test_the_ca_file_must_exist(tmp_path, certificate):
    missing = tmp_path / "no-such-ca.pem"
    with pytest.raises(ConfigError, match=r"invalid setting smtp_ca_file .*no such file"):
        load_settings(smtp_ca_file=str(missing))
    with pytest.raises(ConfigError, match="invalid setting smtp_ca_file"):
        load_settings(smtp_ca_file=str(tmp_path))  # a folder is not a bundle
    settings = load_settings(smtp_ca_file=str(certificate.cert_file))
    assert settings.smtp_ca_file == str(certificate.cert_file)
