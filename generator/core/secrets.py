"""What a secret looks like in text: the one rule for every map key and every text value of a
spec (each file as written, before defaults merge) and of the rendered bundle (validate). Specs
and the bundle live in git; a credential in either is leaked to everyone who can read the
repository, and to every cluster the bundle syncs to. Only references to Secrets belong there.

The forms are those of a maintained detector, the plugins of `detect-secrets` (private keys of
every armour, issuers' token formats, basic auth, secret-named assignments, high-entropy
strings), each run on one key or value; the project's own rules stay where that detector has
none: credentials in a URL's query (`?token=`, presigned signatures), a token as a URL's user,
an `Authorization:` header, a bare `token=...` assignment, an AWS secret access key on its own,
Google API keys. High-entropy strings are tuned for what specs and bundles hold legitimately
(image digests, commit ids, UIDs, cloud resource ids): see `_high_entropy`."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters import heuristic
from detect_secrets.plugins import keyword
from detect_secrets.plugins.base import BasePlugin
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
    HighEntropyStringsPlugin,
)
from detect_secrets.plugins.ip_public import IPPublicDetector

_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^/@\s]*)@")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
# Query parameters that carry a credential (OAuth, presigned S3/GCS/Azure URLs, API keys).
_SECRET_PARAMS = {
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "private_token",
    "auth",
    "auth_token",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
    "key",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
}
# The same outside a URL (`token=...` in free text, an env line): without the generic names
# (`key=`, `auth=`, `sig=`), which text uses for much else (a label selector's `key=value`).
_ASSIGNED = re.compile(r"(?<![\w.-])(?P<name>[A-Za-z][\w.-]*)[ \t]*=[ \t]*['\"]?(?P<value>[^\s&'\",;]{4,})")
_ASSIGNED_NAMES = _SECRET_PARAMS - {"key", "auth", "sig", "signature"}
_AUTH_HEADER = re.compile(
    r"\b(?:Proxy-)?Authorization\s*[:=]\s*(?:Basic|Bearer|Token|Digest|Negotiate)\s+[A-Za-z0-9._~+/=-]{4,}", re.I
)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# The project's own issuer formats, kept beside the detector's (whose names are less precise
# or who lacks them: Google API keys).
_TOKENS = {
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    "a GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"),
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "a Slack webhook URL": re.compile(r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a JSON Web Token": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
}
# An AWS secret access key on its own: 40 characters of base64's alphabet. detect-secrets finds
# one only beside the words "aws" and "key"; alone it is told from a path or a name by mixing
# upper case, lower case and digits, and by not being hex (a commit id is 40 hex digits).
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")

# detect-secrets' plugins, each by its own name; the ones run apart (keywords, entropy) or not
# at all: a public IP address is no secret (egress rules and API servers name them).
# (detect-secrets types its registry loosely: each value is a plugin class)
_PLUGIN_CLASSES = cast(dict[str, type[BasePlugin]], get_mapping_from_secret_type_to_class())
_PLUGINS = {
    name: cls()
    for name, cls in sorted(_PLUGIN_CLASSES.items())
    if not issubclass(cls, (keyword.KeywordDetector, HighEntropyStringsPlugin, IPPublicDetector))
}
# Every pattern of those plugins in one regex, tried first: most text matches none, and one
# search is much cheaper than ~40 (each plugin is asked only after a hit, to name the kind).
_ANY_PLUGIN = re.compile(
    "|".join(
        f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" if p.flags & re.I else f"(?:{p.pattern})"
        for plugin in _PLUGINS.values()
        for p in getattr(plugin, "denylist", ())
    )
)
_KEYWORD = keyword.KeywordDetector()
_KEYWORD_NAME = re.compile(rf"(?:{'|'.join(keyword.DENYLIST)})", re.I)
_BASE64 = Base64HighEntropyString()
_HEX = HexHighEntropyString()

# High entropy: a "word" (a run of base64's alphabet between other characters) of at least
# _MIN_ENTROPY_LENGTH characters, over detect-secrets' limits (base64 4.5 bits a character,
# hex 3.0). Shorter words cannot reach 4.5 bits over base64 (that needs 23 distinct
# characters), and are names. Words that are high-entropy by nature and no secret pass:
_MIN_ENTROPY_LENGTH = 20
_NOT_SECRET_WORDS = (
    # Content digests and commit ids: 32 (md5), 40 (sha1, git), 64 (sha256) or 128 (sha512) hex
    # digits, with or without an algorithm prefix (`sha256:...` pins an image).
    re.compile(
        r"(?:(?:sha256|sha384|sha512|sha1|md5):)?(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}"
        r"|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})"
    ),
    # Kubernetes UIDs and other UUIDs (detect-secrets' own filter).
    re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
    # Cloud resource ids: AWS (ami-, subnet-, sg-, vpc-, i-, vol-, ... + 8 or 17 hex digits),
    # and the like: a lower-case kind, a dash, hex.
    re.compile(r"[a-z]{1,12}-(?:[0-9a-f]{8}|[0-9a-f]{17})"),
)
_WORD = re.compile(r"[A-Za-z0-9+/=_-]+")
_PUBLIC_PEM = re.compile(
    r"-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|X509 CRL|CERTIFICATE REQUEST|PUBLIC KEY)-----"
    r".*?-----END \1-----",
    re.S,
)
_BASE64_PEM = "LS0tLS1CRUdJTi"  # "-----BEGIN" in base64: a PEM block encoded once more (a caBundle)


def carries_credentials(url: str) -> bool:
    """A user and password, or a token in the user part (https://ghp_...@host); an ssh URL's
    bare user name (ssh://git@host) is not a secret."""
    m = _USERINFO.match(url)
    return m is not None and (m.group(1).lower() != "ssh" or ":" in m.group(2))


@lru_cache(maxsize=1 << 16)
def looks_secret(text: str) -> str | None:
    """Why `text` holds a secret (a phrase for an error message), or None. Cached: a bundle
    repeats the same names and values thousands of times."""
    if len(text) < 8:
        return None  # no credential form fits in fewer characters
    if _PRIVATE_KEY.search(text):
        return "a private key"
    for m in _USERINFO.finditer(text):
        if carries_credentials(text[m.start() :]):
            return "credentials in a URL (user:password@ or a token as the user)"
    for url in _URL.findall(text):
        try:
            params = parse_qsl(urlsplit(url).query, keep_blank_values=False)
        except ValueError:
            continue
        for name, value in params:
            if name.lower() in _SECRET_PARAMS and value:
                return f"a credential in the URL's query (`{name}=`)"
    if _AUTH_HEADER.search(text):
        return "an HTTP Authorization header with credentials"
    for what, pattern in _TOKENS.items():
        if pattern.search(text):
            return what
    if _ANY_PLUGIN.search(text):
        for name, plugin in _PLUGINS.items():
            if any(True for _ in plugin.analyze_string(text)):
                return f"a secret of the kind {name!r}"
    # Certificates and public keys are public: their bodies are high-entropy, and no secret.
    outside_urls = _PUBLIC_PEM.sub(" ", _URL.sub(" ", text))
    for m in _ASSIGNED.finditer(outside_urls):
        if m["name"].lower() in _ASSIGNED_NAMES and _real_value(m["value"], text):
            return f"a credential assigned to `{m['name']}=`"
    why = _keyword(text) or _aws_secret(outside_urls) or _high_entropy(outside_urls)
    return why


def _real_value(value: str, line: str) -> bool:
    """A value, not a reference to one: `${VAR}`, `{name}`, `<placeholder>`, `$VAR`, a call."""
    return not (
        heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_indirect_reference(line)
        or heuristic.is_sequential_string(value)
    )


def _keyword(text: str) -> str | None:
    """detect-secrets' secret-named assignments (`password: x`, `client_secret = x`), as its
    config files' rules find them; only where the name ends in the keyword: `secretName: x`
    and `passwordSecretRef: x` name a Secret, they hold none."""
    if not _KEYWORD_NAME.search(text):
        return None
    for pattern in keyword.CONFIG_DENYLIST_REGEX_TO_GROUP:
        m = pattern.search(text)
        if not m:
            continue
        assigned = _KEYWORD_NAME.match(m.group(0))
        if assigned and not re.match(r"\w", m.group(0)[assigned.end() :]):
            value = next(_KEYWORD.analyze_string(m.group(0), denylist_regex_to_group={pattern: _group(pattern)}), "")
            if len(value) >= 4 and _real_value(value, m.group(0)):
                return f"a value assigned to the secret-named `{assigned.group(0)}`"
    return None


def _group(pattern: re.Pattern) -> int:
    return keyword.CONFIG_DENYLIST_REGEX_TO_GROUP[pattern]


def _aws_secret(text: str) -> str | None:
    for m in _AWS_SECRET.finditer(text):
        word = m.group()
        if (
            re.search("[a-z]", word)
            and re.search("[A-Z]", word)
            and re.search("[0-9]", word)
            and not re.fullmatch("[0-9a-fA-F]+", word)
            and _BASE64.calculate_shannon_entropy(word) > 4.0
        ):
            return "an AWS secret access key"
    return None


def _high_entropy(text: str) -> str | None:
    for word in _WORD.findall(text):
        word = word.strip("-_/=")
        if len(word) < _MIN_ENTROPY_LENGTH or any(p.fullmatch(word) for p in _NOT_SECRET_WORDS):
            continue
        if heuristic.is_potential_uuid(word) or heuristic.is_sequential_string(word):
            continue
        if word.startswith(_BASE64_PEM):
            # Judged by what it encodes: a certificate bundle passes, a private key does not.
            try:
                decoded = base64.b64decode(word + "=" * (-len(word) % 4)).decode("utf-8")
            except ValueError:
                decoded = ""
            if decoded:
                if _PRIVATE_KEY.search(decoded):
                    return "a private key (base64-encoded)"
                if not _PUBLIC_PEM.sub("", decoded).strip():
                    continue
        if re.fullmatch("[0-9a-fA-F]+", word):
            if _HEX.calculate_shannon_entropy(word) > _HEX.entropy_limit:
                return "a high-entropy hex string (a key or token?)"
            continue
        # Paths and names (`quay.io/org/image-name`, `odh-dashboard-rhel8`) are words too:
        # a token mixes cases and digits within itself, a name is lower case with separators.
        if not (re.search("[a-z]", word) and re.search("[A-Z]", word) and re.search("[0-9]", word)):
            continue
        if _BASE64.calculate_shannon_entropy(word) > _BASE64.entropy_limit:
            return "a high-entropy string (a key or token?)"
    return None


def findings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, bool, str]]:
    """Every secret in plain data: (path, at_key, why). Map keys are looked at as well as values:
    a label key is text in git and on the cluster like any value."""
    if isinstance(data, str):
        why = looks_secret(data)
        if why:
            yield path, False, why
    elif isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str):
                why = looks_secret(k)
                if why:
                    yield path + (k,), True, why
            yield from findings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from findings(v, path + (i,))
