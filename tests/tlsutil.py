"""Throwaway self-signed certificates for TLS and S/MIME tests."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

from argon2 import PasswordHasher
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def self_signed(folder: Path, name: str = "gateway.test") -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def rsa_certificate(name: str = "Test teacher") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed RSA certificate and its key, for building S/MIME test messages."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def unverified_client_context() -> ssl.SSLContext:
    """A client TLS context that accepts the throwaway certificates above."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def smtp_auth_settings(folder: Path, username: str, password: str) -> dict[str, object]:
    """Gateway overrides: STARTTLS with a throwaway certificate, one AUTH account, and
    only 127.0.0.1 allowed to relay without it (tests connect from 127.0.0.2 and up)."""
    cert, key = self_signed(folder)
    return {
        "smtp.client_networks": ["127.0.0.1/32"],
        "smtp.tls_cert": str(cert),
        "smtp.tls_key": str(key),
        "smtp.auth_users": [
            {"username": username, "password_hash": PasswordHasher().hash(password)}
        ],
    }
