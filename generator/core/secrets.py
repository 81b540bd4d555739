"""What a secret looks like in text: the one rule for every free-text value of a spec (each file
as written, before defaults merge) and of the rendered bundle (validate). Specs and the bundle
live in git; a credential in either is leaked to everyone who can read the repository, and to
every cluster the bundle syncs to. Only references to Secrets belong there.

A value is refused when it carries credentials in a URL (a password, or a token as the user of
an http(s) URL; an ssh URL's bare user name is not secret), a query parameter that carries one
(`?token=`, `sig=`, ...), a PEM private key, or a token in a format its issuer publishes
(GitHub, GitLab, AWS access keys, Slack, Google API keys, JSON Web Tokens)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^/@\s]*)@")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
# Query parameters that carry a credential (OAuth, presigned S3/GCS/Azure URLs, API keys).
_SECRET_PARAMS = {
    "token", "access_token", "id_token", "refresh_token", "private_token", "auth", "auth_token", "password",
    "passwd", "pwd", "secret", "client_secret", "api_key", "apikey", "key", "sig", "signature",
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential",
}
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
# Issuers' published token formats: name -> pattern.
_TOKENS = {
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    "a GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"),
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "a Slack webhook URL": re.compile(r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a JSON Web Token": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
}


def carries_credentials(url: str) -> bool:
    """A user and password, or a token in the user part (https://ghp_...@host); an ssh URL's
    bare user name (ssh://git@host) is not a secret."""
    m = _USERINFO.match(url)
    return m is not None and (m.group(1).lower() != "ssh" or ":" in m.group(2))


def looks_secret(text: str) -> str | None:
    """Why `text` holds a secret (a phrase for an error message), or None."""
    if _PRIVATE_KEY.search(text):
        return "a PEM private key"
    for m in _USERINFO.finditer(text):
        if carries_credentials(text[m.start():]):
            return "credentials in a URL (user:password@ or a token as the user)"
    for url in _URL.findall(text):
        try:
            params = parse_qsl(urlsplit(url).query, keep_blank_values=False)
        except ValueError:
            continue
        for name, value in params:
            if name.lower() in _SECRET_PARAMS and value:
                return f"a credential in the URL's query (`{name}=`)"
    for what, pattern in _TOKENS.items():
        if pattern.search(text):
            return what
    return None


def strings(data, path: tuple = ()):
    """Every string value in plain data, with its path (map keys are names, not values)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings(v, path + (i,))
